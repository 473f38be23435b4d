#include "inflight_nodeclaim.hpp"

#include <algorithm>
#include <limits>

#include "karpenter/api/well_known.hpp"
#include "karpenter/scheduling/taints.hpp"

namespace karpenter::scheduling::solver {

std::string placeholderHostname(size_t sequence) {
  return "hostname-placeholder-" + std::to_string(sequence);
}

InFlightNodeClaim::InFlightNodeClaim(const NodeClaimTemplate& nodeClaimTemplate,
                                     std::vector<const Candidate*> candidates,
                                     const std::string& hostname, Topology* topology)
    : template_(&nodeClaimTemplate),
      topology_(topology),
      requirements_(nodeClaimTemplate.requirements),
      candidates_(std::move(candidates)) {
  requirements_.add(Requirement::in(api::kLabelHostname, {hostname}));
  refreshMaxHeadroom();
  if (topology_ != nullptr && !topology_->empty()) {
    topology_->pinnedDomains(requirements_, pinned_);
  }
}

void InFlightNodeClaim::capPrice(const Candidate& capType) {
  capType_ = &capType;
  priceCap_ = capType.price;
  refreshMaxHeadroom();
}

double InFlightNodeClaim::cheapestPrice() const {
  double cheapest = std::numeric_limits<double>::infinity();
  for (const auto* candidate : candidates_) {
    cheapest = std::min(cheapest, candidate->price);
  }
  return cheapest;
}

bool InFlightNodeClaim::mayHold(const ResourceVector& request) const {
  for (size_t i = 0; i < ResourceVector::kCoreCount; ++i) {
    if (request.core(i) > 0 && used_.core(i) + request.core(i) > maxHeadroom_[i]) {
      return false;
    }
  }
  return true;
}

void InFlightNodeClaim::refreshMaxHeadroom() {
  maxHeadroom_.fill(std::numeric_limits<int64_t>::min());
  for (const auto* candidate : candidates_) {
    if (candidate->price > priceCap_) {
      continue;  // only types within the cap can take another pod
    }
    for (size_t i = 0; i < ResourceVector::kCoreCount; ++i) {
      maxHeadroom_[i] = std::max(maxHeadroom_[i], candidate->headroom.core(i));
    }
  }
}

const std::vector<std::string>& InFlightNodeClaim::candidateDomains(const std::string& key) {
  for (const auto& [cached, values] : domainCache_) {
    if (cached == key) {
      return values;
    }
  }
  // Usually the first few candidates already offer every domain the template has.
  const size_t most = template_->domainUnion(key).size();
  std::vector<std::string> values;
  for (const auto* candidate : candidates_) {
    collectDomains(*candidate->type, key, values);
    if (values.size() == most) {
      break;
    }
  }
  std::sort(values.begin(), values.end());
  domainCache_.emplace_back(key, std::move(values));
  return domainCache_.back().second;
}

bool InFlightNodeClaim::tryAdd(const PreparedPod& pod, std::string* reason) {
  const ResourceVector& request = pod.requests();
  // Cheapest rejection first: a full NodeClaim is the common case late in a large solve.
  if (reason == nullptr && !mayHold(request)) {
    return false;
  }
  if (reason == nullptr && pod.topology().constrained() && !topology_->mayAdmit(pod, pinned_)) {
    return false;
  }
  if (!pod.nodeNames().admitsNewNode()) {
    if (reason != nullptr) {
      *reason = "node affinity " + pod.nodeNames().toString() +
                " only matches an existing node, never a new NodeClaim";
    }
    return false;
  }
  if (auto tolerated =
          toleratesAll(pod.pod().spec.tolerations, template_->taints, pod.taintScope());
      !tolerated) {
    if (reason != nullptr) {
      *reason = tolerated.error().message;
    }
    return false;
  }
  if (const auto* taken = hostPorts_.firstConflict(pod.hostPorts()); taken != nullptr) {
    if (reason != nullptr) {
      *reason =
          "host port " + std::to_string(taken->port) + "/" + taken->protocol + " is already in use";
    }
    return false;
  }
  const Requirements* requirements = &requirements_;
  Requirements combined;
  if (!pod.requirements().empty()) {
    if (reason != nullptr) {
      if (auto compatible = requirements_.compatible(pod.requirements(), true); !compatible) {
        *reason = compatible.error().message;
        return false;
      }
    } else if (!requirements_.isCompatible(pod.requirements(), true)) {
      return false;
    }
    combined = requirements_;
    combined.add(pod.requirements());
    requirements = &combined;
  }
  if (pod.topology().constrained()) {
    // Topology last, as upstream: it narrows the keys it constrains to the allowed domains.
    std::vector<Requirement> narrowing;
    auto domains = [this](const std::string& key) -> const std::vector<std::string>& {
      return candidateDomains(key);
    };
    if (!topology_->admitsClaim(pod, *requirements, domains, narrowing, reason)) {
      return false;
    }
    if (!narrowing.empty()) {
      if (requirements != &combined) {
        combined = requirements_;
        requirements = &combined;
      }
      for (auto& requirement : narrowing) {
        combined.add(std::move(requirement));
      }
    }
  }
  const ResourceVector total = used_ + request;
  VolumeUsage::Counts volumeCounts;
  if (!pod.volumes().empty()) {
    volumeCounts = volumes_.countsWith(pod.volumes());
  }
  // Every candidate already intersects requirements_ and has an offering compatible with them,
  // so only the keys this pod narrowed can rule one out: check those alone, and offerings only
  // when one of their keys was narrowed.
  Requirements narrowed;
  bool offeringKeyNarrowed = false;
  if (requirements != &requirements_) {
    for (const auto& requirement : *requirements) {
      const Requirement* before = requirements_.find(requirement.key());
      if (before == nullptr || !(*before == requirement)) {
        offeringKeyNarrowed = offeringKeyNarrowed ||
                              std::binary_search(template_->offeringKeys.begin(),
                                                 template_->offeringKeys.end(), requirement.key());
        narrowed.add(requirement);
      }
    }
  }
  scratch_.clear();
  for (const auto* candidate : candidates_) {
    if (!total.fitsIn(candidate->headroom)) {
      continue;
    }
    if (!volumeCounts.empty() && !candidate->type->volumeLimits.empty() &&
        !VolumeUsage::within(volumeCounts, candidate->type->volumeLimits)) {
      continue;
    }
    if (!narrowed.empty() &&
        (!requirementsIntersect(narrowed, candidate->type->requirements) ||
         (offeringKeyNarrowed && !hasCompatibleOffering(*candidate->type, *requirements)))) {
      continue;
    }
    scratch_.push_back(candidate);
  }
  if (!scratch_.empty() && priceCap_ != std::numeric_limits<double>::infinity() &&
      std::none_of(scratch_.begin(), scratch_.end(),
                   [this](const Candidate* c) { return c->price <= priceCap_; })) {
    if (reason != nullptr) {
      *reason =
          "no instance type within the NodeClaim's price cap fits: resources " + total.toString();
    }
    return false;
  }
  if (scratch_.empty()) {
    if (reason != nullptr) {
      *reason = "no instance type fits: resources " + total.toString() + " and requirements " +
                requirements->toString();
      for (const auto& [driver, count] : volumeCounts) {
        *reason += ", " + std::to_string(count) + " " + driver + " volumes";
      }
    }
    return false;
  }
  if (requirements->hasMinValues()) {
    std::vector<const Requirements*> remaining;
    remaining.reserve(scratch_.size());
    for (const auto* candidate : scratch_) {
      remaining.push_back(&candidate->type->requirements);
    }
    if (auto met = requirements->minValuesSatisfiedBy(remaining); !met) {
      if (reason != nullptr) {
        *reason = met.error().message;
      }
      return false;
    }
  }
  if (requirements != &requirements_) {
    requirements_ = std::move(combined);
  }
  candidates_.swap(scratch_);
  domainCache_.clear();
  used_ = total;
  pods_.push_back(&pod.pod());
  prepared_.push_back(&pod);
  onlyFreePods_ = onlyFreePods_ && !pod.topology().constrained() && !pod.topology().recorded() &&
                  pod.hostPorts().empty() && pod.volumes().empty();
  hostPorts_.add(pod.hostPorts());
  volumes_.add(pod.volumes());
  refreshMaxHeadroom();
  if (!pinned_.empty()) {
    topology_->pinnedDomains(requirements_, pinned_);
  }
  if (!dryRun_ && pod.topology().recorded()) {
    auto domains = [this](const std::string& key) -> const std::vector<std::string>& {
      return candidateDomains(key);
    };
    topology_->recordClaim(pod, requirements_, domains, template_->taints);
  }
  return true;
}

}  // namespace karpenter::scheduling::solver
