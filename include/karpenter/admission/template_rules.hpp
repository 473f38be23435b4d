#pragma once

#include <string_view>
#include <vector>

#include "karpenter/admission/field_errors.hpp"
#include "karpenter/api/meta.hpp"
#include "karpenter/api/nodeclaim.hpp"
#include "karpenter/api/selectors.hpp"

namespace karpenter::admission {

// Rules shared by NodePool templates and NodeClaims (karpenter-behaviour.md §1.1-§1.3, §3). Each
// function appends every violation under `path` to `errors`; none stops at the first. Pure.

// CRD patterns, reported verbatim in "should match" errors.
inline constexpr std::string_view kNillableDurationPattern = "^(([0-9]+(s|m|h))+|Never)$";
inline constexpr std::string_view kDurationPattern = "^([0-9]+(s|m|h))+$";
inline constexpr std::string_view kNodeClassGroupPattern = "^[^/]*$";
inline constexpr std::string_view kRequirementKeyPattern =
    "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(\\/"
    "))?([A-Za-z0-9][-A-Za-z0-"
    "9_.]*)?[A-Za-z0-9]$";
inline constexpr std::size_t kMaxRequirements = 100;
inline constexpr std::size_t kMaxRequirementKeyLength = 316;
inline constexpr int kMinValuesMin = 1;
inline constexpr int kMinValuesMax = 50;

struct RequirementRules {
  // NodeClaims may carry karpenter.sh/nodepool; NodePool templates may not.
  bool allowNodePoolKey = false;
};

// Requirements: required and ≤100; per requirement the key (normalised) pattern, length and
// restricted domains, the operator, label-value syntax of each value, In needs ≥ max(1, minValues)
// values, Gt/Lt/Gte/Lte need one non-negative integer, minValues 1-50, and capacity-type In must
// name at least one (and ≥ minValues) of on-demand/spot/reserved.
void validateRequirements(const std::vector<api::NodeSelectorRequirement>& requirements,
                          std::string_view path, RequirementRules rules, FieldErrors& errors);

// Taints at `taintsPath` and startup taints at `startupPath`: key required and qualified, value a
// label value, effect NoSchedule|PreferNoSchedule|NoExecute, no (key, effect) pair twice across
// both lists (the later occurrence is reported).
void validateTaints(const std::vector<api::Taint>& taints, std::string_view taintsPath,
                    const std::vector<api::Taint>& startupTaints, std::string_view startupPath,
                    FieldErrors& errors);

// Template labels: ≤100, keys qualified and not restricted (incl. karpenter.sh/nodepool), values
// label values.
void validateTemplateLabels(const api::Labels& labels, std::string_view path, FieldErrors& errors);

// nodeClassRef: group, kind, name required; group without '/'.
void validateNodeClassRef(const api::NodeClassReference& ref, std::string_view path,
                          FieldErrors& errors);

// Duration strings: "" (unset) is accepted by both.
void validateNillableDuration(std::string_view value, std::string_view path, FieldErrors& errors);
void validateDuration(std::string_view value, std::string_view path, FieldErrors& errors);

}  // namespace karpenter::admission
