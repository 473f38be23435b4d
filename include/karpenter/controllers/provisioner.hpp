#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "karpenter/cloudprovider/cloud_provider.hpp"
#include "karpenter/controllers/events.hpp"
#include "karpenter/kube/client.hpp"
#include "karpenter/scheduling/scheduler.hpp"
#include "karpenter/state/cluster_state.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::controllers {

// What one provisioning pass did.
struct ProvisioningPass {
  size_t podsConsidered = 0;
  std::vector<std::string> createdNodeClaims;  // names, in creation order
  // Per created NodeClaim (same order): the DaemonSet pods' requests the solver reserved on it.
  std::vector<api::ResourceList> daemonSetOverheads;
  std::vector<std::pair<std::string, std::string>> nominations;  // pod "ns/name" → target
  std::vector<std::pair<std::string, std::string>> podErrors;    // pod "ns/name" → reason
};

// The provisioner (upstream pkg/controllers/provisioning, karpenter-behaviour.md §4): batches
// provisionable pods, simulates scheduling them over the cluster's nodes, in-flight NodeClaims
// and the NodePools' instance types, creates the NodeClaims the simulation opened and nominates
// every placed pod to its node or NodeClaim — in the cluster state (which the scheduler
// extender reads, so kube-scheduler agrees) and with a `Nominated` Event. Pods that cannot be
// placed get a `FailedScheduling` Event with the solver's reason. Events are queued on an
// EventRecorder, so a pass never waits for them to be written.
//
// A pod nominated by an earlier pass is left out while its nomination lives and its target is
// not going away; its requests count against that target instead, so a second pass never opens
// capacity for the same pod twice.
//
// Thread safety: start()/stop() from the owner; provision() must not run concurrently with the
// provisioner's own thread (call it only when not started: tests and `simulate` do).
class Provisioner final {
 public:
  struct Options {
    std::chrono::milliseconds batchIdle{1000};
    std::chrono::milliseconds batchMax{10'000};
    std::chrono::milliseconds pollInterval{100};  // how often new pending pods are looked for
    // Upstream's nomination window, max(2 × batchMax, 10 s).
    std::chrono::milliseconds nominationTtl{20'000};
    // Pods a pass could not place are tried again after this long (upstream requeues 10 s).
    std::chrono::milliseconds retryFailedAfter{10'000};
    scheduling::SchedulerOptions scheduler;
    // Where Nominated/FailedScheduling Events go (shared with other controllers); null: the
    // provisioner makes its own.
    std::shared_ptr<EventRecorder> events;
    // Called after every pass of the provisioner's thread.
    std::function<void(const ProvisioningPass&)> onPass;
  };

  Provisioner(kube::KubeClient& client, state::ClusterState& state,
              cloudprovider::CloudProvider& cloud, Options options);
  ~Provisioner();  // stops
  Provisioner(const Provisioner&) = delete;
  Provisioner& operator=(const Provisioner&) = delete;

  void start();
  void stop();
  // One pass now, over the state as it is (kUnavailable while the state has not synced).
  Result<ProvisioningPass> provision();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace karpenter::controllers
