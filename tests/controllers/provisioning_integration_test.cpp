// The whole loop on the test apiserver: pending pods → provisioner → NodeClaims → simulated
// instances → kubelets register Nodes → the binder (kube-scheduler's part) binds pods to their
// nominated nodes → pods Running. Also: limits, insufficient-capacity fallback, liveness,
// NodeClaim deletion draining its node with PDBs respected, and CSI volume limits of existing
// nodes (CSINode) honoured.

#include <thread>

#include <gtest/gtest.h>

#include "controller_fixture.hpp"

namespace karpenter::controllers {
namespace {

using namespace test;
using std::chrono::milliseconds;

// Every pool here names the EC2NodeClass "default": without it a NodePool is not Ready.
class ProvisioningLoop : public ControllerLoop {
 protected:
  void SetUp() override {
    ControllerLoop::SetUp();
    if (!IsSkipped() && !HasFatalFailure()) {
      create(kNodeClasses, ec2NodeClass("default"));
    }
  }
};

TEST_F(ProvisioningLoop, PendingPodsEndUpRunningOnNodesKarpenterLaunched) {
  create(kNodePools, nodePool("general"));
  start();
  for (int i = 0; i < 12; ++i) {
    createPod(pendingPod("web-" + std::to_string(i), "500m"));
  }
  ASSERT_TRUE(eventually([&] { return runningPods() == 12; })) << runningPods() << " running";
  const json nodeClaims = list(kNodeClaims);
  ASSERT_FALSE(nodeClaims.empty());
  for (const auto& nodeClaim : nodeClaims) {
    EXPECT_EQ(nodeClaim["metadata"]["labels"]["karpenter.sh/nodepool"], "general");
    EXPECT_FALSE(nodeClaim["status"].value("providerID", "").empty());
  }
  // Every NodeClaim becomes Ready (Launched, Registered, Initialized) and its node initialized.
  ASSERT_TRUE(eventually([&] {
    for (const auto& nodeClaim : list(kNodeClaims)) {
      auto decoded = api::decodeJson<api::NodeClaim>(nodeClaim);
      if (!decoded || !api::isConditionTrue(decoded->status.conditions, "Initialized")) {
        return false;
      }
    }
    return true;
  }));
  for (const auto& node : list({.resource = "nodes"})) {
    EXPECT_EQ(node["metadata"]["labels"]["karpenter.sh/registered"], "true");
    EXPECT_EQ(node["metadata"]["labels"]["karpenter.sh/initialized"], "true");
    for (const auto& taint : node["spec"].value("taints", json::array())) {
      EXPECT_NE(taint["key"], "karpenter.sh/unregistered");
    }
  }
}

TEST_F(ProvisioningLoop, NodePoolLimitsAreNeverExceeded) {
  create(kNodePools, nodePool("capped", {{"cpu", "4"}}));
  start();
  for (int i = 0; i < 6; ++i) {
    createPod(pendingPod("big-" + std::to_string(i), "1500m"));
  }
  // Whatever it launched fits within 4 CPUs of capacity; the rest of the pods stay pending.
  ASSERT_TRUE(eventually([&] { return runningPods() >= 1; }));
  std::this_thread::sleep_for(1500ms);  // give a (wrong) second batch the chance to overshoot
  api::Quantity total;
  for (const auto& nodeClaim : list(kNodeClaims)) {
    total += api::Quantity::mustParse(nodeClaim["status"]["capacity"].value("cpu", "0"));
  }
  EXPECT_LE(total, api::Quantity::mustParse("4")) << total.toString();
  EXPECT_LT(runningPods(), 6u);
}

TEST_F(ProvisioningLoop, InsufficientCapacityFallsBackToTheNextOffering) {
  create(kNodePools, nodePool("general"));
  // The cheapest types that fit are out of capacity in every zone.
  cloud_->injectInsufficientCapacity({.instanceType = "c5.large"});
  cloud_->injectInsufficientCapacity({.instanceType = "m5.large"});
  start();
  createPod(pendingPod("one", "500m"));
  ASSERT_TRUE(eventually([&] { return runningPods() == 1; }));
  for (const auto& nodeClaim : list(kNodeClaims)) {
    const std::string type =
        nodeClaim["metadata"]["labels"].value("node.kubernetes.io/instance-type", "");
    EXPECT_NE(type, "c5.large");
    EXPECT_NE(type, "m5.large");
  }
}

TEST_F(ProvisioningLoop, LivenessDeletesANodeClaimWhoseNodeNeverRegisters) {
  create(kNodePools, nodePool("general"));
  cloud_->setRegistrationDelay(std::nullopt);  // instances launch, kubelets never join
  auto options = fastOptions();
  options.lifecycle.registrationTtl = 2s;
  start(options);
  createPod(pendingPod("stuck", "500m"));
  ASSERT_TRUE(eventually([&] { return !list(kNodeClaims).empty(); }));
  const std::string first = list(kNodeClaims)[0]["metadata"]["name"];
  // The NodeClaim goes, and its instance with it.
  ASSERT_TRUE(eventually([&] {
    for (const auto& nodeClaim : list(kNodeClaims)) {
      if (nodeClaim["metadata"]["name"] == first) {
        return false;
      }
    }
    return true;
  }));
  ASSERT_TRUE(eventually([&] {
    auto instances = cloud_->list();
    for (const auto& instance : *instances) {
      if (instance.metadata.name == first) {
        return false;
      }
    }
    return true;
  }));
}

TEST_F(ProvisioningLoop, DeletingANodeClaimDrainsItsNodeRespectingPodDisruptionBudgets) {
  create(kNodePools, nodePool("general"));
  start();
  createPod(pendingPod("guarded", "500m", {{"app", "guarded"}}));
  ASSERT_TRUE(eventually([&] { return runningPods() == 1; }));
  json pdb = {
      {"apiVersion", "policy/v1"},
      {"kind", "PodDisruptionBudget"},
      {"metadata", {{"name", "guarded"}, {"namespace", "default"}}},
      {"spec", {{"minAvailable", 1}, {"selector", {{"matchLabels", {{"app", "guarded"}}}}}}},
      {"status",
       {{"disruptionsAllowed", 0},
        {"currentHealthy", 1},
        {"desiredHealthy", 1},
        {"expectedPods", 1}}}};
  create({.group = "policy", .resource = "poddisruptionbudgets", .nameSpace = "default"}, pdb);
  const json nodeClaim = list(kNodeClaims)[0];
  const std::string name = nodeClaim["metadata"]["name"];
  ASSERT_TRUE(client_->remove(kNodeClaims.named(name), {}));
  // The node is cordoned with the disrupted taint but the PDB keeps the pod where it is.
  ASSERT_TRUE(eventually([&] {
    for (const auto& node : list({.resource = "nodes"})) {
      for (const auto& taint : node["spec"].value("taints", json::array())) {
        if (taint["key"] == "karpenter.sh/disrupted") {
          return true;
        }
      }
    }
    return false;
  }));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(runningPods(), 1u);
  EXPECT_FALSE(list(kNodeClaims).empty());
  // Once the budget allows it the pod is evicted, the instance terminated and the node removed.
  ASSERT_TRUE(client_->remove({.group = "policy",
                               .resource = "poddisruptionbudgets",
                               .nameSpace = "default",
                               .name = "guarded"},
                              {}));
  ASSERT_TRUE(eventually([&] { return list(kNodeClaims).empty(); }));
  ASSERT_TRUE(eventually([&] { return list({.resource = "nodes"}).empty(); }));
  EXPECT_EQ(runningPods(), 0u);
}

json withClaim(json pod, const std::string& claimName) {
  pod["spec"]["volumes"] = {
      {{"name", "data"}, {"persistentVolumeClaim", {{"claimName", claimName}}}}};
  return pod;
}

std::string nodeNameOf(const json& pod) {
  return pod.is_object() ? pod["spec"].value("nodeName", "") : "";
}

TEST_F(ProvisioningLoop, AnExistingNodeAtItsCsiVolumeLimitGetsNoMoreVolumes) {
  constexpr const char* kEbs = "ebs.csi.aws.com";
  create(kNodePools, nodePool("general"));
  create({.group = "storage.k8s.io", .resource = "storageclasses"},
         {{"apiVersion", "storage.k8s.io/v1"},
          {"kind", "StorageClass"},
          {"metadata", {{"name", "gp3"}}},
          {"provisioner", kEbs},
          {"volumeBindingMode", "WaitForFirstConsumer"}});
  for (const std::string claim : {"data-bound", "data-pending"}) {
    create({.resource = "persistentvolumeclaims", .nameSpace = "default"},
           {{"apiVersion", "v1"},
            {"kind", "PersistentVolumeClaim"},
            {"metadata", {{"name", claim}, {"namespace", "default"}}},
            {"spec",
             {{"storageClassName", "gp3"},
              {"accessModes", {"ReadWriteOnce"}},
              {"resources", {{"requests", {{"storage", "10Gi"}}}}}}}});
  }
  // A node Karpenter does not manage, with room for more pods but an EBS attach limit of 1,
  // already used by a running pod's volume.
  const std::string existing = "existing-1";
  create({.resource = "nodes"},
         {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", existing}, {"labels", {{"kubernetes.io/hostname", existing}}}}},
          {"status",
           {{"allocatable", {{"cpu", "8"}, {"memory", "32Gi"}, {"pods", "110"}}},
            {"capacity", {{"cpu", "8"}, {"memory", "32Gi"}, {"pods", "110"}}},
            {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}});
  create({.group = "storage.k8s.io", .resource = "csinodes"},
         {{"apiVersion", "storage.k8s.io/v1"},
          {"kind", "CSINode"},
          {"metadata", {{"name", existing}}},
          {"spec",
           {{"drivers",
             {{{"name", kEbs}, {"nodeID", "i-existing"}, {"allocatable", {{"count", 1}}}}}}}}});
  json bound = withClaim(pendingPod("bound", "100m"), "data-bound");
  bound["spec"]["nodeName"] = existing;
  bound["status"] = {{"phase", "Running"}};
  createPod(bound);
  start();

  // Both fit the existing node's CPU; only the one without a volume may go there.
  createPod(withClaim(pendingPod("second", "100m"), "data-pending"));
  createPod(pendingPod("plain", "100m"));
  const kube::ResourceRef pods{.resource = "pods", .nameSpace = "default"};
  ASSERT_TRUE(eventually([&] {
    return !nodeNameOf(get(pods.named("second"))).empty() &&
           !nodeNameOf(get(pods.named("plain"))).empty();
  }));
  EXPECT_EQ(nodeNameOf(get(pods.named("plain"))), existing);
  EXPECT_NE(nodeNameOf(get(pods.named("second"))), existing);
  EXPECT_EQ(list(kNodeClaims).size(), 1u);
  const json launched = get({.resource = "nodes", .name = nodeNameOf(get(pods.named("second")))});
  ASSERT_TRUE(launched.is_object());
  EXPECT_EQ(launched["metadata"]["labels"].value("karpenter.sh/nodepool", ""), "general");
}

}  // namespace
}  // namespace karpenter::controllers
