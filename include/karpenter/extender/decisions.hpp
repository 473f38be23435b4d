#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/extender/wire.hpp"

namespace karpenter::extender {

// What the extender knows about one node, read from the cluster state snapshot.
struct NodeFacts {
  bool managed = false;            // owned by a Karpenter NodeClaim
  bool disruptedTaint = false;     // tainted karpenter.sh/disrupted:NoSchedule
  bool deleting = false;           // the Node has a deletionTimestamp
  bool nodeClaimDeleting = false;  // its NodeClaim has a deletionTimestamp
  bool consolidatable = false;     // NodeClaim condition Consolidatable=True
  bool drifted = false;            // NodeClaim condition Drifted=True
  bool expiring = false;           // expireAfter reached within the disruption horizon
  double pricePerHour = 0;         // launch price of the node's offering; 0 when unknown
  int64_t allocatableMilliCpu = 0;
  int64_t allocatableMemoryBytes = 0;
  int64_t requestedMilliCpu = 0;  // sum of the requests of pods bound to the node
  int64_t requestedMemoryBytes = 0;
};

// A read-only view of the cluster for one extender call. Implementations are immutable
// snapshots: safe to read from any thread, never blocking writers.
class ClusterView {
 public:
  virtual ~ClusterView() = default;
  // Facts about a node, or null when the state does not know it (such a node is never rejected).
  // One node's facts have one address for the view's lifetime, and two names never share one
  // (prioritize recognises the nominated node by it).
  virtual const NodeFacts* node(std::string_view name) const = 0;
  // The node the provisioner nominated for this pod (by UID), if any.
  virtual std::optional<std::string> nominatedNode(std::string_view podUID) const = 0;
};

// What the decisions need of the pod being scheduled.
struct PodFacts {
  std::string uid;          // metadata.uid; "" when absent or not a string
  int64_t milliCpu = 0;     // the pod's effective requests (api::podRequests)
  int64_t memoryBytes = 0;  // both 0 when the spec does not decode as a PodSpec
};

// PodFacts of a Pod object. Reads metadata.uid and spec.{containers, initContainers, resources,
// overhead}; everything else may be absent (the streaming decoder keeps only those fields).
PodFacts podFacts(const nlohmann::json& pod);

// Why filter rejects a node, or null when it passes: only nodes Karpenter manages and is taking
// away (deleting, NodeClaim deleting, tainted karpenter.sh/disrupted). Unknown nodes pass.
const char* filterRejection(const NodeFacts* facts);

// Prioritize's score for each candidate, in candidate order (the formula below).
std::vector<int64_t> priorityScores(const PodFacts& pod, std::span<const std::string_view> names,
                                    const ClusterView& view);

// The filter verb. Never sets Error for a node-level reason; replies in the mode it was asked in
// (NodeNames for nodeCacheCapable, a NodeList of the passing items otherwise).
ExtenderFilterResult filter(const ExtenderArgs& args, const ClusterView& view);

// The prioritize verb: a score in [0, 10] for every candidate node, in candidate order.
//   nominated for this pod                → 10
//   otherwise score = clamp(round(1 + 5·packing + 3·cheapness) − penalties, 0, 9), where
//   packing   = max(cpu, memory) share of allocatable in use once the pod is placed (0 if the
//               pod does not fit or allocatable is unknown), so fuller nodes score higher;
//   cheapness = 1 for the lowest price per vCPU among the candidates with a known price, 0 for
//               the highest, linear between; 0.5 when the price or vCPU count is unknown;
//   penalties = 2 if consolidatable, 3 if drifted, 2 if expiring (Karpenter is about to take
//               such nodes away, so a pod placed there will be evicted soon).
// Unknown and unmanaged nodes get the formula with no penalties.
HostPriorityList prioritize(const ExtenderArgs& args, const ClusterView& view);

}  // namespace karpenter::extender
