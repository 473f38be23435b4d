#pragma once

#include <chrono>
#include <memory>

#include "karpenter/kube/client.hpp"
#include "karpenter/state/cluster_state.hpp"

namespace karpenter::state {

// The eleven informers that feed a ClusterState: Nodes, Pods, NodeClaims, NodePools,
// EC2NodeClasses, DaemonSets, PodDisruptionBudgets, PersistentVolumes, PersistentVolumeClaims,
// StorageClasses, CSINodes (all namespaces), each storing the compact objects of transforms.hpp
// and applying every add/update/delete to the state. The state's synced flag is set once all
// eleven have delivered their initial lists.
// The client and the state must outlive this object.
// Thread safety: start()/stop() from the owner; hasSynced() from any thread.
class StateInformers final {
 public:
  struct Options {
    std::chrono::seconds watchTimeout{300};
    std::chrono::milliseconds resyncPeriod{0};
    int64_t pageSize = 500;
    std::chrono::milliseconds initialBackoff{800};
    std::chrono::milliseconds maxBackoff{30'000};
  };

  StateInformers(kube::KubeClient& client, ClusterState& state, Options options);
  ~StateInformers();  // stops
  StateInformers(const StateInformers&) = delete;
  StateInformers& operator=(const StateInformers&) = delete;

  void start();
  // Stops every informer, in parallel; returns within about a second.
  void stop();
  bool hasSynced() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace karpenter::state
