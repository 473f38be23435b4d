#include "karpenter/server/http.hpp"

#include <algorithm>
#include <cctype>
#include <exception>
#include <set>

#include <spdlog/spdlog.h>

namespace karpenter::server {
namespace {

std::string_view pathOf(std::string_view target) {
  const size_t query = target.find('?');
  return query == std::string_view::npos ? target : target.substr(0, query);
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

// Handlers report bad input as values; an exception escaping one is a bug, not the client's fault.
template <typename Call>
Response guarded(const Request& request, Call call) {
  try {
    return call();
  } catch (const std::exception& e) {
    spdlog::error("handler for {} {} threw: {}", request.method, request.target, e.what());
    return jsonError(500, "internal error");
  }
}

}  // namespace

Response jsonError(int status, std::string_view message) {
  Response response;
  response.status = status;
  // Messages may quote client bytes (a JSON parse error shows the bad token), which need not be
  // valid UTF-8; dump() would throw on them, so they are replaced with U+FFFD.
  response.body = nlohmann::json{{"code", status}, {"message", message}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response invalidJson(std::string_view why) {
  return jsonError(400, "request body is not valid JSON: " + std::string(why));
}

bool isJsonContentType(std::string_view contentType) {
  const size_t semicolon = contentType.find(';');
  const std::string_view mediaType =
      trim(semicolon == std::string_view::npos ? contentType : contentType.substr(0, semicolon));
  return lower(mediaType) == "application/json";
}

Router::Router(size_t defaultBodyLimit) : defaultBodyLimit_(defaultBodyLimit) {}

void Router::addJsonRoute(std::string method, std::string path, JsonHandler handler,
                          size_t bodyLimit) {
  addRoute(Route{std::move(method), std::move(path), bodyLimit, std::move(handler), nullptr});
}

void Router::addPlainRoute(std::string method, std::string path, PlainHandler handler,
                           size_t bodyLimit) {
  addRoute(Route{std::move(method), std::move(path), bodyLimit, nullptr, std::move(handler)});
}

void Router::addRawJsonRoute(std::string method, std::string path, PlainHandler handler,
                             size_t bodyLimit) {
  addRoute(Route{std::move(method), std::move(path), bodyLimit, nullptr, std::move(handler), true});
}

void Router::addRoute(Route route) {
  for (Route& existing : routes_) {
    if (existing.method == route.method && existing.path == route.path) {
      existing = std::move(route);
      return;
    }
  }
  routes_.push_back(std::move(route));
}

size_t Router::bodyLimitFor(std::string_view target) const {
  const std::string_view path = pathOf(target);
  size_t limit = 0;
  bool found = false;
  for (const Route& route : routes_) {
    if (route.path == path) {
      limit = std::max(limit, route.bodyLimit);
      found = true;
    }
  }
  return found ? limit : defaultBodyLimit_;
}

Response Router::handle(const Request& request) const {
  const std::string_view path = pathOf(request.target);
  const Route* match = nullptr;
  std::set<std::string> allowed;
  for (const Route& route : routes_) {
    if (route.path != path) {
      continue;
    }
    allowed.insert(route.method);
    if (route.method == request.method) {
      match = &route;
    }
  }
  if (allowed.empty()) {
    return jsonError(404, "no handler for path " + std::string(path));
  }
  if (match == nullptr) {
    std::string allow;
    for (const std::string& method : allowed) {
      allow += (allow.empty() ? "" : ", ") + method;
    }
    Response response = jsonError(405, "method " + request.method + " is not allowed on " +
                                           std::string(path) + "; allowed: " + allow);
    response.headers.emplace_back("Allow", allow);
    return response;
  }
  if (request.body.size() > match->bodyLimit) {
    return jsonError(413, "request body of " + std::to_string(request.body.size()) +
                              " bytes exceeds the limit of " + std::to_string(match->bodyLimit) +
                              " bytes");
  }
  if (match->plain && !match->jsonContent) {
    return guarded(request, [&] { return match->plain(request); });
  }
  if (!isJsonContentType(request.contentType)) {
    return jsonError(415,
                     "Content-Type must be application/json, got \"" + request.contentType + "\"");
  }
  if (match->plain) {
    return guarded(request, [&] { return match->plain(request); });
  }
  extender::WireJson body;
  try {
    body = extender::WireJson::parse(request.body);
  } catch (const nlohmann::json::exception& e) {
    // parse_error, and out_of_range for numbers such as 1e999 that overflow a double.
    return invalidJson(e.what());
  }
  return guarded(request, [&] { return match->json(request, body); });
}

}  // namespace karpenter::server
