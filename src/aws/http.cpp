#include "karpenter/aws/http.hpp"

#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>
#include <strings.h>

#include <curl/curl.h>

namespace karpenter::aws {
namespace {

struct Exchange {
  HttpResponse response;
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
  static_cast<Exchange*>(user)->response.body.append(data, size * count);
  return size * count;
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  std::string line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.pop_back();
  }
  if (line.rfind("HTTP/", 0) == 0) {
    exchange->response.headers.clear();  // a new response (after 100-continue or a redirect)
    return size * count;
  }
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    size_t start = colon + 1;
    while (start < line.size() && line[start] == ' ') {
      ++start;
    }
    exchange->response.headers.push_back({line.substr(0, colon), line.substr(start)});
  }
  return size * count;
}

int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancelled = static_cast<const std::function<bool()>*>(user);
  return (*cancelled)() ? 1 : 0;  // non-zero aborts the transfer
}

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(std::string userAgent) : userAgent_(std::move(userAgent)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  // HttpClient
  Result<HttpResponse> send(const HttpRequest& request) override {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle(curl_easy_init(), curl_easy_cleanup);
    if (!handle) {
      return Error{ErrorKind::kInternal, "curl_easy_init failed"};
    }
    CURL* h = handle.get();
    Exchange exchange;
    char errorBuffer[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(h, CURLOPT_USERAGENT, userAgent_.c_str());
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(request.connectTimeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &exchange);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &exchange);
    if (request.cancelled) {
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, onProgress);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, &request.cancelled);
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    if (request.method != "GET" && request.method != "HEAD") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
    curl_slist* headers = nullptr;
    // libcurl would otherwise add "Expect: 100-continue" to larger bodies and a form content type.
    headers = curl_slist_append(headers, "Expect:");
    bool hasContentType = false;
    for (const HttpHeader& header : request.headers) {
      hasContentType = hasContentType || strcasecmp(header.name.c_str(), "content-type") == 0;
      headers = curl_slist_append(headers, (header.name + ": " + header.value).c_str());
    }
    if (!hasContentType) {
      headers = curl_slist_append(headers, "Content-Type:");
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    const CURLcode code = curl_easy_perform(h);
    curl_slist_free_all(headers);
    if (code != CURLE_OK) {
      const std::string detail = errorBuffer[0] != 0 ? errorBuffer : curl_easy_strerror(code);
      return Error{ErrorKind::kUnavailable, request.method + " " + request.url + ": " + detail};
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &exchange.response.status);
    return std::move(exchange.response);
  }

 private:
  std::string userAgent_;
};

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const HttpHeader& h : headers) {
    if (h.name.size() == name.size() && strncasecmp(h.name.data(), name.data(), name.size()) == 0) {
      return h.value;
    }
  }
  return "";
}

Environment processEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr || *value == '\0') {
      return std::nullopt;
    }
    return std::string(value);
  };
}

Environment mapEnvironment(std::vector<std::pair<std::string, std::string>> values) {
  std::map<std::string, std::string, std::less<>> map;
  for (auto& [name, value] : values) {
    map[name] = std::move(value);  // a later entry overrides an earlier one
  }
  return [map = std::move(map)](std::string_view name) -> std::optional<std::string> {
    auto it = map.find(name);
    if (it == map.end() || it->second.empty()) {
      return std::nullopt;
    }
    return it->second;
  };
}

Clock systemClock() {
  return [] { return std::chrono::system_clock::now(); };
}

HttpClientPtr makeCurlHttpClient(std::string userAgent) {
  return std::make_shared<CurlHttpClient>(std::move(userAgent));
}

Result<ParsedUrl> parseUrl(std::string_view url) {
  ParsedUrl parsed;
  const size_t schemeEnd = url.find("://");
  if (schemeEnd == std::string_view::npos) {
    return invalidError("URL \"" + std::string(url) +
                        "\" has no scheme; write https://host[:port]");
  }
  parsed.scheme = std::string(url.substr(0, schemeEnd));
  std::string_view rest = url.substr(schemeEnd + 3);
  const size_t pathStart = rest.find_first_of("/?");
  parsed.authority = std::string(rest.substr(0, pathStart));
  if (parsed.authority.empty()) {
    return invalidError("URL \"" + std::string(url) + "\" has no host");
  }
  parsed.host = parsed.authority;
  if (parsed.host.front() == '[') {
    parsed.host = parsed.host.substr(1, parsed.host.find(']') - 1);
  } else if (const size_t colon = parsed.host.find(':'); colon != std::string::npos) {
    parsed.host.resize(colon);
  }
  if (pathStart != std::string_view::npos) {
    std::string_view tail = rest.substr(pathStart);
    const size_t question = tail.find('?');
    parsed.path = std::string(tail.substr(0, question));
    if (parsed.path.empty()) {
      parsed.path = "/";
    }
    if (question != std::string_view::npos) {
      parsed.query = std::string(tail.substr(question + 1));
    }
  }
  return parsed;
}

}  // namespace karpenter::aws
