#include "curl_transport.hpp"

#include <cctype>
#include <memory>
#include <mutex>

#include <curl/curl.h>

namespace karpenter::kube {
namespace {

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Exchange {
  CURL* handle = nullptr;
  const HttpRequest* request = nullptr;
  HttpResponse response;
  bool aborted = false;
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t bytes = size * count;
  long status = 0;
  curl_easy_getinfo(exchange->handle, CURLINFO_RESPONSE_CODE, &status);
  if (exchange->request->onData && status >= 200 && status < 300) {
    if (!exchange->request->onData(std::string_view(data, bytes))) {
      exchange->aborted = true;
      return 0;  // aborts the transfer
    }
    return bytes;
  }
  exchange->response.body.append(data, bytes);
  return bytes;
}

int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* exchange = static_cast<Exchange*>(user);
  if (exchange->request->cancelled && exchange->request->cancelled()) {
    exchange->aborted = true;
    return 1;  // CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t bytes = size * count;
  std::string line(data, bytes);
  constexpr std::string_view kRetryAfter = "retry-after:";
  if (line.size() > kRetryAfter.size()) {
    std::string prefix = line.substr(0, kRetryAfter.size());
    for (auto& c : prefix) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (prefix == kRetryAfter) {
      try {
        exchange->response.retryAfter =
            std::chrono::seconds(std::stol(line.substr(kRetryAfter.size())));
      } catch (const std::exception&) {
        // An HTTP-date Retry-After is not sent by apiservers; fall back to backoff.
      }
    }
  }
  return bytes;
}

void setBlob(CURL* handle, CURLoption option, const std::string& data) {
  curl_blob blob{const_cast<char*>(data.data()), data.size(), CURL_BLOB_COPY};
  curl_easy_setopt(handle, option, &blob);
}

struct UrlFree {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

// kubeconfig's tls-server-name: libcurl takes SNI and the name it verifies from the URL, so the
// URL names tls-server-name and CURLOPT_CONNECT_TO sends the connection to the real address
// ("name:port:host:port"). Returns false when `url` cannot be parsed.
bool routeThroughServerName(const std::string& url, const std::string& serverName,
                            std::string& rewritten, std::string& connectTo) {
  std::unique_ptr<CURLU, UrlFree> parsed(curl_url());
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return false;
  }
  char* host = nullptr;
  char* port = nullptr;
  if (curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK ||
      curl_url_get(parsed.get(), CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
    curl_free(host);
    return false;
  }
  connectTo = serverName + ":" + port + ":" + host + ":" + port;
  curl_free(host);
  curl_free(port);
  char* full = nullptr;
  if (curl_url_set(parsed.get(), CURLUPART_HOST, serverName.c_str(), 0) != CURLUE_OK ||
      curl_url_get(parsed.get(), CURLUPART_URL, &full, 0) != CURLUE_OK) {
    return false;
  }
  rewritten = full;
  curl_free(full);
  return true;
}

}  // namespace

CurlTransport::CurlTransport(RestConfig config, std::chrono::milliseconds connectTimeout,
                             std::string userAgent)
    : config_(std::move(config)),
      connectTimeout_(connectTimeout),
      userAgent_(std::move(userAgent)) {
  globalInit();
}

CurlTransport::~CurlTransport() {
  for (CURL* handle : idleHandles_) {
    curl_easy_cleanup(handle);
  }
}

CURL* CurlTransport::takeHandle() const {
  {
    std::lock_guard lock(poolMutex_);
    if (!idleHandles_.empty()) {
      CURL* handle = idleHandles_.back();
      idleHandles_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void CurlTransport::returnHandle(CURL* handle) const {
  // Clears the options (they point into the finished call's stack) but keeps the handle's open
  // connection and TLS session for the next request.
  curl_easy_reset(handle);
  {
    std::lock_guard lock(poolMutex_);
    if (idleHandles_.size() < kMaxIdleHandles) {
      idleHandles_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(handle);
}

Result<HttpResponse> CurlTransport::perform(const HttpRequest& request) const {
  // Declared before the handle: they must outlive its release (reset) at the end of this call.
  char errorBuffer[CURL_ERROR_SIZE] = {0};
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> connectTo(nullptr,
                                                                        curl_slist_free_all);
  // A watch keeps its connection busy for minutes: it gets a handle (and connection) of its own
  // rather than holding a pooled one.
  const bool streaming = static_cast<bool>(request.onData);
  CURL* h = streaming ? curl_easy_init() : takeHandle();
  if (h == nullptr) {
    return Error{ErrorKind::kInternal, "curl_easy_init failed"};
  }
  auto release = [this, streaming](CURL* handle) {
    long connects = 0;
    if (curl_easy_getinfo(handle, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects > 0) {
      connectionsOpened_ += static_cast<uint64_t>(connects);
    }
    if (streaming) {
      curl_easy_cleanup(handle);
    } else {
      returnHandle(handle);
    }
  };
  std::unique_ptr<CURL, decltype(release)> handle(h, release);
  Exchange exchange{h, &request, {}, false};
  std::string url = request.url;
  if (!config_.tlsServerName.empty() && url.starts_with("https://")) {
    std::string rewritten;
    std::string mapping;
    if (!routeThroughServerName(url, config_.tlsServerName, rewritten, mapping)) {
      return Error{ErrorKind::kInvalid, request.method + " " + request.url +
                                            ": cannot apply tls-server-name \"" +
                                            config_.tlsServerName + "\" to this URL"};
    }
    url = std::move(rewritten);
    connectTo.reset(curl_slist_append(nullptr, mapping.c_str()));
    curl_easy_setopt(h, CURLOPT_CONNECT_TO, connectTo.get());
  }
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errorBuffer);
  curl_easy_setopt(h, CURLOPT_USERAGENT, userAgent_.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connectTimeout_.count()));
  if (request.timeout.count() > 0) {
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  }
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
  if (request.cancelled) {
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &exchange);
  }
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &exchange);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  // TLS: the cluster CA (data or file), client certificate, or no verification when asked.
  if (config_.insecureSkipTlsVerify) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  } else if (!config_.caData.empty()) {
    setBlob(h, CURLOPT_CAINFO_BLOB, config_.caData);
  } else if (!config_.caFile.empty()) {
    curl_easy_setopt(h, CURLOPT_CAINFO, config_.caFile.c_str());
  }
  if (!config_.clientCertData.empty()) {
    setBlob(h, CURLOPT_SSLCERT_BLOB, config_.clientCertData);
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
  } else if (!config_.clientCertFile.empty()) {
    curl_easy_setopt(h, CURLOPT_SSLCERT, config_.clientCertFile.c_str());
  }
  if (!config_.clientKeyData.empty()) {
    setBlob(h, CURLOPT_SSLKEY_BLOB, config_.clientKeyData);
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
  } else if (!config_.clientKeyFile.empty()) {
    curl_easy_setopt(h, CURLOPT_SSLKEY, config_.clientKeyFile.c_str());
  }
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Accept: application/json");
  if (!request.contentType.empty()) {
    headers = curl_slist_append(headers, ("Content-Type: " + request.contentType).c_str());
  }
  if (!request.bearerToken.empty()) {
    headers = curl_slist_append(headers, ("Authorization: Bearer " + request.bearerToken).c_str());
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  const CURLcode code = curl_easy_perform(h);
  curl_slist_free_all(headers);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &exchange.response.status);
  const bool abortedByUs =
      exchange.aborted && (code == CURLE_WRITE_ERROR || code == CURLE_ABORTED_BY_CALLBACK);
  if (code != CURLE_OK && !abortedByUs) {
    std::string detail = errorBuffer[0] != 0 ? errorBuffer : curl_easy_strerror(code);
    if (code == CURLE_PEER_FAILED_VERIFICATION) {
      detail +=
          " (the server's certificate is not trusted for this name: check the kubeconfig's "
          "certificate-authority(-data) and tls-server-name)";
    }
    if (exchange.response.status != 0 && request.onData) {
      // A stream that broke after a 2xx reply ends the watch; the caller resumes.
      return std::move(exchange.response);
    }
    return Error{ErrorKind::kUnavailable, request.method + " " + request.url + ": " + detail};
  }
  return std::move(exchange.response);
}

}  // namespace karpenter::kube
