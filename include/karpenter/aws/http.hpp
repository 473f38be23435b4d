#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "karpenter/aws/sigv4.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::aws {

// The process environment as the AWS code reads it; tests pass a map instead.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;
// Reads the real process environment (empty values count as unset, as the SDKs treat them).
Environment processEnvironment();
// A fixed environment; a later pair overrides an earlier one with the same name.
Environment mapEnvironment(std::vector<std::pair<std::string, std::string>> values);

// The only source of wall-clock time for signing and credential expiry.
using Clock = std::function<std::chrono::system_clock::time_point()>;
Clock systemClock();

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<HttpHeader> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};
  std::chrono::milliseconds connectTimeout{3000};
  // Polled while the exchange is in flight (at least once a second even when no bytes move);
  // returning true abandons it with kUnavailable. Lets a long poll end promptly on shutdown.
  std::function<bool()> cancelled;
};

struct HttpResponse {
  long status = 0;
  std::vector<HttpHeader> headers;
  std::string body;

  // First header with this name (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

// One HTTP exchange. Implementations must be safe to call from several threads.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // kUnavailable when no HTTP reply arrived (connect, timeout); any status is a reply.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};
using HttpClientPtr = std::shared_ptr<HttpClient>;

// libcurl, a fresh easy handle per call; TLS verified with the system CA store.
HttpClientPtr makeCurlHttpClient(std::string userAgent = "karpenter-cpp");

// "https://host:port/path?q" → its parts; the authority is what SigV4 signs as Host.
struct ParsedUrl {
  std::string scheme;
  std::string authority;  // host[:port], as written
  std::string host;
  std::string path = "/";
  std::string query;
};
Result<ParsedUrl> parseUrl(std::string_view url);

}  // namespace karpenter::aws
