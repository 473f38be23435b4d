#include "karpenter/api/nodepool.hpp"

namespace karpenter::api {

KARPENTER_JSON_FIELDS(NodeClaimTemplateMetadata, {
  c("labels", s.labels);
  c("annotations", s.annotations);
})

KARPENTER_JSON_FIELDS(NodeClaimTemplateSpec, {
  c("taints", s.taints);
  c("startupTaints", s.startupTaints);
  c("requirements", s.requirements);
  c("nodeClassRef", s.nodeClassRef);
  c("expireAfter", s.expireAfter);
  c("terminationGracePeriod", s.terminationGracePeriod);
})

KARPENTER_JSON_FIELDS(NodeClaimTemplate, {
  c("metadata", s.metadata);
  c("spec", s.spec);
})

KARPENTER_JSON_FIELDS(Budget, {
  c("nodes", s.nodes);
  c("schedule", s.schedule);
  c("duration", s.duration);
  c("reasons", s.reasons);
})

KARPENTER_JSON_FIELDS(Disruption, {
  c("consolidateAfter", s.consolidateAfter);
  c("consolidationPolicy", s.consolidationPolicy);
  c("budgets", s.budgets);
})

KARPENTER_JSON_FIELDS(NodePoolSpec, {
  c("template", s.template_);
  c("disruption", s.disruption);
  c("limits", s.limits);
  c("weight", s.weight);
  c("replicas", s.replicas);
})

KARPENTER_JSON_FIELDS(NodePoolStatus, {
  c("resources", s.resources);
  c("nodes", s.nodes);
  c("nodeClassObservedGeneration", s.nodeClassObservedGeneration);
  c("conditions", s.conditions);
})

KARPENTER_JSON_FIELDS(NodePool, {
  c("apiVersion", s.apiVersion);
  c("kind", s.kind);
  c("metadata", s.metadata);
  c("spec", s.spec);
  c("status", s.status);
})

}  // namespace karpenter::api
