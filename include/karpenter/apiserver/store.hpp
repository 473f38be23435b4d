#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/apiserver/resources.hpp"
#include "karpenter/apiserver/status.hpp"

namespace karpenter::apiserver {

// Identifies a served resource: group ("" for core), version, plural resource.
struct Gvr {
  std::string group;
  std::string version;
  std::string resource;
  bool operator==(const Gvr&) const = default;
};

enum class Subresource { kMain, kStatus };
enum class PatchType { kJson, kMerge, kStrategicMerge };

struct ListOptions {
  std::string labelSelector;  // labels.Parse syntax
  std::string fieldSelector;  // "metadata.name=x,status.phase!=Running"
  int64_t limit = 0;          // 0 = no limit
  std::string continueToken;
  std::string resourceVersion;  // "" or "0" = latest; otherwise must not be newer than current
};

// Server-side apply (PATCH application/apply-patch+yaml).
struct ApplyOptions {
  std::string fieldManager;  // required (422 when empty)
  bool force = false;        // take conflicting fields from their managers instead of 409
};

struct ApplyResult {
  nlohmann::json object;
  bool created = false;  // the apply created the object (201)
};

struct DeleteOptions {
  std::string preconditionUid;
  std::string preconditionResourceVersion;
};

struct WatchOptions {
  std::string labelSelector;
  std::string fieldSelector;
  // "" or "0": synthetic ADDED for every current object first; otherwise events after it.
  std::string resourceVersion;
  bool allowBookmarks = false;
};

// One watch event as it goes on the wire: {"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR,
// "object": {...}}.
using WatchSink = std::function<void(const nlohmann::json& event)>;

class Store;

// Keeps a watch registered; destroying it (or calling stop()) unregisters it, after which the
// sink is never called again. Must not outlive its Store.
class WatchHandle final {
 public:
  WatchHandle() = default;
  WatchHandle(Store* store, uint64_t id) : store_(store), id_(id) {}
  WatchHandle(WatchHandle&& other) noexcept;
  WatchHandle& operator=(WatchHandle&& other) noexcept;
  WatchHandle(const WatchHandle&) = delete;
  WatchHandle& operator=(const WatchHandle&) = delete;
  ~WatchHandle() { stop(); }
  void stop();

 private:
  Store* store_ = nullptr;
  uint64_t id_ = 0;
};

// An in-memory kube-apiserver storage layer with no transport: objects are JSON, keyed by
// (group, version, resource, namespace, name), with upstream's semantics for resourceVersion
// (one global counter, a decimal string on the wire), uid/creationTimestamp on create,
// generation (bumped when anything outside metadata and status changes, and on graceful
// deletion), optimistic concurrency, the status subresource, finalizers and deletionTimestamp,
// label and field selectors, limit/continue pagination over a consistent snapshot, and watch
// with a bounded event history (older resourceVersions are 410 Expired).
//
// Strategic merge patch follows k8s.io/apimachinery's strategicpatch with the per-kind list
// rules of src/apiserver/patch_schema.cpp (merge keys from k8s.io/api's struct tags; lists
// without a tag replace); the Karpenter CRDs refuse it with 415, as for any CRD upstream.
//
// Field management (metadata.managedFields, FieldsV1): writes that name a field manager
// (`fieldManager`, which the REST front end takes from ?fieldManager= or the User-Agent's
// product token) record an Update entry per (manager, subresource) owning the fields it
// changed, which other managers lose; fields that disappear leave every entry. Writes without a
// manager (direct Store calls) leave managedFields as the body has it.
//
// Server-side apply, the implemented subset: the applied configuration's fields (server-owned
// metadata excluded; only .status on the status subresource, never .status on the main
// resource of a kind with a status subresource) are merged into the live object with the same
// list rules (list-map elements by key, scalar sets as unions, atomic lists and scalars
// replaced); a field another manager owns whose live value differs from the applied one is a
// conflict: 409 Conflict, message "Apply failed with N conflict(s): ..." and one
// details.causes entry (reason FieldManagerConflict, message `conflict with "<manager>"` plus
// ` using <apiVersion>` for Update managers, field ".spec.x[name=\"c\"].y") per field, unless
// force, which moves those fields to the applier. Equal values are co-owned. Fields the
// applier owned before and no longer applies are removed from the object unless another
// manager owns them or something below them. Applying to an absent object creates it (201).
// Not implemented: dryRun, fieldValidation, managedFields sent by clients (ignored when a
// manager is known; upstream uses them to reset ownership), version conversion of field sets,
// `x-kubernetes-map-type: atomic` maps, list-map keys with more than one field (container
// ports key on containerPort only), and apply's own defaulting.
//
// Other deliberate simplifications (the store is not a full apiserver): no admission or schema
// validation beyond names/namespaces; objects are deleted at once (no graceful period) unless
// they carry finalizers; updates without metadata.resourceVersion are unconditional; no
// defaulting.
//
// Thread safety: every method may be called from any thread; one mutex serialises them.
// Watch sinks are called with that mutex held, in resourceVersion order: a sink must be quick
// and must not call back into the Store (post the event elsewhere instead).
class Store final {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  struct Options {
    Clock clock;                    // required: the only source of time
    size_t historyWindow = 10'000;  // watch events kept for resuming; older RVs are 410
    uint64_t seed = 1;              // uid and generateName randomness (deterministic tests)
  };

  Store(std::vector<ResourceInfo> resources, Options options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::vector<ResourceInfo>& resources() const;
  // The served resource for `gvr`, or null.
  const ResourceInfo* find(const Gvr& gvr) const;

  // `ns` is the namespace from the request path ("" for cluster-scoped resources). Namespaced
  // objects whose metadata.namespace differs from `ns` are rejected (400).
  // `fieldManager` (here and in update/patch): see "Field management" above; "" = untracked.
  ApiResult<nlohmann::json> create(const Gvr& gvr, const std::string& ns, nlohmann::json object,
                                   const std::string& fieldManager = "");
  ApiResult<nlohmann::json> get(const Gvr& gvr, const std::string& ns,
                                const std::string& name) const;
  // A <Kind>List; `ns` "" lists every namespace.
  ApiResult<nlohmann::json> list(const Gvr& gvr, const std::string& ns,
                                 const ListOptions& options) const;
  ApiResult<nlohmann::json> update(const Gvr& gvr, const std::string& ns, const std::string& name,
                                   nlohmann::json object, Subresource sub = Subresource::kMain,
                                   const std::string& fieldManager = "");
  ApiResult<nlohmann::json> patch(const Gvr& gvr, const std::string& ns, const std::string& name,
                                  PatchType type, const nlohmann::json& patch,
                                  Subresource sub = Subresource::kMain,
                                  const std::string& fieldManager = "");
  // Server-side apply of `config` (a partial object with apiVersion and kind); see above.
  ApiResult<ApplyResult> apply(const Gvr& gvr, const std::string& ns, const std::string& name,
                               const nlohmann::json& config, const ApplyOptions& options,
                               Subresource sub = Subresource::kMain);
  // Returns the deleted object, or (with finalizers) the object now carrying deletionTimestamp.
  ApiResult<nlohmann::json> remove(const Gvr& gvr, const std::string& ns, const std::string& name,
                                   const DeleteOptions& options = {});

  // Registers `sink`; events from options.resourceVersion on are delivered before this returns.
  ApiResult<WatchHandle> watch(const Gvr& gvr, const std::string& ns, const WatchOptions& options,
                               WatchSink sink);
  // Sends a BOOKMARK carrying the current resourceVersion to every watch that allows them.
  void sendBookmarks();

  // pods/eviction: checks the pod's PodDisruptionBudget (429 when it would be violated) and
  // deletes the pod. Returns a Success Status.
  ApiResult<nlohmann::json> evict(const std::string& ns, const std::string& name,
                                  const nlohmann::json& eviction);
  // pods/binding: sets spec.nodeName and PodScheduled=True; 409 when already bound.
  ApiResult<nlohmann::json> bind(const std::string& ns, const std::string& name,
                                 const nlohmann::json& binding);

  // The newest resourceVersion handed out ("0" before any write).
  std::string resourceVersion() const;

  // Opaque; defined and used only inside src/apiserver.
  struct State;

 private:
  friend class WatchHandle;
  void unwatch(uint64_t id);

  std::unique_ptr<State> state_;
};

}  // namespace karpenter::apiserver
