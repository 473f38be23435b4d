#include "prepared_pod.hpp"

#include <algorithm>

#include "karpenter/api/pod_requests.hpp"

namespace karpenter::scheduling::solver {

namespace {

std::string unsupportedConstraint(const api::PodSpec& spec) {
  // Every term's matchFields are checked up front, so that relaxing to a later term never meets
  // a malformed one mid-solve.
  if (spec.affinity && spec.affinity->nodeAffinity) {
    const auto& affinity = *spec.affinity->nodeAffinity;
    std::vector<const std::vector<api::NodeSelectorRequirement>*> fields;
    if (affinity.requiredDuringSchedulingIgnoredDuringExecution) {
      for (const auto& term :
           affinity.requiredDuringSchedulingIgnoredDuringExecution->nodeSelectorTerms) {
        fields.push_back(&term.matchFields);
      }
    }
    for (const auto& term : affinity.preferredDuringSchedulingIgnoredDuringExecution) {
      fields.push_back(&term.preference.matchFields);
    }
    for (const auto* term : fields) {
      if (auto valid = NodeNameFields().add(*term); !valid) {
        return valid.error().message;
      }
    }
  }
  for (const auto& constraint : spec.topologySpreadConstraints) {
    if (constraint.whenUnsatisfiable != "ScheduleAnyway" &&
        constraint.whenUnsatisfiable != "DoNotSchedule") {
      return "topology spread constraint on " + constraint.topologyKey +
             ": whenUnsatisfiable must be DoNotSchedule or ScheduleAnyway, not \"" +
             constraint.whenUnsatisfiable + "\"";
    }
    if (constraint.maxSkew <= 0) {
      return "topology spread constraint on " + constraint.topologyKey +
             ": maxSkew must be greater than zero";
    }
  }
  return "";
}

}  // namespace

PreparedPod::PreparedPod(const api::Pod& pod, bool ignorePreferences, const VolumeTopology& volumes)
    : pod_(&pod), ignorePreferences_(ignorePreferences) {
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
  volumes_ = volumes.csiVolumes(pod);
  if (nodeAffinity_ && nodeAffinity_->requiredDuringSchedulingIgnoredDuringExecution) {
    // An empty term matches no node (component-helpers nodeaffinity); only the others can.
    auto& terms = nodeAffinity_->requiredDuringSchedulingIgnoredDuringExecution->nodeSelectorTerms;
    std::erase_if(terms, [](const api::NodeSelectorTerm& term) {
      return term.matchExpressions.empty() && term.matchFields.empty();
    });
    if (terms.empty()) {
      unsupported_ = "node affinity: no required nodeSelectorTerm can match a node";
      return;
    }
  }
  auto alternatives = volumes.alternatives(pod);
  if (!alternatives) {
    unsupported_ = alternatives.error().message;
    return;
  }
  if (!alternatives->empty()) {
    nodeAffinity_ = VolumeTopology::inject(std::move(nodeAffinity_), *alternatives);
  }
  // The Honor filter of spread constraints: nodeSelector AND one required term.
  if (nodeAffinity_ && nodeAffinity_->requiredDuringSchedulingIgnoredDuringExecution) {
    for (const auto& term :
         nodeAffinity_->requiredDuringSchedulingIgnoredDuringExecution->nodeSelectorTerms) {
      api::NodeAffinity single;
      single.requiredDuringSchedulingIgnoredDuringExecution = api::NodeSelector{{term}};
      auto requirements =
          Requirements::fromPod(pod.spec.nodeSelector, single, PodRequirementMode::kRequiredOnly);
      if (requirements) {
        requiredAlternatives_.push_back(std::move(requirements).value());
      }
    }
  } else {
    auto requirements = Requirements::fromPod(pod.spec.nodeSelector, std::nullopt,
                                              PodRequirementMode::kRequiredOnly);
    if (requirements) {
      requiredAlternatives_.push_back(std::move(requirements).value());
    }
  }
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
  // The same terms fromPod took its expressions from: the first required one and, when
  // preferences count, the heaviest preferred one (the first on ties).
  nodeNames_ = NodeNameFields();
  if (!nodeAffinity_) {
    return;
  }
  std::vector<const std::vector<api::NodeSelectorRequirement>*> fields;
  const auto& required = nodeAffinity_->requiredDuringSchedulingIgnoredDuringExecution;
  if (required && !required->nodeSelectorTerms.empty()) {
    fields.push_back(&required->nodeSelectorTerms.front().matchFields);
  }
  const auto& preferred = nodeAffinity_->preferredDuringSchedulingIgnoredDuringExecution;
  auto heaviest =
      std::max_element(preferred.begin(), preferred.end(),
                       [](const auto& a, const auto& b) { return a.weight < b.weight; });
  if (heaviest != preferred.end()) {
    fields.push_back(&heaviest->preference.matchFields);
  }
  for (const auto* term : fields) {
    if (auto added = nodeNames_.add(*term); !added) {
      unsupported_ = added.error().message;
      return;
    }
  }
}

bool PreparedPod::dropHeaviest(ConstraintKind kind) {
  auto& owned = topology_.owned;
  auto heaviest = owned.end();
  for (auto it = owned.begin(); it != owned.end(); ++it) {
    if (it->kind == kind && (heaviest == owned.end() || it->weight > heaviest->weight)) {
      heaviest = it;
    }
  }
  if (heaviest == owned.end()) {
    return false;
  }
  owned.erase(heaviest);
  return true;
}

bool PreparedPod::dropFirst(ConstraintKind kind) {
  auto& owned = topology_.owned;
  auto first = std::find_if(owned.begin(), owned.end(),
                            [&](const OwnedConstraint& c) { return c.kind == kind; });
  if (first == owned.end()) {
    return false;
  }
  owned.erase(first);
  return true;
}

bool PreparedPod::relax(bool anyPreferNoSchedule) {
  if (nodeAffinity_) {
    auto& required = nodeAffinity_->requiredDuringSchedulingIgnoredDuringExecution;
    if (required && required->nodeSelectorTerms.size() > 1) {
      required->nodeSelectorTerms.erase(required->nodeSelectorTerms.begin());
      refreshRequirements();
      return true;
    }
  }
  if (dropHeaviest(ConstraintKind::kPreferredAffinity) ||
      dropHeaviest(ConstraintKind::kPreferredAntiAffinity)) {
    return true;
  }
  if (nodeAffinity_) {
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
  if (dropFirst(ConstraintKind::kScheduleAnyway)) {
    return true;
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
