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
  return out;
}

const StateNode* ClusterSnapshot::node(std::string_view nodeName) const {
  auto it = nodes->find(nodeName);
  return it == nodes->end() ? nullptr : it->second.get();
}

const StateNode* ClusterSnapshot::nodeForNodeClaim(std::string_view nodeClaimName) const {
  if (auto it = inFlight->find(nodeClaimName); it != inFlight->end()) {
    return it->second.get();
  }
  // Joined NodeClaims are found through their node; a linear scan, as this is not a hot path.
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
    return scheduling::ExistingNode::fromNode(*entry.node, std::move(pods));
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

}  // namespace karpenter::state
