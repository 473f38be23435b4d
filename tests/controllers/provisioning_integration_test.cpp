// The whole loop on the test apiserver: pending pods → provisioner → NodeClaims → simulated
// instances → kubelets register Nodes → the binder (kube-scheduler's part) binds pods to their
// nominated nodes → pods Running. Also: limits, insufficient-capacity fallback, liveness, and
// NodeClaim deletion draining its node with PDBs respected.

#include <thread>

#include <gtest/gtest.h>

#include "karpenter/api/codec.hpp"
#include "karpenter/cloudprovider/simulated/kubelet_simulator.hpp"
#include "karpenter/cloudprovider/simulated/simulated_cloud.hpp"
#include "karpenter/operator/controller_manager.hpp"
#include "karpenter/simulation/binder.hpp"
#include "karpenter/simulation/workload_pods.hpp"
#include "support/test_apiserver.hpp"

namespace karpenter::controllers {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

const kube::ResourceRef kNodeClaims{.group = "karpenter.sh", .resource = "nodeclaims"};
const kube::ResourceRef kNodePools{.group = "karpenter.sh", .resource = "nodepools"};

json nodePool(const std::string& name, const json& limits = json::object()) {
  json pool = {
      {"apiVersion", "karpenter.sh/v1"},
      {"kind", "NodePool"},
      {"metadata", {{"name", name}}},
      {"spec",
       {{"template",
         {{"spec",
           {{"nodeClassRef",
             {{"group", "karpenter.k8s.aws"}, {"kind", "EC2NodeClass"}, {"name", "default"}}},
            {"requirements", json::array({{{"key", "karpenter.sh/capacity-type"},
                                           {"operator", "In"},
                                           {"values", {"on-demand"}}},
                                          {{"key", "karpenter.k8s.aws/instance-family"},
                                           {"operator", "In"},
                                           {"values", {"m5", "c5"}}}})}}}}}}}};
  if (!limits.empty()) {
    pool["spec"]["limits"] = limits;
  }
  return pool;
}

json pendingPod(const std::string& name, const std::string& cpu, const json& labels = {}) {
  json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", name}, {"namespace", "default"}}},
      {"spec",
       {{"containers",
         json::array({{{"name", "c"},
                       {"image", "busybox"},
                       {"resources", {{"requests", {{"cpu", cpu}, {"memory", "256Mi"}}}}}}})}}},
      {"status", simulation::unschedulableStatus()}};
  if (!labels.is_null()) {
    pod["metadata"]["labels"] = labels;
  }
  return pod;
}

class ProvisioningLoop : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(apiserver_.ok());
    if (!apiserver_.inRepo()) {
      GTEST_SKIP() << "drives simulated kubelets: needs the in-repo apiserver";
    }
    client_ = apiserver_.client({.qps = 0});
    cloudprovider::simulated::SimulatedCloud::Options cloudOptions;
    cloudOptions.registrationDelay = 50ms;
    cloud_ = std::make_unique<cloudprovider::simulated::SimulatedCloud>(cloudOptions);
  }

  void start(op::ControllerManager::Options options = {}) {
    options.informers.watchTimeout = 5s;
    options.informers.initialBackoff = 50ms;
    options.informers.maxBackoff = 500ms;
    options.provisioner.batchIdle = 100ms;
    options.provisioner.batchMax = 500ms;
    options.provisioner.pollInterval = 20ms;
    options.lifecycle.pollInterval = 20ms;
    options.lifecycle.retryInterval = 100ms;
    options.garbageCollection.interval = 200ms;
    options.garbageCollection.orphanGrace = 1s;
    manager_ = std::make_unique<op::ControllerManager>(*client_, *cloud_, options);
    manager_->startState();
    ASSERT_TRUE(manager_->waitForSync(10s));
    manager_->startControllers();
    kubelets_ = std::make_unique<cloudprovider::simulated::KubeletSimulator>(
        *cloud_, *client_, cloudprovider::simulated::KubeletSimulator::Options{.tick = 20ms});
    kubelets_->start();
    binder_ = std::make_unique<simulation::NominationBinder>(
        *client_, manager_->state(), simulation::NominationBinder::Options{.pollInterval = 20ms});
    binder_->start();
  }

  void TearDown() override {
    if (binder_) {
      binder_->stop();
    }
    if (manager_) {
      manager_->stop();
    }
    if (kubelets_) {
      kubelets_->stop();
    }
  }

  void create(const kube::ResourceRef& ref, const json& object) {
    auto created = client_->create(ref, object);
    ASSERT_TRUE(created) << created.error().message;
  }

  void createPod(const json& pod) { create({.resource = "pods", .nameSpace = "default"}, pod); }

  json list(const kube::ResourceRef& ref) {
    auto page = client_->list(ref, {});
    return page ? page->items : json::array();
  }

  // Waits (bounded; the bound is a hang guard, not a performance assertion) for `done`.
  template <typename Done>
  bool eventually(Done done, std::chrono::seconds bound = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) {
        return true;
      }
      std::this_thread::sleep_for(20ms);
    }
    return done();
  }

  size_t runningPods() {
    size_t running = 0;
    for (const auto& pod : list({.resource = "pods", .nameSpace = "default"})) {
      running += pod["status"].value("phase", "") == "Running" ? 1 : 0;
    }
    return running;
  }

  testing::TestApiserver apiserver_;
  std::unique_ptr<kube::HttpKubeClient> client_;
  std::unique_ptr<cloudprovider::simulated::SimulatedCloud> cloud_;
  std::unique_ptr<op::ControllerManager> manager_;
  std::unique_ptr<cloudprovider::simulated::KubeletSimulator> kubelets_;
  std::unique_ptr<simulation::NominationBinder> binder_;
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
  op::ControllerManager::Options options;
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

}  // namespace
}  // namespace karpenter::controllers
