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
#include "topology.hpp"
#include "volume_topology.hpp"
#include "volume_usage.hpp"

namespace karpenter::scheduling::solver {

// An existing node during the solve: what is still free on it after its bound pods and the
// DaemonSet pods that have yet to land there, and the pods this solve added.
class ExistingNodeState final {
 public:
  // `index` is the node's position in SchedulerInput::existingNodes; `topology` outlives this.
  ExistingNodeState(const ExistingNode& node, size_t index,
                    const std::vector<DaemonPod>& daemonPods, const VolumeTopology& volumes,
                    Topology* topology);

  // Adds `pod` when its taints, host ports, requirements, requests and topology constraints
  // allow (upstream ExistingNode.CanAdd), and records it in the topology.
  bool tryAdd(const PreparedPod& pod);

  const ExistingNode& node() const { return *node_; }
  const std::vector<const api::Pod*>& added() const { return added_; }

 private:
  const ExistingNode* node_;
  size_t index_;
  Topology* topology_;
  Requirements requirements_;
  ResourceVector available_;
  std::vector<const api::Pod*> added_;
  HostPortUsage hostPorts_;
  VolumeUsage volumes_;
};

}  // namespace karpenter::scheduling::solver
