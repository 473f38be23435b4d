#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <curl/curl.h>

#include "karpenter/kube/config.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::kube {

// One HTTP exchange as the client needs it. Private to src/kube.
struct HttpRequest {
  std::string method;
  std::string url;
  std::string body;
  std::string contentType;
  std::string bearerToken;
  std::chrono::milliseconds timeout{0};  // 0 = none (watches)
  // When set and the reply is 2xx, body bytes are streamed here instead of collected; returning
  // false aborts the transfer (reported as success).
  std::function<bool(std::string_view)> onData;
  // When set, polled by libcurl's progress callback (about once a second while idle); true
  // aborts the transfer, reported like an onData abort (success with what arrived so far).
  std::function<bool()> cancelled;
};

struct HttpResponse {
  long status = 0;
  std::string body;                    // collected unless streamed
  std::chrono::seconds retryAfter{0};  // Retry-After header (seconds form), 0 if absent
};

// libcurl with the TLS material of a RestConfig. Requests reuse connections (HTTP keep-alive,
// one TCP + TLS handshake for many requests): an easy handle keeps its connection cache between
// transfers, so finished handles go back to a pool of idle ones, at most kMaxIdleHandles, and the
// next request takes one from there. A streaming request (onData set: a watch) holds its
// connection for minutes, so it gets a handle of its own that is closed afterwards.
// Thread safety: perform() may be called concurrently; a handle is used by one call at a time.
class CurlTransport final {
 public:
  static constexpr size_t kMaxIdleHandles = 8;

  CurlTransport(RestConfig config, std::chrono::milliseconds connectTimeout, std::string userAgent);
  ~CurlTransport();
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  // kUnavailable when no HTTP reply arrived (connect/TLS/timeout); otherwise the reply.
  Result<HttpResponse> perform(const HttpRequest& request) const;

  // How many connections the transfers so far had to open (CURLINFO_NUM_CONNECTS summed): with
  // reuse, far fewer than the number of requests.
  uint64_t connectionsOpened() const { return connectionsOpened_.load(); }

 private:
  // An idle pooled handle (reset to defaults), or a new one; nullptr when libcurl cannot make one.
  CURL* takeHandle() const;
  // Reset and back to the pool, or cleaned up when the pool is full.
  void returnHandle(CURL* handle) const;

  RestConfig config_;
  std::chrono::milliseconds connectTimeout_;
  std::string userAgent_;
  mutable std::mutex poolMutex_;
  mutable std::vector<CURL*> idleHandles_;
  mutable std::atomic<uint64_t> connectionsOpened_{0};
};

}  // namespace karpenter::kube
