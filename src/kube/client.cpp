#include "karpenter/kube/client.hpp"

#include <algorithm>
#include <cctype>
#include <thread>

#include "curl_transport.hpp"
#include "karpenter/kube/rate_limiter.hpp"

namespace karpenter::kube {
namespace {

using nlohmann::json;

std::string percentEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    }
  }
  return out;
}

// Builds "?a=b&c=d" from the non-empty pairs.
std::string query(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (value.empty()) {
      continue;
    }
    out += (out.empty() ? "?" : "&") + key + "=" + percentEncode(value);
  }
  return out;
}

bool retryable(long status) {
  return status == 429 || status >= 500;
}

}  // namespace

std::string resourcePath(const ResourceRef& ref) {
  std::string path =
      ref.group.empty() ? "/api/" + ref.version : "/apis/" + ref.group + "/" + ref.version;
  if (!ref.nameSpace.empty()) {
    path += "/namespaces/" + percentEncode(ref.nameSpace);
  }
  path += "/" + ref.resource;
  if (!ref.name.empty()) {
    path += "/" + percentEncode(ref.name);
    if (!ref.subresource.empty()) {
      path += "/" + ref.subresource;
    }
  }
  return path;
}

Error errorFromStatus(long httpStatus, const std::string& body, std::chrono::seconds retryAfter) {
  const json status = json::parse(body, nullptr, false);
  std::string message;
  if (status.is_object() && status.contains("message") && status["message"].is_string()) {
    message = status["message"].get<std::string>();
  } else {
    message = body.substr(0, 256);
  }
  std::string reason;
  if (status.is_object() && status.contains("reason") && status["reason"].is_string()) {
    reason = status["reason"].get<std::string>();
  }
  if (status.is_object() && status.contains("details") && status["details"].is_object() &&
      status["details"].contains("retryAfterSeconds") &&
      status["details"]["retryAfterSeconds"].is_number_integer() && retryAfter.count() == 0) {
    retryAfter = std::chrono::seconds(status["details"]["retryAfterSeconds"].get<int64_t>());
  }
  ErrorKind kind = ErrorKind::kInvalid;
  if (httpStatus == 404) {
    kind = ErrorKind::kNotFound;
  } else if (httpStatus == 409) {
    kind = ErrorKind::kConflict;
  } else if (httpStatus == 410) {
    kind = ErrorKind::kGone;
  } else if (httpStatus == 429) {
    kind = ErrorKind::kThrottled;
  } else if (httpStatus >= 500) {
    kind = ErrorKind::kUnavailable;
  }
  std::string text = "HTTP " + std::to_string(httpStatus);
  if (!reason.empty()) {
    text += " " + reason;
  }
  return Error{kind, text + ": " + message, retryAfter};
}

struct HttpKubeClient::Impl {
  RestConfig config;
  Options options;
  CurlTransport transport;
  TokenSource tokens;
  TokenBucket limiter;

  Impl(RestConfig c, Options o)
      : config(c),
        options(std::move(o)),
        transport(c, options.connectTimeout, options.userAgent),
        tokens(c),
        limiter(options.qps, options.burst, options.now) {
    if (!options.sleep) {
      options.sleep = [](std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); };
    }
    while (!config.server.empty() && config.server.back() == '/') {
      config.server.pop_back();
    }
  }

  std::chrono::nanoseconds backoff(int attempt) const {
    auto delay = options.initialBackoff * (int64_t{1} << std::min(attempt, 20));
    return std::min<std::chrono::nanoseconds>(delay, options.maxBackoff);
  }

  // Sends `request` under the rate limit, retrying 429/5xx (and, for reads, transport failures)
  // with Retry-After or exponential backoff. Returns the final reply, 2xx or not.
  Result<HttpResponse> send(HttpRequest request) {
    for (int attempt = 0;; ++attempt) {
      if (request.cancelled && request.cancelled()) {
        return Error{ErrorKind::kUnavailable, request.method + " " + request.url + ": cancelled"};
      }
      if (const auto wait = limiter.reserve(); wait.count() > 0) {
        options.sleep(wait);
      }
      auto token = tokens.token();
      if (!token) {
        return token.error();
      }
      request.bearerToken = *token;
      auto response = transport.perform(request);
      const bool last = attempt >= options.maxRetries;
      if (!response) {
        if (last || request.method != "GET") {
          return response.error();
        }
        options.sleep(backoff(attempt));
        continue;
      }
      if (response->status == 401 && config.exec && attempt == 0) {
        tokens.invalidate();  // the plugin's credential was rejected early; fetch a fresh one
        continue;
      }
      // An eviction's 429 is a PodDisruptionBudget's answer, not a throttle: the caller decides
      // when to ask again.
      const bool eviction = request.url.ends_with("/eviction");
      if (!retryable(response->status) || last || (eviction && response->status == 429)) {
        return response;
      }
      options.sleep(response->retryAfter.count() > 0
                        ? std::chrono::nanoseconds(response->retryAfter)
                        : backoff(attempt));
    }
  }

  Result<json> call(const std::string& method, const std::string& target, const json* body,
                    const std::string& contentType = "application/json") {
    HttpRequest request;
    request.method = method;
    request.url = config.server + target;
    if (body != nullptr) {
      request.body = body->dump();
      request.contentType = contentType;
    }
    request.timeout = options.requestTimeout;
    auto response = send(std::move(request));
    if (!response) {
      return response.error();
    }
    if (response->status < 200 || response->status >= 300) {
      return errorFromStatus(response->status, response->body, response->retryAfter)
          .withContext(method + " " + target);
    }
    json parsed = json::parse(response->body, nullptr, false);
    if (parsed.is_discarded()) {
      return Error{ErrorKind::kUnavailable, method + " " + target + ": reply is not JSON"};
    }
    return parsed;
  }
};

namespace {
// The leading decimal digits of `text` ("31+" → "31").
std::string versionDigitPrefix(std::string_view text) {
  size_t n = 0;
  while (n < text.size() && text[n] >= '0' && text[n] <= '9') {
    ++n;
  }
  return std::string(text.substr(0, n));
}
}  // namespace

std::string ServerVersion::minorVersion() const {
  const std::string majorDigits = versionDigitPrefix(major);
  const std::string minorDigits = versionDigitPrefix(minor);
  if (!majorDigits.empty() && !minorDigits.empty()) {
    return majorDigits + "." + minorDigits;
  }
  // gitVersion is "v<major>.<minor>.<patch>[-build]".
  std::string_view git = gitVersion;
  if (git.starts_with('v')) {
    git.remove_prefix(1);
  }
  const std::string gitMajor = versionDigitPrefix(git);
  if (gitMajor.empty() || git.size() <= gitMajor.size() || git[gitMajor.size()] != '.') {
    return "";
  }
  const std::string gitMinor = versionDigitPrefix(git.substr(gitMajor.size() + 1));
  return gitMinor.empty() ? "" : gitMajor + "." + gitMinor;
}

Result<ServerVersion> KubeClient::serverVersion() {
  return Error{ErrorKind::kUnavailable, "this Kubernetes client cannot read GET /version"};
}

HttpKubeClient::HttpKubeClient(RestConfig config, Options options)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(options))) {}

HttpKubeClient::~HttpKubeClient() = default;

uint64_t HttpKubeClient::connectionsOpened() const {
  return impl_->transport.connectionsOpened();
}

// KubeClient

Result<ServerVersion> HttpKubeClient::serverVersion() {
  auto reply = impl_->call("GET", "/version", nullptr);
  if (!reply) {
    return reply.error();
  }
  if (!reply->is_object()) {
    return Error{ErrorKind::kUnavailable, "GET /version: the reply is not an object"};
  }
  return ServerVersion{reply->value("major", ""), reply->value("minor", ""),
                       reply->value("gitVersion", ""), reply->value("platform", "")};
}

Result<json> HttpKubeClient::get(const ResourceRef& ref) {
  return impl_->call("GET", resourcePath(ref), nullptr);
}

Result<ListPage> HttpKubeClient::list(const ResourceRef& ref, const ListOptions& options) {
  const std::string target =
      resourcePath(ref) + query({{"labelSelector", options.labelSelector},
                                 {"fieldSelector", options.fieldSelector},
                                 {"limit", options.limit > 0 ? std::to_string(options.limit) : ""},
                                 {"continue", options.continueToken},
                                 {"resourceVersion", options.resourceVersion}});
  auto reply = impl_->call("GET", target, nullptr);
  if (!reply) {
    return reply.error();
  }
  ListPage page;
  const json& body = *reply;
  if (body.contains("items") && body["items"].is_array()) {
    page.items = body["items"];
  }
  if (body.contains("metadata") && body["metadata"].is_object()) {
    page.resourceVersion = body["metadata"].value("resourceVersion", "");
    page.continueToken = body["metadata"].value("continue", "");
  }
  return page;
}

Result<json> HttpKubeClient::create(const ResourceRef& ref, const json& object) {
  // POST goes to the collection, or to a subresource of a named object (pods/NAME/eviction,
  // pods/NAME/binding).
  ResourceRef target = ref;
  if (target.subresource.empty()) {
    target.name.clear();
  }
  return impl_->call("POST", resourcePath(target), &object);
}

Result<json> HttpKubeClient::update(const ResourceRef& ref, const json& object) {
  return impl_->call("PUT", resourcePath(ref), &object);
}

Result<json> HttpKubeClient::updateStatus(const ResourceRef& ref, const json& object) {
  ResourceRef status = ref;
  status.subresource = "status";
  return impl_->call("PUT", resourcePath(status), &object);
}

Result<json> HttpKubeClient::patch(const ResourceRef& ref, PatchType type, const json& patch) {
  const char* contentType = "application/merge-patch+json";
  if (type == PatchType::kJson) {
    contentType = "application/json-patch+json";
  } else if (type == PatchType::kStrategicMerge) {
    contentType = "application/strategic-merge-patch+json";
  }
  return impl_->call("PATCH", resourcePath(ref), &patch, contentType);
}

Result<json> HttpKubeClient::apply(const ResourceRef& ref, const json& object,
                                   const ApplyOptions& options) {
  if (options.fieldManager.empty()) {
    return invalidError("apply " + resourcePath(ref) + ": a field manager is required");
  }
  // JSON is YAML, so the object goes as it is.
  const std::string target = resourcePath(ref) + query({{"fieldManager", options.fieldManager},
                                                        {"force", options.force ? "true" : ""}});
  return impl_->call("PATCH", target, &object, "application/apply-patch+yaml");
}

Result<void> HttpKubeClient::remove(const ResourceRef& ref, const DeleteOptions& options) {
  json body = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
  if (options.preconditionUid) {
    body["preconditions"]["uid"] = *options.preconditionUid;
  }
  if (options.preconditionResourceVersion) {
    body["preconditions"]["resourceVersion"] = *options.preconditionResourceVersion;
  }
  if (options.propagationPolicy) {
    body["propagationPolicy"] = *options.propagationPolicy;
  }
  if (options.gracePeriodSeconds) {
    body["gracePeriodSeconds"] = *options.gracePeriodSeconds;
  }
  auto reply = impl_->call("DELETE", resourcePath(ref), &body);
  if (!reply) {
    return reply.error();
  }
  return {};
}

Result<void> HttpKubeClient::watch(const ResourceRef& ref, const WatchOptions& options,
                                   const WatchHandler& handler) {
  const std::string target =
      resourcePath(ref) +
      query({{"watch", "1"},
             {"labelSelector", options.labelSelector},
             {"fieldSelector", options.fieldSelector},
             {"resourceVersion", options.resourceVersion},
             {"allowWatchBookmarks", options.allowWatchBookmarks ? "true" : ""},
             {"timeoutSeconds",
              options.timeoutSeconds ? std::to_string(*options.timeoutSeconds) : ""}});
  std::string pending;
  std::optional<Error> inBand;
  HttpRequest request;
  request.method = "GET";
  request.url = impl_->config.server + target;
  if (options.timeoutSeconds) {
    // The server ends the watch at timeoutSeconds; allow it a margin before giving up locally.
    request.timeout = std::chrono::seconds(*options.timeoutSeconds + 30);
  }
  request.cancelled = options.cancelled;
  request.onData = [&](std::string_view data) {
    pending.append(data);
    size_t newline = 0;
    while ((newline = pending.find('\n')) != std::string::npos) {
      const std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      if (line.find_first_not_of(" \r\t") == std::string::npos) {
        continue;
      }
      const json event = json::parse(line, nullptr, false);
      if (!event.is_object() || !event.contains("type") || !event["type"].is_string()) {
        inBand = Error{ErrorKind::kUnavailable, "watch " + target + ": malformed event"};
        return false;
      }
      WatchEvent decoded{event["type"].get<std::string>(), event.value("object", json())};
      if (decoded.type == "ERROR") {
        const long code = decoded.object.is_object() ? decoded.object.value("code", 500L) : 500L;
        inBand = errorFromStatus(code, decoded.object.dump(), std::chrono::seconds(0))
                     .withContext("watch " + target);
        return false;
      }
      if (!handler(decoded)) {
        return false;
      }
    }
    return true;
  };
  auto response = impl_->send(std::move(request));
  if (!response) {
    if (options.cancelled && options.cancelled()) {
      return {};  // stopped while (re)connecting: not an error
    }
    return response.error();
  }
  if (inBand) {
    return *inBand;
  }
  if (response->status < 200 || response->status >= 300) {
    return errorFromStatus(response->status, response->body, response->retryAfter)
        .withContext("watch " + target);
  }
  return {};
}

}  // namespace karpenter::kube
