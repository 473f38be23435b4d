#pragma once

#include <cstdint>
#include <vector>

namespace karpenter::scheduling::solver {

// Why a pod owns a topology group, which decides whether and when relaxation may drop it.
enum class ConstraintKind : uint8_t {
  kRequired,               // DoNotSchedule spread, required (anti-)affinity: never relaxed
  kPreferredAffinity,      // preferred pod affinity term, required until relaxed
  kPreferredAntiAffinity,  // preferred pod anti-affinity term, required until relaxed
  kScheduleAnyway,         // ScheduleAnyway spread, required until relaxed
};

struct OwnedConstraint {
  uint32_t group = 0;
  ConstraintKind kind = ConstraintKind::kRequired;
  int weight = 0;
  bool selectsSelf = false;  // the pod matches the group's own selector and namespaces
};

// A pending pod's links into the topology groups (indices into Topology's groups), so the hot
// path never evaluates a selector: groups it must satisfy, groups that count it once placed.
struct PodTopology {
  std::vector<OwnedConstraint> owned;  // its own spread / affinity / anti-affinity terms
  std::vector<uint32_t> inverse;       // others' required anti-affinity that selects it
  std::vector<uint32_t> countedBy;     // non-inverse groups whose selector matches it
  std::vector<uint32_t> inverseOwned;  // inverse groups of its own required anti-affinity

  bool constrained() const { return !owned.empty() || !inverse.empty(); }
  bool recorded() const { return !countedBy.empty() || !inverseOwned.empty(); }
};

}  // namespace karpenter::scheduling::solver
