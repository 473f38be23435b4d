#include "karpenter/scheduling/node_affinity.hpp"

#include <algorithm>
#include <utility>

#include "karpenter/scheduling/requirement.hpp"
#include "karpenter/util/sorted_strings.hpp"

namespace karpenter::scheduling {
namespace {

constexpr std::string_view kObjectNameField = "metadata.name";
constexpr size_t kMaxNameLength = 63;
constexpr size_t kMaxPrefixLength = 253;

bool isAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63 characters.
bool isName(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameLength || !isAlnum(s.front()) || !isAlnum(s.back())) {
    return false;
  }
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return isAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

// DNS-1123 subdomain: dot-separated lowercase alphanumeric labels, inner '-' allowed.
bool isDnsSubdomain(std::string_view s) {
  if (s.empty() || s.size() > kMaxPrefixLength) {
    return false;
  }
  size_t start = 0;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    auto lowerAlnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (label.empty() || !lowerAlnum(label.front()) || !lowerAlnum(label.back()) ||
        !std::all_of(label.begin(), label.end(),
                     [&](char c) { return lowerAlnum(c) || c == '-'; })) {
      return false;
    }
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  return true;
}

std::string path(std::string_view prefix, std::string_view list, size_t index) {
  return std::string(prefix) + "." + std::string(list) + "[" + std::to_string(index) + "]";
}

void compileExpression(const api::NodeSelectorRequirement& raw, const std::string& at,
                       detail::CompiledTerm& term) {
  detail::LabelMatcher matcher{raw.key, raw.op, raw.values, 0};
  std::sort(matcher.values.begin(), matcher.values.end());
  size_t errorsBefore = term.errors.size();
  if (!isQualifiedName(raw.key)) {
    term.errors.push_back(at + ".key: invalid label key \"" + raw.key + "\"");
  }
  if (raw.op == "In" || raw.op == "NotIn") {
    if (raw.values.empty()) {
      term.errors.push_back(at + ".values: for 'in', 'notin' operators, values set can't be empty");
    }
  } else if (raw.op == "Exists" || raw.op == "DoesNotExist") {
    if (!raw.values.empty()) {
      term.errors.push_back(at + ".values: values set must be empty for exists and does not exist");
    }
  } else if (raw.op == "Gt" || raw.op == "Lt") {
    auto bound = raw.values.size() == 1 ? parseInt64(raw.values.front()) : std::nullopt;
    if (!bound) {
      term.errors.push_back(at + ".values: for 'Gt', 'Lt' operators, exactly one integer value " +
                            "is required");
    } else {
      matcher.bound = *bound;
    }
  } else {
    term.errors.push_back(at + ".operator: \"" + raw.op + "\" is not a valid label selector " +
                          "operator");
  }
  for (const auto& value : raw.values) {
    if (!isValidLabelValue(value)) {
      term.errors.push_back(at + ".values: invalid label value \"" + value + "\"");
    }
  }
  if (term.errors.size() == errorsBefore) {
    term.expressions.push_back(std::move(matcher));
  }
}

void compileField(const api::NodeSelectorRequirement& raw, const std::string& at,
                  detail::CompiledTerm& term) {
  if (raw.values.size() != 1) {
    term.errors.push_back(at + ".values: must have one element");
    return;
  }
  if (raw.key != kObjectNameField) {
    term.errors.push_back(at + ".key: not a valid field selector key \"" + raw.key + "\"");
    return;
  }
  if (raw.op != "In" && raw.op != "NotIn") {
    term.errors.push_back(at + ".operator: \"" + raw.op + "\" is not a valid field selector " +
                          "operator");
    return;
  }
  term.fields.push_back(detail::LabelMatcher{raw.key, raw.op, raw.values, 0});
}

detail::CompiledTerm compileTerm(const api::NodeSelectorTerm& raw, std::string_view at) {
  detail::CompiledTerm term;
  term.empty = raw.matchExpressions.empty() && raw.matchFields.empty();
  for (size_t i = 0; i < raw.matchExpressions.size(); ++i) {
    compileExpression(raw.matchExpressions[i], path(at, "matchExpressions", i), term);
  }
  for (size_t i = 0; i < raw.matchFields.size(); ++i) {
    compileField(raw.matchFields[i], path(at, "matchFields", i), term);
  }
  return term;
}

bool expressionMatches(const detail::LabelMatcher& m, const api::Labels& labels) {
  auto it = labels.find(m.key);
  bool present = it != labels.end();
  if (m.op == "In") {
    return present && sortedContains(m.values, it->second);
  }
  if (m.op == "NotIn") {
    return !present || !sortedContains(m.values, it->second);
  }
  if (m.op == "Exists") {
    return present;
  }
  if (m.op == "DoesNotExist") {
    return !present;
  }
  if (!present) {
    return false;
  }
  auto actual = parseInt64(it->second);
  if (!actual) {
    return false;
  }
  return m.op == "Gt" ? *actual > m.bound : *actual < m.bound;
}

Error joinErrors(const std::vector<std::string>& errors) {
  std::string message;
  for (const auto& e : errors) {
    message += (message.empty() ? "" : ", ") + e;
  }
  return invalidError(message);
}

}  // namespace

bool isQualifiedName(std::string_view key) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos) {
    return isName(key);
  }
  return isDnsSubdomain(key.substr(0, slash)) && isName(key.substr(slash + 1));
}

bool isValidLabelValue(std::string_view value) {
  return value.empty() || isName(value);
}

bool detail::CompiledTerm::matches(const api::Labels& labels, std::string_view nodeName) const {
  if (empty || !errors.empty()) {
    return false;
  }
  for (const auto& expression : expressions) {
    if (!expressionMatches(expression, labels)) {
      return false;
    }
  }
  // Upstream only builds a field set for named nodes, so unnamed nodes skip field requirements.
  if (!nodeName.empty()) {
    for (const auto& field : fields) {
      bool listed = field.values.front() == nodeName;
      if (listed != (field.op == "In")) {
        return false;
      }
    }
  }
  return true;
}

NodeSelectorMatcher::NodeSelectorMatcher(const api::NodeSelector& selector) {
  terms_.reserve(selector.nodeSelectorTerms.size());
  for (size_t i = 0; i < selector.nodeSelectorTerms.size(); ++i) {
    terms_.push_back(
        compileTerm(selector.nodeSelectorTerms[i], "nodeSelectorTerms[" + std::to_string(i) + "]"));
  }
}

Result<bool> NodeSelectorMatcher::match(const api::Labels& labels,
                                        std::string_view nodeName) const {
  for (const auto& term : terms_) {
    if (term.matches(labels, nodeName)) {
      return true;
    }
  }
  if (auto valid = validate(); !valid) {
    return valid.error();
  }
  return false;
}

Result<void> NodeSelectorMatcher::validate() const {
  std::vector<std::string> errors;
  for (const auto& term : terms_) {
    errors.insert(errors.end(), term.errors.begin(), term.errors.end());
  }
  if (errors.empty()) {
    return {};
  }
  return joinErrors(errors);
}

RequiredNodeAffinity::RequiredNodeAffinity(const api::Labels& nodeSelector,
                                           const std::optional<api::NodeAffinity>& affinity)
    : nodeSelector_(nodeSelector) {
  if (affinity && affinity->requiredDuringSchedulingIgnoredDuringExecution) {
    required_.emplace(*affinity->requiredDuringSchedulingIgnoredDuringExecution);
  }
}

Result<bool> RequiredNodeAffinity::match(const api::Labels& labels,
                                         std::string_view nodeName) const {
  for (const auto& [key, value] : nodeSelector_) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) {
      return false;
    }
  }
  if (!required_) {
    return true;
  }
  return required_->match(labels, nodeName);
}

bool RequiredNodeAffinity::matches(const api::Labels& labels, std::string_view nodeName) const {
  auto result = match(labels, nodeName);
  return result.ok() && *result;
}

Result<PreferredSchedulingTerms> PreferredSchedulingTerms::create(
    std::span<const api::PreferredSchedulingTerm> terms) {
  PreferredSchedulingTerms out;
  std::vector<std::string> errors;
  for (size_t i = 0; i < terms.size(); ++i) {
    // A zero weight cannot change the score, so upstream does not even parse the term.
    if (terms[i].weight == 0) {
      continue;
    }
    auto term =
        compileTerm(terms[i].preference, std::string("[").append(std::to_string(i)).append("]"));
    errors.insert(errors.end(), term.errors.begin(), term.errors.end());
    out.terms_.emplace_back(terms[i].weight, std::move(term));
  }
  if (!errors.empty()) {
    return joinErrors(errors);
  }
  return out;
}

int64_t PreferredSchedulingTerms::score(const api::Labels& labels,
                                        std::string_view nodeName) const {
  int64_t total = 0;
  for (const auto& [weight, term] : terms_) {
    if (term.matches(labels, nodeName)) {
      total += weight;
    }
  }
  return total;
}

}  // namespace karpenter::scheduling
