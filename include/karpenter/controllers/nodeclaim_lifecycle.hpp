#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "karpenter/cloudprovider/cloud_provider.hpp"
#include "karpenter/controllers/events.hpp"
#include "karpenter/controllers/registration_health.hpp"
#include "karpenter/kube/client.hpp"
#include "karpenter/state/cluster_state.hpp"

namespace karpenter::controllers {

// The NodeClaim lifecycle (upstream pkg/controllers/nodeclaim/lifecycle and termination,
// karpenter-behaviour.md §3 and §6), one reconcile per NodeClaim on a work queue:
//  - launch: the karpenter.sh/termination finalizer, then CloudProvider::create; status gets
//    providerID, capacity, allocatable and Launched=True, labels the instance's. Insufficient
//    capacity deletes the NodeClaim (its pods go back to the provisioner, and the cloud keeps
//    the offering unavailable so the next simulation picks another).
//  - registration: the Node with the same providerID gets the NodeClaim's labels, taints and
//    startup taints (once), karpenter.sh/registered=true and loses karpenter.sh/unregistered;
//    status.nodeName and Registered=True.
//  - initialization: Node Ready, startup and ephemeral taints gone, requested extended
//    resources present ⇒ karpenter.sh/initialized=true on the Node, Initialized=True and
//    Ready=True on the NodeClaim.
//  - liveness: not launched within launchTtl or not registered within registrationTtl of
//    creation ⇒ deleted, after recording the failure for the NodePool's
//    NodeRegistrationHealthy condition (a registration records a success).
//  - termination (deletionTimestamp set): taint the Node karpenter.sh/disrupted:NoSchedule,
//    evict its pods through the Eviction API (a PDB's 429 retries later; DaemonSet and
//    finished pods are left), delete the instance until the cloud says NotFound, delete the
//    Node, release the finalizer.
// Thread safety: start()/stop() from the owner; reconcile() from one thread at a time per name.
class NodeClaimLifecycle final {
 public:
  struct Options {
    int workers = 2;
    std::chrono::milliseconds pollInterval{100};  // how often the state is checked for changes
    std::chrono::seconds launchTtl{5 * 60};
    std::chrono::seconds registrationTtl{15 * 60};
    std::chrono::milliseconds retryInterval{1000};  // evictions blocked by PDBs, pending deletes
    std::shared_ptr<EventRecorder> events;          // null: the lifecycle makes its own
    // Shared with NodePool status, which resets it; null: the lifecycle makes its own.
    std::shared_ptr<RegistrationHealth> registrationHealth;
  };

  NodeClaimLifecycle(kube::KubeClient& client, state::ClusterState& state,
                     cloudprovider::CloudProvider& cloud, Options options);
  ~NodeClaimLifecycle();  // stops
  NodeClaimLifecycle(const NodeClaimLifecycle&) = delete;
  NodeClaimLifecycle& operator=(const NodeClaimLifecycle&) = delete;

  void start();
  void stop();
  // One reconcile of the named NodeClaim; returns when it should be looked at again (zero: only
  // when something changes).
  Result<std::chrono::milliseconds> reconcile(const std::string& name);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace karpenter::controllers
