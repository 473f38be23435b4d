#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "karpenter/api/ec2nodeclass.hpp"
#include "karpenter/api/node.hpp"
#include "karpenter/api/nodeclaim.hpp"
#include "karpenter/api/nodepool.hpp"
#include "karpenter/api/pod.hpp"
#include "karpenter/api/storage.hpp"
#include "karpenter/api/workloads.hpp"
#include "karpenter/extender/decisions.hpp"
#include "karpenter/scheduling/scheduler.hpp"
#include "karpenter/state/node_name_table.hpp"

namespace karpenter::state {

template <typename T>
using Ptr = std::shared_ptr<const T>;
// Objects by key: "namespace/name" for namespaced kinds, "name" for cluster-scoped ones.
// A node's CSI attach limits, driver → count (its CSINode's allocatable counts).
using VolumeLimits = std::map<std::string, int64_t>;
template <typename T>
using ObjectMap = std::map<std::string, Ptr<T>, std::less<>>;

// One node as Karpenter sees it: a Node joined with its NodeClaim (by providerID, else by the
// NodeClaim's status.nodeName), or a NodeClaim whose Node has not registered yet (in flight).
// Immutable once published; snapshots share unchanged entries.
struct StateNode {
  std::string name;               // the Node's name; the NodeClaim's name while in flight
  Ptr<api::Node> node;            // null while in flight
  Ptr<api::NodeClaim> nodeClaim;  // null for nodes Karpenter does not manage
  // Pods bound to the node (spec.nodeName), not Succeeded/Failed, by namespace/name.
  std::vector<Ptr<api::Pod>> pods;
  api::ResourceList requested;           // Σ api::podRequests over `pods`
  api::ResourceList daemonSetRequested;  // the part of `requested` from DaemonSet-owned pods
  size_t daemonSetPods = 0;
  extender::NodeFacts facts;  // what the scheduler extender reads (see cluster_view.hpp)
  // From the CSINode of the same name; null when there is none (or no Node yet). Shared with
  // the writer and every snapshot until the CSINode changes.
  Ptr<VolumeLimits> volumeLimits;

  bool inFlight() const { return node == nullptr; }
  bool managed() const { return nodeClaim != nullptr; }
};

struct Nomination {
  std::string target;  // a Node name or a NodeClaim name
  std::chrono::steady_clock::time_point expiresAt;
};

// An immutable view of the cluster at one moment. Every collection sits behind its own
// shared_ptr so a new snapshot shares whatever did not change with the previous one. Objects
// are compact (no `original` JSON, no managedFields; see transforms.hpp).
// Thread safety: immutable; read from any thread for as long as you hold the pointer.
struct ClusterSnapshot {
  using NodeMap = std::map<std::string, Ptr<StateNode>, std::less<>>;

  // Hash lookups over `nodes` and `inFlight`, built once per publication (the extender looks up
  // thousands of names per call). It holds the two maps it indexes, so the entries it points to
  // stay alive for as long as the index is.
  struct NodeIndex {
    Ptr<NodeMap> nodes;
    Ptr<NodeMap> inFlight;
    NodeNameTable byNodeName;
    // Joined NodeClaims (through their node) and in-flight ones; in-flight entries win a tie.
    NodeNameTable byNodeClaimName;
  };

  uint64_t version = 0;                  // increases with every publication
  bool synced = false;                   // every informer has delivered its initial list
  Ptr<NodeMap> nodes;                    // by Node name
  Ptr<NodeMap> inFlight;                 // NodeClaims without a Node, by NodeClaim name
  Ptr<ObjectMap<api::Pod>> pendingPods;  // unbound, not Succeeded/Failed
  Ptr<ObjectMap<api::NodeClaim>> nodeClaims;
  Ptr<ObjectMap<api::NodePool>> nodePools;
  Ptr<ObjectMap<api::EC2NodeClass>> nodeClasses;
  Ptr<ObjectMap<api::DaemonSet>> daemonSets;
  Ptr<ObjectMap<api::PodDisruptionBudget>> podDisruptionBudgets;
  Ptr<ObjectMap<api::PersistentVolume>> persistentVolumes;
  Ptr<ObjectMap<api::PersistentVolumeClaim>> persistentVolumeClaims;
  Ptr<ObjectMap<api::StorageClass>> storageClasses;
  Ptr<std::map<std::string, Nomination, std::less<>>> nominations;  // by pod UID
  Ptr<std::set<std::string, std::less<>>> markedForDeletion;        // Node or NodeClaim names
  Ptr<NodeIndex> index;  // of `nodes` and `inFlight`; see reindex()

  // An empty snapshot (every collection present and empty, the index built).
  static ClusterSnapshot empty();

  // Rebuilds `index` after `nodes` or `inFlight` was replaced (O(nodes)). Lookups stay correct
  // without it: an index built for other maps is ignored and the maps are searched instead.
  void reindex();

  const StateNode* node(std::string_view nodeName) const;
  // The entry of a NodeClaim: its in-flight entry, or the node it joined.
  const StateNode* nodeForNodeClaim(std::string_view nodeClaimName) const;
  bool isMarkedForDeletion(std::string_view name) const;
  // The nomination target of a pod, unless it expired at `now`.
  std::optional<std::string> nominatedTarget(std::string_view podUid,
                                             std::chrono::steady_clock::time_point now) const;
  // The solver's view of a node (labels, taints, allocatable, pods, CSI volume limits). For an
  // in-flight NodeClaim: its labels, taints (not startupTaints), status.allocatable, not
  // initialized, no volume limits. The pod pointers point into this snapshot: keep the snapshot
  // alive while the result is used.
  scheduling::ExistingNode existingNode(const StateNode& entry) const;
  // Fills the solver's volume inputs: the claims `pods` and input.existingNodes' pods mount
  // (persistentVolumeClaim and generic ephemeral volumes), the volumes bound to them and every
  // StorageClass. Copies only what those pods reference, not every claim in the cluster.
  void addVolumeInputs(const std::vector<const api::Pod*>& pods,
                       scheduling::SchedulerInput& input) const;

 private:
  bool indexIsCurrent() const;
};

}  // namespace karpenter::state
