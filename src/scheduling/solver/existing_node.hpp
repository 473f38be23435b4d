#pragma once

#include <string>
#include <vector>

#include "host_ports.hpp"
#include "karpenter/api/pod.hpp"
#include "karpenter/scheduling/requirements.hpp"
#include "karpenter/scheduling/resource_vector.hpp"
#include "karpenter/scheduling/scheduler.hpp"
#include "nodeclaim_template.hpp"
#include "prepared_pod.hpp"

namespace karpenter::scheduling::solver {

// An existing node during the solve: what is still free on it after its bound pods and the
// DaemonSet pods that have yet to land there, and the pods this solve added.
class ExistingNodeState final {
 public:
  ExistingNodeState(const ExistingNode& node, const std::vector<DaemonPod>& daemonPods);

  // Adds `pod` when its taints, host ports, requirements and requests allow (upstream
  // ExistingNode.CanAdd).
  bool tryAdd(const PreparedPod& pod);

  const ExistingNode& node() const { return *node_; }
  const std::vector<const api::Pod*>& added() const { return added_; }

 private:
  const ExistingNode* node_;
  Requirements requirements_;
  ResourceVector available_;
  std::vector<const api::Pod*> added_;
  HostPortUsage hostPorts_;
};

}  // namespace karpenter::scheduling::solver
