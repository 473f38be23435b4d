#pragma once

#include <nlohmann/json.hpp>

#include "karpenter/util/result.hpp"

namespace karpenter::api {

// JSON Patch (RFC 6902) and JSON Merge Patch (RFC 7386), on nlohmann::json's implementation
// (json::patch, json::diff, json::merge_patch), with errors returned as values.

// Applies `patch` (an array of operations) to `document`. An invalid patch or a failing
// operation (missing path, failed "test") gives kInvalid naming the operation index; `document`
// itself is never modified.
Result<nlohmann::json> applyJsonPatch(const nlohmann::json& document, const nlohmann::json& patch);

// A JSON Patch that turns `from` into `to` (applyJsonPatch(from, result) == to).
nlohmann::json createJsonPatch(const nlohmann::json& from, const nlohmann::json& to);

// Applies an RFC 7386 merge patch: objects merge recursively, null deletes, anything else replaces.
nlohmann::json applyMergePatch(const nlohmann::json& document, const nlohmann::json& patch);

// The smallest merge patch that turns `from` into `to`. Arrays are replaced whole, and a value
// that becomes null cannot be expressed (RFC 7386 §1), so such keys are deleted instead.
nlohmann::json createMergePatch(const nlohmann::json& from, const nlohmann::json& to);

}  // namespace karpenter::api
