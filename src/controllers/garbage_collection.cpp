#include "karpenter/controllers/garbage_collection.hpp"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "karpenter/api/conditions.hpp"

namespace karpenter::controllers {

struct GarbageCollection::Impl {
  kube::KubeClient& client;
  state::ClusterState& state;
  cloudprovider::CloudProvider& cloud;
  Options options;
  std::mutex mutex;
  std::condition_variable wake;
  bool running = false;
  std::thread loop;
  // When each orphan was first seen; terminated once it stayed an orphan for orphanGrace.
  std::map<std::string, std::chrono::steady_clock::time_point> orphansSince;

  Result<Collected> collect() {
    auto instances = cloud.list();
    if (!instances) {
      return instances.error();
    }
    auto snapshot = state.flush();
    if (!snapshot->synced) {
      return Error{ErrorKind::kUnavailable, "the cluster state has not synced yet"};
    }
    Collected collected;
    std::set<std::string> ownedProviderIds;
    // NodeClaims whose launch has not recorded a providerID yet own the instances tagged with
    // their name. Once a NodeClaim records one, another instance tagged with its name is the
    // remnant of a launch whose status was never written (the controller died between
    // CreateFleet and the status update, and the NodeClaim was launched again): a leak.
    std::set<std::string> launchingNodeClaims;
    for (const auto& [name, nodeClaim] : *snapshot->nodeClaims) {
      if (!nodeClaim->status.providerID.empty()) {
        ownedProviderIds.insert(nodeClaim->status.providerID);
      } else {
        launchingNodeClaims.insert(name);
      }
    }
    const auto now = std::chrono::steady_clock::now();
    std::set<std::string> stillOrphaned;
    for (const auto& instance : *instances) {
      if (ownedProviderIds.contains(instance.status.providerID) ||
          launchingNodeClaims.contains(instance.metadata.name)) {
        continue;
      }
      stillOrphaned.insert(instance.status.providerID);
      auto [since, inserted] = orphansSince.emplace(instance.status.providerID, now);
      if (now - since->second < options.orphanGrace) {
        continue;
      }
      auto removed = cloud.remove(instance);
      if (removed || removed.error().kind == ErrorKind::kNotFound) {
        spdlog::info("garbage collection: terminated instance {} that no nodeclaim owns",
                     instance.status.providerID);
        ++collected.instancesTerminated;
      }
    }
    std::erase_if(orphansSince,
                  [&](const auto& entry) { return !stillOrphaned.contains(entry.first); });
    for (const auto& [name, nodeClaim] : *snapshot->nodeClaims) {
      if (nodeClaim->status.providerID.empty() || nodeClaim->metadata.deletionTimestamp ||
          !api::isConditionTrue(nodeClaim->status.conditions, api::kConditionTypeLaunched)) {
        continue;
      }
      auto instance = cloud.get(nodeClaim->status.providerID);
      if (instance || instance.error().kind != ErrorKind::kNotFound) {
        continue;
      }
      spdlog::info("garbage collection: deleting nodeclaim {}: instance {} is gone", name,
                   nodeClaim->status.providerID);
      auto removed =
          client.remove({.group = "karpenter.sh", .resource = "nodeclaims", .name = name}, {});
      if (removed || removed.error().kind == ErrorKind::kNotFound) {
        ++collected.nodeClaimsDeleted;
      }
    }
    return collected;
  }

  void run() {
    std::unique_lock lock(mutex);
    while (running) {
      wake.wait_for(lock, options.interval, [this] { return !running; });
      if (!running) {
        break;
      }
      lock.unlock();
      if (auto collected = collect(); !collected) {
        spdlog::warn("garbage collection: {}", collected.error().message);
      }
      lock.lock();
    }
  }
};

GarbageCollection::GarbageCollection(kube::KubeClient& client, state::ClusterState& state,
                                     cloudprovider::CloudProvider& cloud, Options options)
    : impl_(new Impl{client, state, cloud, options}) {}

GarbageCollection::~GarbageCollection() {
  stop();
}

void GarbageCollection::start() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->running) {
    return;
  }
  impl_->running = true;
  impl_->loop = std::thread([this] { impl_->run(); });
}

void GarbageCollection::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->running) {
      return;
    }
    impl_->running = false;
  }
  impl_->wake.notify_all();
  impl_->loop.join();
}

Result<GarbageCollection::Collected> GarbageCollection::collect() {
  return impl_->collect();
}

}  // namespace karpenter::controllers
