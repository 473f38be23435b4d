#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "karpenter/api/selectors.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::api {

// The label-selector engine of k8s.io/apimachinery/pkg/labels: requirements, selectors, the
// string form ("app=web,tier in (a,b),!legacy") and the meta/v1 LabelSelector conversion, with
// upstream's acceptance rules and error wording. Values are immutable once built; const methods
// are thread-safe and matches() never allocates.

class Selector;

// pkg/selection operators. kNone is the operator of a zero-value Requirement (matches nothing).
enum class SelectorOperator : std::uint8_t {
  kNone,
  kEquals,        // "="
  kDoubleEquals,  // "=="
  kNotEquals,     // "!="
  kIn,            // "in"
  kNotIn,         // "notin"
  kExists,        // "exists"
  kDoesNotExist,  // "!"
  kGreaterThan,   // "gt"
  kLessThan,      // "lt"
};

// The pkg/selection spelling ("=", "in", "exists", "!", "gt", ...); "" for kNone.
std::string_view selectorOperatorName(SelectorOperator op);
// Inverse of selectorOperatorName; nullopt for anything else (including "").
std::optional<SelectorOperator> selectorOperatorFromName(std::string_view name);

// One key/operator/values clause. Build with makeRequirement; the default-constructed value is
// upstream's zero Requirement (empty key, no operator), which matches no labels.
class Requirement final {
 public:
  Requirement() = default;

  const std::string& key() const { return key_; }
  SelectorOperator op() const { return op_; }
  // The values as a sorted set (duplicates removed).
  const std::vector<std::string>& values() const { return values_; }

  // In/=/==: the key is present with a value in the set. NotIn/!=: the key is absent or its
  // value is not in the set. Exists/DoesNotExist: presence. Gt/Lt: the label value parses as an
  // int64 and compares strictly; a non-integer label value does not match.
  bool matches(const Labels& labels) const;

  // Upstream Requirement.String(): "k=v", "k!=v", "k in (a,b)", "k notin (a)", "k", "!k",
  // "k>1", "k<1".
  std::string toString() const;

  bool operator==(const Requirement&) const = default;

 private:
  friend Result<Requirement> makeRequirement(std::string_view key, SelectorOperator op,
                                             std::vector<std::string> values,
                                             std::string_view fieldPath);
  friend Result<Requirement> makeRequirement(std::string_view key, std::string_view op,
                                             std::vector<std::string> values,
                                             std::string_view fieldPath);
  friend Selector selectorFromSet(const Labels& labels);
  friend Result<Selector> fromLabelSelector(const LabelSelector& selector);

  // Skips validation; for sets whose entries the caller has validated (or chooses not to).
  static Requirement unchecked(std::string key, SelectorOperator op,
                               std::vector<std::string> values);

  std::string key_;
  SelectorOperator op_ = SelectorOperator::kNone;
  std::vector<std::string> values_;
  // The parsed value of a Gt/Lt requirement, so matching parses only the label side.
  std::int64_t bound_ = 0;
  bool hasBound_ = false;
};

// NewRequirement's rules: the key is a qualified name; In/NotIn need at least one value;
// =, ==, != exactly one; Exists/DoesNotExist none; Gt/Lt exactly one, an integer; every value is
// a valid label value. Errors (kInvalid) are upstream's field errors, e.g.
// `values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty`, each field
// prefixed with `fieldPath` + "." when it is given; several errors print as "[e1, e2]".
Result<Requirement> makeRequirement(std::string_view key, SelectorOperator op,
                                    std::vector<std::string> values,
                                    std::string_view fieldPath = {});
// As above with the operator spelled as in pkg/selection; an unknown spelling is reported as
// `operator: Unsupported value: "x": supported values: "in", "notin", ...`.
Result<Requirement> makeRequirement(std::string_view key, std::string_view op,
                                    std::vector<std::string> values,
                                    std::string_view fieldPath = {});

// A conjunction of requirements, or the "nothing" selector.
class Selector final {
 public:
  // Everything: no requirements, matches all label sets.
  Selector() = default;
  static Selector everything() { return Selector(); }
  // Matches no label set; prints as "" and is not empty() (upstream labels.Nothing()).
  static Selector nothing();
  // Keeps the requirements in the given order (toString() prints them in that order).
  static Selector fromRequirements(std::vector<Requirement> requirements);

  // Adds a requirement and re-sorts by key (stable), as upstream Add().
  Selector& add(Requirement requirement);

  bool matches(const Labels& labels) const;
  // True when the selector does not restrict (no requirements); false for nothing().
  bool empty() const { return !nothing_ && requirements_.empty(); }
  bool isNothing() const { return nothing_; }
  // Requirement strings joined by ",", exactly as upstream internalSelector.String().
  std::string toString() const;
  const std::vector<Requirement>& requirements() const { return requirements_; }

  bool operator==(const Selector&) const = default;

 private:
  std::vector<Requirement> requirements_;
  bool nothing_ = false;
};

// Parses the string form (labels.Parse): `[!]key [op value | in|notin (v1,v2,...)]` clauses
// joined by ",", blanks (space, tab, CR, LF) around tokens ignored; the result is sorted by key.
// Errors (kInvalid) carry upstream's message plus the byte offset in the input, e.g.
// `found '==', expected: ',' or 'end of string' (at offset 4 in "x==a==b")`.
Result<Selector> parseSelector(std::string_view text);

// Lexes `token` and reads it as a binary operator of the string form (in, notin, =, ==, !=, >,
// <), as the parser does after a key; anything else fails with upstream's message.
Result<SelectorOperator> parseSelectorOperator(std::string_view token);

// SelectorFromSet: key=value for every entry, sorted by key; no validation.
Selector selectorFromSet(const Labels& labels);
// ValidatedSelectorFromSet: as selectorFromSet, but keys and values must be valid.
Result<Selector> validatedSelectorFromSet(const Labels& labels);

// LabelSelectorAsSelector for a non-null meta/v1 LabelSelector: matchLabels as "=",
// matchExpressions In/NotIn/Exists/DoesNotExist; an empty selector selects everything. (A null
// selector selects nothing; callers holding std::optional use the overload below.) Errors name
// the offending field, e.g. `matchExpressions[1]: "Gte" is not a valid label selector operator`.
Result<Selector> fromLabelSelector(const LabelSelector& selector);
Result<Selector> fromLabelSelector(const std::optional<LabelSelector>& selector);

}  // namespace karpenter::api
