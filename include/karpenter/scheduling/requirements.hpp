#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "karpenter/api/selectors.hpp"
#include "karpenter/scheduling/requirement.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::scheduling {

// Which parts of a pod's node affinity become requirements.
enum class PodRequirementMode {
  kRequiredOnly,      // nodeSelector + the first required term (upstream NewStrictPodRequirements)
  kIncludePreferred,  // ... + the heaviest preferred term, treated as required (NewPodRequirements)
};

// A conjunction of Requirements, at most one per (normalised) key; adding a requirement for a key
// already present intersects the two. Stored as a vector sorted by key, so lookups are binary
// searches and compatibility checks are a single merge walk with no allocation.
//
// A value type; not synchronised — share only as const.
class Requirements final {
 public:
  using const_iterator = std::vector<Requirement>::const_iterator;

  Requirements() = default;
  explicit Requirements(std::vector<Requirement> requirements);

  // Fails with the first invalid requirement (see Requirement::create).
  static Result<Requirements> fromNodeSelectorRequirements(
      std::span<const api::NodeSelectorRequirement> requirements);
  // Each label becomes `key In [value]`.
  static Requirements fromLabels(const api::Labels& labels);
  // A pod's nodeSelector labels plus the first required node-affinity term (an outer loop relaxes
  // the remaining OR terms) and, in kIncludePreferred mode, the heaviest preferred term (the first
  // one on ties). matchFields are ignored here; callers reject such pods beforehand.
  static Result<Requirements> fromPod(const api::Labels& nodeSelector,
                                      const std::optional<api::NodeAffinity>& affinity,
                                      PodRequirementMode mode);

  void add(Requirement requirement);
  void add(const Requirements& other);

  bool has(std::string_view key) const { return find(key) != nullptr; }
  // nullptr when the key is unconstrained. Keys are normalised before the lookup.
  const Requirement* find(std::string_view key) const;
  // The requirement for `key`, or `key Exists` when unconstrained.
  Requirement get(std::string_view key) const;

  size_t size() const { return requirements_.size(); }
  bool empty() const { return requirements_.empty(); }
  const_iterator begin() const { return requirements_.begin(); }
  const_iterator end() const { return requirements_.end(); }
  std::vector<std::string> keys() const;

  // Whether a node (this: NodePool / NodeClaim / instance-type requirements) can satisfy
  // `incoming` (typically a pod's). Custom keys the incoming side requires must be defined here
  // unless its operator is NotIn or DoesNotExist; with allowUndefinedWellKnown, well-known keys
  // may be undefined here. Keys defined on both sides must intersect (two NotIn/DoesNotExist sides
  // always pass). The error describes the first problem, undefined keys before conflicts:
  //   incompatible requirements, label "foo" does not have known values[ (typo of "x"?)]
  //   incompatible requirements, key K, <incoming> not in <existing>
  Result<void> compatible(const Requirements& incoming, bool allowUndefinedWellKnown = false) const;
  // compatible() without building a message; the scheduler's hot path.
  bool isCompatible(const Requirements& incoming, bool allowUndefinedWellKnown = false) const;
  // Only the "keys defined on both sides intersect" half of compatible(); the error is
  // "key K, <incoming> not in <existing>" for the first conflicting key.
  Result<void> intersects(const Requirements& incoming) const;

  // Labels implied by single-valued In requirements.
  api::Labels labels() const;
  bool hasMinValues() const;
  // For every requirement with minValues, counts the distinct values it allows among the first
  // candidates' requirements for the same key, and returns how many leading candidates are needed
  // before every minimum is met (0 when nothing has minValues). Fails with
  // "minValues requirement is not met for label(s) k1, k2" when all candidates are not enough.
  Result<size_t> minValuesSatisfiedBy(std::span<const Requirements* const> candidates) const;

  std::vector<api::NodeSelectorRequirement> toNodeSelectorRequirements() const;
  // Requirements joined by ", " in key order, leaving out kubernetes.io/hostname (its values are
  // placeholders and would only add noise to messages).
  std::string toString() const;

  bool operator==(const Requirements&) const = default;

 private:
  std::vector<Requirement>::iterator lowerBound(std::string_view key);
  std::vector<Requirement>::const_iterator lowerBound(std::string_view key) const;
  std::string labelHint(std::string_view key, bool allowUndefinedWellKnown) const;

  std::vector<Requirement> requirements_;
};

}  // namespace karpenter::scheduling
