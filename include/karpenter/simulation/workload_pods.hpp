#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/util/result.hpp"

namespace karpenter::simulation {

// The pods a cluster would run for the workloads in `manifests`, as the workload controllers
// would create them and kube-scheduler would leave them: Pod objects (copied losslessly from the
// pod template) named "<workload>-<ordinal>", owned by the workload, Pending with
// PodScheduled=False reason Unschedulable. Deployments, ReplicaSets, StatefulSets and
// ReplicationControllers give spec.replicas pods (default 1), Jobs spec.parallelism (default 1).
// Bare Pods are kept; one without spec.nodeName and without status is marked Unschedulable the
// same way. DaemonSets are not expanded (their pods follow nodes) and other kinds are ignored.
// Errors name the object and the field.
Result<std::vector<nlohmann::json>> workloadPods(const std::vector<nlohmann::json>& manifests);

// PodScheduled=False/Unschedulable, as kube-scheduler reports a pod no node fits.
nlohmann::json unschedulableStatus();

}  // namespace karpenter::simulation
