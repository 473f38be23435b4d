#include "karpenter/state/snapshot.hpp"

namespace karpenter::state {

ClusterSnapshot ClusterSnapshot::empty() {
  ClusterSnapshot out;
  out.nodes = std::make_shared<const NodeMap>();
  out.inFlight = std::make_shared<const NodeMap>();
  out.pendingPods = std::make_shared<const ObjectMap<api::Pod>>();
  out.nodeClaims = std::make_shared<const ObjectMap<api::NodeClaim>>();
  out.nodePools = std::make_shared<const ObjectMap<api::NodePool>>();
  out.nodeClasses = std::make_shared<const ObjectMap<api::EC2NodeClass>>();
  out.daemonSets = std::make_shared<const ObjectMap<api::DaemonSet>>();
  out.podDisruptionBudgets = std::make_shared<const ObjectMap<api::PodDisruptionBudget>>();
  out.persistentVolumes = std::make_shared<const ObjectMap<api::PersistentVolume>>();
  out.persistentVolumeClaims = std::make_shared<const ObjectMap<api::PersistentVolumeClaim>>();
  out.storageClasses = std::make_shared<const ObjectMap<api::StorageClass>>();
  out.nominations = std::make_shared<const std::map<std::string, Nomination, std::less<>>>();
  out.markedForDeletion = std::make_shared<const std::set<std::string, std::less<>>>();
  out.reindex();
  return out;
}

void ClusterSnapshot::reindex() {
  auto built = std::make_shared<NodeIndex>();
  built->nodes = nodes;
  built->inFlight = inFlight;
  built->byNodeName.reserve(nodes->size());
  built->byNodeClaimName.reserve(nodes->size() + inFlight->size());
  for (const auto& [name, entry] : *inFlight) {
    built->byNodeClaimName.insert(name, entry.get());
  }
  for (const auto& [name, entry] : *nodes) {
    built->byNodeName.insert(name, entry.get());
    if (entry->nodeClaim) {
      built->byNodeClaimName.insert(entry->nodeClaim->metadata.name, entry.get());
    }
  }
  index = std::move(built);
}

bool ClusterSnapshot::indexIsCurrent() const {
  return index && index->nodes == nodes && index->inFlight == inFlight;
}

const StateNode* ClusterSnapshot::node(std::string_view nodeName) const {
  if (indexIsCurrent()) {
    return index->byNodeName.find(nodeName);
  }
  auto it = nodes->find(nodeName);
  return it == nodes->end() ? nullptr : it->second.get();
}

const StateNode* ClusterSnapshot::nodeForNodeClaim(std::string_view nodeClaimName) const {
  if (indexIsCurrent()) {
    return index->byNodeClaimName.find(nodeClaimName);
  }
  if (auto it = inFlight->find(nodeClaimName); it != inFlight->end()) {
    return it->second.get();
  }
  // Without a current index, joined NodeClaims are found through their node by a scan.
  for (const auto& [name, entry] : *nodes) {
    if (entry->nodeClaim && entry->nodeClaim->metadata.name == nodeClaimName) {
      return entry.get();
    }
  }
  return nullptr;
}

bool ClusterSnapshot::isMarkedForDeletion(std::string_view name) const {
  return markedForDeletion->contains(name);
}

std::optional<std::string> ClusterSnapshot::nominatedTarget(
    std::string_view podUid, std::chrono::steady_clock::time_point now) const {
  auto it = nominations->find(podUid);
  if (it == nominations->end() || it->second.expiresAt <= now) {
    return std::nullopt;
  }
  return it->second.target;
}

scheduling::ExistingNode ClusterSnapshot::existingNode(const StateNode& entry) const {
  std::vector<const api::Pod*> pods;
  pods.reserve(entry.pods.size());
  for (const auto& pod : entry.pods) {
    pods.push_back(pod.get());
  }
  if (entry.node) {
    auto out = scheduling::ExistingNode::fromNode(*entry.node, std::move(pods));
    if (entry.volumeLimits) {
      out.volumeLimits = *entry.volumeLimits;
    }
    return out;
  }
  scheduling::ExistingNode out;
  out.name = entry.name;
  if (entry.nodeClaim) {
    out.labels = entry.nodeClaim->metadata.labels;
    // Startup taints are left out, as upstream does for uninitialized nodes: they go away
    // before the node is Initialized, so pods need not tolerate them.
    out.taints = entry.nodeClaim->spec.taints;
    out.allocatable = entry.nodeClaim->status.allocatable;
  }
  out.pods = std::move(pods);
  out.initialized = false;
  return out;
}

void ClusterSnapshot::addVolumeInputs(const std::vector<const api::Pod*>& pods,
                                      scheduling::SchedulerInput& input) const {
  std::set<std::string, std::less<>> claimKeys;
  auto collect = [&](const api::Pod& pod) {
    for (const auto& volume : pod.spec.volumes) {
      if (volume.persistentVolumeClaim) {
        claimKeys.insert(pod.metadata.namespace_ + "/" + volume.persistentVolumeClaim->claimName);
      } else if (!volume.ephemeral.is_null()) {
        // A generic ephemeral volume's claim is named <pod>-<volume>.
        claimKeys.insert(pod.metadata.namespace_ + "/" + pod.metadata.name + "-" + volume.name);
      }
    }
  };
  for (const auto* pod : pods) {
    collect(*pod);
  }
  for (const auto& node : input.existingNodes) {
    for (const auto* pod : node.pods) {
      collect(*pod);
    }
  }
  for (const auto& key : claimKeys) {
    auto claim = persistentVolumeClaims->find(key);
    if (claim == persistentVolumeClaims->end()) {
      continue;
    }
    input.persistentVolumeClaims.push_back(*claim->second);
    const std::string& volumeName = claim->second->spec.volumeName;
    if (auto volume = persistentVolumes->find(volumeName);
        !volumeName.empty() && volume != persistentVolumes->end()) {
      input.persistentVolumes.push_back(*volume->second);
    }
  }
  for (const auto& [name, storageClass] : *storageClasses) {
    input.storageClasses.push_back(*storageClass);
  }
}

}  // namespace karpenter::state
