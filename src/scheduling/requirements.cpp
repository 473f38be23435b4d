#include "karpenter/scheduling/requirements.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "karpenter/api/well_known.hpp"

namespace karpenter::scheduling {
namespace {

bool isNegative(Operator op) {
  return op == Operator::kNotIn || op == Operator::kDoesNotExist;
}

// Keys defined only by `incoming` pass when the node side is allowed to leave them undefined
// (well-known keys) or when the incoming side only forbids values.
bool undefinedKeyAllowed(const Requirement& incoming, bool allowUndefinedWellKnown) {
  return isNegative(incoming.op()) ||
         (allowUndefinedWellKnown && api::isWellKnownLabel(incoming.key()));
}

// Conflicting keys pass when both sides only forbid values: neither needs the label to exist.
bool conflictAllowed(const Requirement& existing, const Requirement& incoming) {
  return isNegative(incoming.op()) && isNegative(existing.op());
}

std::string_view namePart(std::string_view key) {
  auto slash = key.find('/');
  return slash == std::string_view::npos ? key : key.substr(slash + 1);
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> previous(b.size() + 1);
  std::vector<size_t> current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) {
    previous[j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

// The closest plausible intended key: same name part, then a key containing it, then a small
// edit distance. Ordered passes make the hint deterministic ("zone" suggests
// topology.kubernetes.io/zone, not topology.k8s.aws/zone-id).
std::optional<std::string_view> closestKey(std::string_view key,
                                           std::span<const std::string_view> candidates) {
  for (auto candidate : candidates) {
    if (namePart(candidate) == namePart(key)) {
      return candidate;
    }
  }
  for (auto candidate : candidates) {
    if (candidate.find(key) != std::string_view::npos) {
      return candidate;
    }
  }
  for (auto candidate : candidates) {
    if (editDistance(key, candidate) < candidate.size() / 5) {
      return candidate;
    }
  }
  return std::nullopt;
}

std::string conflictMessage(const Requirement& existing, const Requirement& incoming) {
  return "key " + incoming.key() + ", " + incoming.toString() + " not in " + existing.toString();
}

}  // namespace

Requirements::Requirements(std::vector<Requirement> requirements) {
  requirements_.reserve(requirements.size());
  for (auto& requirement : requirements) {
    add(std::move(requirement));
  }
}

Result<Requirements> Requirements::fromNodeSelectorRequirements(
    std::span<const api::NodeSelectorRequirement> requirements) {
  Requirements out;
  out.requirements_.reserve(requirements.size());
  for (const auto& raw : requirements) {
    auto requirement = Requirement::fromNodeSelectorRequirement(raw);
    if (!requirement) {
      return requirement.error();
    }
    out.add(std::move(requirement).value());
  }
  return out;
}

Requirements Requirements::fromLabels(const api::Labels& labels) {
  Requirements out;
  out.requirements_.reserve(labels.size());
  for (const auto& [key, value] : labels) {
    out.add(Requirement::in(key, {value}));
  }
  return out;
}

Result<Requirements> Requirements::fromPod(const api::Labels& nodeSelector,
                                           const std::optional<api::NodeAffinity>& affinity,
                                           PodRequirementMode mode) {
  Requirements out = fromLabels(nodeSelector);
  if (!affinity) {
    return out;
  }
  if (mode == PodRequirementMode::kIncludePreferred) {
    const auto& preferred = affinity->preferredDuringSchedulingIgnoredDuringExecution;
    auto heaviest =
        std::max_element(preferred.begin(), preferred.end(),
                         [](const auto& a, const auto& b) { return a.weight < b.weight; });
    if (heaviest != preferred.end()) {
      auto terms = fromNodeSelectorRequirements(heaviest->preference.matchExpressions);
      if (!terms) {
        return terms.error().withContext("preferred node affinity");
      }
      out.add(*terms);
    }
  }
  const auto& required = affinity->requiredDuringSchedulingIgnoredDuringExecution;
  if (required && !required->nodeSelectorTerms.empty()) {
    auto terms = fromNodeSelectorRequirements(required->nodeSelectorTerms.front().matchExpressions);
    if (!terms) {
      return terms.error().withContext("required node affinity");
    }
    out.add(*terms);
  }
  return out;
}

std::vector<Requirement>::iterator Requirements::lowerBound(std::string_view key) {
  return std::lower_bound(
      requirements_.begin(), requirements_.end(), key,
      [](const Requirement& r, std::string_view k) { return std::string_view(r.key()) < k; });
}

std::vector<Requirement>::const_iterator Requirements::lowerBound(std::string_view key) const {
  return std::lower_bound(
      requirements_.begin(), requirements_.end(), key,
      [](const Requirement& r, std::string_view k) { return std::string_view(r.key()) < k; });
}

void Requirements::add(Requirement requirement) {
  auto it = lowerBound(requirement.key());
  if (it != requirements_.end() && it->key() == requirement.key()) {
    *it = it->intersection(requirement);
    return;
  }
  requirements_.insert(it, std::move(requirement));
}

void Requirements::add(const Requirements& other) {
  for (const auto& requirement : other.requirements_) {
    add(requirement);
  }
}

const Requirement* Requirements::find(std::string_view key) const {
  key = api::normalizeLabelKey(key);
  auto it = lowerBound(key);
  if (it != requirements_.end() && it->key() == key) {
    return &*it;
  }
  return nullptr;
}

Requirement Requirements::get(std::string_view key) const {
  const Requirement* found = find(key);
  return found != nullptr ? *found : Requirement::exists(key);
}

std::vector<std::string> Requirements::keys() const {
  std::vector<std::string> out;
  out.reserve(requirements_.size());
  for (const auto& requirement : requirements_) {
    out.push_back(requirement.key());
  }
  return out;
}

bool Requirements::isCompatible(const Requirements& incoming, bool allowUndefinedWellKnown) const {
  auto existing = requirements_.begin();
  for (const auto& requirement : incoming.requirements_) {
    while (existing != requirements_.end() && existing->key() < requirement.key()) {
      ++existing;
    }
    if (existing == requirements_.end() || existing->key() != requirement.key()) {
      if (!undefinedKeyAllowed(requirement, allowUndefinedWellKnown)) {
        return false;
      }
      continue;
    }
    if (!existing->intersects(requirement) && !conflictAllowed(*existing, requirement)) {
      return false;
    }
  }
  return true;
}

Result<void> Requirements::compatible(const Requirements& incoming,
                                      bool allowUndefinedWellKnown) const {
  if (isCompatible(incoming, allowUndefinedWellKnown)) {
    return {};
  }
  // Cold path: find the problem to report, undefined keys first as upstream does.
  for (const auto& requirement : incoming.requirements_) {
    if (!has(requirement.key()) && !undefinedKeyAllowed(requirement, allowUndefinedWellKnown)) {
      return invalidError("incompatible requirements, label \"" + requirement.key() +
                          "\" does not have known values" +
                          labelHint(requirement.key(), allowUndefinedWellKnown));
    }
  }
  auto conflict = intersects(incoming);
  if (!conflict) {
    return invalidError("incompatible requirements, " + conflict.error().message);
  }
  return invalidError("incompatible requirements");
}

Result<void> Requirements::intersects(const Requirements& incoming) const {
  auto existing = requirements_.begin();
  for (const auto& requirement : incoming.requirements_) {
    while (existing != requirements_.end() && existing->key() < requirement.key()) {
      ++existing;
    }
    if (existing == requirements_.end() || existing->key() != requirement.key()) {
      continue;
    }
    if (!existing->intersects(requirement) && !conflictAllowed(*existing, requirement)) {
      return invalidError(conflictMessage(*existing, requirement));
    }
  }
  return {};
}

std::string Requirements::labelHint(std::string_view key, bool allowUndefinedWellKnown) const {
  std::optional<std::string_view> hint;
  if (allowUndefinedWellKnown) {
    hint = closestKey(key, api::wellKnownLabels());
  }
  if (!hint) {
    std::vector<std::string_view> defined;
    defined.reserve(requirements_.size());
    for (const auto& requirement : requirements_) {
      defined.push_back(requirement.key());
    }
    hint = closestKey(key, defined);
  }
  if (!hint) {
    return {};
  }
  return " (typo of \"" + std::string(*hint) + "\"?)";
}

api::Labels Requirements::labels() const {
  api::Labels out;
  for (const auto& requirement : requirements_) {
    if (!requirement.complement() && requirement.values().size() == 1) {
      out.emplace(requirement.key(), requirement.values().front());
    }
  }
  return out;
}

bool Requirements::hasMinValues() const {
  return std::any_of(requirements_.begin(), requirements_.end(),
                     [](const Requirement& r) { return r.minValues().has_value(); });
}

Result<size_t> Requirements::minValuesSatisfiedBy(
    std::span<const Requirements* const> candidates) const {
  std::vector<const Requirement*> constrained;
  for (const auto& requirement : requirements_) {
    if (requirement.minValues()) {
      constrained.push_back(&requirement);
    }
  }
  if (constrained.empty()) {
    return size_t{0};
  }
  // Cold relative to compatibility checks (once per NodeClaim), so plain sets are fine here.
  std::vector<std::set<std::string, std::less<>>> seen(constrained.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    bool satisfied = true;
    for (size_t k = 0; k < constrained.size(); ++k) {
      const Requirement* offered = candidates[i]->find(constrained[k]->key());
      if (offered != nullptr && !offered->complement()) {
        for (const auto& value : offered->values()) {
          if (constrained[k]->has(value)) {
            seen[k].insert(value);
          }
        }
      }
      satisfied = satisfied && static_cast<int64_t>(seen[k].size()) >= *constrained[k]->minValues();
    }
    if (satisfied) {
      return i + 1;
    }
  }
  std::string keys;
  for (size_t k = 0; k < constrained.size(); ++k) {
    if (static_cast<int64_t>(seen[k].size()) < *constrained[k]->minValues()) {
      keys += (keys.empty() ? "" : ", ") + constrained[k]->key();
    }
  }
  return invalidError("minValues requirement is not met for label(s) " + keys);
}

std::vector<api::NodeSelectorRequirement> Requirements::toNodeSelectorRequirements() const {
  std::vector<api::NodeSelectorRequirement> out;
  out.reserve(requirements_.size());
  for (const auto& requirement : requirements_) {
    auto parts = requirement.toNodeSelectorRequirements();
    std::move(parts.begin(), parts.end(), std::back_inserter(out));
  }
  return out;
}

std::string Requirements::toString() const {
  std::string out;
  for (const auto& requirement : requirements_) {
    if (requirement.key() == api::kLabelHostname) {
      continue;
    }
    if (!out.empty()) {
      out += ", ";
    }
    out += requirement.toString();
  }
  return out;
}

}  // namespace karpenter::scheduling
