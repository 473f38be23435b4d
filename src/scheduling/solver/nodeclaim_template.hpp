#pragma once

#include <string>
#include <utility>
#include <vector>

#include "karpenter/api/workloads.hpp"
#include "karpenter/scheduling/instance_type.hpp"
#include "karpenter/scheduling/requirements.hpp"
#include "karpenter/scheduling/resource_vector.hpp"
#include "karpenter/scheduling/scheduler.hpp"

namespace karpenter::scheduling::solver {

// A DaemonSet's pod as overhead: what it requests (pods = 1 included), where it may run.
struct DaemonPod {
  std::string namespace_;
  std::string name;  // the DaemonSet's
  ResourceVector requests;
  Requirements requirements;
  std::vector<api::Toleration> tolerations;
  bool valid = true;  // false when its node affinity does not parse; then it is ignored
};

std::vector<DaemonPod> prepareDaemonPods(const std::vector<api::DaemonSet>& daemonSets);

// Whether a DaemonSet pod would land on a node with these taints and requirements.
bool daemonPodFits(const DaemonPod& daemon, const std::vector<api::Taint>& taints,
                   const Requirements& nodeRequirements, bool allowUndefinedWellKnown);

// One instance type a template may launch, with its resource figures converted once.
struct Candidate {
  const InstanceType* type = nullptr;
  ResourceVector capacity;
  ResourceVector daemonOverhead;  // DaemonSet pods that would run on it
  ResourceVector headroom;        // allocatable − daemonOverhead: what pods may use
  double price = 0;  // cheapest available offering compatible with the template's requirements
};

// The remaining limits of a NodePool: (resource, milli-units left); "nodes" counts nodes.
class PoolLimits final {
 public:
  PoolLimits() = default;
  explicit PoolLimits(const api::NodePool& nodePool);

  // Whether launching `candidate` would stay within every limit.
  bool admits(const Candidate& candidate) const;
  // Subtracts the largest capacity among `candidates` (and one node) after opening a NodeClaim.
  void subtractLargest(const std::vector<const Candidate*>& candidates);
  // Whether the NodePool sets no limit at all.
  bool empty() const { return remaining_.empty(); }

 private:
  std::vector<std::pair<std::string, int64_t>> remaining_;
};

// A NodePool's NodeClaim template prepared for the solve: requirements (template requirements +
// labels + karpenter.sh/nodepool), taints, and the instance types compatible with them that have
// an available offering. Immutable during the solve except for limits.
struct NodeClaimTemplate {
  std::string nodePoolName;
  int weight = 0;
  Requirements requirements;
  std::vector<api::Taint> taints;
  bool hasPreferNoSchedule = false;
  std::vector<Candidate> candidates;
  // Every key the candidates' offerings constrain (zone, capacity type, …), sorted: a NodeClaim
  // whose requirements narrow none of them keeps the offerings it had.
  std::vector<std::string> offeringKeys;
  PoolLimits limits;
  std::string invalid;  // non-empty when the NodePool's requirements do not parse

  // The values all candidates offer for a topology key, sorted: the most any of its NodeClaims
  // can offer, which lets them stop collecting early. Filled lazily during the (single-threaded)
  // solve.
  const std::vector<std::string>& domainUnion(const std::string& key) const;
  // Every candidate, unfiltered by limits.
  std::vector<const Candidate*> allCandidates() const;

 private:
  mutable std::vector<std::pair<std::string, std::vector<std::string>>> domainUnion_;
};

// Adds the values `type` offers for `key` to `values` (kept unique, unsorted).
void collectDomains(const InstanceType& type, const std::string& key,
                    std::vector<std::string>& values);

NodeClaimTemplate prepareTemplate(const NodePoolInput& input,
                                  const std::vector<DaemonPod>& daemonPods);

// Whether the keys both sides define intersect (upstream Requirements.Intersects), without
// building a message.
bool requirementsIntersect(const Requirements& a, const Requirements& b);

}  // namespace karpenter::scheduling::solver
