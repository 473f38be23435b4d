#include "karpenter/api/coordination.hpp"

namespace karpenter::api {

KARPENTER_JSON_FIELDS(LeaseSpec, {
  c("holderIdentity", s.holderIdentity);
  c("leaseDurationSeconds", s.leaseDurationSeconds);
  c("acquireTime", s.acquireTime);
  c("renewTime", s.renewTime);
  c("leaseTransitions", s.leaseTransitions);
})

KARPENTER_JSON_FIELDS(Lease, {
  c("apiVersion", s.apiVersion);
  c("kind", s.kind);
  c("metadata", s.metadata);
  c("spec", s.spec);
})

KARPENTER_JSON_FIELDS(EventSource, {
  c("component", s.component);
  c("host", s.host);
})

KARPENTER_JSON_FIELDS(Event, {
  c("apiVersion", s.apiVersion);
  c("kind", s.kind);
  c("metadata", s.metadata);
  c("involvedObject", s.involvedObject);
  c("reason", s.reason);
  c("message", s.message);
  c("type", s.type);
  c("source", s.source);
  c("count", s.count);
  c("firstTimestamp", s.firstTimestamp);
  c("lastTimestamp", s.lastTimestamp);
  c("eventTime", s.eventTime);
  c("reportingComponent", s.reportingComponent);
  c("reportingInstance", s.reportingInstance);
  c("action", s.action);
})

}  // namespace karpenter::api
