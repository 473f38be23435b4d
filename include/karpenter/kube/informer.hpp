#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/kube/client.hpp"

namespace karpenter::kube {

struct InformerOptions {
  ResourceRef resource;  // the collection (name empty); nameSpace empty = all namespaces
  std::string labelSelector;
  std::string fieldSelector;
  int64_t pageSize = 500;  // list limit per page
  // Asked of the server as timeoutSeconds; the informer then resumes from the last version.
  std::chrono::seconds watchTimeout{300};
  // Re-delivers every cached object as onUpdate(obj, obj) this often; 0 = never.
  std::chrono::milliseconds resyncPeriod{0};
  // Backoff after a failed list or watch: initial·2^n capped at max, times a random factor in
  // [1, 1 + jitter) (client-go's reflector: 800 ms … 30 s).
  std::chrono::milliseconds initialBackoff{800};
  std::chrono::milliseconds maxBackoff{30'000};
  double jitter = 1.0;
};

// The type-erased engine behind Informer<T>; use Informer<T>.
//
// One thread per informer: list (paginated) then watch from the list's resourceVersion with
// bookmarks; a watch that ends or drops resumes from the last resourceVersion seen (objects and
// BOOKMARKs advance it); 410 Gone/Expired relists and delivers the difference against the cache
// as add/update/delete; other errors back off. stop() returns within about a second: the watch
// is cancelled through libcurl's progress callback (WatchOptions::cancelled), which libcurl
// calls at least once a second even when no bytes arrive, and backoff waits on a condition
// variable that stop() signals. An in-flight list page or one client retry sleep may delay it
// by up to the client's request timeout / maxBackoff.
class InformerCore final {
 public:
  using Object = std::shared_ptr<const void>;
  using Transform = std::function<Object(const nlohmann::json&)>;
  struct Handlers {
    std::function<void(const Object&)> onAdd;
    std::function<void(const Object& oldObject, const Object& newObject)> onUpdate;
    std::function<void(const Object&)> onDelete;
    std::function<void()> onSynced;  // once, after the first list has been delivered
  };

  InformerCore(KubeClient& client, InformerOptions options, Transform transform, Handlers handlers);
  ~InformerCore();  // stops
  InformerCore(const InformerCore&) = delete;
  InformerCore& operator=(const InformerCore&) = delete;

  void start();
  void stop();
  bool hasSynced() const;
  Object get(const std::string& key) const;
  std::vector<Object> list() const;
  // The resourceVersion the next watch would resume from.
  std::string lastResourceVersion() const;
  // How many times the informer has listed (1 after the initial list; more after 410s).
  int listCount() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "namespace/name", or "name" for cluster-scoped objects (client-go's MetaNamespaceKeyFunc).
std::string objectKey(const nlohmann::json& object);

// Keeps a local cache of one resource in step with the apiserver and tells handlers what
// changed. `transform` turns each object's JSON into the compact form the consumer keeps
// (T is chosen by the consumer; return null to skip an object, e.g. one that fails to decode).
// Handlers run on the informer's thread, one at a time, in event order; they must be quick —
// the intended use is to enqueue keys into a WorkQueue. The old object handed to onUpdate is
// the cached one; onDelete gets the last known state.
//
// Thread safety: start()/stop() from the owner; get(), list(), hasSynced() from any thread.
template <typename T>
class Informer final {
 public:
  using Ptr = std::shared_ptr<const T>;
  using Transform = std::function<Ptr(const nlohmann::json&)>;
  struct Handlers {
    std::function<void(const Ptr&)> onAdd;
    std::function<void(const Ptr& oldObject, const Ptr& newObject)> onUpdate;
    std::function<void(const Ptr&)> onDelete;
    std::function<void()> onSynced;
  };

  Informer(KubeClient& client, InformerOptions options, Transform transform, Handlers handlers)
      : core_(client, std::move(options), erase(std::move(transform)), erase(std::move(handlers))) {
  }

  void start() { core_.start(); }
  void stop() { core_.stop(); }
  bool hasSynced() const { return core_.hasSynced(); }
  Ptr get(const std::string& key) const { return cast(core_.get(key)); }
  std::vector<Ptr> list() const {
    std::vector<Ptr> out;
    for (auto& object : core_.list()) {
      out.push_back(cast(object));
    }
    return out;
  }
  std::string lastResourceVersion() const { return core_.lastResourceVersion(); }
  int listCount() const { return core_.listCount(); }

 private:
  static Ptr cast(const InformerCore::Object& object) {
    return std::static_pointer_cast<const T>(object);
  }
  static InformerCore::Transform erase(Transform transform) {
    return [transform = std::move(transform)](const nlohmann::json& json) {
      return InformerCore::Object(transform(json));
    };
  }
  static InformerCore::Handlers erase(Handlers handlers) {
    InformerCore::Handlers out;
    if (handlers.onAdd) {
      out.onAdd = [f = handlers.onAdd](const InformerCore::Object& o) { f(cast(o)); };
    }
    if (handlers.onUpdate) {
      out.onUpdate = [f = handlers.onUpdate](const InformerCore::Object& a,
                                             const InformerCore::Object& b) {
        f(cast(a), cast(b));
      };
    }
    if (handlers.onDelete) {
      out.onDelete = [f = handlers.onDelete](const InformerCore::Object& o) { f(cast(o)); };
    }
    out.onSynced = std::move(handlers.onSynced);
    return out;
  }

  InformerCore core_;
};

}  // namespace karpenter::kube
