#include "nodeclaim_template.hpp"

#include <algorithm>

#include "karpenter/api/pod_requests.hpp"
#include "karpenter/api/well_known.hpp"
#include "karpenter/scheduling/taints.hpp"

namespace karpenter::scheduling::solver {

std::vector<DaemonPod> prepareDaemonPods(const std::vector<api::DaemonSet>& daemonSets) {
  std::vector<DaemonPod> out;
  out.reserve(daemonSets.size());
  for (const auto& daemonSet : daemonSets) {
    const auto& spec = daemonSet.spec.template_.spec;
    DaemonPod daemon;
    daemon.namespace_ = daemonSet.metadata.namespace_;
    daemon.name = daemonSet.metadata.name;
    daemon.requests = ResourceVector::fromList(api::podRequests(spec));
    daemon.requests.setCore(ResourceVector::kPods, 1000);
    daemon.tolerations = spec.tolerations;
    std::optional<api::NodeAffinity> affinity;
    if (spec.affinity) {
      affinity = spec.affinity->nodeAffinity;
    }
    auto requirements =
        Requirements::fromPod(spec.nodeSelector, affinity, PodRequirementMode::kRequiredOnly);
    if (requirements) {
      daemon.requirements = std::move(requirements).value();
    } else {
      daemon.valid = false;
    }
    out.push_back(std::move(daemon));
  }
  return out;
}

bool daemonPodFits(const DaemonPod& daemon, const std::vector<api::Taint>& taints,
                   const Requirements& nodeRequirements, bool allowUndefinedWellKnown) {
  return daemon.valid && toleratesAll(daemon.tolerations, taints, TaintScope::kAllEffects).ok() &&
         nodeRequirements.isCompatible(daemon.requirements, allowUndefinedWellKnown);
}

PoolLimits::PoolLimits(const api::NodePool& nodePool) {
  for (const auto& [name, limit] : nodePool.spec.limits) {
    int64_t used = 0;
    if (name == "nodes") {
      used = nodePool.status.nodes * 1000;
    } else if (auto it = nodePool.status.resources.find(name);
               it != nodePool.status.resources.end()) {
      used = it->second.milliValue();
    }
    remaining_.emplace_back(name, limit.milliValue() - used);
  }
}

bool PoolLimits::admits(const Candidate& candidate) const {
  for (const auto& [name, left] : remaining_) {
    int64_t needed = name == "nodes" ? 1000 : candidate.capacity.get(name);
    if (needed > left) {
      return false;
    }
  }
  return true;
}

void PoolLimits::subtractLargest(const std::vector<const Candidate*>& candidates) {
  for (auto& [name, left] : remaining_) {
    int64_t largest = 0;
    if (name == "nodes") {
      largest = 1000;
    } else {
      for (const auto* candidate : candidates) {
        largest = std::max(largest, candidate->capacity.get(name));
      }
    }
    left -= largest;
  }
}

void collectDomains(const InstanceType& type, const std::string& key,
                    std::vector<std::string>& values) {
  const Requirement* requirement = type.requirements.find(key);
  if (requirement == nullptr || requirement->complement()) {
    return;
  }
  for (const auto& value : requirement->values()) {
    if (std::find(values.begin(), values.end(), value) == values.end()) {
      values.push_back(value);
    }
  }
}

std::vector<const Candidate*> NodeClaimTemplate::allCandidates() const {
  std::vector<const Candidate*> all;
  all.reserve(candidates.size());
  for (const auto& candidate : candidates) {
    all.push_back(&candidate);
  }
  return all;
}

const std::vector<std::string>& NodeClaimTemplate::domainUnion(const std::string& key) const {
  for (const auto& [cached, values] : domainUnion_) {
    if (cached == key) {
      return values;
    }
  }
  std::vector<std::string> values;
  for (const auto& candidate : candidates) {
    collectDomains(*candidate.type, key, values);
  }
  std::sort(values.begin(), values.end());
  domainUnion_.emplace_back(key, std::move(values));
  return domainUnion_.back().second;
}

bool requirementsIntersect(const Requirements& a, const Requirements& b) {
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    const int order = i->key().compare(j->key());
    if (order < 0) {
      ++i;
    } else if (order > 0) {
      ++j;
    } else {
      if (!i->intersects(*j)) {
        return false;
      }
      ++i;
      ++j;
    }
  }
  return true;
}

NodeClaimTemplate prepareTemplate(const NodePoolInput& input,
                                  const std::vector<DaemonPod>& daemonPods) {
  const auto& pool = input.nodePool;
  const auto& spec = pool.spec.template_;
  NodeClaimTemplate out;
  out.nodePoolName = pool.metadata.name;
  out.weight = pool.spec.weight.value_or(0);
  out.taints = spec.spec.taints;
  out.hasPreferNoSchedule = std::any_of(
      out.taints.begin(), out.taints.end(),
      [](const api::Taint& t) { return t.effect == api::kTaintEffectPreferNoSchedule; });
  out.limits = PoolLimits(pool);
  auto requirements = Requirements::fromNodeSelectorRequirements(spec.spec.requirements);
  if (!requirements) {
    out.invalid = requirements.error().message;
    return out;
  }
  out.requirements = std::move(requirements).value();
  out.requirements.add(Requirements::fromLabels(spec.metadata.labels));
  out.requirements.add(Requirement::in(api::kNodePoolLabelKey, {out.nodePoolName}));

  for (const auto& type : input.instanceTypes) {
    if (!requirementsIntersect(out.requirements, type.requirements) ||
        !hasCompatibleOffering(type, out.requirements)) {
      continue;
    }
    Candidate candidate;
    candidate.type = &type;
    candidate.price = cheapestOfferingPrice(type, out.requirements).value_or(0);
    candidate.capacity = ResourceVector::fromList(type.capacity);
    Requirements nodeRequirements = out.requirements;
    nodeRequirements.add(type.requirements);
    for (const auto& daemon : daemonPods) {
      if (daemonPodFits(daemon, out.taints, nodeRequirements, true)) {
        candidate.daemonOverhead += daemon.requests;
      }
    }
    candidate.headroom = ResourceVector::fromList(type.allocatable()) - candidate.daemonOverhead;
    for (const auto& offering : type.offerings) {
      for (const auto& requirement : offering.requirements) {
        if (!std::binary_search(out.offeringKeys.begin(), out.offeringKeys.end(),
                                requirement.key())) {
          out.offeringKeys.insert(
              std::lower_bound(out.offeringKeys.begin(), out.offeringKeys.end(), requirement.key()),
              requirement.key());
        }
      }
    }
    out.candidates.push_back(std::move(candidate));
  }
  return out;
}

}  // namespace karpenter::scheduling::solver
