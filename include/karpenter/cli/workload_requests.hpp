#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/api/quantity.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::cli {

// The resources one manifest asks the cluster for: a Pod, or a workload's pod template times its
// replicas (Deployment, ReplicaSet, StatefulSet, ReplicationController, Job parallelism).
// DaemonSets run one pod per node, so they report replicas = 0 and count per node only.
struct WorkloadRequests {
  std::string kind;
  std::string namespace_;
  std::string name;
  int64_t replicas = 1;
  api::ResourceList perPod;  // as kube-scheduler computes a pod's requests
};

// Reads the workloads out of manifests; objects of other kinds are skipped. Errors name the
// object and the field (e.g. "Deployment default/web: spec.template.spec.containers[0]...").
Result<std::vector<WorkloadRequests>> workloadRequests(
    const std::vector<nlohmann::json>& manifests);

// Renders the workloads and the cluster-wide total as an aligned text table.
std::string formatRequestsTable(const std::vector<WorkloadRequests>& workloads);

}  // namespace karpenter::cli
