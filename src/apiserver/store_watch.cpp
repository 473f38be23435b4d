#include <utility>

#include "store_state.hpp"

namespace karpenter::apiserver {
namespace {

nlohmann::json event(const std::string& type, nlohmann::json object) {
  return {{"type", type}, {"object", std::move(object)}};
}

// What a watcher sees of one change: selectors are applied to both states, so an object that
// stops matching is DELETED for the watcher and one that starts matching is ADDED (upstream's
// cacheWatcher.convertToWatchEvent).
std::optional<nlohmann::json> eventFor(const Watcher& watcher, const HistoryEvent& change) {
  if (watcher.resourceIndex != change.resourceIndex) {
    return std::nullopt;
  }
  const bool now = matchesWatch(watcher, change.object);
  const bool before = change.previous && matchesWatch(watcher, *change.previous);
  if (change.type == "DELETED") {
    return now ? std::optional(event("DELETED", change.object)) : std::nullopt;
  }
  if (now && before) {
    return event("MODIFIED", change.object);
  }
  if (now) {
    return event("ADDED", change.object);
  }
  if (before) {
    nlohmann::json last = *change.previous;
    last["metadata"]["resourceVersion"] = change.object["metadata"]["resourceVersion"];
    return event("DELETED", std::move(last));
  }
  return std::nullopt;
}

}  // namespace

bool labelsMatch(const api::Selector& selector, const nlohmann::json& object) {
  if (selector.empty()) {
    return true;
  }
  api::Labels labels;
  const nlohmann::json& metadata = object["metadata"];
  auto it = metadata.find("labels");
  if (it != metadata.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      if (value.is_string()) {
        labels.emplace(key, value.get<std::string>());
      }
    }
  }
  return selector.matches(labels);
}

bool matchesWatch(const Watcher& watcher, const nlohmann::json& object) {
  if (!watcher.ns.empty() && object["metadata"].value("namespace", "") != watcher.ns) {
    return false;
  }
  return labelsMatch(watcher.labels, object) && watcher.fields.matches(object);
}

ApiResult<std::pair<api::Selector, FieldSelector>> parseSelectors(const ResourceInfo& info,
                                                                  const std::string& labels,
                                                                  const std::string& fields) {
  auto labelSelector = api::parseSelector(labels);
  if (!labelSelector) {
    return badRequest("unable to parse requirement: " + labelSelector.error().message);
  }
  auto fieldSelector = FieldSelector::parse(fields, info.group, info.resource);
  if (!fieldSelector) {
    return fieldSelector.error();
  }
  return std::pair{std::move(labelSelector).value(), std::move(fieldSelector).value()};
}

nlohmann::json Store::State::commit(size_t index, const std::string& key, const std::string& type,
                                    nlohmann::json object, std::optional<nlohmann::json> previous) {
  ++resourceVersion;
  object["metadata"]["resourceVersion"] = std::to_string(resourceVersion);
  if (type == "DELETED") {
    objects[index].erase(key);
  } else {
    objects[index].insert_or_assign(key, object);
  }
  history.push_back(HistoryEvent{resourceVersion, index, key, type, object, std::move(previous)});
  while (history.size() > options.historyWindow) {
    compactedThrough = history.front().resourceVersion;
    history.pop_front();
  }
  for (const auto& [id, watcher] : watchers) {
    if (auto delivered = eventFor(watcher, history.back())) {
      watcher.sink(*delivered);
    }
  }
  return object;
}

ApiResult<WatchHandle> Store::watch(const Gvr& gvr, const std::string& ns,
                                    const WatchOptions& options, WatchSink sink) {
  std::lock_guard lock(state_->mutex);
  const auto index = state_->indexOf(gvr);
  if (!index) {
    return unknownResource();
  }
  const ResourceInfo& info = state_->resources[*index];
  auto selectors = parseSelectors(info, options.labelSelector, options.fieldSelector);
  if (!selectors) {
    return selectors.error();
  }
  Watcher watcher{*index,
                  info.namespaced ? ns : "",
                  std::move(selectors->first),
                  std::move(selectors->second),
                  options.allowBookmarks,
                  std::move(sink)};
  if (options.resourceVersion.empty() || options.resourceVersion == "0") {
    for (const auto& [key, object] : state_->objects[*index]) {
      if (matchesWatch(watcher, object)) {
        watcher.sink(event("ADDED", object));
      }
    }
  } else {
    uint64_t from = 0;
    try {
      from = std::stoull(options.resourceVersion);
    } catch (const std::exception&) {
      return badRequest("invalid resource version: " + options.resourceVersion);
    }
    if (from < state_->compactedThrough) {
      return expired("too old resource version: " + std::to_string(from) + " (" +
                     std::to_string(state_->compactedThrough) + ")");
    }
    for (const HistoryEvent& change : state_->history) {
      if (change.resourceVersion > from) {
        if (auto delivered = eventFor(watcher, change)) {
          watcher.sink(*delivered);
        }
      }
    }
  }
  const uint64_t id = state_->nextWatchId++;
  state_->watchers.emplace(id, std::move(watcher));
  return WatchHandle(this, id);
}

void Store::sendBookmarks() {
  std::lock_guard lock(state_->mutex);
  const std::string rv = std::to_string(state_->resourceVersion);
  for (const auto& [id, watcher] : state_->watchers) {
    if (watcher.bookmarks) {
      const ResourceInfo& info = state_->resources[watcher.resourceIndex];
      watcher.sink(event("BOOKMARK", {{"kind", info.kind},
                                      {"apiVersion", info.apiVersion()},
                                      {"metadata", {{"resourceVersion", rv}}}}));
    }
  }
}

void Store::unwatch(uint64_t id) {
  std::lock_guard lock(state_->mutex);
  state_->watchers.erase(id);
}

WatchHandle::WatchHandle(WatchHandle&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)), id_(other.id_) {}

WatchHandle& WatchHandle::operator=(WatchHandle&& other) noexcept {
  if (this != &other) {
    stop();
    store_ = std::exchange(other.store_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

void WatchHandle::stop() {
  if (store_ != nullptr) {
    std::exchange(store_, nullptr)->unwatch(id_);
  }
}

}  // namespace karpenter::apiserver
