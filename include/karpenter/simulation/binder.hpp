#pragma once

#include <chrono>
#include <memory>

#include "karpenter/kube/client.hpp"
#include "karpenter/state/cluster_state.hpp"

namespace karpenter::simulation {

// Plays kube-scheduler's part where there is none (`karpenter simulate`, the end-to-end tests):
// binds each pending pod to the node the provisioner nominated it to — the node kube-scheduler
// would pick, since the extender scores it highest — once that node is Ready and every
// scheduling taint on it is tolerated. Binding goes through the pods/binding subresource, as
// kube-scheduler's does.
// Thread safety: start()/stop() from the owner; bindReady() not concurrently with the thread.
class NominationBinder final {
 public:
  struct Options {
    std::chrono::milliseconds pollInterval{100};
  };
  NominationBinder(kube::KubeClient& client, state::ClusterState& state, Options options);
  ~NominationBinder();
  NominationBinder(const NominationBinder&) = delete;
  NominationBinder& operator=(const NominationBinder&) = delete;

  void start();
  void stop();
  // One round: binds every pod whose nominated node is ready for it; returns how many.
  size_t bindReady();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace karpenter::simulation
