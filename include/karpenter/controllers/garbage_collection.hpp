#pragma once

#include <chrono>
#include <memory>

#include "karpenter/cloudprovider/cloud_provider.hpp"
#include "karpenter/kube/client.hpp"
#include "karpenter/state/cluster_state.hpp"

namespace karpenter::controllers {

// Garbage collection (upstream nodeclaim/garbagecollection): instances the cloud has that no
// NodeClaim owns are terminated (after a grace period, so a launch whose status is still being
// written is not mistaken for a leak), and launched NodeClaims whose instance is gone are
// deleted (their pods go back to the provisioner). An instance is owned when a NodeClaim's
// status names its providerID, or when it carries the name of a NodeClaim that has no
// providerID yet (a launch in flight).
// Thread safety: start()/stop() from the owner; collect() not concurrently with the thread.
class GarbageCollection final {
 public:
  struct Options {
    std::chrono::milliseconds interval{120'000};
    std::chrono::milliseconds orphanGrace{30'000};
  };
  GarbageCollection(kube::KubeClient& client, state::ClusterState& state,
                    cloudprovider::CloudProvider& cloud, Options options);
  ~GarbageCollection();
  GarbageCollection(const GarbageCollection&) = delete;
  GarbageCollection& operator=(const GarbageCollection&) = delete;

  void start();
  void stop();
  struct Collected {
    size_t instancesTerminated = 0;
    size_t nodeClaimsDeleted = 0;
  };
  Result<Collected> collect();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace karpenter::controllers
