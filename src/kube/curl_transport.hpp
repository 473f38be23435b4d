#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

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

// libcurl with the TLS material of a RestConfig. perform() uses a fresh easy handle per call.
// Thread safety: perform() may be called concurrently.
class CurlTransport final {
 public:
  CurlTransport(RestConfig config, std::chrono::milliseconds connectTimeout, std::string userAgent);

  // kUnavailable when no HTTP reply arrived (connect/TLS/timeout); otherwise the reply.
  Result<HttpResponse> perform(const HttpRequest& request) const;

 private:
  RestConfig config_;
  std::chrono::milliseconds connectTimeout_;
  std::string userAgent_;
};

}  // namespace karpenter::kube
