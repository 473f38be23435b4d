#include "karpenter/kube/informer.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

namespace karpenter::kube {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string resourceVersionOf(const json& object) {
  if (!object.is_object()) {
    return {};
  }
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) {
    return {};
  }
  auto rv = meta->find("resourceVersion");
  return rv != meta->end() && rv->is_string() ? rv->get<std::string>() : std::string();
}

}  // namespace

std::string objectKey(const json& object) {
  const json& meta = object.at("metadata");
  const std::string name = meta.value("name", "");
  const std::string ns = meta.value("namespace", "");
  return ns.empty() ? name : ns + "/" + name;
}

struct InformerCore::Impl {
  struct Entry {
    Object object;
    std::string resourceVersion;
  };
  using Cache = std::unordered_map<std::string, Entry>;

  KubeClient& client;
  InformerOptions options;
  Transform transform;
  Handlers handlers;
  std::string what;  // for logs: "pods" or "karpenter.sh/nodeclaims"

  mutable std::mutex mutex;  // guards cache, lastRv, stopping (with cv)
  std::condition_variable cv;
  Cache cache;
  std::string lastRv;
  bool stopping = false;
  std::atomic<bool> stopFlag{false};
  std::atomic<bool> synced{false};
  std::atomic<int> lists{0};
  std::thread thread;
  std::mt19937 random{std::random_device{}()};
  Clock::time_point nextResync;

  Impl(KubeClient& c, InformerOptions o, Transform t, Handlers h)
      : client(c), options(std::move(o)), transform(std::move(t)), handlers(std::move(h)) {
    what = options.resource.group.empty()
               ? options.resource.resource
               : options.resource.group + "/" + options.resource.resource;
  }

  bool resyncDue() const { return options.resyncPeriod.count() > 0 && Clock::now() >= nextResync; }

  // Sleeps for the n-th backoff step unless stop() comes first.
  void backoff(int failures) {
    const double base = static_cast<double>(options.initialBackoff.count()) *
                        static_cast<double>(int64_t{1} << std::min(failures, 20));
    const double capped = std::min(base, static_cast<double>(options.maxBackoff.count()));
    std::uniform_real_distribution<double> spread(1.0, 1.0 + std::max(options.jitter, 0.0));
    const auto delay = std::chrono::milliseconds(static_cast<int64_t>(capped * spread(random)));
    std::unique_lock lock(mutex);
    cv.wait_for(lock, delay, [&] { return stopping; });
  }

  // Lists every page into a fresh cache and delivers the difference from the current one.
  Result<void> relist() {
    Cache fresh;
    ListOptions listOptions{.labelSelector = options.labelSelector,
                            .fieldSelector = options.fieldSelector,
                            .limit = options.pageSize};
    std::string listRv;
    do {
      auto page = client.list(options.resource, listOptions);
      if (!page) {
        return page.error();
      }
      for (const auto& item : page->items) {
        Object object = transform(item);
        if (!object) {
          spdlog::warn("informer {}: skipping {}: it could not be converted", what,
                       objectKey(item));
          continue;
        }
        fresh[objectKey(item)] = Entry{std::move(object), resourceVersionOf(item)};
      }
      listRv = page->resourceVersion;
      listOptions.continueToken = page->continueToken;
      if (stopFlag) {
        return {};
      }
    } while (!listOptions.continueToken.empty());
    ++lists;

    Cache previous;
    {
      std::lock_guard lock(mutex);
      previous = std::exchange(cache, fresh);
      lastRv = listRv;
    }
    for (const auto& [key, entry] : fresh) {
      auto old = previous.find(key);
      if (old == previous.end()) {
        if (handlers.onAdd) {
          handlers.onAdd(entry.object);
        }
      } else if (old->second.resourceVersion != entry.resourceVersion && handlers.onUpdate) {
        handlers.onUpdate(old->second.object, entry.object);
      }
    }
    for (const auto& [key, entry] : previous) {
      if (!fresh.contains(key) && handlers.onDelete) {
        handlers.onDelete(entry.object);
      }
    }
    return {};
  }

  bool onEvent(const WatchEvent& event) {
    const std::string rv = resourceVersionOf(event.object);
    if (event.type == "BOOKMARK") {
      std::lock_guard lock(mutex);
      if (!rv.empty()) {
        lastRv = rv;
      }
      return !stopFlag;
    }
    const std::string key = objectKey(event.object);
    Object object = transform(event.object);
    Object old;
    {
      std::lock_guard lock(mutex);
      if (!rv.empty()) {
        lastRv = rv;
      }
      auto it = cache.find(key);
      if (it != cache.end()) {
        old = it->second.object;
      }
      if (event.type == "DELETED") {
        cache.erase(key);
      } else if (object) {
        cache[key] = Entry{object, rv};
      }
    }
    if (event.type == "DELETED") {
      const Object& last = object ? object : old;
      if (last && handlers.onDelete) {
        handlers.onDelete(last);
      }
    } else if (!object) {
      spdlog::warn("informer {}: skipping {} event for {}: it could not be converted", what,
                   event.type, key);
    } else if (old) {
      if (handlers.onUpdate) {
        handlers.onUpdate(old, object);
      }
    } else if (handlers.onAdd) {
      handlers.onAdd(object);
    }
    return !stopFlag;
  }

  void resync() {
    nextResync = Clock::now() + options.resyncPeriod;
    std::vector<Object> objects;
    {
      std::lock_guard lock(mutex);
      for (const auto& [key, entry] : cache) {
        objects.push_back(entry.object);
      }
    }
    if (handlers.onUpdate) {
      for (const auto& object : objects) {
        handlers.onUpdate(object, object);
      }
    }
  }

  void run() {
    bool needList = true;
    int failures = 0;
    nextResync = Clock::now() + options.resyncPeriod;
    while (!stopFlag) {
      if (needList) {
        auto listed = relist();
        if (stopFlag) {
          break;
        }
        if (!listed) {
          spdlog::warn("informer {}: list failed (retrying): {}", what, listed.error().message);
          backoff(failures++);
          continue;
        }
        needList = false;
        failures = 0;
        if (!synced.exchange(true) && handlers.onSynced) {
          handlers.onSynced();
        }
      }
      const auto started = Clock::now();
      WatchOptions watchOptions{.labelSelector = options.labelSelector,
                                .fieldSelector = options.fieldSelector,
                                .resourceVersion = lastResourceVersion(),
                                .allowWatchBookmarks = true,
                                .timeoutSeconds = options.watchTimeout.count(),
                                .cancelled = [this] { return stopFlag || resyncDue(); }};
      auto watched = client.watch(options.resource, watchOptions,
                                  [this](const WatchEvent& event) { return onEvent(event); });
      if (stopFlag) {
        break;
      }
      if (resyncDue()) {
        resync();
      }
      if (!watched) {
        if (watched.error().kind == ErrorKind::kGone) {
          // Our resourceVersion was compacted away: the events in between are lost, so the
          // only way back to the truth is a fresh list (client-go's reflector does the same).
          spdlog::info("informer {}: {}; relisting", what, watched.error().message);
          needList = true;
          continue;
        }
        spdlog::warn("informer {}: watch failed (retrying): {}", what, watched.error().message);
        backoff(failures++);
        continue;
      }
      // A watch the server ends at once, again and again, must not spin.
      if (Clock::now() - started < std::chrono::seconds(1) && !resyncDue()) {
        backoff(failures++);
      } else {
        failures = 0;
      }
    }
  }

  std::string lastResourceVersion() const {
    std::lock_guard lock(mutex);
    return lastRv;
  }
};

InformerCore::InformerCore(KubeClient& client, InformerOptions options, Transform transform,
                           Handlers handlers)
    : impl_(std::make_unique<Impl>(client, std::move(options), std::move(transform),
                                   std::move(handlers))) {}

InformerCore::~InformerCore() {
  stop();
}

void InformerCore::start() {
  if (impl_->thread.joinable()) {
    return;
  }
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

void InformerCore::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    impl_->stopFlag = true;
  }
  impl_->cv.notify_all();
  if (impl_->thread.joinable()) {
    impl_->thread.join();
  }
}

bool InformerCore::hasSynced() const {
  return impl_->synced;
}

InformerCore::Object InformerCore::get(const std::string& key) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->cache.find(key);
  return it == impl_->cache.end() ? nullptr : it->second.object;
}

std::vector<InformerCore::Object> InformerCore::list() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<Object> out;
  out.reserve(impl_->cache.size());
  for (const auto& [key, entry] : impl_->cache) {
    out.push_back(entry.object);
  }
  return out;
}

std::string InformerCore::lastResourceVersion() const {
  return impl_->lastResourceVersion();
}

int InformerCore::listCount() const {
  return impl_->lists;
}

}  // namespace karpenter::kube
