#pragma once

#include <string_view>
#include <vector>

#include "karpenter/api/meta.hpp"

namespace karpenter::api {

// Status-condition helpers shared by NodePool, NodeClaim and EC2NodeClass (upstream
// awslabs/operatorpkg status.ConditionSet). Pure functions over the condition list; the caller
// supplies the current time as an RFC 3339 string, so nothing here reads a clock.

inline constexpr std::string_view kConditionTrue = "True";
inline constexpr std::string_view kConditionFalse = "False";
inline constexpr std::string_view kConditionUnknown = "Unknown";

// Condition types used by more than one kind.
inline constexpr std::string_view kConditionTypeReady = "Ready";
inline constexpr std::string_view kConditionTypeValidationSucceeded = "ValidationSucceeded";

// The condition of `type`, or nullptr. The pointer is invalidated by any change to the vector.
const Condition* findCondition(const std::vector<Condition>& conditions, std::string_view type);

// True when the condition of `type` exists with status "True".
bool isConditionTrue(const std::vector<Condition>& conditions, std::string_view type);

// Adds or updates the condition of `desired.type` with desired's status, reason, message and
// observedGeneration. lastTransitionTime becomes `now` only when the condition is new or its
// status changes; otherwise the existing time is kept (desired.lastTransitionTime is ignored).
// Returns true when anything in the list changed.
bool setCondition(std::vector<Condition>& conditions, Condition desired, std::string_view now);

// Removes the condition of `type`; returns true when one was removed.
bool clearCondition(std::vector<Condition>& conditions, std::string_view type);

}  // namespace karpenter::api
