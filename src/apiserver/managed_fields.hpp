#pragma once

// Field ownership for server-side apply (metadata.managedFields, FieldsV1), after
// sigs.k8s.io/structured-merge-diff: a field set is a set of paths; a path element is a field
// ("f:name"), a list-map element by its key ("k:{\"name\":\"c\"}"), or a set value ("v:\"x\"").
// Atomic lists, scalars and empty maps are leaves; a list-map element is itself a member (the
// "." entry of FieldsV1) besides its fields. Internal to src/apiserver.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace karpenter::apiserver {

using FieldPath = std::vector<std::string>;
using FieldSet = std::set<FieldPath>;

// The members of `object` (of `kind`) with, for leaves, their value (null for list-map elements,
// which are compared by presence only). Server-owned metadata (name, namespace, uid,
// resourceVersion, generation, creationTimestamp, deletion*, managedFields), apiVersion and kind
// are left out; so is `status` when `withStatus` is false and everything but status when
// `onlyStatus` is true.
struct FieldScope {
  bool withStatus = true;
  bool onlyStatus = false;
};
std::map<FieldPath, const nlohmann::json*> collectFields(std::string_view kind,
                                                         const nlohmann::json& object,
                                                         FieldScope scope);

// The value at `path` in `object`, or null when absent.
const nlohmann::json* fieldAt(const nlohmann::json& object, const FieldPath& path);
// Removes the member at `path` (a field, list element or set value); no-op when absent.
void removeField(nlohmann::json& object, const FieldPath& path);

// FieldsV1 JSON ({"f:spec":{"f:replicas":{}}, ...}) to and from a set.
nlohmann::json encodeFieldsV1(const FieldSet& fields);
FieldSet decodeFieldsV1(const nlohmann::json& fields);

// ".spec.containers[name=\"c\"].image", as structured-merge-diff prints a path.
std::string pathString(const FieldPath& path);

// One metadata.managedFields entry.
struct ManagedEntry {
  std::string manager;
  std::string operation;  // "Apply" | "Update"
  std::string apiVersion;
  std::string time;
  std::string subresource;  // "" or "status"
  FieldSet fields;

  bool sameOwner(const ManagedEntry& other) const {
    return manager == other.manager && operation == other.operation &&
           subresource == other.subresource;
  }
};

std::vector<ManagedEntry> readManagedFields(const nlohmann::json& object);
// Writes `entries` (skipping empty ones) to metadata.managedFields; removes it when none.
void writeManagedFields(nlohmann::json& object, const std::vector<ManagedEntry>& entries);

// An Update (create, PUT, non-apply PATCH) by `manager`: it takes the fields that are new or
// changed from `before` (null on create) to `after`, other managers lose them, and every
// manager loses fields no longer in `after`. Leaves `after`'s managedFields untouched when
// nothing changed hands (so a no-op write stays a no-op).
void recordUpdate(std::string_view kind, const nlohmann::json* before, nlohmann::json& after,
                  const ManagedEntry& manager);

}  // namespace karpenter::apiserver
