#include "karpenter/api/nodeclaim.hpp"

namespace karpenter::api {

KARPENTER_JSON_FIELDS(NodeClassReference, {
  c("group", s.group);
  c("kind", s.kind);
  c("name", s.name);
})

KARPENTER_JSON_FIELDS(NodeClaimResources, { c("requests", s.requests); })

KARPENTER_JSON_FIELDS(NodeClaimSpec, {
  c("taints", s.taints);
  c("startupTaints", s.startupTaints);
  c("requirements", s.requirements);
  c("resources", s.resources);
  c("nodeClassRef", s.nodeClassRef);
  c("terminationGracePeriod", s.terminationGracePeriod);
  c("expireAfter", s.expireAfter);
})

KARPENTER_JSON_FIELDS(NodeClaimStatus, {
  c("nodeName", s.nodeName);
  c("providerID", s.providerID);
  c("imageID", s.imageID);
  c("capacity", s.capacity);
  c("allocatable", s.allocatable);
  c("conditions", s.conditions);
  c("lastPodEventTime", s.lastPodEventTime);
})

KARPENTER_JSON_FIELDS(NodeClaim, {
  c("apiVersion", s.apiVersion);
  c("kind", s.kind);
  c("metadata", s.metadata);
  c("spec", s.spec);
  c("status", s.status);
})

}  // namespace karpenter::api
