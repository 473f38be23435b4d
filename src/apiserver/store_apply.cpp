// Store::apply: server-side apply over the Store's create/update paths (see store.hpp for the
// subset implemented).

#include <algorithm>
#include <tuple>

#include "karpenter/apiserver/store.hpp"
#include "managed_fields.hpp"
#include "store_state.hpp"
#include "strategic_merge.hpp"

namespace karpenter::apiserver {
namespace {

using nlohmann::json;

struct Conflict {
  ManagedEntry* owner;
  FieldPath path;
};

// structured-merge-diff's manager as conflict messages print it.
std::string describe(const ManagedEntry& entry) {
  std::string text = json(entry.manager).dump();
  if (!entry.subresource.empty()) {
    text += " with subresource " + json(entry.subresource).dump();
  }
  if (entry.operation == "Update") {
    text += " using " + entry.apiVersion;
  }
  return text;
}

ApiError conflictError(std::vector<Conflict> conflicts) {
  std::stable_sort(conflicts.begin(), conflicts.end(), [](const Conflict& a, const Conflict& b) {
    return describe(*a.owner) < describe(*b.owner);
  });
  json causes = json::array();
  for (const Conflict& conflict : conflicts) {
    causes.push_back({{"reason", "FieldManagerConflict"},
                      {"message", "conflict with " + describe(*conflict.owner)},
                      {"field", pathString(conflict.path)}});
  }
  std::string message;
  if (conflicts.size() == 1) {
    message = "Apply failed with 1 conflict: conflict with " + describe(*conflicts[0].owner) +
              ": " + pathString(conflicts[0].path);
  } else {
    message = "Apply failed with " + std::to_string(conflicts.size()) + " conflicts:";
    std::string current;
    for (const Conflict& conflict : conflicts) {
      const std::string owner = describe(*conflict.owner);
      if (owner != current) {
        message += (current.empty() ? " " : "\n") + std::string("conflicts with ") + owner + ":";
        current = owner;
      }
      message += "\n- " + pathString(conflict.path);
    }
  }
  return ApiError{409, "Conflict", message, {{"causes", causes}}};
}

ApiError missingFieldManager() {
  return ApiError{422,
                  "Invalid",
                  "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is "
                  "required for apply patch",
                  {{"group", "meta.k8s.io"},
                   {"kind", "PatchOptions"},
                   {"causes",
                    {{{"reason", "FieldValueRequired"},
                      {"message", "Required value: is required for apply patch"},
                      {"field", "fieldManager"}}}}}};
}

// True when `entry` owns `path` or anything below it.
bool ownsAtOrBelow(const ManagedEntry& entry, const FieldPath& path) {
  for (auto it = entry.fields.lower_bound(path); it != entry.fields.end(); ++it) {
    if (it->size() < path.size() || !std::equal(path.begin(), path.end(), it->begin())) {
      break;
    }
    return true;
  }
  return false;
}

// Equal entries apart from their times (empty entries are never written).
bool sameOwnership(const std::vector<ManagedEntry>& a, const std::vector<ManagedEntry>& b) {
  auto key = [](const std::vector<ManagedEntry>& entries) {
    std::vector<std::tuple<std::string, std::string, std::string, std::string, FieldSet>> out;
    for (const ManagedEntry& e : entries) {
      if (!e.fields.empty()) {
        out.emplace_back(e.manager, e.operation, e.subresource, e.apiVersion, e.fields);
      }
    }
    return out;
  };
  return key(a) == key(b);
}

}  // namespace

ApiResult<ApplyResult> Store::apply(const Gvr& gvr, const std::string& ns, const std::string& name,
                                    const json& config, const ApplyOptions& options,
                                    Subresource sub) {
  std::lock_guard lock(state_->mutex);
  const auto index = state_->indexOf(gvr);
  if (!index) {
    return unknownResource();
  }
  const ResourceInfo& info = state_->resources[*index];
  if (options.fieldManager.empty()) {
    return missingFieldManager();
  }
  if (!config.is_object() || (config.contains("metadata") && !config["metadata"].is_object())) {
    return badRequest("the applied configuration must be an object");
  }
  if (config.value("apiVersion", "") != info.apiVersion() ||
      config.value("kind", "") != info.kind) {
    return badRequest("the applied configuration's apiVersion and kind (" +
                      config.value("apiVersion", "") + ", " + config.value("kind", "") +
                      ") must be those of the resource (" + info.apiVersion() + ", " + info.kind +
                      ")");
  }
  json applied = config;
  json& metadata = applied["metadata"];
  if (const std::string bodyName = metadata.value("name", "");
      !bodyName.empty() && bodyName != name) {
    return badRequest("the name of the object (" + bodyName +
                      ") does not match the name on the URL (" + name + ")");
  }
  metadata["name"] = name;
  const bool status = sub == Subresource::kStatus;
  const FieldScope scope{.withStatus = !info.hasStatus || status, .onlyStatus = status};
  if (!scope.withStatus) {
    applied.erase("status");
  }
  if (scope.onlyStatus) {
    applied = {{"apiVersion", applied["apiVersion"]},
               {"kind", applied["kind"]},
               {"metadata", {{"name", name}}},
               {"status", applied.value("status", json::object())}};
  }
  const auto appliedFields = collectFields(info.kind, applied, scope);
  ManagedEntry applier{options.fieldManager,   "Apply", info.apiVersion(), state_->now(),
                       status ? "status" : "", {}};
  for (const auto& [path, value] : appliedFields) {
    applier.fields.insert(path);
  }

  const std::string key = objectKey(info.namespaced ? ns : "", name);
  auto live = state_->objects[*index].find(key);
  if (live == state_->objects[*index].end()) {
    if (status) {
      return notFound(info.group, info.resource, name);
    }
    writeManagedFields(applied, {applier});
    auto created = createLocked(*state_, *index, ns, std::move(applied), "");
    if (!created) {
      return created.error();
    }
    return ApplyResult{std::move(created).value(), true};
  }

  std::vector<ManagedEntry> entries = readManagedFields(live->second);
  std::vector<Conflict> conflicts;
  for (ManagedEntry& entry : entries) {
    if (entry.sameOwner(applier)) {
      continue;
    }
    for (const FieldPath& path : entry.fields) {
      auto want = appliedFields.find(path);
      if (want == appliedFields.end() || want->second == nullptr) {
        continue;  // not applied, or a list element (owned by presence: shared, never in conflict)
      }
      const json* have = fieldAt(live->second, path);
      if (have == nullptr || *have != *want->second) {
        conflicts.push_back({&entry, path});
      }
    }
  }
  if (!conflicts.empty() && !options.force) {
    return conflictError(std::move(conflicts));
  }
  for (const Conflict& conflict : conflicts) {
    conflict.owner->fields.erase(conflict.path);
  }

  auto merged = applyStrategicMerge(info.kind, live->second, applied);
  if (!merged) {
    return merged.error();
  }
  json object = std::move(merged).value();
  auto own = std::find_if(entries.begin(), entries.end(),
                          [&](const ManagedEntry& entry) { return entry.sameOwner(applier); });
  if (own != entries.end()) {
    // Fields this manager applied before and dropped now go, unless someone else holds them.
    // Parents sort before their children; once a parent goes, its children go with it.
    std::vector<FieldPath> removed;
    for (const FieldPath& path : own->fields) {
      const bool underRemoved =
          std::any_of(removed.begin(), removed.end(), [&](const FieldPath& r) {
            return r.size() < path.size() && std::equal(r.begin(), r.end(), path.begin());
          });
      if (underRemoved || applier.fields.contains(path)) {
        continue;
      }
      const bool shared = std::any_of(entries.begin(), entries.end(), [&](const ManagedEntry& e) {
        return !e.sameOwner(applier) && ownsAtOrBelow(e, path);
      });
      if (!shared) {
        removeField(object, path);
        removed.push_back(path);
      }
    }
    own->fields = applier.fields;
    own->time = applier.time;
    own->apiVersion = applier.apiVersion;
  } else {
    entries.push_back(applier);
  }
  if (sameOwnership(entries, readManagedFields(live->second))) {
    // Only the entry's time would change: upstream keeps the old one, so the apply is a no-op.
    if (const json* kept = fieldAt(live->second, {"f:metadata", "f:managedFields"})) {
      object["metadata"]["managedFields"] = *kept;
    }
  } else {
    writeManagedFields(object, entries);
  }
  auto updated = updateLocked(*state_, *index, ns, name, std::move(object), sub, "");
  if (!updated) {
    return updated.error();
  }
  return ApplyResult{std::move(updated).value(), false};
}

}  // namespace karpenter::apiserver
