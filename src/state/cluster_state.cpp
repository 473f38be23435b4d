#include "karpenter/state/cluster_state.hpp"

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "karpenter/api/pod_requests.hpp"
#include "karpenter/scheduling/scheduler.hpp"
#include "karpenter/state/cluster_view.hpp"

namespace karpenter::state {
namespace {

template <typename T>
std::string keyOf(const T& object) {
  const auto& meta = object.metadata;
  return meta.namespace_.empty() ? meta.name : meta.namespace_ + "/" + meta.name;
}

bool isTerminal(const api::Pod& pod) {
  return pod.status.phase == "Succeeded" || pod.status.phase == "Failed";
}

bool isDaemonSetPod(const api::Pod& pod) {
  for (const auto& owner : pod.metadata.ownerReferences) {
    if (owner.kind == "DaemonSet" && owner.controller.value_or(false)) {
      return true;
    }
  }
  return false;
}

// A collection mirrored as-is (NodePools, PDBs, ...): the writer's map and whether it changed
// since the last publication.
template <typename T>
struct Mirror {
  ObjectMap<T> objects;
  bool dirty = true;

  void apply(Change change, Ptr<T> object) {
    if (!object) {
      return;
    }
    if (change == Change::kDelete) {
      objects.erase(keyOf(*object));
    } else {
      objects[keyOf(*object)] = std::move(object);
    }
    dirty = true;
  }
  void publish(Ptr<ObjectMap<T>>& out) {
    if (dirty || !out) {
      out = std::make_shared<const ObjectMap<T>>(objects);
      dirty = false;
    }
  }
};

}  // namespace

struct ClusterState::Impl {
  struct PodRecord {
    Ptr<api::Pod> pod;
    std::string nodeName;  // empty = pending
    api::ResourceList requests;
    bool daemonSet = false;
  };

  Options options;

  // --- writer side, guarded by `mutex` ---
  std::mutex mutex;
  ObjectMap<api::Node> nodes;
  std::unordered_map<std::string, std::string> nodeByProviderId;
  ObjectMap<api::NodeClaim> claims;
  std::unordered_map<std::string, std::string> claimByProviderId;  // → NodeClaim name
  std::unordered_map<std::string, std::string> claimByNodeName;    // status.nodeName → name
  std::unordered_map<std::string, PodRecord> pods;                 // by namespace/name
  std::unordered_map<std::string, std::set<std::string>> podKeysByNode;
  ObjectMap<api::Pod> pending;
  Mirror<api::NodePool> nodePools;
  Mirror<api::EC2NodeClass> nodeClasses;
  Mirror<api::DaemonSet> daemonSets;
  Mirror<api::PodDisruptionBudget> pdbs;
  Mirror<api::PersistentVolume> pvs;
  Mirror<api::PersistentVolumeClaim> pvcs;
  Mirror<api::StorageClass> storageClasses;
  std::unordered_map<std::string, Ptr<VolumeLimits>> volumeLimits;  // by CSINode (= Node) name
  std::map<std::string, Nomination, std::less<>> nominations;
  std::set<std::string, std::less<>> marked;
  bool synced = false;

  std::unordered_set<std::string> dirtyNodes;  // Node names whose StateNode must be rebuilt
  bool claimsDirty = true;                     // NodeClaims or the Node↔NodeClaim join changed
  bool pendingDirty = true;
  bool nominationsDirty = true;
  bool markedDirty = true;
  bool anyDirty = true;
  ClusterSnapshot building;  // the last published snapshot's collections, reused when clean

  // --- the published pointer, guarded by `publishedMutex` (held only to copy it) ---
  mutable std::mutex publishedMutex;
  std::shared_ptr<const ClusterSnapshot> published;

  // --- the batching publisher ---
  std::condition_variable wake;
  bool stopping = false;
  std::thread publisher;

  explicit Impl(Options o) : options(std::move(o)) {
    building = ClusterSnapshot::empty();
    published = std::make_shared<const ClusterSnapshot>(building);
  }

  std::chrono::steady_clock::time_point now() const {
    return options.now ? options.now() : std::chrono::steady_clock::now();
  }

  // The NodeClaim joined to `node`: same providerID, else status.nodeName == node name.
  Ptr<api::NodeClaim> claimFor(const api::Node& node) const {
    auto lookup = [&](const auto& index, const std::string& value) -> Ptr<api::NodeClaim> {
      if (value.empty()) {
        return nullptr;
      }
      auto it = index.find(value);
      return it == index.end() ? nullptr : claims.at(it->second);
    };
    if (auto claim = lookup(claimByProviderId, node.spec.providerID)) {
      return claim;
    }
    return lookup(claimByNodeName, node.metadata.name);
  }

  void indexClaim(const api::NodeClaim& claim, bool add) {
    const std::string& name = claim.metadata.name;
    auto update = [&](auto& index, const std::string& value) {
      if (value.empty()) {
        return;
      }
      if (add) {
        index[value] = name;
      } else if (auto it = index.find(value); it != index.end() && it->second == name) {
        index.erase(it);
      }
    };
    update(claimByProviderId, claim.status.providerID);
    update(claimByNodeName, claim.status.nodeName);
  }

  // The Node name a NodeClaim is joined to, or "" when it is in flight.
  std::string nodeOf(const api::NodeClaim& claim) const {
    if (!claim.status.providerID.empty()) {
      auto it = nodeByProviderId.find(claim.status.providerID);
      if (it != nodeByProviderId.end()) {
        return it->second;
      }
    }
    if (!claim.status.nodeName.empty() && nodes.contains(claim.status.nodeName)) {
      return claim.status.nodeName;
    }
    return {};
  }

  void touched() {
    anyDirty = true;
    if (options.publishInterval.count() <= 0) {
      publishLocked();
    }
  }

  void applyPod(Change change, Ptr<api::Pod> pod) {
    const std::string key = keyOf(*pod);
    if (auto old = pods.find(key); old != pods.end()) {
      if (old->second.nodeName.empty()) {
        pending.erase(key);
        pendingDirty = true;
      } else {
        auto& keys = podKeysByNode[old->second.nodeName];
        keys.erase(key);
        if (keys.empty()) {
          podKeysByNode.erase(old->second.nodeName);
        }
        dirtyNodes.insert(old->second.nodeName);
      }
      pods.erase(old);
    }
    if (change == Change::kUpsert && !isTerminal(*pod)) {
      PodRecord record{pod, pod->spec.nodeName, api::podRequests(pod->spec), isDaemonSetPod(*pod)};
      if (record.nodeName.empty()) {
        pending[key] = pod;
        pendingDirty = true;
      } else {
        podKeysByNode[record.nodeName].insert(key);
        dirtyNodes.insert(record.nodeName);
      }
      pods.emplace(key, std::move(record));
    }
    touched();
  }

  void applyNode(Change change, Ptr<api::Node> node) {
    const std::string& name = node->metadata.name;
    if (auto old = nodes.find(name); old != nodes.end()) {
      if (!old->second->spec.providerID.empty()) {
        nodeByProviderId.erase(old->second->spec.providerID);
      }
      if (old->second->spec.providerID != node->spec.providerID || change == Change::kDelete) {
        claimsDirty = true;
      }
    } else {
      claimsDirty = true;  // a new node may complete an in-flight NodeClaim
    }
    if (change == Change::kDelete) {
      nodes.erase(name);
    } else {
      if (!node->spec.providerID.empty()) {
        nodeByProviderId[node->spec.providerID] = name;
      }
      nodes[name] = node;
    }
    dirtyNodes.insert(name);
    touched();
  }

  void applyClaim(Change change, Ptr<api::NodeClaim> claim) {
    const std::string& name = claim->metadata.name;
    if (auto old = claims.find(name); old != claims.end()) {
      if (auto joined = nodeOf(*old->second); !joined.empty()) {
        dirtyNodes.insert(joined);
      }
      indexClaim(*old->second, false);
    }
    if (change == Change::kDelete) {
      claims.erase(name);
    } else {
      claims[name] = claim;
      indexClaim(*claim, true);
      if (auto joined = nodeOf(*claim); !joined.empty()) {
        dirtyNodes.insert(joined);
      }
    }
    claimsDirty = true;
    touched();
  }

  void applyCSINode(Change change, const api::CSINode& csiNode) {
    const std::string& name = csiNode.metadata.name;
    auto limits = change == Change::kDelete ? VolumeLimits{} : scheduling::csiVolumeLimits(csiNode);
    auto old = volumeLimits.find(name);
    if (old == volumeLimits.end() ? limits.empty() : *old->second == limits) {
      return;  // resyncs and updates of other fields (nodeID, topologyKeys) change nothing
    }
    if (limits.empty()) {
      volumeLimits.erase(old);
    } else {
      volumeLimits[name] = std::make_shared<const VolumeLimits>(std::move(limits));
    }
    dirtyNodes.insert(name);
    touched();
  }

  Ptr<StateNode> buildEntry(const std::string& name, Ptr<api::Node> node,
                            Ptr<api::NodeClaim> claim) const {
    auto entry = std::make_shared<StateNode>();
    entry->name = name;
    entry->node = std::move(node);
    entry->nodeClaim = std::move(claim);
    if (entry->node) {
      if (auto keys = podKeysByNode.find(name); keys != podKeysByNode.end()) {
        entry->pods.reserve(keys->second.size());
        for (const auto& key : keys->second) {
          const PodRecord& record = pods.at(key);
          entry->pods.push_back(record.pod);
          entry->requested = api::resources::add(entry->requested, record.requests);
          if (record.daemonSet) {
            entry->daemonSetRequested =
                api::resources::add(entry->daemonSetRequested, record.requests);
            ++entry->daemonSetPods;
          }
        }
      }
    }
    if (entry->node) {
      if (auto limits = volumeLimits.find(name); limits != volumeLimits.end()) {
        entry->volumeLimits = limits->second;
      }
    }
    entry->facts = nodeFacts(*entry);
    return entry;
  }

  void publishLocked() {
    if (!anyDirty) {
      return;
    }
    ClusterSnapshot& next = building;
    next.version += 1;
    next.synced = synced;

    if (!dirtyNodes.empty()) {
      auto map = std::make_shared<ClusterSnapshot::NodeMap>(*next.nodes);
      for (const auto& name : dirtyNodes) {
        auto node = nodes.find(name);
        if (node == nodes.end()) {
          map->erase(name);
        } else {
          (*map)[name] = buildEntry(name, node->second, claimFor(*node->second));
        }
      }
      dirtyNodes.clear();
      next.nodes = std::move(map);
    }
    if (claimsDirty) {
      auto inFlight = std::make_shared<ClusterSnapshot::NodeMap>();
      for (const auto& [name, claim] : claims) {
        if (!nodeOf(*claim).empty()) {
          continue;
        }
        auto old = next.inFlight->find(name);
        if (old != next.inFlight->end() && old->second->nodeClaim == claim) {
          (*inFlight)[name] = old->second;  // unchanged: share it
        } else {
          (*inFlight)[name] = buildEntry(name, nullptr, claim);
        }
      }
      next.inFlight = std::move(inFlight);
      next.nodeClaims = std::make_shared<const ObjectMap<api::NodeClaim>>(claims);
      claimsDirty = false;
    }
    if (next.index == nullptr || next.index->nodes != next.nodes ||
        next.index->inFlight != next.inFlight) {
      next.reindex();
    }
    if (pendingDirty) {
      next.pendingPods = std::make_shared<const ObjectMap<api::Pod>>(pending);
      pendingDirty = false;
    }
    nodePools.publish(next.nodePools);
    nodeClasses.publish(next.nodeClasses);
    daemonSets.publish(next.daemonSets);
    pdbs.publish(next.podDisruptionBudgets);
    pvs.publish(next.persistentVolumes);
    pvcs.publish(next.persistentVolumeClaims);
    storageClasses.publish(next.storageClasses);
    const auto current = now();
    if (std::erase_if(nominations, [&](const auto& n) { return n.second.expiresAt <= current; })) {
      nominationsDirty = true;
    }
    if (nominationsDirty) {
      next.nominations =
          std::make_shared<const std::map<std::string, Nomination, std::less<>>>(nominations);
      nominationsDirty = false;
    }
    if (markedDirty) {
      next.markedForDeletion = std::make_shared<const std::set<std::string, std::less<>>>(marked);
      markedDirty = false;
    }
    anyDirty = false;
    auto snapshot = std::make_shared<const ClusterSnapshot>(next);
    std::lock_guard lock(publishedMutex);
    published = std::move(snapshot);
  }

  void runPublisher() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      wake.wait_for(lock, options.publishInterval, [&] { return stopping; });
      publishLocked();
    }
  }
};

ClusterState::ClusterState() : ClusterState(Options{}) {}

ClusterState::ClusterState(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {
  if (impl_->options.publishInterval.count() > 0) {
    impl_->publisher = std::thread([impl = impl_.get()] { impl->runPublisher(); });
  }
}

ClusterState::~ClusterState() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->publisher.joinable()) {
    impl_->publisher.join();
  }
}

std::shared_ptr<const ClusterSnapshot> ClusterState::snapshot() const {
  std::lock_guard lock(impl_->publishedMutex);
  return impl_->published;
}

std::shared_ptr<const ClusterSnapshot> ClusterState::flush() {
  std::lock_guard lock(impl_->mutex);
  impl_->publishLocked();
  return snapshot();
}

void ClusterState::apply(Change change, Ptr<api::Pod> pod) {
  if (pod) {
    std::lock_guard lock(impl_->mutex);
    impl_->applyPod(change, std::move(pod));
  }
}

void ClusterState::apply(Change change, Ptr<api::Node> node) {
  if (node) {
    std::lock_guard lock(impl_->mutex);
    impl_->applyNode(change, std::move(node));
  }
}

void ClusterState::apply(Change change, Ptr<api::NodeClaim> nodeClaim) {
  if (nodeClaim) {
    std::lock_guard lock(impl_->mutex);
    impl_->applyClaim(change, std::move(nodeClaim));
  }
}

void ClusterState::apply(Change change, Ptr<api::CSINode> csiNode) {
  if (csiNode) {
    std::lock_guard lock(impl_->mutex);
    impl_->applyCSINode(change, *csiNode);
  }
}

#define KARPENTER_STATE_MIRROR_APPLY(Type, member)            \
  void ClusterState::apply(Change change, Ptr<Type> object) { \
    std::lock_guard lock(impl_->mutex);                       \
    impl_->member.apply(change, std::move(object));           \
    impl_->touched();                                         \
  }
KARPENTER_STATE_MIRROR_APPLY(api::NodePool, nodePools)
KARPENTER_STATE_MIRROR_APPLY(api::EC2NodeClass, nodeClasses)
KARPENTER_STATE_MIRROR_APPLY(api::DaemonSet, daemonSets)
KARPENTER_STATE_MIRROR_APPLY(api::PodDisruptionBudget, pdbs)
KARPENTER_STATE_MIRROR_APPLY(api::PersistentVolume, pvs)
KARPENTER_STATE_MIRROR_APPLY(api::PersistentVolumeClaim, pvcs)
KARPENTER_STATE_MIRROR_APPLY(api::StorageClass, storageClasses)
#undef KARPENTER_STATE_MIRROR_APPLY

void ClusterState::setSynced(bool synced) {
  std::lock_guard lock(impl_->mutex);
  impl_->synced = synced;
  impl_->touched();
}

void ClusterState::nominate(const std::string& podUid, const std::string& target,
                            std::chrono::steady_clock::duration ttl) {
  std::lock_guard lock(impl_->mutex);
  impl_->nominations[podUid] = Nomination{target, impl_->now() + ttl};
  impl_->nominationsDirty = true;
  impl_->touched();
}

void ClusterState::markForDeletion(const std::string& name) {
  std::lock_guard lock(impl_->mutex);
  impl_->marked.insert(name);
  impl_->markedDirty = true;
  impl_->touched();
}

void ClusterState::unmarkForDeletion(const std::string& name) {
  std::lock_guard lock(impl_->mutex);
  impl_->marked.erase(name);
  impl_->markedDirty = true;
  impl_->touched();
}

void pollSnapshots(const ClusterState& state, std::chrono::milliseconds interval,
                   std::stop_token stop,
                   const std::function<void(const ClusterSnapshot& snapshot)>& onChange) {
  uint64_t lastVersion = 0;
  while (!stop.stop_requested()) {
    std::this_thread::sleep_for(interval);
    auto snapshot = state.snapshot();
    if (!snapshot->synced || snapshot->version == lastVersion) {
      continue;
    }
    lastVersion = snapshot->version;
    onChange(*snapshot);
  }
}

}  // namespace karpenter::state
