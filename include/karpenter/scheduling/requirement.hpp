#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "karpenter/api/selectors.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::scheduling {

// Node selector operators. Gte/Lte are Karpenter's own (v1.9+); the rest are core/v1.
enum class Operator { kIn, kNotIn, kExists, kDoesNotExist, kGt, kLt, kGte, kLte };

std::optional<Operator> parseOperator(std::string_view name);
std::string_view operatorName(Operator op);

// One label key's allowed values: a finite set ("In"), or the complement of a finite set
// ("NotIn"/"Exists"), optionally narrowed by inclusive integer bounds (Gt N is stored as Gte N+1,
// Lt N as Lte N-1), plus Karpenter's minValues flexibility.
//
// Invariants: values are sorted and unique; bounds only exist on complement sets (intersecting a
// finite set with bounds filters the set and drops the bounds); an empty finite set means
// DoesNotExist. The key is normalised (beta aliases → stable names) on construction.
//
// A value type; not synchronised — share only as const.
class Requirement final {
 public:
  // Validates like the API server: In/NotIn need at least one value; Exists/DoesNotExist take
  // none; Gt/Lt/Gte/Lte take exactly one integer. Errors name the key and operator.
  static Result<Requirement> create(std::string_view key, std::string_view op,
                                    const std::vector<std::string>& values,
                                    std::optional<int> minValues = std::nullopt);
  static Result<Requirement> fromNodeSelectorRequirement(const api::NodeSelectorRequirement& r);

  // Infallible constructors for code that builds requirements from trusted data.
  static Requirement in(std::string_view key, std::vector<std::string> values,
                        std::optional<int> minValues = std::nullopt);
  static Requirement notIn(std::string_view key, std::vector<std::string> values);
  static Requirement exists(std::string_view key);
  static Requirement doesNotExist(std::string_view key);
  static Requirement gte(std::string_view key, int64_t bound);
  static Requirement lte(std::string_view key, int64_t bound);
  static Requirement gt(std::string_view key, int64_t bound);  // ≡ gte(bound + 1)
  static Requirement lt(std::string_view key, int64_t bound);  // ≡ lte(bound - 1)

  const std::string& key() const { return key_; }
  bool complement() const { return complement_; }
  // The finite set (In) or the excluded set (NotIn), sorted.
  const std::vector<std::string>& values() const { return values_; }
  std::optional<int64_t> greaterThanOrEqual() const { return gte_; }
  std::optional<int64_t> lessThanOrEqual() const { return lte_; }
  std::optional<int> minValues() const { return minValues_; }
  void setMinValues(std::optional<int> minValues) { minValues_ = minValues; }

  // The set-level operator: In, NotIn, Exists (a complement with nothing excluded, bounds or not)
  // or DoesNotExist (empty finite set).
  Operator op() const;

  // Both requirements' constraints at once; the key is this one's, minValues the larger.
  Requirement intersection(const Requirement& other) const;
  // Whether intersection(other) would allow any value, without building it (hot path).
  bool intersects(const Requirement& other) const;

  bool has(std::string_view value) const;
  // Number of allowed values; a complement counts as INT64_MAX minus the excluded values.
  int64_t len() const;
  // A deterministic allowed value: the smallest In value, or for a complement the smallest
  // allowed integer from max(0, gte) (or from lte when lte < 0); "" when nothing is allowed.
  std::string any() const;

  // Back to API form. Usually one requirement; a complement with both exclusions and bounds, or
  // with both bounds, needs one per constraint so that re-adding them round-trips.
  std::vector<api::NodeSelectorRequirement> toNodeSelectorRequirements() const;

  // Upstream's format: "key In [a b]", "key NotIn [x]", "key Exists", "key DoesNotExist", more
  // than five values elided as "and N others", then " >=N", " <=N", " minValues N" when set.
  std::string toString() const;

  bool operator==(const Requirement&) const = default;

 private:
  Requirement() = default;
  static Requirement make(std::string_view key, bool complement, std::vector<std::string> values,
                          std::optional<int> minValues);

  std::string key_;
  bool complement_ = false;
  std::vector<std::string> values_;
  std::optional<int64_t> gte_;
  std::optional<int64_t> lte_;
  std::optional<int> minValues_;
};

// Parses a base-10 int64 (optional leading '-'); nullopt for anything else.
std::optional<int64_t> parseInt64(std::string_view text);

}  // namespace karpenter::scheduling
