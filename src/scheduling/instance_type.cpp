#include "karpenter/scheduling/instance_type.hpp"

#include <algorithm>
#include <limits>

namespace karpenter::scheduling {

api::ResourceList InstanceTypeOverhead::total() const {
  return api::resources::add(api::resources::add(kubeReserved, systemReserved), evictionThreshold);
}

api::ResourceList InstanceType::allocatable() const {
  return api::resources::subtract(capacity, overhead.total());
}

namespace {

// Offerings only carry well-known keys (zone, capacity type), which a NodeClaim may leave
// undefined, hence allowUndefinedWellKnown.
bool offeringMatches(const Offering& offering, const Requirements& requirements) {
  return offering.available && requirements.isCompatible(offering.requirements, true);
}

}  // namespace

bool hasCompatibleOffering(const InstanceType& instanceType, const Requirements& requirements) {
  return std::any_of(instanceType.offerings.begin(), instanceType.offerings.end(),
                     [&](const Offering& o) { return offeringMatches(o, requirements); });
}

std::optional<double> cheapestOfferingPrice(const InstanceType& instanceType,
                                            const Requirements& requirements) {
  std::optional<double> best;
  for (const auto& offering : instanceType.offerings) {
    if (offeringMatches(offering, requirements) && (!best || offering.price < *best)) {
      best = offering.price;
    }
  }
  return best;
}

void orderByPrice(std::vector<const InstanceType*>& instanceTypes,
                  const Requirements& requirements) {
  // Price each type once rather than once per comparison.
  std::vector<std::pair<double, const InstanceType*>> priced;
  priced.reserve(instanceTypes.size());
  for (const auto* type : instanceTypes) {
    priced.emplace_back(cheapestOfferingPrice(*type, requirements)
                            .value_or(std::numeric_limits<double>::infinity()),
                        type);
  }
  std::sort(priced.begin(), priced.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) {
      return a.first < b.first;
    }
    return a.second->name < b.second->name;
  });
  for (size_t i = 0; i < priced.size(); ++i) {
    instanceTypes[i] = priced[i].second;
  }
}

Result<std::vector<const InstanceType*>> truncate(std::vector<const InstanceType*> instanceTypes,
                                                  const Requirements& requirements,
                                                  size_t maxItems) {
  orderByPrice(instanceTypes, requirements);
  if (instanceTypes.size() > maxItems) {
    instanceTypes.resize(maxItems);
  }
  if (requirements.hasMinValues()) {
    std::vector<const Requirements*> candidates;
    candidates.reserve(instanceTypes.size());
    for (const auto* type : instanceTypes) {
      candidates.push_back(&type->requirements);
    }
    auto needed = requirements.minValuesSatisfiedBy(candidates);
    if (!needed) {
      return invalidError("NodePool couldn't meet minValues requirements, " +
                          needed.error().message);
    }
  }
  return instanceTypes;
}

}  // namespace karpenter::scheduling
