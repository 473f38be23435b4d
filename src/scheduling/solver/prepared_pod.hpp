#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host_ports.hpp"
#include "karpenter/api/pod.hpp"
#include "karpenter/scheduling/requirements.hpp"
#include "karpenter/scheduling/resource_vector.hpp"
#include "karpenter/scheduling/taints.hpp"
#include "node_name_fields.hpp"
#include "pod_topology.hpp"
#include "volume_topology.hpp"

namespace karpenter::scheduling::solver {

// A pending pod as the solver works on it: requests converted once (pods = 1 included), its
// current node requirements, and the preferences still in force. Relaxation mutates the copy of
// the node affinity, never the caller's pod.
class PreparedPod final {
 public:
  // `volumes` adds the pod's volume topology to its required node affinity.
  PreparedPod(const api::Pod& pod, bool ignorePreferences, const VolumeTopology& volumes);

  const api::Pod& pod() const { return *pod_; }
  const ResourceVector& requests() const { return requests_; }
  const Requirements& requirements() const { return requirements_; }
  // The matchFields of the terms `requirements` come from (the first required term and, until
  // relaxed, the heaviest preferred one).
  const NodeNameFields& nodeNames() const { return nodeNames_; }
  TaintScope taintScope() const { return taintScope_; }
  const std::vector<HostPort>& hostPorts() const { return hostPorts_; }
  const std::vector<PodVolume>& volumes() const { return volumes_; }
  // Non-empty when the pod uses a constraint the solver cannot honour, its affinity is
  // malformed or a volume claim is missing; such pods are reported, never placed.
  const std::string& unsupported() const { return unsupported_; }
  void setUnsupported(std::string reason) { unsupported_ = std::move(reason); }
  bool ignorePreferences() const { return ignorePreferences_; }

  // nodeSelector AND each required node-affinity term (volume topology included), as prepared:
  // the alternatives a spread constraint's nodeAffinityPolicy=Honor filters nodes by.
  const std::vector<Requirements>& requiredAlternatives() const { return requiredAlternatives_; }

  const PodTopology& topology() const { return topology_; }
  PodTopology& topology() { return topology_; }

  // One relaxation step in upstream's order (first required node-affinity term when there is
  // more than one; heaviest preferred pod affinity; heaviest preferred pod anti-affinity;
  // heaviest preferred node-affinity term; one ScheduleAnyway spread constraint; PreferNoSchedule
  // taints when `anyPreferNoSchedule`). False when nothing is left to relax.
  bool relax(bool anyPreferNoSchedule);

 private:
  void refreshRequirements();
  bool dropHeaviest(ConstraintKind kind);
  bool dropFirst(ConstraintKind kind);

  const api::Pod* pod_;
  ResourceVector requests_;
  std::optional<api::NodeAffinity> nodeAffinity_;
  Requirements requirements_;
  NodeNameFields nodeNames_;
  TaintScope taintScope_ = TaintScope::kAllEffects;
  std::string unsupported_;
  std::vector<HostPort> hostPorts_;
  std::vector<PodVolume> volumes_;
  bool ignorePreferences_ = false;
  std::vector<Requirements> requiredAlternatives_;
  PodTopology topology_;
};

// Upstream's queue order: CPU desc, memory desc, creationTimestamp asc, UID asc.
bool queueBefore(const PreparedPod& a, const PreparedPod& b);

}  // namespace karpenter::scheduling::solver
