#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "karpenter/state/cluster_state.hpp"

namespace karpenter::controllers {

// The node gauges of upstream pkg/controllers/metrics/node, computed from the cluster state
// for every Node it holds (in-flight NodeClaims have no Node and no series):
//   karpenter_nodes_allocatable, karpenter_nodes_total_pod_requests (DaemonSet pods included),
//   karpenter_nodes_total_pod_limits, karpenter_nodes_total_daemon_requests,
//   karpenter_nodes_total_daemon_limits, karpenter_nodes_system_overhead (capacity −
//   allocatable), each {<well-known labels>, node_name, phase, managed, resource_type}, and
//   karpenter_nodes_current_lifetime_seconds without resource_type;
//   karpenter_cluster_utilization_percent {resource_type} = 100 × Σ pod requests / Σ allocatable.
// The well-known labels are the label keys Karpenter knows (api::wellKnownLabels()) by their
// name part in snake_case (karpenter.sh/capacity-type → capacity_type). CPU is in cores, every
// other resource in its integer unit. A refresh replaces every series, so the series of a Node
// that went away (or a resource it no longer reports) disappear.
// Thread safety: start()/stop() from the owner; refresh() not concurrently with the thread.
class NodeMetrics final {
 public:
  struct Options {
    std::chrono::milliseconds pollInterval{1000};  // how often the state is checked for changes
    std::chrono::milliseconds resync{5000};        // refresh at least this often (lifetimes)
    std::function<std::chrono::system_clock::time_point()> clock;  // for lifetimes
  };

  NodeMetrics(state::ClusterState& state, Options options);
  ~NodeMetrics();  // stops
  NodeMetrics(const NodeMetrics&) = delete;
  NodeMetrics& operator=(const NodeMetrics&) = delete;

  void start();
  void stop();
  // Recomputes every series from the current snapshot (nothing while it has not synced).
  void refresh();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace karpenter::controllers
