#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "karpenter/extender/decisions.hpp"
#include "karpenter/extender/wire.hpp"

namespace karpenter::server {

// The socket-free half of the HTTPS server: a request in, a response out. The transport
// (https_server.hpp) parses HTTP, asks the Router which body limit applies to a target before
// reading the body, and writes back whatever handle() returns.

constexpr size_t kDefaultBodyLimit = 3 * 1024 * 1024;    // AdmissionReview-sized requests
constexpr size_t kExtenderBodyLimit = 64 * 1024 * 1024;  // NodeLists (nodeCacheCapable=false)

struct Request {
  std::string method;       // "POST"
  std::string target;       // "/scheduler/filter?x=y"; the query is ignored for routing
  std::string contentType;  // the Content-Type header, verbatim ("" when absent)
  std::string body;
};

struct Response {
  int status = 200;
  std::string contentType = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (e.g. Allow)
  std::string body;
};

// {"code":<status>,"message":<message>} with that status. Used for every error the server sends.
Response jsonError(int status, std::string_view message);

// 400 for a body that does not parse: "request body is not valid JSON: <why>".
Response invalidJson(std::string_view why);

// True for "application/json", case-insensitively, with or without parameters ("; charset=utf-8").
bool isJsonContentType(std::string_view contentType);

// A handler for a JSON route: receives the parsed body, returns the response. Handlers report
// bad input as 4xx responses; an exception escaping a handler becomes a 500 (a bug, not input).
using JsonHandler = std::function<Response(const Request& request, const extender::WireJson& body)>;
// A handler that takes the request as it is (no content-type or JSON checks): GET endpoints such
// as /metrics and /healthz.
using PlainHandler = std::function<Response(const Request& request)>;

// Maps (method, path) to a handler. Build it fully, then share it (const) with the server:
// handle() and bodyLimitFor() are const and safe to call from any number of threads; add() is
// not thread-safe and must not race with them.
class Router final {
 public:
  explicit Router(size_t defaultBodyLimit = kDefaultBodyLimit);

  // Registers a JSON route: requests must carry Content-Type application/json (else 415) and
  // a body that parses as JSON (else 400 naming the parse error) of at most bodyLimit bytes
  // (else 413). Registering the same (method, path) twice replaces the handler.
  void addJsonRoute(std::string method, std::string path, JsonHandler handler, size_t bodyLimit);
  // Registers a route whose handler sees the raw request; bodies over bodyLimit are 413.
  void addPlainRoute(std::string method, std::string path, PlainHandler handler,
                     size_t bodyLimit = 0);
  // Registers a JSON route whose handler parses the body itself (e.g. streaming, keeping only
  // what it needs): the Content-Type (415) and size (413) checks of addJsonRoute apply; answering
  // unparsable JSON with 400 (see invalidJson) is the handler's job.
  void addRawJsonRoute(std::string method, std::string path, PlainHandler handler,
                       size_t bodyLimit);

  // The body limit for a target: the largest limit among the routes of its path, or the
  // default when no route matches (so an unknown path cannot be used to send a huge body).
  size_t bodyLimitFor(std::string_view target) const;

  // Routes one request. Statuses: 404 unknown path, 405 known path with another method (with an
  // Allow header), 413 body over the limit, 415 not JSON, 400 unparsable JSON, else the handler's.
  Response handle(const Request& request) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    size_t bodyLimit;
    JsonHandler json;          // set for JSON routes
    PlainHandler plain;        // set for plain and raw JSON routes
    bool jsonContent = false;  // a raw JSON route: Content-Type must be JSON
  };
  void addRoute(Route route);
  size_t defaultBodyLimit_;
  std::vector<Route> routes_;
};

// Supplies the cluster snapshot an extender call reads; may return null while the state has
// not synced yet (the extender then answers 503). Called once per request, from I/O threads.
using ClusterViewProvider = std::function<std::shared_ptr<const extender::ClusterView>()>;

// Registers POST /scheduler/filter and POST /scheduler/prioritize, answering in
// kube-scheduler's exact wire format. A body that is JSON but not ExtenderArgs is a 400 naming
// the field.
void addExtenderRoutes(Router& router, ClusterViewProvider views,
                       size_t bodyLimit = kExtenderBodyLimit);

}  // namespace karpenter::server
