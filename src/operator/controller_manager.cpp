#include "karpenter/operator/controller_manager.hpp"

#include <thread>

#include "karpenter/api/conditions.hpp"

namespace karpenter::op {

namespace {

// One Event recorder and one registration-health record for all controllers; NodePool
// readiness follows node classes' Ready condition where the provider reconciles them.
ControllerManager::Options shared(kube::KubeClient& client,
                                  const cloudprovider::CloudProvider& cloud,
                                  ControllerManager::Options options) {
  auto events = std::make_shared<controllers::EventRecorder>(client);
  auto health = std::make_shared<controllers::RegistrationHealth>();
  options.provisioner.events = events;
  options.lifecycle.events = events;
  options.lifecycle.registrationHealth = health;
  options.nodePoolStatus.registrationHealth = health;
  options.nodePoolStatus.followNodeClassReady = cloud.reconcilesNodeClasses();
  return options;
}

}  // namespace

struct ControllerManager::Impl {
  Impl(kube::KubeClient& client, cloudprovider::CloudProvider& cloud, const Options& given)
      : options(shared(client, cloud, given)),
        informers(client, state, options.informers),
        provisioner(client, state, cloud, options.provisioner),
        lifecycle(client, state, cloud, options.lifecycle),
        garbageCollection(client, state, cloud, options.garbageCollection),
        nodePoolStatus(client, state, options.nodePoolStatus),
        nodeMetrics(state, options.nodeMetrics) {}

  Options options;
  state::ClusterState state;
  state::StateInformers informers;
  controllers::Provisioner provisioner;
  controllers::NodeClaimLifecycle lifecycle;
  controllers::GarbageCollection garbageCollection;
  controllers::NodePoolStatus nodePoolStatus;
  controllers::NodeMetrics nodeMetrics;
  bool stateStarted = false;
};

ControllerManager::ControllerManager(kube::KubeClient& client, cloudprovider::CloudProvider& cloud,
                                     Options options)
    : impl_(std::make_unique<Impl>(client, cloud, options)) {}

ControllerManager::~ControllerManager() {
  stop();
}

void ControllerManager::startState() {
  if (!impl_->stateStarted) {
    impl_->stateStarted = true;
    impl_->informers.start();
  }
}

bool ControllerManager::waitForSync(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!impl_->informers.hasSynced()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl_->state.flush();
  return true;
}

void ControllerManager::startControllers() {
  // NodePool status first: the provisioner skips pools it marks not Ready, so it starts once
  // every pool has been judged (bounded: a stuck status write must not stop provisioning).
  impl_->nodePoolStatus.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < deadline) {
    auto snapshot = impl_->state.flush();
    bool judged = true;
    for (const auto& [name, pool] : *snapshot->nodePools) {
      judged = judged && api::findCondition(pool->status.conditions, api::kConditionTypeReady);
    }
    if (judged) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl_->lifecycle.start();
  impl_->provisioner.start();
  impl_->garbageCollection.start();
  impl_->nodeMetrics.start();
}

void ControllerManager::stopControllers() {
  impl_->provisioner.stop();
  impl_->lifecycle.stop();
  impl_->garbageCollection.stop();
  impl_->nodePoolStatus.stop();
  impl_->nodeMetrics.stop();
}

void ControllerManager::stop() {
  stopControllers();
  if (impl_->stateStarted) {
    impl_->informers.stop();
    impl_->stateStarted = false;
  }
}

state::ClusterState& ControllerManager::state() {
  return impl_->state;
}

controllers::Provisioner& ControllerManager::provisioner() {
  return impl_->provisioner;
}

controllers::NodePoolStatus& ControllerManager::nodePoolStatus() {
  return impl_->nodePoolStatus;
}

controllers::EventRecorder& ControllerManager::events() {
  return *impl_->options.provisioner.events;
}

controllers::NodeMetrics& ControllerManager::nodeMetrics() {
  return impl_->nodeMetrics;
}

controllers::GarbageCollection& ControllerManager::garbageCollection() {
  return impl_->garbageCollection;
}

}  // namespace karpenter::op
