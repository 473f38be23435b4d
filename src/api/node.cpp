#include "karpenter/api/node.hpp"

namespace karpenter::api {

KARPENTER_JSON_FIELDS(NodeSpec, {
  c("providerID", s.providerID);
  c("taints", s.taints);
  c("unschedulable", s.unschedulable);
  c("podCIDR", s.podCIDR);
  c("podCIDRs", s.podCIDRs);
})

KARPENTER_JSON_FIELDS(NodeCondition, {
  c("type", s.type);
  c("status", s.status);
  c("reason", s.reason);
  c("message", s.message);
  c("lastHeartbeatTime", s.lastHeartbeatTime);
  c("lastTransitionTime", s.lastTransitionTime);
})

KARPENTER_JSON_FIELDS(NodeSystemInfo, {
  c("machineID", s.machineID);
  c("systemUUID", s.systemUUID);
  c("bootID", s.bootID);
  c("kernelVersion", s.kernelVersion);
  c("osImage", s.osImage);
  c("containerRuntimeVersion", s.containerRuntimeVersion);
  c("kubeletVersion", s.kubeletVersion);
  c("kubeProxyVersion", s.kubeProxyVersion);
  c("operatingSystem", s.operatingSystem);
  c("architecture", s.architecture);
})

KARPENTER_JSON_FIELDS(NodeAddress, {
  c("type", s.type);
  c("address", s.address);
})

KARPENTER_JSON_FIELDS(NodeStatus, {
  c("capacity", s.capacity);
  c("allocatable", s.allocatable);
  c("conditions", s.conditions);
  c("nodeInfo", s.nodeInfo);
  c("addresses", s.addresses);
})

KARPENTER_JSON_FIELDS(Node, {
  c("apiVersion", s.apiVersion);
  c("kind", s.kind);
  c("metadata", s.metadata);
  c("spec", s.spec);
  c("status", s.status);
})

}  // namespace karpenter::api
