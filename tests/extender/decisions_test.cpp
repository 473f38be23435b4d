#include "karpenter/extender/decisions.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_cluster_view.hpp"

namespace karpenter::extender {
namespace {

using testing::FakeClusterView;

NodeFacts managedNode(double price = 0.192, int64_t milliCpu = 8000, int64_t memoryGi = 32) {
  return NodeFacts{.managed = true,
                   .pricePerHour = price,
                   .allocatableMilliCpu = milliCpu,
                   .allocatableMemoryBytes = memoryGi << 30};
}

ExtenderArgs cacheArgs(std::vector<std::string> names, std::string uid = "pod-uid",
                       std::string cpu = "1", std::string memory = "1Gi") {
  ExtenderArgs args;
  args.pod = WireJson::parse(R"({"metadata": {"name": "p", "uid": ")" + uid +
                             R"("}, "spec": {"containers": [{"name": "c", "resources": {
                                 "requests": {"cpu": ")" +
                             cpu + R"(", "memory": ")" + memory + R"("}}}]}})");
  args.nodeNames = std::move(names);
  return args;
}

TEST(ExtenderFilter, RejectsOnlyNodesKarpenterIsTakingAway) {
  FakeClusterView view;
  view.nodes["healthy"] = managedNode();
  view.nodes["tainted"] = managedNode();
  view.nodes["tainted"].disruptedTaint = true;
  view.nodes["deleting"] = managedNode();
  view.nodes["deleting"].deleting = true;
  view.nodes["claim-deleting"] = managedNode();
  view.nodes["claim-deleting"].nodeClaimDeleting = true;
  view.nodes["unmanaged-deleting"] =
      NodeFacts{.managed = false, .disruptedTaint = true, .deleting = true};
  ExtenderFilterResult result =
      filter(cacheArgs({"healthy", "tainted", "deleting", "claim-deleting", "unmanaged-deleting",
                        "unknown"}),
             view);
  EXPECT_EQ(*result.nodeNames,
            (std::vector<std::string>{"healthy", "unmanaged-deleting", "unknown"}));
  ASSERT_EQ(result.failedNodes->size(), 3u);
  EXPECT_EQ(result.failedNodes->at("tainted"),
            "node is being disrupted by Karpenter (taint karpenter.sh/disrupted)");
  EXPECT_EQ(result.failedNodes->at("deleting"), "node is being deleted by Karpenter");
  EXPECT_EQ(result.failedNodes->at("claim-deleting"),
            "node's NodeClaim is being deleted by Karpenter");
  EXPECT_TRUE(result.error.empty());
  EXPECT_FALSE(result.nodes.has_value());
  EXPECT_FALSE(result.failedAndUnresolvableNodes.has_value());
}

TEST(ExtenderFilter, NonCacheModeReturnsTheNodeObjectsUntouched) {
  FakeClusterView view;
  view.nodes["b"] = managedNode();
  view.nodes["b"].disruptedTaint = true;
  ExtenderArgs args;
  args.pod = WireJson::parse(R"({"metadata": {"name": "p"}})");
  args.nodes = WireJson::parse(R"({"metadata": {"resourceVersion": "7"}, "items": [
      {"metadata": {"name": "a", "labels": {"z": "1", "a": "2"}}, "status": {"x": 1}},
      {"metadata": {"name": "b"}}]})");
  ExtenderFilterResult result = filter(args, view);
  ASSERT_TRUE(result.nodes.has_value());
  EXPECT_FALSE(result.nodeNames.has_value());
  EXPECT_EQ(result.nodes->dump(),
            R"({"metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"a","labels":)"
            R"({"z":"1","a":"2"}},"status":{"x":1}}]})");
  EXPECT_EQ(result.failedNodes->count("b"), 1u);
  EXPECT_EQ(encode(result)["NodeNames"], nullptr);
}

TEST(ExtenderPrioritize, NominatedNodeScoresHighest) {
  FakeClusterView view;
  view.nodes["a"] = managedNode();
  view.nodes["b"] = managedNode();
  view.nominations["pod-uid"] = "b";
  HostPriorityList scores = prioritize(cacheArgs({"a", "b"}), view);
  ASSERT_EQ(scores.size(), 2u);
  EXPECT_EQ(scores[1].host, "b");
  EXPECT_EQ(scores[1].score, 10);
  EXPECT_LT(scores[0].score, 10);
  // Another pod is not steered to b.
  HostPriorityList other = prioritize(cacheArgs({"a", "b"}, "other-uid"), view);
  EXPECT_EQ(other[0].score, other[1].score);
}

TEST(ExtenderPrioritize, NominatedNodeIsFoundWhereverAndHoweverOftenItIsAsked) {
  FakeClusterView view;
  view.nodes["a"] = managedNode();
  view.nodes["b"] = managedNode();
  view.nominations["pod-uid"] = "b";
  // Repeated, and among unknown nodes: every copy of the nominated name scores 10, no other.
  HostPriorityList scores = prioritize(cacheArgs({"b", "x", "a", "b", "y"}), view);
  ASSERT_EQ(scores.size(), 5u);
  EXPECT_EQ(scores[0].score, 10);
  EXPECT_LT(scores[1].score, 10);
  EXPECT_LT(scores[2].score, 10);
  EXPECT_EQ(scores[3].score, 10);
  EXPECT_LT(scores[4].score, 10);
  // A nomination to a node the state does not know (yet) is recognised by its name.
  view.nominations["pod-uid"] = "y";
  scores = prioritize(cacheArgs({"b", "x", "y"}), view);
  EXPECT_LT(scores[0].score, 10);
  EXPECT_LT(scores[1].score, 10);
  EXPECT_EQ(scores[2].score, 10);
}

TEST(ExtenderPrioritize, FollowsTheDocumentedFormula) {
  FakeClusterView view;
  // cheap: $0.096/h for 4 vCPU (0.024/vCPU), half full after the pod → 1 + 5·0.5 + 3·1 = 6.5 → 7
  view.nodes["cheap"] = managedNode(0.096, 4000, 16);
  view.nodes["cheap"].requestedMilliCpu = 1000;
  // dear: $0.384/h for 4 vCPU (0.096/vCPU), 1/4 full after the pod → 1 + 1.25 + 0 = 2.25 → 2
  view.nodes["dear"] = managedNode(0.384, 4000, 16);
  // middle price, drifted and consolidatable: 1 + 1.25 + 3·(2/3) = 4.25 → 4, − 5 → 0 (clamped)
  view.nodes["leaving"] = managedNode(0.192, 4000, 16);
  view.nodes["leaving"].drifted = true;
  view.nodes["leaving"].consolidatable = true;
  // unknown price and allocatable: 1 + 0 + 1.5 = 2.5 → 3 (lround rounds half away from zero)
  HostPriorityList scores = prioritize(cacheArgs({"cheap", "dear", "leaving", "unknown"}), view);
  ASSERT_EQ(scores.size(), 4u);
  EXPECT_EQ(scores[0].score, 7);
  EXPECT_EQ(scores[1].score, 2);
  EXPECT_EQ(scores[2].score, 0);
  EXPECT_EQ(scores[3].score, 3);
}

TEST(ExtenderPrioritize, APodThatDoesNotFitGetsNoPackingCredit) {
  FakeClusterView view;
  view.nodes["full"] = managedNode(0.192, 2000, 8);
  view.nodes["full"].requestedMilliCpu = 1500;
  view.nodes["roomy"] = managedNode(0.192, 2000, 8);
  HostPriorityList scores = prioritize(cacheArgs({"full", "roomy"}), view);
  // full: pod needs 1 CPU, 500m left → packing 0: 1 + 0 + 3 = 4; roomy: 1 + 2.5 + 3 = 6.5 → 7.
  EXPECT_EQ(scores[0].score, 4);
  EXPECT_EQ(scores[1].score, 7);
}

TEST(ExtenderPrioritize, ScoresStayWithinRangeForEveryCombination) {
  FakeClusterView view;
  std::vector<std::string> names;
  for (int mask = 0; mask < 64; ++mask) {
    NodeFacts facts = managedNode(0.05 * (mask % 7 + 1), 1000 * (mask % 5 + 1), mask % 3 + 1);
    facts.consolidatable = mask & 1;
    facts.drifted = mask & 2;
    facts.expiring = mask & 4;
    facts.requestedMilliCpu = 100 * (mask % 9);
    const std::string name = "n" + std::to_string(mask);
    view.nodes[name] = facts;
    names.push_back(name);
  }
  for (const auto& priority : prioritize(cacheArgs(names, "x", "250m", "256Mi"), view)) {
    EXPECT_GE(priority.score, kMinExtenderPriority) << priority.host;
    EXPECT_LT(priority.score, kMaxExtenderPriority) << priority.host;
  }
}

}  // namespace
}  // namespace karpenter::extender
