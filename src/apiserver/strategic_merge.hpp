#pragma once

// Strategic merge patch (application/strategic-merge-patch+json) as
// k8s.io/apimachinery/pkg/util/strategicpatch applies it, with the list rules of
// patch_schema.hpp. Internal to src/apiserver.

#include <string_view>

#include <nlohmann/json.hpp>

#include "karpenter/apiserver/status.hpp"

namespace karpenter::apiserver {

// Applies `patch` to `original` (an object of `kind`):
// - maps merge recursively; null deletes a field; scalars and atomic lists replace;
// - lists with a merge key merge element by element (an element with `$patch: delete` removes
//   the original element with that key; a `{"$patch": "replace"}` element replaces the list);
//   lists of scalars with strategy merge are unions (first occurrence kept, no sorting);
// - a map with `$patch: replace` replaces the original map, `$patch: delete` removes it;
// - `$retainKeys: [..]` drops the original keys not listed;
// - `$deleteFromPrimitiveList/<field>: [..]` removes those values from a scalar list;
// - `$setElementOrder/<field>: [..]` orders the merged list: the listed elements in that order,
//   elements only on the server interleaved at their original positions.
// Errors (400): a patch that is not an object, an unknown `$patch` value, a list element without
// its declared merge key.
ApiResult<nlohmann::json> applyStrategicMerge(std::string_view kind, const nlohmann::json& original,
                                              const nlohmann::json& patch);

}  // namespace karpenter::apiserver
