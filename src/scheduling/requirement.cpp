#include "karpenter/scheduling/requirement.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <utility>

#include "karpenter/api/well_known.hpp"
#include "karpenter/util/sorted_strings.hpp"

namespace karpenter::scheduling {
namespace {

constexpr std::array<std::pair<std::string_view, Operator>, 8> kOperators = {{
    {"In", Operator::kIn},
    {"NotIn", Operator::kNotIn},
    {"Exists", Operator::kExists},
    {"DoesNotExist", Operator::kDoesNotExist},
    {"Gt", Operator::kGt},
    {"Lt", Operator::kLt},
    {"Gte", Operator::kGte},
    {"Lte", Operator::kLte},
}};

constexpr size_t kMaxValuesShown = 5;

bool withinBounds(std::string_view value, std::optional<int64_t> gte, std::optional<int64_t> lte) {
  if (!gte && !lte) {
    return true;
  }
  // Once bounds exist only integers can satisfy them.
  auto parsed = parseInt64(value);
  if (!parsed) {
    return false;
  }
  return (!gte || *parsed >= *gte) && (!lte || *parsed <= *lte);
}

template <typename T>
std::optional<T> maxOf(std::optional<T> a, std::optional<T> b) {
  if (!a) {
    return b;
  }
  if (!b) {
    return a;
  }
  return std::max(*a, *b);
}

template <typename T>
std::optional<T> minOf(std::optional<T> a, std::optional<T> b) {
  if (!a) {
    return b;
  }
  if (!b) {
    return a;
  }
  return std::min(*a, *b);
}

void sortUnique(std::vector<std::string>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

Error requirementError(std::string_view key, std::string_view op, std::string_view detail) {
  return invalidError("requirement " + std::string(key) + " " + std::string(op) + ": " +
                      std::string(detail));
}

}  // namespace

std::optional<int64_t> parseInt64(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

std::optional<Operator> parseOperator(std::string_view name) {
  for (const auto& [text, op] : kOperators) {
    if (text == name) {
      return op;
    }
  }
  return std::nullopt;
}

std::string_view operatorName(Operator op) {
  for (const auto& [text, candidate] : kOperators) {
    if (candidate == op) {
      return text;
    }
  }
  return "Unknown";
}

Requirement Requirement::make(std::string_view key, bool complement,
                              std::vector<std::string> values, std::optional<int> minValues) {
  Requirement r;
  r.key_ = std::string(api::normalizeLabelKey(key));
  r.complement_ = complement;
  r.values_ = std::move(values);
  sortUnique(r.values_);
  r.minValues_ = minValues;
  return r;
}

Requirement Requirement::in(std::string_view key, std::vector<std::string> values,
                            std::optional<int> minValues) {
  return make(key, false, std::move(values), minValues);
}

Requirement Requirement::notIn(std::string_view key, std::vector<std::string> values) {
  return make(key, true, std::move(values), std::nullopt);
}

Requirement Requirement::exists(std::string_view key) {
  return make(key, true, {}, std::nullopt);
}

Requirement Requirement::doesNotExist(std::string_view key) {
  return make(key, false, {}, std::nullopt);
}

Requirement Requirement::gte(std::string_view key, int64_t bound) {
  Requirement r = exists(key);
  r.gte_ = bound;
  return r;
}

Requirement Requirement::lte(std::string_view key, int64_t bound) {
  Requirement r = exists(key);
  r.lte_ = bound;
  return r;
}

Requirement Requirement::gt(std::string_view key, int64_t bound) {
  // Nothing is greater than the largest integer.
  if (bound == std::numeric_limits<int64_t>::max()) {
    return doesNotExist(key);
  }
  return gte(key, bound + 1);
}

Requirement Requirement::lt(std::string_view key, int64_t bound) {
  if (bound == std::numeric_limits<int64_t>::min()) {
    return doesNotExist(key);
  }
  return lte(key, bound - 1);
}

Result<Requirement> Requirement::create(std::string_view key, std::string_view opName,
                                        const std::vector<std::string>& values,
                                        std::optional<int> minValues) {
  auto op = parseOperator(opName);
  if (!op) {
    return invalidError("requirement " + std::string(key) + ": unsupported operator \"" +
                        std::string(opName) + "\"");
  }
  Requirement r;
  switch (*op) {
    case Operator::kIn:
    case Operator::kNotIn:
      if (values.empty()) {
        return requirementError(key, opName, "values must be non-empty");
      }
      r = make(key, *op == Operator::kNotIn, values, minValues);
      break;
    case Operator::kExists:
    case Operator::kDoesNotExist:
      if (!values.empty()) {
        return requirementError(key, opName, "values must be empty");
      }
      r = *op == Operator::kExists ? exists(key) : doesNotExist(key);
      break;
    case Operator::kGt:
    case Operator::kLt:
    case Operator::kGte:
    case Operator::kLte: {
      if (values.size() != 1) {
        return requirementError(key, opName, "must have a single integer value");
      }
      auto bound = parseInt64(values.front());
      if (!bound) {
        return requirementError(key, opName, "value \"" + values.front() + "\" is not an integer");
      }
      if (*op == Operator::kGt) {
        r = gt(key, *bound);
      } else if (*op == Operator::kLt) {
        r = lt(key, *bound);
      } else if (*op == Operator::kGte) {
        r = gte(key, *bound);
      } else {
        r = lte(key, *bound);
      }
      break;
    }
  }
  r.minValues_ = minValues;
  return r;
}

Result<Requirement> Requirement::fromNodeSelectorRequirement(
    const api::NodeSelectorRequirement& r) {
  return create(r.key, r.op, r.values, r.minValues);
}

Operator Requirement::op() const {
  if (complement_) {
    return values_.empty() ? Operator::kExists : Operator::kNotIn;
  }
  return values_.empty() ? Operator::kDoesNotExist : Operator::kIn;
}

Requirement Requirement::intersection(const Requirement& other) const {
  Requirement result;
  result.key_ = key_;
  result.minValues_ = maxOf(minValues_, other.minValues_);
  auto gte = maxOf(gte_, other.gte_);
  auto lte = minOf(lte_, other.lte_);
  if (gte && lte && *gte > *lte) {
    return result;  // empty finite set: DoesNotExist
  }
  result.complement_ = complement_ && other.complement_;

  const auto& a = values_;
  const auto& b = other.values_;
  auto& out = result.values_;
  if (complement_ && other.complement_) {
    out.reserve(a.size() + b.size());
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  } else if (complement_) {
    std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(out));
  } else if (other.complement_) {
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  } else {
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  }
  if (gte || lte) {
    std::erase_if(out, [&](const std::string& v) { return !withinBounds(v, gte, lte); });
  }
  // A finite set has already been filtered by the bounds, so they carry no more information.
  if (result.complement_) {
    result.gte_ = gte;
    result.lte_ = lte;
  }
  return result;
}

bool Requirement::intersects(const Requirement& other) const {
  auto gte = maxOf(gte_, other.gte_);
  auto lte = minOf(lte_, other.lte_);
  if (gte && lte && *gte > *lte) {
    return false;
  }
  if (complement_ && other.complement_) {
    return true;
  }
  if (complement_ || other.complement_) {
    const auto& finite = complement_ ? other.values_ : values_;
    const auto& excluded = complement_ ? values_ : other.values_;
    return std::any_of(finite.begin(), finite.end(), [&](const std::string& v) {
      return !sortedContains(excluded, v) && withinBounds(v, gte, lte);
    });
  }
  // Both finite. When one side is far smaller (an instance type's one name against a NodeClaim's
  // hundreds), searching for each of its values beats walking the long side.
  const bool thisSmaller = values_.size() <= other.values_.size();
  const auto& few = thisSmaller ? values_ : other.values_;
  const auto& many = thisSmaller ? other.values_ : values_;
  if (few.size() * 8 < many.size()) {
    return std::any_of(few.begin(), few.end(), [&](const std::string& v) {
      return sortedContains(many, v) && withinBounds(v, gte, lte);
    });
  }
  // Otherwise a merge walk finds common values without allocating, one comparison per step.
  auto i = values_.begin();
  auto j = other.values_.begin();
  while (i != values_.end() && j != other.values_.end()) {
    const int order = i->compare(*j);
    if (order < 0) {
      ++i;
    } else if (order > 0) {
      ++j;
    } else {
      if (withinBounds(*i, gte, lte)) {
        return true;
      }
      ++i;
      ++j;
    }
  }
  return false;
}

bool Requirement::has(std::string_view value) const {
  return sortedContains(values_, value) != complement_ && withinBounds(value, gte_, lte_);
}

int64_t Requirement::len() const {
  if (complement_) {
    return std::numeric_limits<int64_t>::max() - static_cast<int64_t>(values_.size());
  }
  return static_cast<int64_t>(values_.size());
}

std::string Requirement::any() const {
  if (!complement_) {
    return values_.empty() ? std::string() : values_.front();
  }
  int64_t candidate = gte_ ? *gte_ : (lte_ && *lte_ < 0 ? *lte_ : 0);
  // At most values_.size() + 1 candidates are tried: only excluded values are skipped.
  while (!lte_ || candidate <= *lte_) {
    std::string text = std::to_string(candidate);
    if (!sortedContains(values_, text)) {
      return text;
    }
    if (candidate == std::numeric_limits<int64_t>::max()) {
      break;
    }
    ++candidate;
  }
  return {};
}

std::vector<api::NodeSelectorRequirement> Requirement::toNodeSelectorRequirements() const {
  std::vector<api::NodeSelectorRequirement> out;
  auto emit = [&](std::string_view op, std::vector<std::string> values) {
    out.push_back(
        api::NodeSelectorRequirement{key_, std::string(op), std::move(values), minValues_});
  };
  if (!complement_) {
    emit(values_.empty() ? "DoesNotExist" : "In", values_);
    return out;
  }
  if (!values_.empty()) {
    emit("NotIn", values_);
  }
  if (gte_) {
    emit("Gte", {std::to_string(*gte_)});
  }
  if (lte_) {
    emit("Lte", {std::to_string(*lte_)});
  }
  if (out.empty()) {
    emit("Exists", {});
  }
  return out;
}

std::string Requirement::toString() const {
  Operator setOp = op();
  std::string s = key_;
  s += ' ';
  s += operatorName(setOp);
  if (setOp == Operator::kIn || setOp == Operator::kNotIn) {
    s += " [";
    size_t shown = std::min(values_.size(), kMaxValuesShown);
    for (size_t i = 0; i < shown; ++i) {
      if (i > 0) {
        s += ' ';
      }
      s += values_[i];
    }
    if (values_.size() > kMaxValuesShown) {
      s += " and " + std::to_string(values_.size() - kMaxValuesShown) + " others";
    }
    s += ']';
  }
  if (gte_) {
    s += " >=" + std::to_string(*gte_);
  }
  if (lte_) {
    s += " <=" + std::to_string(*lte_);
  }
  if (minValues_) {
    s += " minValues " + std::to_string(*minValues_);
  }
  return s;
}

}  // namespace karpenter::scheduling
