#include "karpenter/api/workloads.hpp"

#include <type_traits>

#include "karpenter/api/int_or_string.hpp"

namespace karpenter::api {

KARPENTER_JSON_FIELDS(DaemonSetSpec, {
  c("selector", s.selector);
  c("template", s.template_);
})

KARPENTER_JSON_FIELDS(DaemonSet, {
  c("apiVersion", s.apiVersion);
  c("kind", s.kind);
  c("metadata", s.metadata);
  c("spec", s.spec);
})

KARPENTER_JSON_FIELDS(PodDisruptionBudgetSpec, {
  c("minAvailable", s.minAvailable);
  c("maxUnavailable", s.maxUnavailable);
  c("selector", s.selector);
  c("unhealthyPodEvictionPolicy", s.unhealthyPodEvictionPolicy);
  // The codec stores IntOrString as raw JSON, so the type check happens here (decode only).
  if constexpr (std::is_same_v<std::remove_cvref_t<decltype(c)>, Decoder>) {
    checkIntOrString(c, "minAvailable", s.minAvailable);
    checkIntOrString(c, "maxUnavailable", s.maxUnavailable);
  }
})

KARPENTER_JSON_FIELDS(PodDisruptionBudgetStatus, {
  c("observedGeneration", s.observedGeneration);
  c("disruptedPods", s.disruptedPods);
  c("disruptionsAllowed", s.disruptionsAllowed);
  c("currentHealthy", s.currentHealthy);
  c("desiredHealthy", s.desiredHealthy);
  c("expectedPods", s.expectedPods);
  c("conditions", s.conditions);
})

KARPENTER_JSON_FIELDS(PodDisruptionBudget, {
  c("apiVersion", s.apiVersion);
  c("kind", s.kind);
  c("metadata", s.metadata);
  c("spec", s.spec);
  c("status", s.status);
})

}  // namespace karpenter::api
