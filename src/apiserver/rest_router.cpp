#include "rest_router.hpp"

#include <cctype>
#include <map>
#include <vector>

#include "karpenter/api/yaml.hpp"

namespace karpenter::apiserver {
namespace {

std::string percentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(text[i + 1]) &&
        std::isxdigit(text[i + 2])) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(separator, start), text.size());
    if (end > start) {
      parts.emplace_back(text.substr(start, end - start));
    }
    start = end + 1;
  }
  return parts;
}

RestResponse fromResult(const ApiResult<nlohmann::json>& result, int okStatus = 200) {
  if (!result) {
    return {result.error().code, result.error().toStatus()};
  }
  return {okStatus, *result};
}

RestResponse fromError(const ApiError& error) {
  return {error.code, error.toStatus()};
}

// PATCH application/apply-patch+yaml: the body is YAML (JSON being YAML too), one document.
RestResponse routeApply(Store& store, const Gvr& gvr, const std::string& ns,
                        const std::string& name, Subresource subresource,
                        std::map<std::string, std::string>& query, const std::string& body) {
  auto documents = api::parseManifests(body, "apply patch");
  if (!documents) {
    return fromError(badRequest("error decoding YAML: " + documents.error().message));
  }
  if (documents->size() != 1 || !(*documents)[0].is_object()) {
    return fromError(badRequest("an apply patch must hold exactly one object"));
  }
  const std::string force = query["force"];
  if (!force.empty() && force != "true" && force != "false") {
    return fromError(badRequest("force: want true or false, got \"" + force + "\""));
  }
  ApplyOptions options{query["fieldManager"], force == "true"};
  auto applied = store.apply(gvr, ns, name, (*documents)[0], options, subresource);
  if (!applied) {
    return fromError(applied.error());
  }
  return {applied->created ? 201 : 200, std::move(applied->object)};
}

}  // namespace

std::variant<RestResponse, WatchRequest> routeRequest(Store& store, const RestRequest& request) {
  const size_t question = request.target.find('?');
  const std::string path = request.target.substr(0, question);
  std::map<std::string, std::string> query;
  if (question != std::string::npos) {
    for (const std::string& pair : split(request.target.substr(question + 1), '&')) {
      const size_t eq = pair.find('=');
      query[percentDecode(pair.substr(0, eq))] =
          eq == std::string::npos ? "" : percentDecode(pair.substr(eq + 1));
    }
  }
  const std::vector<std::string> segments = split(path, '/');
  const bool get = request.method == "GET";
  // Discovery.
  if (get && segments == std::vector<std::string>{"api"}) {
    return RestResponse{200, coreApiVersions()};
  }
  if (get && segments == std::vector<std::string>{"apis"}) {
    return RestResponse{200, apiGroupList(store.resources())};
  }
  if (get && segments == std::vector<std::string>{"version"}) {
    return RestResponse{200, versionInfo()};
  }
  Gvr gvr;
  size_t rest = 0;
  if (segments.size() >= 2 && segments[0] == "api") {
    gvr = {"", segments[1], ""};
    rest = 2;
  } else if (segments.size() >= 3 && segments[0] == "apis") {
    gvr = {segments[1], segments[2], ""};
    rest = 3;
  } else {
    return RestResponse{
        404, ApiError{404, "NotFound", "the server could not find the requested resource",
                      nlohmann::json::object()}
                 .toStatus()};
  }
  std::vector<std::string> tail(segments.begin() + static_cast<long>(rest), segments.end());
  if (tail.empty()) {
    nlohmann::json list = apiResourceList(store.resources(), gvr.group, gvr.version);
    if (get && !list.is_null()) {
      return RestResponse{200, std::move(list)};
    }
    return RestResponse{
        404, ApiError{404, "NotFound", "the server could not find the requested resource",
                      nlohmann::json::object()}
                 .toStatus()};
  }
  std::string ns;
  if (tail.size() >= 3 && tail[0] == "namespaces") {
    const ResourceInfo* info = store.find({gvr.group, gvr.version, tail[2]});
    if (info != nullptr && info->namespaced) {
      ns = tail[1];
      tail.erase(tail.begin(), tail.begin() + 2);
    }
  }
  gvr.resource = tail[0];
  const std::string name = tail.size() > 1 ? tail[1] : "";
  const std::string sub = tail.size() > 2 ? tail[2] : "";
  if (store.find(gvr) == nullptr || tail.size() > 3) {
    return RestResponse{
        404, ApiError{404, "NotFound", "the server could not find the requested resource",
                      nlohmann::json::object()}
                 .toStatus()};
  }
  const std::string contentType = request.contentType.substr(0, request.contentType.find(';'));
  const Subresource subresource = sub == "status" ? Subresource::kStatus : Subresource::kMain;
  if (request.method == "PATCH" && !name.empty() && contentType == "application/apply-patch+yaml" &&
      (sub.empty() || sub == "status")) {
    return routeApply(store, gvr, ns, name, subresource, query, request.body);
  }
  // Who a write is recorded for in managedFields: ?fieldManager=, else the User-Agent's product
  // token, as upstream's fieldmanager does.
  std::string manager = query["fieldManager"];
  if (manager.empty()) {
    manager = request.userAgent.substr(0, request.userAgent.find('/'));
  }
  if (manager.empty()) {
    manager = "unknown";
  }
  manager = manager.substr(0, 128);
  nlohmann::json body;
  if (!request.body.empty()) {
    body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded()) {
      return fromError(badRequest("the request body is not valid JSON"));
    }
  }
  if (!sub.empty() && sub != "status" &&
      !(gvr.group.empty() && gvr.resource == "pods" && (sub == "eviction" || sub == "binding"))) {
    return RestResponse{
        404, ApiError{404, "NotFound", "the server could not find the requested resource",
                      nlohmann::json::object()}
                 .toStatus()};
  }
  if (request.method == "POST" && sub == "eviction") {
    return fromResult(store.evict(ns, name, body), 201);
  }
  if (request.method == "POST" && sub == "binding") {
    return fromResult(store.bind(ns, name, body), 201);
  }
  if (name.empty()) {
    if (get && (query["watch"] == "1" || query["watch"] == "true")) {
      WatchRequest watch{gvr, ns, {}, 0};
      watch.options = {query["labelSelector"], query["fieldSelector"], query["resourceVersion"],
                       query["allowWatchBookmarks"] == "true"};
      if (!query["timeoutSeconds"].empty()) {
        watch.timeoutSeconds = std::atoi(query["timeoutSeconds"].c_str());
      }
      return watch;
    }
    if (get) {
      ListOptions options{query["labelSelector"], query["fieldSelector"],
                          std::atoll(query["limit"].c_str()), query["continue"],
                          query["resourceVersion"]};
      return fromResult(store.list(gvr, ns, options));
    }
    if (request.method == "POST") {
      return fromResult(store.create(gvr, ns, std::move(body), manager), 201);
    }
    return fromError(methodNotSupported(gvr.resource, request.method));
  }
  if (get) {
    return fromResult(store.get(gvr, ns, name));
  }
  if (request.method == "PUT") {
    return fromResult(store.update(gvr, ns, name, std::move(body), subresource, manager));
  }
  if (request.method == "PATCH") {
    PatchType patchType = PatchType::kMerge;
    if (contentType == "application/json-patch+json") {
      patchType = PatchType::kJson;
    } else if (contentType == "application/strategic-merge-patch+json") {
      patchType = PatchType::kStrategicMerge;
    } else if (contentType != "application/merge-patch+json") {
      return fromError(unsupportedMediaType(
          {"application/json-patch+json", "application/merge-patch+json",
           "application/apply-patch+yaml", "application/strategic-merge-patch+json"}));
    }
    if (!query["force"].empty()) {
      return fromError(ApiError{422, "Invalid",
                                "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may "
                                "not be specified for non-apply patch",
                                nlohmann::json::object()});
    }
    return fromResult(store.patch(gvr, ns, name, patchType, body, subresource, manager));
  }
  if (request.method == "DELETE") {
    DeleteOptions options;
    if (body.is_object() && body.contains("preconditions")) {
      options.preconditionUid = body["preconditions"].value("uid", "");
      options.preconditionResourceVersion = body["preconditions"].value("resourceVersion", "");
    }
    return fromResult(store.remove(gvr, ns, name, options));
  }
  return fromError(methodNotSupported(gvr.resource, request.method));
}

}  // namespace karpenter::apiserver
