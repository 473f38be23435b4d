// NodePool status on the test apiserver: resources and nodes follow the pool's launched
// NodeClaims; ValidationSucceeded, NodeClassReady and Ready; an invalid or node-class-less pool
// gets no capacity; the usage and limit gauges; NodeRegistrationHealthy.

#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "controller_fixture.hpp"
#include "karpenter/metrics/registry.hpp"

namespace karpenter::controllers {
namespace {

using namespace test;

class NodePoolStatusLoop : public ControllerLoop {
 protected:
  json pool(const std::string& name) { return get(kNodePools.named(name)); }

  // The condition of `type` in the stored pool's status, or null.
  json conditionOf(const std::string& name, std::string_view type) {
    const json stored = pool(name);
    if (!stored.contains("status")) {
      return nullptr;
    }
    for (const auto& c : stored["status"].value("conditions", json::array())) {
      if (c.value("type", "") == type) {
        return c;
      }
    }
    return nullptr;
  }

  std::string statusOf(const std::string& name, std::string_view type) {
    const json c = conditionOf(name, type);
    return c.is_null() ? "" : c.value("status", "");
  }

  // Σ status.capacity.cpu (in millicores) and the count of launched NodeClaims of `pool`, read
  // from the apiserver — what the controller's status must agree with.
  std::pair<int64_t, int64_t> launchedUsage(const std::string& poolName) {
    int64_t milliCpu = 0;
    int64_t nodes = 0;
    for (const auto& nodeClaim : list(kNodeClaims)) {
      auto decoded = api::decodeJson<api::NodeClaim>(nodeClaim);
      if (!decoded || decoded->metadata.labels["karpenter.sh/nodepool"] != poolName ||
          !api::isConditionTrue(decoded->status.conditions, api::kConditionTypeLaunched)) {
        continue;
      }
      milliCpu += decoded->status.capacity["cpu"].milliValue();
      ++nodes;
    }
    return {milliCpu, nodes};
  }

  std::pair<int64_t, int64_t> statusUsage(const std::string& name) {
    const json status = pool(name).value("status", json::object());
    const std::string cpu = status.value("resources", json::object()).value("cpu", "0");
    return {api::Quantity::mustParse(cpu).milliValue(), status.value("nodes", int64_t{-1})};
  }

  bool hasFailedSchedulingEvent(const std::string& podName) {
    for (const auto& event : list({.resource = "events", .nameSpace = "default"})) {
      if (event["involvedObject"].value("name", "") == podName &&
          event.value("reason", "") == "FailedScheduling") {
        return true;
      }
    }
    return false;
  }

  static std::optional<double> gauge(const std::string& family, const std::string& pool,
                                     const std::string& resource) {
    std::optional<double> found;
    metrics::defaultRegistry()
        .gauge(family, "", {"nodepool", "resource_type"})
        .forEach([&](const std::vector<std::string>& labels, const metrics::Gauge& g) {
          if (labels == std::vector<std::string>{pool, resource}) {
            found = g.value();
          }
        });
    return found;
  }
};

TEST_F(NodePoolStatusLoop, ResourcesAndNodesFollowLaunchedNodeClaims) {
  create(kNodeClasses, ec2NodeClass("default"));
  create(kNodePools, nodePool("general"));
  start();
  ASSERT_TRUE(eventually([&] { return statusOf("general", "Ready") == "True"; }));
  EXPECT_EQ(statusOf("general", "ValidationSucceeded"), "True");
  EXPECT_EQ(statusOf("general", "NodeClassReady"), "True");
  EXPECT_EQ(statusUsage("general"), (std::pair<int64_t, int64_t>{0, 0}));
  const std::string readySince = conditionOf("general", "Ready").value("lastTransitionTime", "");

  for (int i = 0; i < 5; ++i) {
    createPod(pendingPod("web-" + std::to_string(i), "1500m"));
  }
  ASSERT_TRUE(eventually([&] { return runningPods() == 5; }));
  ASSERT_TRUE(eventually([&] {
    const auto expected = launchedUsage("general");
    return expected.second > 0 && statusUsage("general") == expected;
  })) << statusUsage("general").first
      << "m on " << statusUsage("general").second << " nodes";
  // Usage changes do not move the Ready condition's transition time.
  EXPECT_EQ(conditionOf("general", "Ready").value("lastTransitionTime", ""), readySince);

  // A NodeClaim that goes takes its capacity out of the status.
  const auto before = statusUsage("general");
  const std::string victim = list(kNodeClaims)[0]["metadata"]["name"];
  ASSERT_TRUE(client_->remove(kNodeClaims.named(victim), {}));
  ASSERT_TRUE(eventually([&] {
    const auto now = statusUsage("general");
    return now.second == before.second - 1 && now == launchedUsage("general");
  })) << statusUsage("general").second
      << " nodes";
  EXPECT_LT(statusUsage("general").first, before.first);
}

TEST_F(NodePoolStatusLoop, AnInvalidNodePoolIsNotReadyAndGetsNoCapacityUntilFixed) {
  create(kNodeClasses, ec2NodeClass("default"));
  json invalid = nodePool("heavy");
  invalid["spec"]["weight"] = 1000;  // the test apiserver runs no webhooks, so this is stored
  create(kNodePools, invalid);
  start();
  ASSERT_TRUE(eventually([&] { return statusOf("heavy", "ValidationSucceeded") == "False"; }));
  const json validated = conditionOf("heavy", "ValidationSucceeded");
  EXPECT_EQ(validated.value("reason", ""), "NodePoolValidationFailed");
  EXPECT_NE(validated.value("message", "").find("spec.weight"), std::string::npos)
      << validated.dump();
  EXPECT_EQ(statusOf("heavy", "NodeClassReady"), "True");
  EXPECT_EQ(statusOf("heavy", "Ready"), "False");

  // Only this pool could serve the pod: it stays pending, with an Event saying why.
  createPod(pendingPod("stranded", "500m"));
  ASSERT_TRUE(eventually([&] { return hasFailedSchedulingEvent("stranded"); }));
  std::this_thread::sleep_for(500ms);  // time for a (wrong) NodeClaim to appear
  EXPECT_TRUE(list(kNodeClaims).empty());
  EXPECT_EQ(runningPods(), 0u);

  // Fixed, the pool becomes Ready and the pod gets its node.
  ASSERT_TRUE(client_->patch(kNodePools.named("heavy"), kube::PatchType::kMerge,
                             {{"spec", {{"weight", 10}}}}));
  ASSERT_TRUE(eventually([&] { return statusOf("heavy", "Ready") == "True"; }));
  EXPECT_EQ(statusOf("heavy", "ValidationSucceeded"), "True");
  ASSERT_TRUE(eventually([&] { return runningPods() == 1; }));
}

TEST_F(NodePoolStatusLoop, ANodePoolWhoseNodeClassIsMissingIsNotReady) {
  create(kNodePools, nodePool("orphan", json::object(), "missing"));
  start();
  ASSERT_TRUE(eventually([&] { return statusOf("orphan", "NodeClassReady") == "False"; }));
  EXPECT_EQ(conditionOf("orphan", "NodeClassReady").value("reason", ""), "NodeClassNotFound");
  EXPECT_EQ(statusOf("orphan", "ValidationSucceeded"), "True");
  EXPECT_EQ(statusOf("orphan", "Ready"), "False");
  createPod(pendingPod("waiting", "500m"));
  ASSERT_TRUE(eventually([&] { return hasFailedSchedulingEvent("waiting"); }));
  EXPECT_TRUE(list(kNodeClaims).empty());

  // The node class appears: the pool becomes Ready and provisions.
  create(kNodeClasses, ec2NodeClass("missing"));
  ASSERT_TRUE(eventually([&] { return statusOf("orphan", "Ready") == "True"; }));
  ASSERT_TRUE(eventually([&] { return runningPods() == 1; }));
}

// Where the provider reconciles node classes, NodeClassReady follows the class's Ready
// condition: Unknown until it has one, False with its reason, True once it is.
TEST_F(NodePoolStatusLoop, NodeClassReadyFollowsTheNodeClassReadyConditionWhenReconciled) {
  create(kNodeClasses, ec2NodeClass("reconciled"));
  create(kNodePools, nodePool("follower", json::object(), "reconciled"));
  start(fastOptions(), false);
  NodePoolStatus::Options options;
  options.followNodeClassReady = true;
  NodePoolStatus status(*client_, manager_->state(), options);
  auto judged = [&](const std::string& expected) {
    return eventually([&] {
      (void)status.reconcile("follower");
      return statusOf("follower", "NodeClassReady") == expected;
    });
  };
  ASSERT_TRUE(judged("Unknown"));
  EXPECT_EQ(conditionOf("follower", "NodeClassReady").value("reason", ""),
            "NodeClassReadinessUnknown");
  EXPECT_EQ(statusOf("follower", "Ready"), "Unknown");

  auto setReady = [&](const std::string& readyStatus, const std::string& reason) {
    kube::ResourceRef ref = kNodeClasses.named("reconciled");
    ref.subresource = "status";
    const json patch = {
        {"status",
         {{"conditions", json::array({{{"type", "Ready"},
                                       {"status", readyStatus},
                                       {"reason", reason},
                                       {"message", reason == "Ready" ? "" : "no subnets match"},
                                       {"lastTransitionTime", "2024-01-01T00:00:00Z"}}})}}}};
    auto patched = client_->patch(ref, kube::PatchType::kMerge, patch);
    ASSERT_TRUE(patched) << patched.error().message;
  };
  setReady("False", "SubnetsNotFound");
  ASSERT_TRUE(judged("False"));
  EXPECT_EQ(conditionOf("follower", "NodeClassReady").value("reason", ""), "SubnetsNotFound");
  EXPECT_EQ(conditionOf("follower", "NodeClassReady").value("message", ""), "no subnets match");
  EXPECT_EQ(statusOf("follower", "Ready"), "False");

  setReady("True", "Ready");
  ASSERT_TRUE(judged("True"));
  EXPECT_EQ(statusOf("follower", "Ready"), "True");
}

// The simulated cloud reconciles no node classes: a class whose Ready is False (or missing, as
// in the other tests) does not hold its pools back.
TEST_F(NodePoolStatusLoop, NodeClassReadyIgnoresTheNodeClassConditionUnderTheSimulatedCloud) {
  json nodeClass = ec2NodeClass("unreconciled");
  create(kNodeClasses, nodeClass);
  kube::ResourceRef ref = kNodeClasses.named("unreconciled");
  ref.subresource = "status";
  auto patched = client_->patch(
      ref, kube::PatchType::kMerge,
      {{"status",
        {{"conditions", json::array({{{"type", "Ready"},
                                      {"status", "False"},
                                      {"reason", "SubnetsNotFound"},
                                      {"message", "no subnets match"},
                                      {"lastTransitionTime", "2024-01-01T00:00:00Z"}}})}}}});
  ASSERT_TRUE(patched) << patched.error().message;
  create(kNodePools, nodePool("simulated", json::object(), "unreconciled"));
  start();
  ASSERT_TRUE(eventually([&] { return statusOf("simulated", "Ready") == "True"; }));
  EXPECT_EQ(statusOf("simulated", "NodeClassReady"), "True");
}

TEST_F(NodePoolStatusLoop, ReconcileWritesOnlyWhenSomethingChanged) {
  create(kNodeClasses, ec2NodeClass("default"));
  create(kNodePools, nodePool("quiet"));
  start(fastOptions(), /*controllers=*/false);
  auto& controller = manager_->nodePoolStatus();
  ASSERT_TRUE(
      eventually([&] { return manager_->state().snapshot()->nodePools->contains("quiet"); }));
  ASSERT_TRUE(controller.reconcile("quiet"));
  EXPECT_EQ(statusOf("quiet", "Ready"), "True");
  const std::string written = pool("quiet")["metadata"].value("resourceVersion", "");
  // Once the state has the written status, reconciling again writes nothing.
  ASSERT_TRUE(eventually([&] {
    auto snapshot = manager_->state().snapshot();
    auto it = snapshot->nodePools->find("quiet");
    return it != snapshot->nodePools->end() && it->second->metadata.resourceVersion == written;
  }));
  for (int i = 0; i < 3; ++i) {
    auto reconciled = controller.reconcile("quiet");
    ASSERT_TRUE(reconciled) << reconciled.error().message;
  }
  EXPECT_EQ(pool("quiet")["metadata"].value("resourceVersion", ""), written);
}

TEST_F(NodePoolStatusLoop, GaugesReportUsageAndLimits) {
  create(kNodeClasses, ec2NodeClass("default"));
  create(kNodePools, nodePool("metered", {{"cpu", "100"}, {"memory", "64Gi"}, {"nodes", "5"}}));
  start();
  createPod(pendingPod("one", "500m"));
  ASSERT_TRUE(eventually([&] { return runningPods() == 1; }));
  ASSERT_TRUE(eventually([&] { return statusUsage("metered").second == 1; }));
  ASSERT_TRUE(eventually([&] {
    return gauge("karpenter_nodepools_usage", "metered", "cpu") ==
           static_cast<double>(statusUsage("metered").first) / 1000;
  }));
  EXPECT_EQ(gauge("karpenter_nodepools_usage", "metered", "nodes"), 1.0);
  const std::string memory = pool("metered")["status"]["resources"].value("memory", "0");
  EXPECT_EQ(gauge("karpenter_nodepools_usage", "metered", "memory"),
            api::Quantity::mustParse(memory).asApproximateFloat64());
  EXPECT_EQ(gauge("karpenter_nodepools_limit", "metered", "cpu"), 100.0);
  EXPECT_EQ(gauge("karpenter_nodepools_limit", "metered", "memory"), 64.0 * 1024 * 1024 * 1024);
  EXPECT_EQ(gauge("karpenter_nodepools_limit", "metered", "nodes"), 5.0);
  EXPECT_NE(metrics::defaultRegistry().exposition().find(
                R"(karpenter_nodepools_limit{nodepool="metered",resource_type="nodes"} 5)"),
            std::string::npos);

  // A deleted pool's series go with it.
  ASSERT_TRUE(client_->remove(kNodePools.named("metered"), {}));
  ASSERT_TRUE(eventually([&] {
    return !gauge("karpenter_nodepools_limit", "metered", "cpu") &&
           !gauge("karpenter_nodepools_usage", "metered", "nodes");
  }));
}

int64_t generationOf(const json& object) {
  return object["metadata"].value("generation", int64_t{0});
}

TEST_F(NodePoolStatusLoop, NodeRegistrationHealthyFollowsRegistrationsAndResetsOnChanges) {
  create(kNodeClasses, ec2NodeClass("default"));
  create(kNodePools, nodePool("flaky"));
  cloud_->setRegistrationDelay(std::nullopt);  // instances launch, kubelets never join
  auto options = fastOptions();
  options.lifecycle.registrationTtl = 2s;
  start(options);
  // Judged Unknown at first; Ready does not wait for it.
  ASSERT_TRUE(
      eventually([&] { return statusOf("flaky", "NodeRegistrationHealthy") == "Unknown"; }));
  EXPECT_EQ(conditionOf("flaky", "NodeRegistrationHealthy").value("reason", ""),
            "AwaitingReconciliation");
  ASSERT_TRUE(eventually([&] { return statusOf("flaky", "Ready") == "True"; }));

  // Two pods that need a node each: two NodeClaims whose nodes never register. Half of the
  // last four outcomes failed ⇒ False.
  createPod(pendingPod("big-1", "60"));
  createPod(pendingPod("big-2", "60"));
  ASSERT_TRUE(
      eventually([&] { return statusOf("flaky", "NodeRegistrationHealthy") == "False"; }, 60s));
  const json unhealthy = conditionOf("flaky", "NodeRegistrationHealthy");
  EXPECT_EQ(unhealthy.value("reason", ""), "RegistrationFailed");
  EXPECT_EQ(unhealthy.value("message", ""), "Failed to register node");
  EXPECT_EQ(unhealthy.value("observedGeneration", int64_t{-1}), generationOf(pool("flaky")));
  EXPECT_EQ(statusOf("flaky", "Ready"), "True");  // not a readiness dependency, as upstream

  // Quiet the pool (no pods, no NodeClaims), then change its spec: the condition starts over.
  for (const char* name : {"big-1", "big-2"}) {
    ASSERT_TRUE(client_->remove({.resource = "pods", .nameSpace = "default", .name = name}, {}));
  }
  ASSERT_TRUE(eventually([&] { return list(kNodeClaims).empty(); }, 60s));
  ASSERT_TRUE(client_->patch(kNodePools.named("flaky"), kube::PatchType::kMerge,
                             {{"spec", {{"weight", 10}}}}));
  const int64_t changed = generationOf(pool("flaky"));
  ASSERT_TRUE(eventually([&] {
    const json c = conditionOf("flaky", "NodeRegistrationHealthy");
    return !c.is_null() && c.value("status", "") == "Unknown" &&
           c.value("observedGeneration", int64_t{-1}) == changed;
  }));

  // Nodes register again: one registration makes it True.
  cloud_->setRegistrationDelay(50ms);
  createPod(pendingPod("small", "500m"));
  ASSERT_TRUE(eventually([&] { return runningPods() == 1; }));
  ASSERT_TRUE(eventually([&] { return statusOf("flaky", "NodeRegistrationHealthy") == "True"; }));

  // A change of the node class resets it too.
  const int64_t classGeneration = generationOf(get(kNodeClasses.named("default")));
  ASSERT_TRUE(client_->patch(kNodeClasses.named("default"), kube::PatchType::kMerge,
                             {{"spec", {{"tags", {{"team", "platform"}}}}}}));
  ASSERT_GT(generationOf(get(kNodeClasses.named("default"))), classGeneration);
  ASSERT_TRUE(
      eventually([&] { return statusOf("flaky", "NodeRegistrationHealthy") == "Unknown"; }));
  EXPECT_EQ(pool("flaky")["status"].value("nodeClassObservedGeneration", int64_t{0}),
            generationOf(get(kNodeClasses.named("default"))));
}

}  // namespace
}  // namespace karpenter::controllers
