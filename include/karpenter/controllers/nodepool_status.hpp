#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "karpenter/controllers/registration_health.hpp"
#include "karpenter/kube/client.hpp"
#include "karpenter/state/cluster_state.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::controllers {

// NodePool status (upstream pkg/controllers/nodepool/{counter,validation,readiness} and
// pkg/controllers/metrics/nodepool, karpenter-behaviour.md §1.4 and §7), one reconcile per
// NodePool on a work queue fed by cluster-state changes:
//  - status.resources = Σ status.capacity of the pool's launched NodeClaims (label
//    karpenter.sh/nodepool, condition Launched=True; NodeClaims being deleted still count, as
//    their instances still run), status.nodes = how many there are;
//  - ValidationSucceeded: admission::validateNodePool over the pool as the API server stores it
//    (CRD defaults applied) — True, or False with reason NodePoolValidationFailed and the
//    aggregated field errors;
//  - NodeClassReady: False (NodeClassNotFound / NodeClassNotSupported) unless the EC2NodeClass
//    spec.template.spec.nodeClassRef names is in the state; when it is and node classes are
//    reconciled (Options::followNodeClassReady), the class's own Ready condition: Unknown
//    (NodeClassReadinessUnknown) while it has none or it is Unknown, False with its reason and
//    message, or True; when nothing reconciles node classes, True;
//    status.nodeClassObservedGeneration follows the node class's generation;
//  - Ready: True when both are True, else False naming the first that is not;
//  - NodeRegistrationHealthy (not part of Ready, as upstream): set Unknown, and the pool's
//    RegistrationHealth record emptied, when the condition is missing or was judged for another
//    pool generation or node class generation; the NodeClaim lifecycle moves it to True/False.
// The status is written with a merge patch on the /status subresource, and only when it
// changed; lastTransitionTime moves only when a condition's status does. The provisioner skips
// NodePools whose Ready is False, so an invalid pool stops getting capacity.
// Gauges karpenter_nodepools_usage and karpenter_nodepools_limit {nodepool, resource_type} are
// kept on the default registry (cpu in cores, memory in bytes, "nodes" as a count); a deleted
// NodePool's series are removed.
// Thread safety: start()/stop() from the owner; reconcile() from one thread at a time per name.
class NodePoolStatus final {
 public:
  struct Options {
    int workers = 1;
    std::chrono::milliseconds pollInterval{100};  // how often the state is checked for changes
    // Shared with the NodeClaim lifecycle; null: NodePool status makes its own.
    std::shared_ptr<RegistrationHealth> registrationHealth;
    // CloudProvider::reconcilesNodeClasses(): whether NodeClassReady follows the node class's
    // Ready condition (otherwise an existing node class is ready).
    bool followNodeClassReady = false;
  };

  NodePoolStatus(kube::KubeClient& client, state::ClusterState& state, Options options);
  ~NodePoolStatus();  // stops
  NodePoolStatus(const NodePoolStatus&) = delete;
  NodePoolStatus& operator=(const NodePoolStatus&) = delete;

  // May be called again after stop() (a replica that lost and regained the lease).
  void start();
  void stop();
  // One reconcile of the named NodePool over the current snapshot (kUnavailable while the
  // state has not synced; kConflict when the snapshot's copy was stale — try again). A NodePool
  // the snapshot does not hold only has its gauges removed.
  Result<void> reconcile(const std::string& name);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace karpenter::controllers
