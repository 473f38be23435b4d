#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "karpenter/api/selectors.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::scheduling {

// kube-scheduler's node affinity matching (k8s component-helpers
// scheduling/corev1/nodeaffinity), evaluated against a node's labels and name.
//
// Semantics: terms are ORed; a term with neither matchExpressions nor matchFields matches nothing;
// within a term everything is ANDed. In needs the label with a listed value; NotIn and
// DoesNotExist also match an absent label; Gt/Lt need one integer value and an integer label.
// matchFields support only metadata.name with In/NotIn and exactly one value, and (as upstream)
// are skipped for a node without a name. A term that fails to parse (bad key, value or operator)
// matches nothing; its errors are reported only when no term matched.
//
// The classes compile their input once and are immutable afterwards: safe to share across threads.

namespace detail {

struct LabelMatcher {
  std::string key;
  std::string op;
  std::vector<std::string> values;  // sorted
  int64_t bound = 0;                // Gt/Lt
};

struct CompiledTerm {
  std::vector<LabelMatcher> expressions;
  std::vector<LabelMatcher> fields;
  std::vector<std::string> errors;
  bool empty = true;

  bool matches(const api::Labels& labels, std::string_view nodeName) const;
};

}  // namespace detail

// A required NodeSelector (ORed terms).
class NodeSelectorMatcher final {
 public:
  explicit NodeSelectorMatcher(const api::NodeSelector& selector);

  // true when some term matches; an Invalid error listing parse errors when none matched and some
  // term was malformed; otherwise false.
  Result<bool> match(const api::Labels& labels, std::string_view nodeName) const;
  // The parse errors of all terms, joined; ok when every term is well formed.
  Result<void> validate() const;

 private:
  std::vector<detail::CompiledTerm> terms_;
};

// A pod's nodeSelector AND its required node affinity (absent affinity matches every node).
class RequiredNodeAffinity final {
 public:
  RequiredNodeAffinity(const api::Labels& nodeSelector,
                       const std::optional<api::NodeAffinity>& affinity);

  Result<bool> match(const api::Labels& labels, std::string_view nodeName) const;
  // match() with errors counted as "does not match".
  bool matches(const api::Labels& labels, std::string_view nodeName) const;

 private:
  api::Labels nodeSelector_;
  std::optional<NodeSelectorMatcher> required_;
};

// Preferred scheduling terms; terms of weight 0 are dropped unparsed, as upstream.
class PreferredSchedulingTerms final {
 public:
  // Fails with the joined parse errors of any weighted term.
  static Result<PreferredSchedulingTerms> create(
      std::span<const api::PreferredSchedulingTerm> terms);

  // Sum of the weights of the matching terms.
  int64_t score(const api::Labels& labels, std::string_view nodeName) const;

 private:
  PreferredSchedulingTerms() = default;
  std::vector<std::pair<int64_t, detail::CompiledTerm>> terms_;
};

// Label syntax checks used while compiling terms (apimachinery validation).
bool isQualifiedName(std::string_view key);
bool isValidLabelValue(std::string_view value);

}  // namespace karpenter::scheduling
