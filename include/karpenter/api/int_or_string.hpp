#pragma once

#include <nlohmann/json.hpp>

#include "karpenter/api/codec.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::api {

// intstr.IntOrString fields (PodDisruptionBudget minAvailable/maxUnavailable, rolling-update
// surge, …) are kept as the raw JSON value (a number, a string, or null when absent) so they
// round-trip exactly; these helpers give them meaning. All functions are pure and thread-safe.

// True when `value` is an integer JSON number within int32 or a string (the two legal forms).
bool isIntOrString(const nlohmann::json& value);

// apimachinery GetScaledValueFromIntOrPercent: an integer is returned as is; a percentage string
// ("10%") is scaled against `total`, rounding up or down. Errors (kInvalid): null, a string that
// is not a percentage ("10"), a malformed percentage ("%", "#%"), or any other JSON type.
Result<int> scaledValue(const nlohmann::json& intOrString, int total, bool roundUp);

// Decode-time check for an IntOrString member read through the codec: records an error naming
// `field` ("<parent path>: <field>: expected an integer or a string, got a boolean") when the
// value is neither. Null (absent) is accepted.
void checkIntOrString(Decoder& decoder, const char* field, const nlohmann::json& value);

}  // namespace karpenter::api
