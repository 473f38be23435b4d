#pragma once

// Maps kube-apiserver REST requests to Store calls; knows nothing of sockets so that it can be
// tested and reused without a network. Internal to src/apiserver.

#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "karpenter/apiserver/store.hpp"

namespace karpenter::apiserver {

struct RestRequest {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string target;  // path and query, percent-encoded
  std::string contentType;
  std::string userAgent;
  std::string body;
};

struct RestResponse {
  int status = 200;
  nlohmann::json body;
};

// A ?watch=1 request: the caller streams Store::watch events for it.
struct WatchRequest {
  Gvr gvr;
  std::string ns;
  WatchOptions options;
  int timeoutSeconds = 0;  // 0 = the server's default
};

// Thread-safe as the Store is.
std::variant<RestResponse, WatchRequest> routeRequest(Store& store, const RestRequest& request);

}  // namespace karpenter::apiserver
