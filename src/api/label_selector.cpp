#include "karpenter/api/label_selector.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "field_error_format.hpp"
#include "karpenter/api/validation.hpp"

namespace karpenter::api {
namespace {

struct OperatorName {
  SelectorOperator op;
  std::string_view name;
};

// Upstream's validRequirementOperators order (binary, then unary); the NotSupported message
// lists them in this order.
constexpr OperatorName kOperatorNames[] = {
    {SelectorOperator::kIn, "in"},          {SelectorOperator::kNotIn, "notin"},
    {SelectorOperator::kEquals, "="},       {SelectorOperator::kDoubleEquals, "=="},
    {SelectorOperator::kNotEquals, "!="},   {SelectorOperator::kGreaterThan, "gt"},
    {SelectorOperator::kLessThan, "lt"},    {SelectorOperator::kExists, "exists"},
    {SelectorOperator::kDoesNotExist, "!"},
};

// strconv.ParseInt(s, 10, 64): optional sign, decimal digits, no overflow. Allocation-free.
std::optional<std::int64_t> parseInt64(std::string_view s) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (s.empty() || s.front() < '0' || s.front() > '9') {
      return std::nullopt;
    }
  }
  std::int64_t value = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, value);
  if (s.empty() || ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

std::string childPath(std::string_view parent, std::string_view name) {
  if (parent.empty()) {
    return std::string(name);
  }
  return std::string(parent) + "." + std::string(name);
}

// field.ErrorList.ToAggregate().Error(): one message as is, several deduplicated in brackets.
Error aggregate(const std::vector<std::string>& messages) {
  std::vector<std::string> unique;
  for (const std::string& message : messages) {
    if (std::find(unique.begin(), unique.end(), message) == unique.end()) {
      unique.push_back(message);
    }
  }
  if (unique.size() == 1) {
    return invalidError(unique.front());
  }
  return invalidError("[" + detail::joinMessages(unique, ", ") + "]");
}

void sortByKey(std::vector<Requirement>& requirements) {
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key() < b.key(); });
}

// NewRequirement's checks. `op` is nullopt for a spelling that names no operator; `opName` is
// that spelling, for the message.
std::optional<Error> validateRequirement(std::string_view key, std::optional<SelectorOperator> op,
                                         std::string_view opName,
                                         const std::vector<std::string>& values,
                                         std::string_view fieldPath) {
  std::vector<std::string> errors;
  if (std::vector<std::string> keyErrors = isQualifiedName(key); !keyErrors.empty()) {
    errors.push_back(detail::invalidValue(childPath(fieldPath, "key"), detail::goQuote(key),
                                          detail::joinMessages(keyErrors, "; ")));
  }
  const std::string valuesPath = childPath(fieldPath, "values");
  auto invalidValues = [&](std::string_view why) {
    errors.push_back(detail::invalidValue(valuesPath, detail::jsonStringList(values), why));
  };
  switch (op.value_or(SelectorOperator::kNone)) {
    case SelectorOperator::kIn:
    case SelectorOperator::kNotIn:
      if (values.empty()) {
        invalidValues("for 'in', 'notin' operators, values set can't be empty");
      }
      break;
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals:
    case SelectorOperator::kNotEquals:
      if (values.size() != 1) {
        invalidValues("exact-match compatibility requires one single value");
      }
      break;
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist:
      if (!values.empty()) {
        invalidValues("values set must be empty for exists and does not exist");
      }
      break;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan:
      if (values.size() != 1) {
        invalidValues("for 'Gt', 'Lt' operators, exactly one value is required");
      }
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (!parseInt64(values[i])) {
          errors.push_back(detail::invalidValue(valuesPath + "[" + std::to_string(i) + "]",
                                                detail::goQuote(values[i]),
                                                "for 'Gt', 'Lt' operators, the value must be an "
                                                "integer"));
        }
      }
      break;
    case SelectorOperator::kNone: {
      std::string message = childPath(fieldPath, "operator") +
                            ": Unsupported value: " + detail::goQuote(opName) +
                            ": supported values: ";
      bool first = true;
      for (const OperatorName& entry : kOperatorNames) {
        message += first ? "" : ", ";
        message += detail::goQuote(entry.name);
        first = false;
      }
      errors.push_back(std::move(message));
      break;
    }
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::vector<std::string> valueErrors = isValidLabelValue(values[i]); !valueErrors.empty()) {
      errors.push_back(detail::invalidValue(
          valuesPath + "[" + std::to_string(i) + "][" + std::string(key) + "]",
          detail::goQuote(values[i]), detail::joinMessages(valueErrors, "; ")));
    }
  }
  if (!errors.empty()) {
    return aggregate(errors);
  }
  return std::nullopt;
}

}  // namespace

std::string_view selectorOperatorName(SelectorOperator op) {
  for (const OperatorName& entry : kOperatorNames) {
    if (entry.op == op) {
      return entry.name;
    }
  }
  return "";
}

std::optional<SelectorOperator> selectorOperatorFromName(std::string_view name) {
  for (const OperatorName& entry : kOperatorNames) {
    if (entry.name == name) {
      return entry.op;
    }
  }
  return std::nullopt;
}

Requirement Requirement::unchecked(std::string key, SelectorOperator op,
                                   std::vector<std::string> values) {
  Requirement requirement;
  requirement.key_ = std::move(key);
  requirement.op_ = op;
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  requirement.values_ = std::move(values);
  if ((op == SelectorOperator::kGreaterThan || op == SelectorOperator::kLessThan) &&
      requirement.values_.size() == 1) {
    if (std::optional<std::int64_t> bound = parseInt64(requirement.values_.front())) {
      requirement.bound_ = *bound;
      requirement.hasBound_ = true;
    }
  }
  return requirement;
}

bool Requirement::matches(const Labels& labels) const {
  auto hasValue = [this](const std::string& value) {
    return std::binary_search(values_.begin(), values_.end(), value);
  };
  auto found = labels.find(key_);
  const bool present = found != labels.end();
  switch (op_) {
    case SelectorOperator::kIn:
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals:
      return present && hasValue(found->second);
    case SelectorOperator::kNotIn:
    case SelectorOperator::kNotEquals:
      return !present || !hasValue(found->second);
    case SelectorOperator::kExists:
      return present;
    case SelectorOperator::kDoesNotExist:
      return !present;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan: {
      if (!present || !hasBound_) {
        return false;
      }
      std::optional<std::int64_t> actual = parseInt64(found->second);
      if (!actual) {
        return false;
      }
      return op_ == SelectorOperator::kGreaterThan ? *actual > bound_ : *actual < bound_;
    }
    case SelectorOperator::kNone:
      return false;
  }
  return false;
}

std::string Requirement::toString() const {
  std::string out;
  if (op_ == SelectorOperator::kDoesNotExist) {
    out += '!';
  }
  out += key_;
  const bool isSet = op_ == SelectorOperator::kIn || op_ == SelectorOperator::kNotIn;
  switch (op_) {
    case SelectorOperator::kEquals:
      out += "=";
      break;
    case SelectorOperator::kDoubleEquals:
      out += "==";
      break;
    case SelectorOperator::kNotEquals:
      out += "!=";
      break;
    case SelectorOperator::kIn:
      out += " in ";
      break;
    case SelectorOperator::kNotIn:
      out += " notin ";
      break;
    case SelectorOperator::kGreaterThan:
      out += ">";
      break;
    case SelectorOperator::kLessThan:
      out += "<";
      break;
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist:
      return out;
    case SelectorOperator::kNone:
      // Upstream prints a zero Requirement as its (empty) key followed by its (empty) values.
      break;
  }
  if (isSet) {
    out += '(';
  }
  out += detail::joinMessages(values_, ",");
  if (isSet) {
    out += ')';
  }
  return out;
}

Result<Requirement> makeRequirement(std::string_view key, SelectorOperator op,
                                    std::vector<std::string> values, std::string_view fieldPath) {
  std::optional<SelectorOperator> known;
  if (op != SelectorOperator::kNone) {
    known = op;
  }
  if (std::optional<Error> error =
          validateRequirement(key, known, selectorOperatorName(op), values, fieldPath)) {
    return *std::move(error);
  }
  return Requirement::unchecked(std::string(key), op, std::move(values));
}

Result<Requirement> makeRequirement(std::string_view key, std::string_view op,
                                    std::vector<std::string> values, std::string_view fieldPath) {
  std::optional<SelectorOperator> known = selectorOperatorFromName(op);
  if (std::optional<Error> error = validateRequirement(key, known, op, values, fieldPath)) {
    return *std::move(error);
  }
  return Requirement::unchecked(std::string(key), *known, std::move(values));
}

Selector Selector::nothing() {
  Selector selector;
  selector.nothing_ = true;
  return selector;
}

Selector Selector::fromRequirements(std::vector<Requirement> requirements) {
  Selector selector;
  selector.requirements_ = std::move(requirements);
  return selector;
}

Selector& Selector::add(Requirement requirement) {
  requirements_.push_back(std::move(requirement));
  sortByKey(requirements_);
  return *this;
}

bool Selector::matches(const Labels& labels) const {
  if (nothing_) {
    return false;
  }
  for (const Requirement& requirement : requirements_) {
    if (!requirement.matches(labels)) {
      return false;
    }
  }
  return true;
}

std::string Selector::toString() const {
  std::string out;
  for (std::size_t i = 0; i < requirements_.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += requirements_[i].toString();
  }
  return out;
}

Selector selectorFromSet(const Labels& labels) {
  std::vector<Requirement> requirements;
  requirements.reserve(labels.size());
  // Labels is ordered by key, so the result is already in upstream's sorted order.
  for (const auto& [key, value] : labels) {
    requirements.push_back(Requirement::unchecked(key, SelectorOperator::kEquals, {value}));
  }
  return Selector::fromRequirements(std::move(requirements));
}

Result<Selector> validatedSelectorFromSet(const Labels& labels) {
  std::vector<Requirement> requirements;
  requirements.reserve(labels.size());
  for (const auto& [key, value] : labels) {
    Result<Requirement> requirement = makeRequirement(key, SelectorOperator::kEquals, {value});
    if (!requirement.ok()) {
      return requirement.error();
    }
    requirements.push_back(std::move(requirement).value());
  }
  return Selector::fromRequirements(std::move(requirements));
}

Result<Selector> fromLabelSelector(const LabelSelector& selector) {
  if (selector.matchLabels.empty() && selector.matchExpressions.empty()) {
    return Selector::everything();
  }
  std::vector<Requirement> requirements;
  requirements.reserve(selector.matchLabels.size() + selector.matchExpressions.size());
  for (const auto& [key, value] : selector.matchLabels) {
    // Checked here rather than through makeRequirement so errors name matchLabels, not the
    // values list of a requirement the user never wrote.
    std::vector<std::string> errors;
    if (std::vector<std::string> keyErrors = isQualifiedName(key); !keyErrors.empty()) {
      errors.push_back(detail::invalidValue("matchLabels", detail::goQuote(key),
                                            detail::joinMessages(keyErrors, "; ")));
    }
    if (std::vector<std::string> valueErrors = isValidLabelValue(value); !valueErrors.empty()) {
      errors.push_back(detail::invalidValue("matchLabels[" + key + "]", detail::goQuote(value),
                                            detail::joinMessages(valueErrors, "; ")));
    }
    if (!errors.empty()) {
      return aggregate(errors);
    }
    requirements.push_back(Requirement::unchecked(key, SelectorOperator::kEquals, {value}));
  }
  for (std::size_t i = 0; i < selector.matchExpressions.size(); ++i) {
    const LabelSelectorRequirement& expression = selector.matchExpressions[i];
    const std::string path = "matchExpressions[" + std::to_string(i) + "]";
    SelectorOperator op = SelectorOperator::kNone;
    if (expression.op == "In") {
      op = SelectorOperator::kIn;
    } else if (expression.op == "NotIn") {
      op = SelectorOperator::kNotIn;
    } else if (expression.op == "Exists") {
      op = SelectorOperator::kExists;
    } else if (expression.op == "DoesNotExist") {
      op = SelectorOperator::kDoesNotExist;
    } else {
      return invalidError(path + ": " + detail::goQuote(expression.op) +
                          " is not a valid label selector operator");
    }
    Result<Requirement> requirement = makeRequirement(expression.key, op, expression.values, path);
    if (!requirement.ok()) {
      return requirement.error();
    }
    requirements.push_back(std::move(requirement).value());
  }
  sortByKey(requirements);
  return Selector::fromRequirements(std::move(requirements));
}

Result<Selector> fromLabelSelector(const std::optional<LabelSelector>& selector) {
  if (!selector) {
    return Selector::nothing();
  }
  return fromLabelSelector(*selector);
}

}  // namespace karpenter::api
