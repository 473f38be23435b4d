#include "karpenter/provisioning/pod_filter.hpp"

namespace karpenter::provisioning {

bool isOwnedByDaemonSet(const api::Pod& pod) {
  for (const auto& owner : pod.metadata.ownerReferences) {
    if (owner.kind == "DaemonSet" && owner.controller.value_or(false)) {
      return true;
    }
  }
  return false;
}

std::string notProvisionableReason(const api::Pod& pod) {
  if (!pod.spec.nodeName.empty()) {
    return "bound to node " + pod.spec.nodeName;
  }
  if (pod.metadata.deletionTimestamp) {
    return "terminating";
  }
  if (pod.status.phase == "Succeeded" || pod.status.phase == "Failed") {
    return "finished (" + pod.status.phase + ")";
  }
  if (!pod.spec.schedulingGates.empty()) {
    return "scheduling gated by " + pod.spec.schedulingGates.front().name;
  }
  if (!pod.status.nominatedNodeName.empty()) {
    // kube-scheduler preempted for it: a node will free up, no new capacity is needed.
    return "nominated by kube-scheduler to " + pod.status.nominatedNodeName;
  }
  if (isOwnedByDaemonSet(pod)) {
    return "owned by a DaemonSet";
  }
  if (pod.metadata.annotations.contains("kubernetes.io/config.mirror")) {
    return "a mirror pod";
  }
  for (const auto& condition : pod.status.conditions) {
    if (condition.type == "PodScheduled" && condition.status == "False" &&
        condition.reason == "Unschedulable") {
      return "";
    }
  }
  return "not marked Unschedulable by kube-scheduler";
}

}  // namespace karpenter::provisioning
