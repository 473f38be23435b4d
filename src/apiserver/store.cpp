#include "karpenter/apiserver/store.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "karpenter/api/patch.hpp"
#include "karpenter/util/time.hpp"
#include "managed_fields.hpp"
#include "store_state.hpp"
#include "strategic_merge.hpp"

namespace karpenter::apiserver {
namespace {

constexpr const char* kModified =
    "the object has been modified; please apply your changes to the latest version and try again";

std::string generateUid(std::mt19937_64& random) {
  // A version-4 UUID; randomness comes from the seeded engine so tests are reproducible.
  const uint64_t high = random();
  const uint64_t low = random();
  char buffer[37];
  std::snprintf(buffer, sizeof(buffer), "%08x-%04x-4%03x-%04x-%012llx",
                static_cast<unsigned>(high >> 32), static_cast<unsigned>((high >> 16) & 0xffff),
                static_cast<unsigned>(high & 0x0fff),
                static_cast<unsigned>(((low >> 48) & 0x3fff) | 0x8000),
                static_cast<unsigned long long>(low & 0xffffffffffffULL));
  return buffer;
}

// Upstream's names.SimpleNameGenerator: five characters from an alphabet without vowels.
std::string randomSuffix(std::mt19937_64& random) {
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string suffix;
  for (int i = 0; i < 5; ++i) {
    suffix += kAlphabet[random() % kAlphabet.size()];
  }
  return suffix;
}

// Everything outside metadata and status: a change here bumps metadata.generation.
nlohmann::json specPart(const nlohmann::json& object) {
  nlohmann::json copy = object;
  copy.erase("metadata");
  copy.erase("status");
  return copy;
}

std::string stringField(const nlohmann::json& metadata, const char* name) {
  auto it = metadata.find(name);
  return it != metadata.end() && it->is_string() ? it->get<std::string>() : "";
}

bool hasFinalizers(const nlohmann::json& object) {
  const nlohmann::json& metadata = object["metadata"];
  auto it = metadata.find("finalizers");
  return it != metadata.end() && it->is_array() && !it->empty();
}

}  // namespace

std::string objectKey(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : ns + "/" + name;
}

ApiError unknownResource() {
  return ApiError{404, "NotFound", "the server could not find the requested resource",
                  nlohmann::json::object()};
}

uint64_t parseResourceVersion(const nlohmann::json& object) {
  const std::string text = stringField(object["metadata"], "resourceVersion");
  return text.empty() ? 0 : std::stoull(text);
}

std::optional<size_t> Store::State::indexOf(const Gvr& gvr) const {
  for (size_t i = 0; i < resources.size(); ++i) {
    const ResourceInfo& info = resources[i];
    if (info.group == gvr.group && info.version == gvr.version && info.resource == gvr.resource) {
      return i;
    }
  }
  return std::nullopt;
}

std::string Store::State::now() const {
  return formatRfc3339(options.clock());
}

Store::Store(std::vector<ResourceInfo> resources, Options options)
    : state_(std::make_unique<State>()) {
  state_->objects.resize(resources.size());
  state_->resources = std::move(resources);
  state_->random.seed(options.seed);
  state_->options = std::move(options);
}

Store::~Store() = default;

const std::vector<ResourceInfo>& Store::resources() const {
  return state_->resources;
}

const ResourceInfo* Store::find(const Gvr& gvr) const {
  const auto index = state_->indexOf(gvr);
  return index ? &state_->resources[*index] : nullptr;
}

std::string Store::resourceVersion() const {
  std::lock_guard lock(state_->mutex);
  return std::to_string(state_->resourceVersion);
}

ApiResult<nlohmann::json> Store::create(const Gvr& gvr, const std::string& ns,
                                        nlohmann::json object, const std::string& fieldManager) {
  std::lock_guard lock(state_->mutex);
  const auto index = state_->indexOf(gvr);
  if (!index) {
    return unknownResource();
  }
  return createLocked(*state_, *index, ns, std::move(object), fieldManager);
}

ApiResult<nlohmann::json> createLocked(Store::State& state, size_t index, const std::string& ns,
                                       nlohmann::json object, const std::string& fieldManager) {
  const ResourceInfo& info = state.resources[index];
  if (!object.is_object()) {
    return badRequest("the body of the request must be a JSON object");
  }
  nlohmann::json& metadata = object["metadata"];
  if (!metadata.is_object()) {
    metadata = nlohmann::json::object();
  }
  const std::string objectNs = stringField(metadata, "namespace");
  if (info.namespaced) {
    if (!objectNs.empty() && objectNs != ns) {
      return badRequest(
          "the namespace of the provided object does not match the namespace sent on the request");
    }
    if (ns.empty()) {
      return invalid(info.group, info.kind, stringField(metadata, "name"), "metadata.namespace",
                     "Required value");
    }
    metadata["namespace"] = ns;
  } else {
    metadata.erase("namespace");
  }
  std::string name = stringField(metadata, "name");
  if (name.empty()) {
    const std::string prefix = stringField(metadata, "generateName");
    if (prefix.empty()) {
      return invalid(info.group, info.kind, "", "metadata.name",
                     "Required value: name or generateName is required");
    }
    name = prefix + randomSuffix(state.random);
    metadata["name"] = name;
  }
  const std::string key = objectKey(info.namespaced ? ns : "", name);
  if (state.objects[index].contains(key)) {
    return alreadyExists(info.group, info.resource, name);
  }
  object["apiVersion"] = info.apiVersion();
  object["kind"] = info.kind;
  metadata["uid"] = generateUid(state.random);
  metadata["creationTimestamp"] = state.now();
  metadata["generation"] = 1;
  metadata.erase("deletionTimestamp");
  metadata.erase("deletionGracePeriodSeconds");
  if (!fieldManager.empty()) {
    recordUpdate(info.kind, nullptr, object,
                 {fieldManager, "Update", info.apiVersion(), state.now(), "", {}});
  }
  return state.commit(index, key, "ADDED", std::move(object), std::nullopt);
}

ApiResult<nlohmann::json> Store::get(const Gvr& gvr, const std::string& ns,
                                     const std::string& name) const {
  std::lock_guard lock(state_->mutex);
  const auto index = state_->indexOf(gvr);
  if (!index) {
    return unknownResource();
  }
  const ResourceInfo& info = state_->resources[*index];
  const ObjectMap& objects = state_->objects[*index];
  auto it = objects.find(objectKey(info.namespaced ? ns : "", name));
  if (it == objects.end()) {
    return notFound(info.group, info.resource, name);
  }
  return it->second;
}

ApiResult<nlohmann::json> updateLocked(Store::State& state, size_t index, const std::string& ns,
                                       const std::string& name, nlohmann::json object,
                                       Subresource sub, const std::string& fieldManager) {
  const ResourceInfo& info = state.resources[index];
  const std::string key = objectKey(info.namespaced ? ns : "", name);
  auto it = state.objects[index].find(key);
  if (it == state.objects[index].end()) {
    return notFound(info.group, info.resource, name);
  }
  const nlohmann::json& old = it->second;
  if (!object.is_object() || (object.contains("metadata") && !object["metadata"].is_object())) {
    return badRequest("the body of the request must be a JSON object");
  }
  nlohmann::json& metadata = object["metadata"];
  const std::string bodyName = stringField(metadata, "name");
  if (!bodyName.empty() && bodyName != name) {
    return badRequest("the name of the object (" + bodyName +
                      ") does not match the name on the URL (" + name + ")");
  }
  const std::string bodyRv = stringField(metadata, "resourceVersion");
  if (!bodyRv.empty() && bodyRv != stringField(old["metadata"], "resourceVersion")) {
    return conflict(info.group, info.resource, name, kModified);
  }
  const std::string bodyUid = stringField(metadata, "uid");
  const std::string oldUid = stringField(old["metadata"], "uid");
  if (!bodyUid.empty() && bodyUid != oldUid) {
    return conflict(
        info.group, info.resource, name,
        "Precondition failed: UID in precondition: " + bodyUid + ", UID in object meta: " + oldUid);
  }
  nlohmann::json updated;
  if (sub == Subresource::kStatus) {
    // Status writes change .status, plus labels and annotations (ResetObjectMetaForStatus).
    updated = old;
    for (const char* field : {"labels", "annotations"}) {
      if (metadata.contains(field)) {
        updated["metadata"][field] = metadata[field];
      } else {
        updated["metadata"].erase(field);
      }
    }
    if (object.contains("status")) {
      updated["status"] = object["status"];
    } else {
      updated.erase("status");
    }
    if (fieldManager.empty() && metadata.contains("managedFields")) {
      updated["metadata"]["managedFields"] = metadata["managedFields"];  // an apply's result
    }
  } else {
    updated = std::move(object);
    nlohmann::json& meta = updated["metadata"];
    for (const char* field : {"name", "namespace", "uid", "creationTimestamp", "generation",
                              "deletionTimestamp", "deletionGracePeriodSeconds"}) {
      if (old["metadata"].contains(field)) {
        meta[field] = old["metadata"][field];
      } else {
        meta.erase(field);
      }
    }
    updated["apiVersion"] = info.apiVersion();
    updated["kind"] = info.kind;
    if (info.hasStatus) {
      if (old.contains("status")) {
        updated["status"] = old["status"];
      } else {
        updated.erase("status");
      }
    }
    if (old["metadata"].contains("deletionTimestamp")) {
      // While deleting, finalizers can only be removed.
      const nlohmann::json before = old["metadata"].value("finalizers", nlohmann::json::array());
      for (const auto& finalizer : meta.value("finalizers", nlohmann::json::array())) {
        if (std::find(before.begin(), before.end(), finalizer) == before.end()) {
          return invalid(info.group, info.kind, name, "metadata.finalizers",
                         "Forbidden: no new finalizers can be added if the object is being "
                         "deleted, found new finalizers [" +
                             finalizer.dump() + "]");
        }
      }
    }
    if (specPart(updated) != specPart(old)) {
      meta["generation"] = old["metadata"].value("generation", int64_t{0}) + 1;
    }
  }
  if (!fieldManager.empty()) {
    recordUpdate(info.kind, &old, updated,
                 {fieldManager,
                  "Update",
                  info.apiVersion(),
                  state.now(),
                  sub == Subresource::kStatus ? "status" : "",
                  {}});
  }
  updated["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"];
  if (updated == old) {
    return updated;  // a no-op write keeps the resourceVersion, as upstream's
  }
  if (updated["metadata"].contains("deletionTimestamp") && !hasFinalizers(updated)) {
    nlohmann::json previous = old;
    return state.commit(index, key, "DELETED", std::move(updated), std::move(previous));
  }
  nlohmann::json previous = old;
  return state.commit(index, key, "MODIFIED", std::move(updated), std::move(previous));
}

ApiResult<nlohmann::json> Store::update(const Gvr& gvr, const std::string& ns,
                                        const std::string& name, nlohmann::json object,
                                        Subresource sub, const std::string& fieldManager) {
  std::lock_guard lock(state_->mutex);
  const auto index = state_->indexOf(gvr);
  if (!index) {
    return unknownResource();
  }
  return updateLocked(*state_, *index, ns, name, std::move(object), sub, fieldManager);
}

ApiResult<nlohmann::json> Store::patch(const Gvr& gvr, const std::string& ns,
                                       const std::string& name, PatchType type,
                                       const nlohmann::json& patch, Subresource sub,
                                       const std::string& fieldManager) {
  std::lock_guard lock(state_->mutex);
  const auto index = state_->indexOf(gvr);
  if (!index) {
    return unknownResource();
  }
  const ResourceInfo& info = state_->resources[*index];
  if (type == PatchType::kStrategicMerge && info.custom) {
    return unsupportedMediaType({"application/json-patch+json", "application/merge-patch+json",
                                 "application/apply-patch+yaml"});
  }
  auto it = state_->objects[*index].find(objectKey(info.namespaced ? ns : "", name));
  if (it == state_->objects[*index].end()) {
    return notFound(info.group, info.resource, name);
  }
  nlohmann::json patched;
  if (type == PatchType::kJson) {
    auto result = api::applyJsonPatch(it->second, patch);
    if (!result) {
      return ApiError{422, "Invalid", result.error().message, nlohmann::json::object()};
    }
    patched = std::move(result).value();
  } else if (type == PatchType::kStrategicMerge) {
    auto result = applyStrategicMerge(info.kind, it->second, patch);
    if (!result) {
      return result.error();
    }
    patched = std::move(result).value();
  } else {
    if (!patch.is_object()) {
      return badRequest("a merge patch must be a JSON object");
    }
    patched = api::applyMergePatch(it->second, patch);
  }
  return updateLocked(*state_, *index, ns, name, std::move(patched), sub, fieldManager);
}

ApiResult<nlohmann::json> removeLocked(Store::State& state, size_t index, const std::string& ns,
                                       const std::string& name, const DeleteOptions& options) {
  const ResourceInfo& info = state.resources[index];
  const std::string key = objectKey(info.namespaced ? ns : "", name);
  auto it = state.objects[index].find(key);
  if (it == state.objects[index].end()) {
    return notFound(info.group, info.resource, name);
  }
  const nlohmann::json& old = it->second;
  const std::string uid = stringField(old["metadata"], "uid");
  const std::string rv = stringField(old["metadata"], "resourceVersion");
  if (!options.preconditionUid.empty() && options.preconditionUid != uid) {
    return conflict(info.group, info.resource, name,
                    "Precondition failed: UID in precondition: " + options.preconditionUid +
                        ", UID in object meta: " + uid);
  }
  if (!options.preconditionResourceVersion.empty() && options.preconditionResourceVersion != rv) {
    return conflict(info.group, info.resource, name,
                    "Precondition failed: ResourceVersion in precondition: " +
                        options.preconditionResourceVersion +
                        ", ResourceVersion in object meta: " + rv);
  }
  nlohmann::json previous = old;
  if (!hasFinalizers(old)) {
    nlohmann::json last = old;
    return state.commit(index, key, "DELETED", std::move(last), std::move(previous));
  }
  if (old["metadata"].contains("deletionTimestamp")) {
    return old;  // already being deleted: nothing changes until the finalizers are gone
  }
  nlohmann::json marked = old;
  marked["metadata"]["deletionTimestamp"] = state.now();
  marked["metadata"]["deletionGracePeriodSeconds"] = 0;
  marked["metadata"]["generation"] = old["metadata"].value("generation", int64_t{0}) + 1;
  return state.commit(index, key, "MODIFIED", std::move(marked), std::move(previous));
}

ApiResult<nlohmann::json> Store::remove(const Gvr& gvr, const std::string& ns,
                                        const std::string& name, const DeleteOptions& options) {
  std::lock_guard lock(state_->mutex);
  const auto index = state_->indexOf(gvr);
  if (!index) {
    return unknownResource();
  }
  return removeLocked(*state_, *index, ns, name, options);
}

}  // namespace karpenter::apiserver
