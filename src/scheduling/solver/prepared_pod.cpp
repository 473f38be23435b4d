#include "prepared_pod.hpp"

#include <algorithm>

#include "karpenter/api/pod_requests.hpp"

namespace karpenter::scheduling::solver {

namespace {

std::string unsupportedConstraint(const api::PodSpec& spec) {
  if (spec.affinity) {
    const auto& affinity = *spec.affinity;
    if (affinity.podAffinity &&
        !affinity.podAffinity->requiredDuringSchedulingIgnoredDuringExecution.empty()) {
      return "required pod affinity is not supported by this scheduler yet";
    }
    if (affinity.podAntiAffinity &&
        !affinity.podAntiAffinity->requiredDuringSchedulingIgnoredDuringExecution.empty()) {
      return "required pod anti-affinity is not supported by this scheduler yet";
    }
    if (affinity.nodeAffinity &&
        affinity.nodeAffinity->requiredDuringSchedulingIgnoredDuringExecution) {
      for (const auto& term : affinity.nodeAffinity->requiredDuringSchedulingIgnoredDuringExecution
                                  ->nodeSelectorTerms) {
        if (!term.matchFields.empty()) {
          return "node affinity matchFields is not supported by this scheduler yet";
        }
      }
    }
  }
  for (const auto& constraint : spec.topologySpreadConstraints) {
    if (constraint.whenUnsatisfiable != "ScheduleAnyway") {
      return "topology spread constraints are not supported by this scheduler yet";
    }
  }
  return "";
}

}  // namespace

PreparedPod::PreparedPod(const api::Pod& pod, bool ignorePreferences) : pod_(&pod) {
  requests_ = ResourceVector::fromList(api::podRequests(pod.spec));
  requests_.setCore(ResourceVector::kPods, 1000);
  if (pod.spec.affinity && pod.spec.affinity->nodeAffinity) {
    nodeAffinity_ = pod.spec.affinity->nodeAffinity;
    if (ignorePreferences) {
      nodeAffinity_->preferredDuringSchedulingIgnoredDuringExecution.clear();
    }
  }
  unsupported_ = unsupportedConstraint(pod.spec);
  hostPorts_ = solver::hostPorts(pod.spec);
  refreshRequirements();
}

void PreparedPod::refreshRequirements() {
  auto requirements = Requirements::fromPod(pod_->spec.nodeSelector, nodeAffinity_,
                                            PodRequirementMode::kIncludePreferred);
  if (!requirements) {
    unsupported_ = requirements.error().message;
    return;
  }
  requirements_ = std::move(requirements).value();
}

bool PreparedPod::relax(bool anyPreferNoSchedule) {
  if (nodeAffinity_) {
    auto& required = nodeAffinity_->requiredDuringSchedulingIgnoredDuringExecution;
    if (required && required->nodeSelectorTerms.size() > 1) {
      required->nodeSelectorTerms.erase(required->nodeSelectorTerms.begin());
      refreshRequirements();
      return true;
    }
    auto& preferred = nodeAffinity_->preferredDuringSchedulingIgnoredDuringExecution;
    if (!preferred.empty()) {
      // fromPod treats the first of the heaviest terms as required; drop exactly that one.
      auto heaviest =
          std::max_element(preferred.begin(), preferred.end(),
                           [](const auto& a, const auto& b) { return a.weight < b.weight; });
      preferred.erase(heaviest);
      refreshRequirements();
      return true;
    }
  }
  if (anyPreferNoSchedule && taintScope_ == TaintScope::kAllEffects) {
    taintScope_ = TaintScope::kBlocking;
    return true;
  }
  return false;
}

bool queueBefore(const PreparedPod& a, const PreparedPod& b) {
  const auto& x = a.requests();
  const auto& y = b.requests();
  if (x.core(ResourceVector::kCpu) != y.core(ResourceVector::kCpu)) {
    return x.core(ResourceVector::kCpu) > y.core(ResourceVector::kCpu);
  }
  if (x.core(ResourceVector::kMemory) != y.core(ResourceVector::kMemory)) {
    return x.core(ResourceVector::kMemory) > y.core(ResourceVector::kMemory);
  }
  const auto& ma = a.pod().metadata;
  const auto& mb = b.pod().metadata;
  // RFC 3339 timestamps in UTC with a fixed layout compare correctly as strings.
  if (ma.creationTimestamp != mb.creationTimestamp) {
    return ma.creationTimestamp < mb.creationTimestamp;
  }
  return ma.uid < mb.uid;
}

}  // namespace karpenter::scheduling::solver
