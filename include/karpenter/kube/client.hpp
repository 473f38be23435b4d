#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "karpenter/kube/config.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::kube {

// Names a REST resource: /api/v1 when `group` is empty, else /apis/GROUP/VERSION; then
// [/namespaces/NS]/RESOURCE[/NAME[/SUBRESOURCE]].
struct ResourceRef {
  std::string group;
  std::string version = "v1";
  std::string resource;   // plural, lower case: "pods"
  std::string nameSpace;  // empty for cluster-scoped resources (or all namespaces in list/watch)
  std::string name;
  std::string subresource;

  ResourceRef named(std::string objectName) const {
    ResourceRef copy = *this;
    copy.name = std::move(objectName);
    return copy;
  }
};

// The URL path of `ref` (no query). Names are percent-escaped.
std::string resourcePath(const ResourceRef& ref);

struct ListOptions {
  std::string labelSelector;
  std::string fieldSelector;
  int64_t limit = 0;  // 0 = no limit
  std::string continueToken;
  std::string resourceVersion;
};

struct ListPage {
  nlohmann::json items = nlohmann::json::array();
  std::string resourceVersion;
  std::string continueToken;  // empty = last page
};

// kStrategicMerge is for built-in kinds only: CRDs (NodePool, NodeClaim, EC2NodeClass) answer
// 415, surfaced as kInvalid.
enum class PatchType { kMerge, kJson, kStrategicMerge };

// Server-side apply (PATCH application/apply-patch+yaml).
struct ApplyOptions {
  std::string fieldManager;  // required: an empty one is kInvalid before any request
  bool force = false;        // take fields other managers own instead of failing
};

struct DeleteOptions {
  std::optional<std::string> preconditionUid;
  std::optional<std::string> preconditionResourceVersion;
  std::optional<std::string> propagationPolicy;  // Orphan | Background | Foreground
  std::optional<int64_t> gracePeriodSeconds;
};

struct WatchOptions {
  std::string labelSelector;
  std::string fieldSelector;
  std::string resourceVersion;
  bool allowWatchBookmarks = true;
  std::optional<int64_t> timeoutSeconds;
  // Polled while the stream is open (libcurl's progress callback: at least once a second even
  // when no bytes arrive) and before each retry; returning true ends the watch with ok. This is
  // how an informer's stop() interrupts a watch that is waiting for events.
  std::function<bool()> cancelled;
};

struct WatchEvent {
  std::string type;  // ADDED | MODIFIED | DELETED | BOOKMARK
  nlohmann::json object;
};

// Return false to stop watching.
using WatchHandler = std::function<bool(const WatchEvent&)>;

// The seam between the product and an apiserver. Objects travel as Kubernetes JSON; typed
// decoding (api/codec.hpp) is the caller's business. Errors: kNotFound (404), kConflict (409),
// kGone (410, relist), kThrottled (429, Error::retryAfter set), kUnavailable (5xx, transport),
// kInvalid (other 4xx), each with the apiserver's Status message.
// Thread safety: implementations are safe to call from any number of threads.
// The apiserver's GET /version (k8s.io/apimachinery/pkg/version Info).
struct ServerVersion {
  std::string major;       // "1"
  std::string minor;       // "31"; EKS and GKE answer "31+"
  std::string gitVersion;  // "v1.31.2-eks-7f9249a"
  std::string platform;    // "linux/amd64"

  // "1.31": major.minor without the trailing "+", else parsed from gitVersion; empty when
  // neither names a version.
  std::string minorVersion() const;
};

class KubeClient {
 public:
  virtual ~KubeClient() = default;

  virtual Result<nlohmann::json> get(const ResourceRef& ref) = 0;
  // One page; pass the returned continueToken back in ListOptions for the next.
  virtual Result<ListPage> list(const ResourceRef& ref, const ListOptions& options) = 0;
  // `ref` names the collection; the object's metadata.name names the new object. With a
  // subresource, POSTs to that subresource of ref.name (pods/NAME/eviction, pods/NAME/binding):
  // a PDB refusing an eviction is kThrottled (429).
  virtual Result<nlohmann::json> create(const ResourceRef& ref, const nlohmann::json& object) = 0;
  // PUT with the object's metadata.resourceVersion; stale ⇒ kConflict.
  virtual Result<nlohmann::json> update(const ResourceRef& ref, const nlohmann::json& object) = 0;
  // PUT to the /status subresource.
  virtual Result<nlohmann::json> updateStatus(const ResourceRef& ref,
                                              const nlohmann::json& object) = 0;
  virtual Result<nlohmann::json> patch(const ResourceRef& ref, PatchType type,
                                       const nlohmann::json& patch) = 0;
  // Server-side apply of `object` (apiVersion, kind, metadata.name and the fields this manager
  // wants to own) to ref.name (or its ref.subresource "status"); creates it when absent. Another
  // manager owning a field with a different value is kConflict, whose message names the fields
  // and managers ("Apply failed with 1 conflict: conflict with \"x\": .spec.y"), unless force.
  virtual Result<nlohmann::json> apply(const ResourceRef& ref, const nlohmann::json& object,
                                       const ApplyOptions& options) = 0;
  virtual Result<void> remove(const ResourceRef& ref, const DeleteOptions& options) = 0;
  // Blocks, calling `handler` for each event until the handler returns false, the server ends
  // the stream (ok), or an error occurs. An in-band ERROR event is returned as its error
  // (410 Expired/Gone ⇒ kGone: relist, then watch from the list's resourceVersion).
  virtual Result<void> watch(const ResourceRef& ref, const WatchOptions& options,
                             const WatchHandler& handler) = 0;
  // GET /version. Not pure: clients that cannot ask (test doubles) answer kUnavailable.
  virtual Result<ServerVersion> serverVersion();
};

using KubeClientPtr = std::unique_ptr<KubeClient>;

// Maps an apiserver reply (HTTP status, body — usually a metav1.Status — and Retry-After
// header in seconds, 0 if absent) to a typed error. Pure.
Error errorFromStatus(long httpStatus, const std::string& body, std::chrono::seconds retryAfter);

// libcurl implementation. Each call performs one request (plus retries) on its own easy handle.
class HttpKubeClient final : public KubeClient {
 public:
  struct Options {
    double qps = 200;  // client-side limit; <= 0 disables
    int burst = 300;
    int maxRetries = 5;  // for 429 and 5xx
    std::chrono::milliseconds initialBackoff{100};
    std::chrono::milliseconds maxBackoff{10'000};
    std::chrono::milliseconds connectTimeout{10'000};
    std::chrono::milliseconds requestTimeout{60'000};  // not applied to watches
    std::string userAgent = "karpenter-cpp";
    // How the client waits (rate limit, backoff); injectable so tests need not sleep.
    std::function<void(std::chrono::nanoseconds)> sleep;
    std::function<std::chrono::steady_clock::time_point()> now;  // the rate limiter's clock
  };

  HttpKubeClient(RestConfig config, Options options);
  ~HttpKubeClient() override;

  // KubeClient
  Result<nlohmann::json> get(const ResourceRef& ref) override;
  Result<ListPage> list(const ResourceRef& ref, const ListOptions& options) override;
  Result<nlohmann::json> create(const ResourceRef& ref, const nlohmann::json& object) override;
  Result<nlohmann::json> update(const ResourceRef& ref, const nlohmann::json& object) override;
  Result<nlohmann::json> updateStatus(const ResourceRef& ref,
                                      const nlohmann::json& object) override;
  Result<nlohmann::json> patch(const ResourceRef& ref, PatchType type,
                               const nlohmann::json& patch) override;
  Result<nlohmann::json> apply(const ResourceRef& ref, const nlohmann::json& object,
                               const ApplyOptions& options) override;
  Result<void> remove(const ResourceRef& ref, const DeleteOptions& options) override;
  Result<void> watch(const ResourceRef& ref, const WatchOptions& options,
                     const WatchHandler& handler) override;
  Result<ServerVersion> serverVersion() override;

  // How many TCP (+TLS) connections the client has opened so far. Requests reuse idle
  // connections (keep-alive), so a burst of N sequential requests opens far fewer than N; each
  // watch opens its own.
  uint64_t connectionsOpened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace karpenter::kube
