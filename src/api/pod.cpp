#include "karpenter/api/pod.hpp"

namespace karpenter::api {

KARPENTER_JSON_FIELDS(ResourceRequirements, {
  c("requests", s.requests);
  c("limits", s.limits);
})

KARPENTER_JSON_FIELDS(ContainerPort, {
  c("name", s.name);
  c("containerPort", s.containerPort);
  c("hostPort", s.hostPort);
  c("protocol", s.protocol);
  c("hostIP", s.hostIP);
})

KARPENTER_JSON_FIELDS(Container, {
  c("name", s.name);
  c("image", s.image);
  c("resources", s.resources);
  c("ports", s.ports);
  c("restartPolicy", s.restartPolicy);
})

KARPENTER_JSON_FIELDS(PodAffinityTerm, {
  c("labelSelector", s.labelSelector);
  c("namespaces", s.namespaces);
  c("topologyKey", s.topologyKey);
  c("namespaceSelector", s.namespaceSelector);
  c("matchLabelKeys", s.matchLabelKeys);
  c("mismatchLabelKeys", s.mismatchLabelKeys);
})

KARPENTER_JSON_FIELDS(WeightedPodAffinityTerm, {
  c("weight", s.weight);
  c("podAffinityTerm", s.podAffinityTerm);
})

KARPENTER_JSON_FIELDS(PodAffinity, {
  c("requiredDuringSchedulingIgnoredDuringExecution",
    s.requiredDuringSchedulingIgnoredDuringExecution);
  c("preferredDuringSchedulingIgnoredDuringExecution",
    s.preferredDuringSchedulingIgnoredDuringExecution);
})

KARPENTER_JSON_FIELDS(Affinity, {
  c("nodeAffinity", s.nodeAffinity);
  c("podAffinity", s.podAffinity);
  c("podAntiAffinity", s.podAntiAffinity);
})

KARPENTER_JSON_FIELDS(TopologySpreadConstraint, {
  c("maxSkew", s.maxSkew);
  c("topologyKey", s.topologyKey);
  c("whenUnsatisfiable", s.whenUnsatisfiable);
  c("labelSelector", s.labelSelector);
  c("minDomains", s.minDomains);
  c("nodeAffinityPolicy", s.nodeAffinityPolicy);
  c("nodeTaintsPolicy", s.nodeTaintsPolicy);
  c("matchLabelKeys", s.matchLabelKeys);
})

KARPENTER_JSON_FIELDS(PersistentVolumeClaimVolumeSource, {
  c("claimName", s.claimName);
  c("readOnly", s.readOnly);
})

KARPENTER_JSON_FIELDS(Volume, {
  c("name", s.name);
  c("persistentVolumeClaim", s.persistentVolumeClaim);
  c("ephemeral", s.ephemeral);
})

KARPENTER_JSON_FIELDS(PodSchedulingGate, { c("name", s.name); })

KARPENTER_JSON_FIELDS(PodSpec, {
  c("nodeName", s.nodeName);
  c("nodeSelector", s.nodeSelector);
  c("affinity", s.affinity);
  c("tolerations", s.tolerations);
  c("containers", s.containers);
  c("initContainers", s.initContainers);
  c("overhead", s.overhead);
  c("resources", s.resources);
  c("topologySpreadConstraints", s.topologySpreadConstraints);
  c("volumes", s.volumes);
  c("priority", s.priority);
  c("priorityClassName", s.priorityClassName);
  c("schedulerName", s.schedulerName);
  c("schedulingGates", s.schedulingGates);
  c("hostNetwork", s.hostNetwork);
  c("restartPolicy", s.restartPolicy);
  c("terminationGracePeriodSeconds", s.terminationGracePeriodSeconds);
})

KARPENTER_JSON_FIELDS(PodCondition, {
  c("type", s.type);
  c("status", s.status);
  c("reason", s.reason);
  c("message", s.message);
  c("lastTransitionTime", s.lastTransitionTime);
})

KARPENTER_JSON_FIELDS(PodStatus, {
  c("phase", s.phase);
  c("conditions", s.conditions);
  c("nominatedNodeName", s.nominatedNodeName);
  c("startTime", s.startTime);
})

KARPENTER_JSON_FIELDS(Pod, {
  c("apiVersion", s.apiVersion);
  c("kind", s.kind);
  c("metadata", s.metadata);
  c("spec", s.spec);
  c("status", s.status);
})

KARPENTER_JSON_FIELDS(PodTemplateSpec, {
  c("metadata", s.metadata);
  c("spec", s.spec);
})

}  // namespace karpenter::api
