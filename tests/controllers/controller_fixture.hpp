#pragma once

// The controllers' integration fixture: the in-repo test apiserver, a simulated cloud, the
// ControllerManager (informers, state, controllers), simulated kubelets and the nomination binder
// (kube-scheduler's part), plus object builders the suites share.

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "karpenter/api/codec.hpp"
#include "karpenter/cloudprovider/simulated/kubelet_simulator.hpp"
#include "karpenter/cloudprovider/simulated/simulated_cloud.hpp"
#include "karpenter/operator/controller_manager.hpp"
#include "karpenter/simulation/binder.hpp"
#include "karpenter/simulation/workload_pods.hpp"
#include "support/test_apiserver.hpp"

namespace karpenter::controllers::test {

using json = nlohmann::json;
using namespace std::chrono_literals;

inline const kube::ResourceRef kNodeClaims{.group = "karpenter.sh", .resource = "nodeclaims"};
inline const kube::ResourceRef kNodePools{.group = "karpenter.sh", .resource = "nodepools"};
inline const kube::ResourceRef kNodeClasses{.group = "karpenter.k8s.aws",
                                            .resource = "ec2nodeclasses"};

// An on-demand m5/c5 NodePool whose nodeClassRef names the EC2NodeClass `nodeClass`.
inline json nodePool(const std::string& name, const json& limits = json::object(),
                     const std::string& nodeClass = "default") {
  json pool = {
      {"apiVersion", "karpenter.sh/v1"},
      {"kind", "NodePool"},
      {"metadata", {{"name", name}}},
      {"spec",
       {{"template",
         {{"spec",
           {{"nodeClassRef",
             {{"group", "karpenter.k8s.aws"}, {"kind", "EC2NodeClass"}, {"name", nodeClass}}},
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

inline json ec2NodeClass(const std::string& name) {
  return {{"apiVersion", "karpenter.k8s.aws/v1"},
          {"kind", "EC2NodeClass"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"amiSelectorTerms", json::array({{{"alias", "al2023@latest"}}})},
            {"role", "KarpenterNodeRole-test"},
            {"subnetSelectorTerms", json::array({{{"tags", {{"karpenter.sh/discovery", "t"}}}}})},
            {"securityGroupSelectorTerms",
             json::array({{{"tags", {{"karpenter.sh/discovery", "t"}}}}})}}}};
}

inline json pendingPod(const std::string& name, const std::string& cpu, const json& labels = {}) {
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

class ControllerLoop : public ::testing::Test {
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

  // Test timings: fast polling, batching and backoff; GC every 200 ms with a 1 s orphan grace.
  static op::ControllerManager::Options fastOptions() {
    op::ControllerManager::Options options;
    options.informers.watchTimeout = 5s;
    options.informers.initialBackoff = 50ms;
    options.informers.maxBackoff = 500ms;
    options.provisioner.batchIdle = 100ms;
    options.provisioner.batchMax = 500ms;
    options.provisioner.pollInterval = 20ms;
    options.lifecycle.pollInterval = 20ms;
    options.lifecycle.retryInterval = 100ms;
    options.nodePoolStatus.pollInterval = 20ms;
    options.garbageCollection.interval = 200ms;
    options.garbageCollection.orphanGrace = 1s;
    return options;
  }

  // Starts the manager with `options` (start from fastOptions()), the kubelets and the binder.
  // `controllers` false starts only the informers and state.
  void start(op::ControllerManager::Options options = fastOptions(), bool controllers = true) {
    manager_ = std::make_unique<op::ControllerManager>(*client_, *cloud_, options);
    manager_->startState();
    ASSERT_TRUE(manager_->waitForSync(10s));
    if (controllers) {
      manager_->startControllers();
    }
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

  json get(const kube::ResourceRef& ref) {
    auto got = client_->get(ref);
    return got ? *got : json();
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

}  // namespace karpenter::controllers::test
