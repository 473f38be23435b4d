#include "karpenter/api/meta.hpp"

namespace karpenter::api {

KARPENTER_JSON_FIELDS(OwnerReference, {
  c("apiVersion", s.apiVersion);
  c("kind", s.kind);
  c("name", s.name);
  c("uid", s.uid);
  c("controller", s.controller);
  c("blockOwnerDeletion", s.blockOwnerDeletion);
})

KARPENTER_JSON_FIELDS(ObjectMeta, {
  c("name", s.name);
  c("generateName", s.generateName);
  c("namespace", s.namespace_);
  c("uid", s.uid);
  c("resourceVersion", s.resourceVersion);
  c("generation", s.generation);
  c("creationTimestamp", s.creationTimestamp);
  c("deletionTimestamp", s.deletionTimestamp);
  c("deletionGracePeriodSeconds", s.deletionGracePeriodSeconds);
  c("labels", s.labels);
  c("annotations", s.annotations);
  c("finalizers", s.finalizers);
  c("ownerReferences", s.ownerReferences);
})

KARPENTER_JSON_FIELDS(Condition, {
  c("type", s.type);
  c("status", s.status);
  c("observedGeneration", s.observedGeneration);
  c("lastTransitionTime", s.lastTransitionTime);
  c("reason", s.reason);
  c("message", s.message);
})

KARPENTER_JSON_FIELDS(LabelSelectorRequirement, {
  c("key", s.key);
  c("operator", s.op);
  c("values", s.values);
})

KARPENTER_JSON_FIELDS(LabelSelector, {
  c("matchLabels", s.matchLabels);
  c("matchExpressions", s.matchExpressions);
})

KARPENTER_JSON_FIELDS(NodeSelectorRequirement, {
  c("key", s.key);
  c("operator", s.op);
  c("values", s.values);
  c("minValues", s.minValues);
})

KARPENTER_JSON_FIELDS(NodeSelectorTerm, {
  c("matchExpressions", s.matchExpressions);
  c("matchFields", s.matchFields);
})

KARPENTER_JSON_FIELDS(NodeSelector, { c("nodeSelectorTerms", s.nodeSelectorTerms); })

KARPENTER_JSON_FIELDS(PreferredSchedulingTerm, {
  c("weight", s.weight);
  c("preference", s.preference);
})

KARPENTER_JSON_FIELDS(NodeAffinity, {
  c("requiredDuringSchedulingIgnoredDuringExecution",
    s.requiredDuringSchedulingIgnoredDuringExecution);
  c("preferredDuringSchedulingIgnoredDuringExecution",
    s.preferredDuringSchedulingIgnoredDuringExecution);
})

KARPENTER_JSON_FIELDS(Taint, {
  c("key", s.key);
  c("value", s.value);
  c("effect", s.effect);
})

KARPENTER_JSON_FIELDS(Toleration, {
  c("key", s.key);
  c("operator", s.op);
  c("value", s.value);
  c("effect", s.effect);
  c("tolerationSeconds", s.tolerationSeconds);
})

}  // namespace karpenter::api
