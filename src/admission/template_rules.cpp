#include "karpenter/admission/template_rules.hpp"

#include <algorithm>
#include <charconv>
#include <regex>
#include <set>
#include <string>
#include <utility>

#include "karpenter/api/validation.hpp"
#include "karpenter/api/well_known.hpp"
#include "karpenter/scheduling/requirement.hpp"

namespace karpenter::admission {
namespace {

using scheduling::Operator;

std::string join(const std::vector<std::string>& messages) {
  std::string out;
  for (const auto& m : messages) {
    out += (out.empty() ? "" : "; ") + m;
  }
  return out;
}

std::string renderList(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += (i == 0 ? "" : ",") + quote(values[i]);
  }
  return out + "]";
}

bool matches(std::string_view value, const std::regex& re) {
  return std::regex_match(value.begin(), value.end(), re);
}

bool isNonNegativeInteger(std::string_view text) {
  long long value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return !text.empty() && ec == std::errc() && ptr == end && value >= 0;
}

const std::string kNodePoolRestricted =
    "label \"" + std::string(api::kNodePoolLabelKey) + "\" is restricted";

void validateKey(const api::NodeSelectorRequirement& r, std::string_view key,
                 const std::string& keyPath, RequirementRules rules, FieldErrors& errors) {
  static const std::regex kKeyRe{std::string(kRequirementKeyPattern)};
  if (r.key.empty()) {
    errors.required(keyPath);
    return;
  }
  if (r.key.size() > kMaxRequirementKeyLength) {
    errors.invalid(keyPath, r.key, api::maxLenError(kMaxRequirementKeyLength));
  } else if (!matches(r.key, kKeyRe)) {
    errors.pattern(keyPath, r.key, kRequirementKeyPattern);
  } else if (auto messages = api::isQualifiedName(r.key); !messages.empty()) {
    errors.invalid(keyPath, r.key, join(messages));
  }
  if (!rules.allowNodePoolKey && key == api::kNodePoolLabelKey) {
    errors.invalid(keyPath, r.key, kNodePoolRestricted);
  } else if (auto restricted = api::checkLabelNotRestricted(key); !restricted.ok()) {
    errors.invalid(keyPath, r.key, restricted.error().message);
  }
}

void validateRequirement(const api::NodeSelectorRequirement& r, const std::string& path,
                         RequirementRules rules, FieldErrors& errors) {
  const std::string_view key = api::normalizeLabelKey(r.key);
  validateKey(r, key, child(path, "key"), rules, errors);

  const std::string opPath = child(path, "operator");
  const std::string valuesPath = child(path, "values");
  const auto op = scheduling::parseOperator(r.op);
  if (r.op.empty()) {
    errors.required(opPath);
  } else if (!op) {
    errors.notSupported(opPath, r.op,
                        {"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", "Gte", "Lte"});
  }
  for (std::size_t j = 0; j < r.values.size(); ++j) {
    if (auto messages = api::isValidLabelValue(r.values[j]); !messages.empty()) {
      errors.invalid(index(valuesPath, j), r.values[j], join(messages));
    }
  }
  if (op == Operator::kIn && r.values.empty()) {
    errors.invalidRendered(valuesPath, renderList(r.values),
                           "requirements with operator 'In' must have a value defined");
  }
  const bool numeric =
      op == Operator::kGt || op == Operator::kLt || op == Operator::kGte || op == Operator::kLte;
  if (numeric && (r.values.size() != 1 || !isNonNegativeInteger(r.values.front()))) {
    errors.invalidRendered(
        valuesPath, renderList(r.values),
        "requirements with operator '" + r.op + "' must have a single positive integer value");
  }
  if (r.minValues) {
    const std::string minPath = child(path, "minValues");
    if (*r.minValues < kMinValuesMin || *r.minValues > kMinValuesMax) {
      errors.invalidInt(minPath, *r.minValues, "must be between 1 and 50");
    } else if (op == Operator::kIn && r.values.size() < static_cast<std::size_t>(*r.minValues)) {
      errors.invalidInt(minPath, *r.minValues,
                        "requirements with 'minValues' must have at least that many values "
                        "specified in the 'values' field");
    }
  }
  if (key == api::kCapacityTypeLabelKey && op == Operator::kIn && !r.values.empty()) {
    std::size_t known = 0;
    for (const auto& v : r.values) {
      known += (v == api::kCapacityTypeOnDemand || v == api::kCapacityTypeSpot ||
                v == api::kCapacityTypeReserved)
                   ? 1
                   : 0;
    }
    const std::size_t needed = r.minValues ? std::max<std::size_t>(1, *r.minValues) : 1;
    if (known < needed) {
      errors.invalidRendered(valuesPath, renderList(r.values),
                             "no valid values found for karpenter.sh/capacity-type, expected at "
                             "least " +
                                 std::to_string(needed) + " of: on-demand, spot, reserved");
    }
  }
}

void validateTaintList(const std::vector<api::Taint>& taints, std::string_view path,
                       std::set<std::pair<std::string, std::string>>& seen, FieldErrors& errors) {
  for (std::size_t i = 0; i < taints.size(); ++i) {
    const auto& t = taints[i];
    const std::string p = index(path, i);
    if (t.key.empty()) {
      errors.required(child(p, "key"));
    } else if (auto messages = api::isQualifiedName(t.key); !messages.empty()) {
      errors.invalid(child(p, "key"), t.key, join(messages));
    }
    if (auto messages = api::isValidLabelValue(t.value); !messages.empty()) {
      errors.invalid(child(p, "value"), t.value, join(messages));
    }
    if (t.effect.empty()) {
      errors.required(child(p, "effect"));
    } else if (t.effect != api::kTaintEffectNoSchedule &&
               t.effect != api::kTaintEffectPreferNoSchedule &&
               t.effect != api::kTaintEffectNoExecute) {
      errors.notSupported(child(p, "effect"), t.effect,
                          {api::kTaintEffectNoExecute, api::kTaintEffectNoSchedule,
                           api::kTaintEffectPreferNoSchedule});
    }
    if (!seen.emplace(t.key, t.effect).second) {
      errors.duplicate(p, t.key + ":" + t.effect);
    }
  }
}

}  // namespace

void validateRequirements(const std::vector<api::NodeSelectorRequirement>& requirements,
                          std::string_view path, RequirementRules rules, FieldErrors& errors) {
  if (requirements.empty()) {
    errors.required(std::string(path));
    return;
  }
  if (requirements.size() > kMaxRequirements) {
    errors.tooMany(std::string(path), requirements.size(), kMaxRequirements);
  }
  for (std::size_t i = 0; i < requirements.size(); ++i) {
    validateRequirement(requirements[i], index(path, i), rules, errors);
  }
}

void validateTaints(const std::vector<api::Taint>& taints, std::string_view taintsPath,
                    const std::vector<api::Taint>& startupTaints, std::string_view startupPath,
                    FieldErrors& errors) {
  std::set<std::pair<std::string, std::string>> seen;
  validateTaintList(taints, taintsPath, seen, errors);
  validateTaintList(startupTaints, startupPath, seen, errors);
}

void validateTemplateLabels(const api::Labels& labels, std::string_view path, FieldErrors& errors) {
  constexpr std::size_t kMaxLabels = 100;
  if (labels.size() > kMaxLabels) {
    errors.tooMany(std::string(path), labels.size(), kMaxLabels);
  }
  for (const auto& [k, v] : labels) {
    const std::string p = key(path, k);
    if (auto messages = api::isQualifiedName(k); !messages.empty()) {
      errors.invalid(p, k, join(messages));
    }
    if (k == api::kNodePoolLabelKey) {
      errors.invalid(p, k, kNodePoolRestricted);
    } else if (auto restricted = api::checkLabelNotRestricted(k); !restricted.ok()) {
      errors.invalid(p, k, restricted.error().message);
    }
    if (auto messages = api::isValidLabelValue(v); !messages.empty()) {
      errors.invalid(p, v, join(messages));
    }
  }
}

void validateNodeClassRef(const api::NodeClassReference& ref, std::string_view path,
                          FieldErrors& errors) {
  static const std::regex kGroupRe{std::string(kNodeClassGroupPattern)};
  if (ref.group.empty()) {
    errors.required(child(path, "group"));
  } else if (!matches(ref.group, kGroupRe)) {
    errors.pattern(child(path, "group"), ref.group, kNodeClassGroupPattern);
  }
  if (ref.kind.empty()) {
    errors.required(child(path, "kind"));
  }
  if (ref.name.empty()) {
    errors.required(child(path, "name"));
  }
}

void validateNillableDuration(std::string_view value, std::string_view path, FieldErrors& errors) {
  static const std::regex kRe{std::string(kNillableDurationPattern)};
  if (!value.empty() && !matches(value, kRe)) {
    errors.pattern(std::string(path), value, kNillableDurationPattern);
  }
}

void validateDuration(std::string_view value, std::string_view path, FieldErrors& errors) {
  static const std::regex kRe{std::string(kDurationPattern)};
  if (!value.empty() && !matches(value, kRe)) {
    errors.pattern(std::string(path), value, kDurationPattern);
  }
}

}  // namespace karpenter::admission
