#pragma once

#include <string>

#include "karpenter/api/pod.hpp"

namespace karpenter::provisioning {

// Why a pod is not the provisioner's business, or "" when it is (karpenter-behaviour.md §4.1):
// kube-scheduler marked it PodScheduled=False/Unschedulable, it is not bound, not nominated to a
// node by kube-scheduler, not gated, not terminating or finished, not a DaemonSet pod and not a
// mirror pod. Pure.
std::string notProvisionableReason(const api::Pod& pod);

inline bool isProvisionable(const api::Pod& pod) {
  return notProvisionableReason(pod).empty();
}

// True for pods a DaemonSet controller owns (they follow nodes rather than cause them).
bool isOwnedByDaemonSet(const api::Pod& pod);

}  // namespace karpenter::provisioning
