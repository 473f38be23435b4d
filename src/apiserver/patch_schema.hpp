#pragma once

// How each list field of the kinds the test apiserver serves merges, taken from the Go struct
// tags of k8s.io/api (patchStrategy/patchMergeKey, +listType/+listMapKey) and, for the
// Karpenter CRDs, from their OpenAPI x-kubernetes-list-type. Strategic merge patch and
// server-side apply both read it. Internal to src/apiserver.

#include <string>
#include <string_view>

namespace karpenter::apiserver {

enum class ListType {
  kAtomic,  // no tag: replaced whole (Node spec.taints, Pod spec.tolerations, ...)
  kMap,     // patchStrategy:"merge" patchMergeKey:<key>: elements merge by `key`
  kSet,     // patchStrategy:"merge" on a list of scalars: union (metadata.finalizers)
};

struct ListRule {
  ListType type = ListType::kAtomic;
  std::string key;          // kMap only
  bool retainKeys = false;  // patchStrategy:"merge,retainKeys" (Pod spec.volumes)
};

// The rule for the list at `path` (field names from the object root joined by '.', list
// elements not counted: "spec.containers.ports") of `kind`; atomic when the table has none.
ListRule listRule(std::string_view kind, std::string_view path);

}  // namespace karpenter::apiserver
