#pragma once

#include <string_view>

#include "karpenter/admission/field_errors.hpp"
#include "karpenter/api/nodeclaim.hpp"
#include "karpenter/api/nodepool.hpp"

namespace karpenter::admission {

// Admission validation of karpenter.sh/v1 NodePools and NodeClaims: the CRD schema and CEL rules
// plus upstream's runtime checks (karpenter-behaviour.md §1.1-§1.3, §3). Every violation is
// returned, each naming its field path; an empty FieldErrors means the object is admitted.
// Objects are expected after CRD defaulting (see defaulting.hpp). Pure and thread-safe.

inline constexpr std::string_view kBudgetNodesPattern = "^((100|[0-9]{1,2})%|[0-9]+)$";
inline constexpr std::string_view kBudgetDurationPattern =
    "^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$";
inline constexpr std::size_t kMaxBudgets = 50;
inline constexpr std::size_t kMaxBudgetReasons = 50;

// CREATE: template labels, taints/startupTaints, requirements (karpenter.sh/nodepool forbidden),
// nodeClassRef, expireAfter, terminationGracePeriod, disruption (consolidateAfter, policy,
// budgets), limits (non-negative), weight 1-100 and the replicas rules.
FieldErrors validateNodePool(const api::NodePool& pool);

// UPDATE: everything validateNodePool checks on `updated`, plus nodeClassRef group and kind
// immutable and spec.replicas neither added nor removed.
FieldErrors validateNodePoolUpdate(const api::NodePool& old, const api::NodePool& updated);

// CREATE: requirements (karpenter.sh/nodepool allowed), taints/startupTaints, nodeClassRef,
// expireAfter, terminationGracePeriod, resources.requests non-negative.
FieldErrors validateNodeClaim(const api::NodeClaim& claim);

// UPDATE: validateNodeClaim on `updated`, plus spec immutable ("spec is immutable").
FieldErrors validateNodeClaimUpdate(const api::NodeClaim& old, const api::NodeClaim& updated);

}  // namespace karpenter::admission
