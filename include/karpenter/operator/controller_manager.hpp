#pragma once

#include <chrono>
#include <memory>

#include "karpenter/cloudprovider/cloud_provider.hpp"
#include "karpenter/controllers/garbage_collection.hpp"
#include "karpenter/controllers/node_metrics.hpp"
#include "karpenter/controllers/nodeclaim_lifecycle.hpp"
#include "karpenter/controllers/nodepool_status.hpp"
#include "karpenter/controllers/provisioner.hpp"
#include "karpenter/kube/client.hpp"
#include "karpenter/state/cluster_state.hpp"
#include "karpenter/state/state_informers.hpp"

namespace karpenter::op {

// The cluster state with the informers that feed it (every replica: the extender reads it), and
// the controllers that act on it (the leader only). `karpenter controller` and
// `karpenter simulate` both run exactly this.
// Thread safety: all methods from the owning thread.
class ControllerManager final {
 public:
  struct Options {
    state::StateInformers::Options informers;
    controllers::Provisioner::Options provisioner;
    controllers::NodeClaimLifecycle::Options lifecycle;
    controllers::GarbageCollection::Options garbageCollection;
    controllers::NodePoolStatus::Options nodePoolStatus;
    controllers::NodeMetrics::Options nodeMetrics;
  };

  ControllerManager(kube::KubeClient& client, cloudprovider::CloudProvider& cloud, Options options);
  ~ControllerManager();  // stops everything
  ControllerManager(const ControllerManager&) = delete;
  ControllerManager& operator=(const ControllerManager&) = delete;

  // Informers and state: start on every replica.
  void startState();
  // Waits until every informer delivered its initial list; false on timeout.
  bool waitForSync(std::chrono::milliseconds timeout);
  // The controllers: start when elected, stop at once when the lease is lost.
  void startControllers();
  void stopControllers();
  void stop();

  state::ClusterState& state();
  controllers::Provisioner& provisioner();
  controllers::NodePoolStatus& nodePoolStatus();
  controllers::GarbageCollection& garbageCollection();
  controllers::NodeMetrics& nodeMetrics();
  // The Event recorder every controller shares (flush() it to wait for queued Events).
  controllers::EventRecorder& events();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace karpenter::op
