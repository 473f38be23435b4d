#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host_ports.hpp"
#include "karpenter/api/pod.hpp"
#include "karpenter/scheduling/requirements.hpp"
#include "karpenter/scheduling/resource_vector.hpp"
#include "karpenter/scheduling/taints.hpp"

namespace karpenter::scheduling::solver {

// A pending pod as the solver works on it: requests converted once (pods = 1 included), its
// current node requirements, and the preferences still in force. Relaxation mutates the copy of
// the node affinity, never the caller's pod.
class PreparedPod final {
 public:
  PreparedPod(const api::Pod& pod, bool ignorePreferences);

  const api::Pod& pod() const { return *pod_; }
  const ResourceVector& requests() const { return requests_; }
  const Requirements& requirements() const { return requirements_; }
  TaintScope taintScope() const { return taintScope_; }
  const std::vector<HostPort>& hostPorts() const { return hostPorts_; }
  // Non-empty when the pod uses a constraint the solver cannot honour yet, or its affinity is
  // malformed; such pods are reported, never placed.
  const std::string& unsupported() const { return unsupported_; }

  // One relaxation step in upstream's order (first required node-affinity term when there is
  // more than one; heaviest preferred node-affinity term; PreferNoSchedule taints when
  // `anyPreferNoSchedule`). False when nothing is left to relax.
  bool relax(bool anyPreferNoSchedule);

 private:
  void refreshRequirements();

  const api::Pod* pod_;
  ResourceVector requests_;
  std::optional<api::NodeAffinity> nodeAffinity_;
  Requirements requirements_;
  TaintScope taintScope_ = TaintScope::kAllEffects;
  std::string unsupported_;
  std::vector<HostPort> hostPorts_;
};

// Upstream's queue order: CPU desc, memory desc, creationTimestamp asc, UID asc.
bool queueBefore(const PreparedPod& a, const PreparedPod& b);

}  // namespace karpenter::scheduling::solver
