#pragma once

// Internal to the Store's translation units: its state and the helpers they share. Every
// function here expects State::mutex to be held by the caller.

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "field_selector.hpp"
#include "karpenter/api/label_selector.hpp"
#include "karpenter/apiserver/store.hpp"

namespace karpenter::apiserver {

// Objects of one resource ordered by key: "namespace/name" or "name" (etcd's key order).
using ObjectMap = std::map<std::string, nlohmann::json, std::less<>>;

struct HistoryEvent {
  uint64_t resourceVersion = 0;
  size_t resourceIndex = 0;
  std::string key;
  std::string type;                        // ADDED, MODIFIED, DELETED
  nlohmann::json object;                   // state after the event (last state for DELETED)
  std::optional<nlohmann::json> previous;  // state before (none for ADDED)
};

struct Watcher {
  size_t resourceIndex = 0;
  std::string ns;
  api::Selector labels;
  FieldSelector fields;
  bool bookmarks = false;
  WatchSink sink;
};

struct Store::State {
  std::vector<ResourceInfo> resources;
  Options options;
  mutable std::mutex mutex;
  uint64_t resourceVersion = 0;
  std::vector<ObjectMap> objects;  // indexed like `resources`
  std::deque<HistoryEvent> history;
  uint64_t compactedThrough = 0;  // events with resourceVersion <= this are forgotten
  std::map<uint64_t, Watcher> watchers;
  uint64_t nextWatchId = 1;
  std::mt19937_64 random;

  std::optional<size_t> indexOf(const Gvr& gvr) const;
  // Records a change: assigns the next resourceVersion to `object`, stores it (or erases it for
  // DELETED), appends to the history (trimming it to the window) and notifies watchers.
  nlohmann::json commit(size_t index, const std::string& key, const std::string& type,
                        nlohmann::json object, std::optional<nlohmann::json> previous);
  std::string now() const;  // RFC 3339, seconds, UTC
};

std::string objectKey(const std::string& ns, const std::string& name);
// 404 "the server could not find the requested resource".
ApiError unknownResource();
uint64_t parseResourceVersion(const nlohmann::json& object);
bool matchesWatch(const Watcher& watcher, const nlohmann::json& object);
// Parses label and field selectors for resource `info` (400 on error).
ApiResult<std::pair<api::Selector, FieldSelector>> parseSelectors(const ResourceInfo& info,
                                                                  const std::string& labels,
                                                                  const std::string& fields);
bool labelsMatch(const api::Selector& selector, const nlohmann::json& object);

// Shared by update, patch and the pod subresources: writes `object` over the stored one with
// upstream's update rules (see Store::update). The mutex must be held.
// `fieldManager` non-empty records the write as that manager's Update in managedFields.
ApiResult<nlohmann::json> updateLocked(Store::State& state, size_t index, const std::string& ns,
                                       const std::string& name, nlohmann::json object,
                                       Subresource sub, const std::string& fieldManager = "");
// Store::create's body. The mutex must be held.
ApiResult<nlohmann::json> createLocked(Store::State& state, size_t index, const std::string& ns,
                                       nlohmann::json object, const std::string& fieldManager);
// Deletes (or, with finalizers, marks for deletion) a stored object. The mutex must be held.
ApiResult<nlohmann::json> removeLocked(Store::State& state, size_t index, const std::string& ns,
                                       const std::string& name, const DeleteOptions& options);

}  // namespace karpenter::apiserver
