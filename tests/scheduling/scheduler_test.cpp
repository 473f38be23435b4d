#include "karpenter/scheduling/scheduler.hpp"

#include <gtest/gtest.h>

#include "scheduling/result_checker.hpp"
#include "scheduling/scheduling_fixtures.hpp"

namespace karpenter::scheduling {
namespace {

using testing::checkResults;
using testing::makeInstanceType;
using testing::makeNodePool;
using testing::makePod;
using testing::selectorRequirement;

class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest() {
    NodePoolInput pool{makeNodePool("default"), {}};
    pool.instanceTypes.push_back(makeInstanceType("small", 2, 4, 10, 0.2));
    pool.instanceTypes.push_back(makeInstanceType("medium", 4, 8, 20, 0.4));
    pool.instanceTypes.push_back(makeInstanceType("large", 16, 64, 110, 1.6));
    input_.nodePools.push_back(pool);
  }

  Results run() {
    podPointers_.clear();
    for (const auto& pod : pods_) {
      podPointers_.push_back(&pod);
    }
    auto results = solve(input_, podPointers_);
    auto violations = checkResults(input_, podPointers_, results);
    for (const auto& violation : violations) {
      ADD_FAILURE() << violation;
    }
    return results;
  }

  SchedulerInput input_;
  std::vector<api::Pod> pods_;
  std::vector<const api::Pod*> podPointers_;
};

// Replaces the instance type's capacity-type label values (Requirements::add would intersect).
void setCapacityTypes(InstanceType& type, std::vector<std::string> values) {
  Requirements kept;
  for (const auto& requirement : type.requirements) {
    if (requirement.key() != api::kCapacityTypeLabelKey) {
      kept.add(requirement);
    }
  }
  kept.add(Requirement::in(api::kCapacityTypeLabelKey, std::move(values)));
  type.requirements = kept;
}

std::vector<std::string> names(const NewNodeClaim& claim) {
  std::vector<std::string> out;
  for (const auto* type : claim.instanceTypes) {
    out.push_back(type->name);
  }
  return out;
}

TEST_F(SchedulerTest, PacksPodsOntoOneNodeClaimCheapestTypesFirst) {
  for (int i = 0; i < 3; ++i) {
    pods_.push_back(makePod("p" + std::to_string(i), "1", "1Gi"));
  }
  auto results = run();
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  const auto& claim = results.newNodeClaims[0];
  EXPECT_EQ(claim.pods.size(), 3U);
  EXPECT_EQ(names(claim), (std::vector<std::string>{"medium", "large"}));
  EXPECT_EQ(claim.nodePoolName, "default");
  const auto* instanceType = claim.requirements.find(api::kLabelInstanceType);
  ASSERT_NE(instanceType, nullptr);
  EXPECT_EQ(instanceType->values(), (std::vector<std::string>{"large", "medium"}));
  EXPECT_TRUE(claim.requirements.find(api::kNodePoolLabelKey)->has("default"));
  EXPECT_FALSE(claim.requirements.has(api::kLabelHostname));
  EXPECT_EQ(claim.requests.at("cpu"), api::Quantity::mustParse("3"));
  EXPECT_EQ(claim.requests.at("pods"), api::Quantity::mustParse("3"));
}

TEST_F(SchedulerTest, OpensAnotherNodeClaimWhenTheLargestTypeIsFull) {
  for (int i = 0; i < 5; ++i) {
    pods_.push_back(makePod("p" + std::to_string(i), "7", "1Gi"));
  }
  auto results = run();
  ASSERT_EQ(results.newNodeClaims.size(), 3U);
  EXPECT_EQ(results.newNodeClaims[0].pods.size(), 2U);
  EXPECT_EQ(results.newNodeClaims[2].pods.size(), 1U);
  EXPECT_TRUE(results.podErrors.empty());
}

TEST_F(SchedulerTest, PrefersExistingNodes) {
  api::Node node;
  node.metadata.name = "node-1";
  node.metadata.labels = {{std::string(api::kLabelTopologyZone), "zone-a"}};
  node.status.allocatable = {{"cpu", api::Quantity::mustParse("2")},
                             {"memory", api::Quantity::mustParse("4Gi")},
                             {"pods", api::Quantity::mustParse("10")}};
  api::Pod running = makePod("running", "1", "1Gi");
  input_.existingNodes.push_back(ExistingNode::fromNode(node, {&running}));
  pods_.push_back(makePod("fits", "1", "1Gi"));
  pods_.push_back(makePod("does-not", "1", "1Gi"));
  auto results = run();
  ASSERT_EQ(results.existingNodes.size(), 1U);
  EXPECT_EQ(results.existingNodes[0].nodeName, "node-1");
  ASSERT_EQ(results.existingNodes[0].pods.size(), 1U);
  EXPECT_EQ(results.newNodeClaims.size(), 1U);
}

TEST_F(SchedulerTest, DaemonSetOverheadShrinksCapacity) {
  api::DaemonSet daemonSet;
  daemonSet.metadata.name = "logging";
  api::Container container;
  container.resources.requests["cpu"] = api::Quantity::mustParse("1");
  daemonSet.spec.template_.spec.containers.push_back(container);
  input_.daemonSets.push_back(daemonSet);
  // 2 cpu pod + 1 cpu daemon no longer fits on "small" (2 cpu).
  pods_.push_back(makePod("p", "2", "1Gi"));
  auto results = run();
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  EXPECT_EQ(names(results.newNodeClaims[0]), (std::vector<std::string>{"medium", "large"}));
  EXPECT_EQ(results.newNodeClaims[0].daemonSetOverhead.at("cpu"), api::Quantity::mustParse("1"));
  EXPECT_EQ(results.newNodeClaims[0].requests.at("cpu"), api::Quantity::mustParse("3"));
}

TEST_F(SchedulerTest, DaemonSetNotToleratingTaintsAddsNoOverhead) {
  input_.nodePools[0].nodePool.spec.template_.spec.taints.push_back(
      {"dedicated", "gpu", "NoSchedule"});
  api::DaemonSet daemonSet;
  daemonSet.metadata.name = "logging";
  api::Container container;
  container.resources.requests["cpu"] = api::Quantity::mustParse("1");
  daemonSet.spec.template_.spec.containers.push_back(container);
  input_.daemonSets.push_back(daemonSet);
  auto pod = makePod("p", "2", "1Gi");
  pod.spec.tolerations.push_back({"dedicated", "Equal", "gpu", "NoSchedule", std::nullopt});
  pods_.push_back(pod);
  auto results = run();
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  EXPECT_EQ(names(results.newNodeClaims[0]).front(), "small");
}

TEST_F(SchedulerTest, ReportsUntoleratedTaintPerNodePool) {
  input_.nodePools[0].nodePool.spec.template_.spec.taints.push_back(
      {"dedicated", "gpu", "NoSchedule"});
  pods_.push_back(makePod("p", "1", "1Gi"));
  auto results = run();
  ASSERT_EQ(results.podErrors.size(), 1U);
  EXPECT_EQ(results.podErrors[0].reason,
            "incompatible with nodepool \"default\": untolerated taint {dedicated: gpu}")
      << results.podErrors[0].reason;
}

TEST_F(SchedulerTest, ReportsIncompatibleRequirementsAndOversizedPods) {
  auto pinned = makePod("pinned", "1", "1Gi");
  pinned.spec.nodeSelector[std::string(api::kLabelTopologyZone)] = "zone-z";
  pods_.push_back(pinned);
  pods_.push_back(makePod("huge", "64", "1Gi"));
  auto results = run();
  ASSERT_EQ(results.podErrors.size(), 2U);
  for (const auto& error : results.podErrors) {
    if (error.pod->metadata.name == "pinned") {
      EXPECT_NE(error.reason.find("incompatible with nodepool \"default\": "), std::string::npos);
      EXPECT_NE(error.reason.find("no instance type fits"), std::string::npos) << error.reason;
      EXPECT_NE(error.reason.find("zone-z"), std::string::npos) << error.reason;
    } else {
      EXPECT_NE(error.reason.find("no instance type fits: resources {\"cpu\":\"64\""),
                std::string::npos)
          << error.reason;
    }
  }
}

TEST_F(SchedulerTest, RequirementConflictWithNodePoolIsNamed) {
  input_.nodePools[0].nodePool.spec.template_.spec.requirements.push_back(
      selectorRequirement(std::string(api::kLabelTopologyZone), "In", {"zone-a"}));
  auto pod = makePod("p", "1", "1Gi");
  pod.spec.nodeSelector[std::string(api::kLabelTopologyZone)] = "zone-b";
  pods_.push_back(pod);
  auto results = run();
  ASSERT_EQ(results.podErrors.size(), 1U);
  EXPECT_NE(results.podErrors[0].reason.find(
                "incompatible with nodepool \"default\": incompatible requirements, key "
                "topology.kubernetes.io/zone"),
            std::string::npos)
      << results.podErrors[0].reason;
}

TEST_F(SchedulerTest, HonoursWeightThenNameDescending) {
  NodePoolInput heavy{makeNodePool("heavy", 10), input_.nodePools[0].instanceTypes};
  NodePoolInput alpha{makeNodePool("alpha"), input_.nodePools[0].instanceTypes};
  input_.nodePools.push_back(alpha);
  input_.nodePools.push_back(heavy);
  pods_.push_back(makePod("p", "1", "1Gi"));
  auto results = run();
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  EXPECT_EQ(results.newNodeClaims[0].nodePoolName, "heavy");
  input_.nodePools.pop_back();
  results = run();
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  EXPECT_EQ(results.newNodeClaims[0].nodePoolName, "default");  // "default" > "alpha"
}

TEST_F(SchedulerTest, LimitsDropLargeTypesAndStopNewNodeClaims) {
  auto& pool = input_.nodePools[0].nodePool;
  pool.spec.limits["cpu"] = api::Quantity::mustParse("8");
  for (int i = 0; i < 4; ++i) {
    pods_.push_back(makePod("p" + std::to_string(i), "3", "1Gi"));
  }
  auto results = run();
  // Only "medium" (4 cpu) fits a 3-cpu pod within 8 cpu; two of them exhaust the limit.
  ASSERT_EQ(results.newNodeClaims.size(), 2U);
  EXPECT_EQ(names(results.newNodeClaims[0]), (std::vector<std::string>{"medium"}));
  ASSERT_EQ(results.podErrors.size(), 2U);
  EXPECT_EQ(results.podErrors[0].reason, "exceeds limits of nodepool \"default\"");
}

TEST_F(SchedulerTest, NodesLimitCountsUsage) {
  auto& pool = input_.nodePools[0].nodePool;
  pool.spec.limits["nodes"] = api::Quantity::mustParse("3");
  pool.status.nodes = 2;
  pods_.push_back(makePod("a", "15", "1Gi"));
  pods_.push_back(makePod("b", "15", "1Gi"));
  auto results = run();
  EXPECT_EQ(results.newNodeClaims.size(), 1U);
  EXPECT_EQ(results.podErrors.size(), 1U);
}

TEST_F(SchedulerTest, RelaxesPreferredNodeAffinity) {
  auto pod = makePod("p", "1", "1Gi");
  api::NodeAffinity affinity;
  affinity.preferredDuringSchedulingIgnoredDuringExecution.push_back(
      {10, {{selectorRequirement(std::string(api::kLabelTopologyZone), "In", {"zone-z"})}, {}}});
  pod.spec.affinity = api::Affinity{affinity, std::nullopt, std::nullopt};
  pods_.push_back(pod);
  auto results = run();
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  EXPECT_TRUE(results.podErrors.empty());
}

TEST_F(SchedulerTest, PreferenceIsKeptWhenSatisfiable) {
  auto pod = makePod("p", "1", "1Gi");
  api::NodeAffinity affinity;
  affinity.preferredDuringSchedulingIgnoredDuringExecution.push_back(
      {10, {{selectorRequirement(std::string(api::kLabelTopologyZone), "In", {"zone-b"})}, {}}});
  pod.spec.affinity = api::Affinity{affinity, std::nullopt, std::nullopt};
  pods_.push_back(pod);
  auto results = run();
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  EXPECT_EQ(results.newNodeClaims[0].requirements.find(api::kLabelTopologyZone)->values(),
            (std::vector<std::string>{"zone-b"}));
}

TEST_F(SchedulerTest, RelaxesRequiredTermsInOrder) {
  auto pod = makePod("p", "1", "1Gi");
  api::NodeAffinity affinity;
  api::NodeSelector selector;
  selector.nodeSelectorTerms.push_back(
      {{selectorRequirement(std::string(api::kLabelTopologyZone), "In", {"zone-z"})}, {}});
  selector.nodeSelectorTerms.push_back(
      {{selectorRequirement(std::string(api::kLabelTopologyZone), "In", {"zone-c"})}, {}});
  affinity.requiredDuringSchedulingIgnoredDuringExecution = selector;
  pod.spec.affinity = api::Affinity{affinity, std::nullopt, std::nullopt};
  pods_.push_back(pod);
  auto results = run();
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  EXPECT_EQ(results.newNodeClaims[0].requirements.find(api::kLabelTopologyZone)->values(),
            (std::vector<std::string>{"zone-c"}));
}

TEST_F(SchedulerTest, PreferNoScheduleIsToleratedOnlyAfterRelaxing) {
  input_.nodePools[0].nodePool.spec.template_.spec.taints.push_back(
      {"soft", "", "PreferNoSchedule"});
  pods_.push_back(makePod("p", "1", "1Gi"));
  auto results = run();
  EXPECT_EQ(results.newNodeClaims.size(), 1U);
  EXPECT_TRUE(results.podErrors.empty());
}

// A pod whose required node affinity has these terms, each a list of matchFields.
api::Pod podWithNameFields(const std::string& name,
                           std::vector<std::vector<api::NodeSelectorRequirement>> terms) {
  auto pod = makePod(name, "1", "1Gi");
  api::NodeAffinity affinity;
  api::NodeSelector selector;
  for (auto& fields : terms) {
    selector.nodeSelectorTerms.push_back({{}, std::move(fields)});
  }
  affinity.requiredDuringSchedulingIgnoredDuringExecution = selector;
  pod.spec.affinity = api::Affinity{affinity, std::nullopt, std::nullopt};
  return pod;
}

api::Node roomyNode(const std::string& name) {
  api::Node node;
  node.metadata.name = name;
  node.status.allocatable = {{"cpu", api::Quantity::mustParse("8")},
                             {"memory", api::Quantity::mustParse("32Gi")},
                             {"pods", api::Quantity::mustParse("110")}};
  return node;
}

TEST_F(SchedulerTest, MatchFieldsPinAPodToTheNamedExistingNode) {
  input_.existingNodes.push_back(ExistingNode::fromNode(roomyNode("node-1"), {}));
  input_.existingNodes.push_back(ExistingNode::fromNode(roomyNode("node-2"), {}));
  pods_.push_back(
      podWithNameFields("pinned", {{selectorRequirement("metadata.name", "In", {"node-2"})}}));
  pods_.push_back(
      podWithNameFields("avoids", {{selectorRequirement("metadata.name", "NotIn", {"node-1"})}}));
  auto results = run();
  ASSERT_EQ(results.existingNodes.size(), 1U);
  EXPECT_EQ(results.existingNodes[0].nodeName, "node-2");
  EXPECT_EQ(results.existingNodes[0].pods.size(), 2U);
  EXPECT_TRUE(results.newNodeClaims.empty());
}

TEST_F(SchedulerTest, MatchFieldsInNeverMatchANewNodeClaim) {
  input_.existingNodes.push_back(ExistingNode::fromNode(roomyNode("node-1"), {}));
  pods_.push_back(
      podWithNameFields("gone", {{selectorRequirement("metadata.name", "In", {"deleted-node"})}}));
  auto results = run();
  EXPECT_TRUE(results.newNodeClaims.empty());
  ASSERT_EQ(results.podErrors.size(), 1U);
  EXPECT_NE(results.podErrors[0].reason.find("metadata.name In [deleted-node] only matches an "
                                             "existing node"),
            std::string::npos)
      << results.podErrors[0].reason;
}

TEST_F(SchedulerTest, MatchFieldsNotInAndLaterTermsAllowNewNodeClaims) {
  auto full = roomyNode("node-1");
  full.status.allocatable["pods"] = api::Quantity::mustParse("0");
  input_.existingNodes.push_back(ExistingNode::fromNode(full, {}));
  pods_.push_back(
      podWithNameFields("avoids", {{selectorRequirement("metadata.name", "NotIn", {"node-1"})}}));
  // The first term names a node that is full; relaxing it leaves the second, unpinned term.
  pods_.push_back(podWithNameFields("falls-back",
                                    {{selectorRequirement("metadata.name", "In", {"node-1"})},
                                     {selectorRequirement("metadata.name", "NotIn", {"node-9"})}}));
  auto results = run();
  EXPECT_TRUE(results.podErrors.empty());
  size_t placed = 0;
  for (const auto& claim : results.newNodeClaims) {
    placed += claim.pods.size();
  }
  EXPECT_EQ(placed, 2U);
}

TEST_F(SchedulerTest, RejectsMatchFieldsKubeSchedulerRejects) {
  const std::vector<api::NodeSelectorRequirement> malformed = {
      selectorRequirement("metadata.uid", "In", {"x"}),
      selectorRequirement("metadata.name", "Exists", {}),
      selectorRequirement("metadata.name", "In", {"a", "b"}),
  };
  for (const auto& field : malformed) {
    pods_ = {podWithNameFields("p", {{field}})};
    auto results = run();
    ASSERT_EQ(results.podErrors.size(), 1U) << field.key << " " << field.op;
    EXPECT_NE(results.podErrors[0].reason.find("node affinity matchFields"), std::string::npos)
        << results.podErrors[0].reason;
  }
}

TEST_F(SchedulerTest, NodeClaimRequirementsNameTheOfferedCapacityTypes) {
  for (auto& type : input_.nodePools[0].instanceTypes) {
    type.offerings.push_back(testing::makeOffering("zone-a", "spot", 0.01));
    setCapacityTypes(type, {"on-demand", "spot"});
  }
  pods_.push_back(makePod("p", "1", "1Gi"));
  auto results = run();
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  const auto* capacityType = results.newNodeClaims[0].requirements.find(api::kCapacityTypeLabelKey);
  ASSERT_NE(capacityType, nullptr);
  EXPECT_EQ(capacityType->values(), (std::vector<std::string>{"on-demand", "spot"}));

  // A spot-only pool: the unavailable on-demand offerings do not widen it.
  input_.nodePools[0].nodePool.spec.template_.spec.requirements.push_back(
      selectorRequirement(std::string(api::kCapacityTypeLabelKey), "In", {"spot"}));
  results = run();
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  EXPECT_EQ(results.newNodeClaims[0].requirements.find(api::kCapacityTypeLabelKey)->values(),
            (std::vector<std::string>{"spot"}));
}

TEST_F(SchedulerTest, ReservedOfferingsPinTheNodeClaimToTheirReservation) {
  auto& types = input_.nodePools[0].instanceTypes;
  auto reserved = testing::makeOffering("zone-b", "reserved", 0.0);
  reserved.requirements.add(Requirement::in(api::kReservationIdLabelKey, {"cr-123"}));
  types[1].offerings.push_back(reserved);  // "medium"
  setCapacityTypes(types[1], {"on-demand", "reserved"});
  pods_.push_back(makePod("p", "1", "1Gi"));
  auto results = run();
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  const auto& claim = results.newNodeClaims[0];
  EXPECT_EQ(names(claim), (std::vector<std::string>{"medium"}));
  EXPECT_EQ(claim.requirements.find(api::kCapacityTypeLabelKey)->values(),
            (std::vector<std::string>{"reserved"}));
  EXPECT_EQ(claim.requirements.find(api::kReservationIdLabelKey)->values(),
            (std::vector<std::string>{"cr-123"}));
}

TEST_F(SchedulerTest, UnavailableOfferingsAreSkipped) {
  for (auto& type : input_.nodePools[0].instanceTypes) {
    if (type.name == "medium") {
      for (auto& offering : type.offerings) {
        offering.available = false;
      }
    }
  }
  pods_.push_back(makePod("p", "3", "1Gi"));
  auto results = run();
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  EXPECT_EQ(names(results.newNodeClaims[0]), (std::vector<std::string>{"large"}));
}

TEST_F(SchedulerTest, QueueOrderPlacesLargestPodsFirst) {
  pods_.push_back(makePod("small", "1", "1Gi"));
  pods_.push_back(makePod("big", "15", "1Gi"));
  auto results = run();
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  ASSERT_EQ(results.newNodeClaims[0].pods.size(), 2U);
  EXPECT_EQ(results.newNodeClaims[0].pods[0]->metadata.name, "big");
}

TEST_F(SchedulerTest, HostPortsKeepPodsApart) {
  for (int i = 0; i < 3; ++i) {
    auto pod = makePod("p" + std::to_string(i), "100m", "128Mi");
    pod.spec.containers[0].ports.push_back({"http", 80, 80, i == 2 ? "UDP" : "", ""});
    pods_.push_back(pod);
  }
  auto results = run();
  // Two TCP :80 pods cannot share a node; the UDP one joins either.
  ASSERT_EQ(results.newNodeClaims.size(), 2U);
  EXPECT_EQ(results.newNodeClaims[0].pods.size() + results.newNodeClaims[1].pods.size(), 3U);
}

TEST_F(SchedulerTest, HostPortsOfBoundPodsBlockExistingNodes) {
  api::Node node;
  node.metadata.name = "node-1";
  node.status.allocatable = {{"cpu", api::Quantity::mustParse("8")},
                             {"memory", api::Quantity::mustParse("8Gi")},
                             {"pods", api::Quantity::mustParse("10")}};
  api::Pod bound = makePod("bound", "100m", "");
  bound.spec.containers[0].ports.push_back({"", 443, 443, "TCP", "10.0.0.1"});
  input_.existingNodes.push_back(ExistingNode::fromNode(node, {&bound}));
  auto clashing = makePod("clashing", "100m", "");
  clashing.spec.containers[0].ports.push_back({"", 443, 443, "TCP", ""});
  auto other = makePod("other-ip", "100m", "");
  other.spec.containers[0].ports.push_back({"", 443, 443, "TCP", "10.0.0.2"});
  pods_ = {clashing, other};
  auto results = run();
  ASSERT_EQ(results.existingNodes.size(), 1U);
  ASSERT_EQ(results.existingNodes[0].pods.size(), 1U);
  EXPECT_EQ(results.existingNodes[0].pods[0]->metadata.name, "other-ip");
  EXPECT_EQ(results.newNodeClaims.size(), 1U);
}

TEST_F(SchedulerTest, MinValuesStrictRejectsTooFewTypes) {
  input_.nodePools[0].nodePool.spec.template_.spec.requirements.push_back(
      {std::string(api::kLabelInstanceType), "Exists", {}, 3});
  pods_.push_back(makePod("fits-three", "1", "1Gi"));
  pods_.push_back(makePod("fits-two", "3", "1Gi"));
  auto results = run();
  ASSERT_EQ(results.podErrors.size(), 1U);
  EXPECT_EQ(results.podErrors[0].pod->metadata.name, "fits-two");
  EXPECT_NE(results.podErrors[0].reason.find("minValues"), std::string::npos)
      << results.podErrors[0].reason;
}

}  // namespace
}  // namespace karpenter::scheduling
