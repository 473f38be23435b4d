// Interruption → drain → replacement, end to end on the AWS provider: pods of a workload run on a
// spot instance launched through CreateFleet; an EC2 Spot Instance Interruption Warning for that
// instance arrives on the queue; the NodeClaim is deleted, its Node drained (the pods evicted)
// and the instance terminated; the evicted pods' replacements run on a new instance of another
// offering (the interrupted one is unavailable), and the workload never loses a replica.

#include <set>

#include <gtest/gtest.h>

#include "aws_controller_loop.hpp"
#include "support/testdata.hpp"

namespace karpenter::cloudprovider::aws::testing {
namespace {

const kube::ResourceRef kPods{.resource = "pods", .nameSpace = "default"};

class AwsInterruptionReplacement : public AwsControllerLoop {
 protected:
  // A spot-only NodePool (m5/c5), so the interruption is one EC2 would send.
  static json spotPool() {
    json pool = controllers::test::nodePool("general");
    for (auto& requirement : pool["spec"]["template"]["spec"]["requirements"]) {
      if (requirement["key"] == "karpenter.sh/capacity-type") {
        requirement["values"] = {"spot"};
      }
    }
    return pool;
  }

  // The web pods that are not being deleted.
  std::vector<json> webPods() {
    std::vector<json> pods;
    for (const auto& pod : list(kPods)) {
      if (pod["metadata"].value("labels", json::object()).value("app", "") == "web" &&
          !pod["metadata"].contains("deletionTimestamp")) {
        pods.push_back(pod);
      }
    }
    return pods;
  }

  // Plays the ReplicaSet controller: an evicted (deleted) pod is replaced by a new pending one.
  void keepReplicas(size_t replicas) {
    for (size_t have = webPods().size(); have < replicas; ++have) {
      createPod(controllers::test::pendingPod("web-" + std::to_string(nextPod_++), "500m",
                                              {{"app", "web"}}));
    }
  }

  // providerID of the Node a pod is bound to ("" while pending).
  std::string providerIdOfPod(const json& pod) {
    const std::string nodeName = pod["spec"].value("nodeName", "");
    if (nodeName.empty()) {
      return "";
    }
    return get({.resource = "nodes", .name = nodeName})["spec"].value("providerID", "");
  }

  bool allRunning(const std::vector<json>& pods, size_t replicas) {
    if (pods.size() != replicas) {
      return false;
    }
    for (const auto& pod : pods) {
      if (pod["status"].value("phase", "") != "Running") {
        return false;
      }
    }
    return true;
  }

  size_t nextPod_ = 0;
};

TEST_F(AwsInterruptionReplacement, InterruptedNodeIsDrainedAndItsPodsRunOnAReplacement) {
  constexpr size_t kReplicas = 3;
  create(kNodeClasses, discoveredNodeClass("default"));
  create(kNodePools, spotPool());
  startAws();
  keepReplicas(kReplicas);
  ASSERT_TRUE(eventually([&] { return allRunning(webPods(), kReplicas); }))
      << list(kNodeClaims).dump(2);

  // The instance running web-0, and every pod on it.
  const std::string interruptedProviderId = providerIdOfPod(webPods().front());
  ASSERT_FALSE(interruptedProviderId.empty());
  const auto interrupted = instance(instanceIdOf(interruptedProviderId));
  ASSERT_TRUE(interrupted);
  ASSERT_EQ(interrupted->lifecycle, "spot");
  std::string interruptedClaim;
  for (const auto& [name, providerID] : launched()) {
    if (providerID == interruptedProviderId) {
      interruptedClaim = name;
    }
  }
  ASSERT_FALSE(interruptedClaim.empty());
  std::set<std::string> evictedPods;
  for (const auto& pod : webPods()) {
    if (providerIdOfPod(pod) == interruptedProviderId) {
      evictedPods.insert(pod["metadata"]["name"]);
    }
  }
  std::set<std::string> instancesBefore;
  for (const auto& i : account_.ec2.instances()) {
    instancesBefore.insert(i.id);
  }
  const size_t fleetsBefore = account_.ec2.requests("CreateFleet").size();

  json warning = karpenter::testing::readTestdataJson(
      "interruption/karpenter-design-spot-interruption-warning.json");
  warning["detail"]["instance-id"] = interrupted->id;
  // Until the workload is whole again, with the interrupted instance and its NodeClaim gone.
  // (A message about an instance the controller's state does not know yet is dropped, as
  // upstream's is: it is sent again while the queue is empty and the NodeClaim still stands.)
  const auto recovered = [&] {
    const json claim = get(kNodeClaims.named(interruptedClaim));
    if (!claim.is_null() && !claim["metadata"].contains("deletionTimestamp") &&
        sqs_.messageCount(kLoopInterruptionQueue) == 0) {
      sqs_.send(kLoopInterruptionQueue, warning.dump());
    }
    keepReplicas(kReplicas);
    const auto now = instance(interrupted->id);
    return allRunning(webPods(), kReplicas) && get(kNodeClaims.named(interruptedClaim)).is_null() &&
           now && !live(*now);
  };
  ASSERT_TRUE(eventually(recovered, 90s)) << list(kNodeClaims).dump(2) << list(kPods).dump(2);

  EXPECT_EQ(sqs_.messageCount(kLoopInterruptionQueue), 0u);
  EXPECT_TRUE(environment_->unavailableOfferings->isUnavailable(interrupted->instanceType,
                                                                interrupted->zone, "spot"));
  EXPECT_GT(account_.ec2.requests("CreateFleet").size(), fleetsBefore);
  // Drained: the evicted pods are gone (their replacements have new names) and no pod is on
  // the interrupted instance any more.
  for (const auto& pod : webPods()) {
    EXPECT_EQ(evictedPods.count(pod["metadata"]["name"]), 0u) << pod["metadata"]["name"];
    EXPECT_NE(providerIdOfPod(pod), interruptedProviderId);
  }
  // The replacements run on an instance launched after the interruption, in another offering.
  size_t onNewInstances = 0;
  for (const auto& pod : webPods()) {
    const auto host = instance(instanceIdOf(providerIdOfPod(pod)));
    ASSERT_TRUE(host);
    EXPECT_TRUE(live(*host));
    if (instancesBefore.count(host->id) == 0) {
      ++onNewInstances;
      EXPECT_FALSE(host->instanceType == interrupted->instanceType &&
                   host->zone == interrupted->zone)
          << "relaunched into the interrupted offering " << host->instanceType << " " << host->zone;
    }
  }
  EXPECT_GE(onNewInstances, evictedPods.size());
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws::testing
