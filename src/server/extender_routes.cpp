// POST /scheduler/filter and /scheduler/prioritize. kube-scheduler sends one pod and, in cache
// mode, thousands of node names per call: the body is decoded in one streaming pass that keeps
// only the pod's uid and requests and the names (args_scanner.hpp), nodes are looked up in the
// snapshot's hash index, and the reply is written straight into the body (reply_writer.hpp).
// Non-cache mode (a NodeList whose Node objects filter hands back) takes the tree decoder.
#include <vector>

#include "karpenter/extender/args_scanner.hpp"
#include "karpenter/extender/reply_writer.hpp"
#include "karpenter/server/http.hpp"

namespace karpenter::server {
namespace {

enum class Verb { kFilter, kPrioritize };

Response jsonReply(std::string body) {
  Response response;
  response.body = std::move(body);
  return response;
}

// Non-cache mode, and any request with a non-null Nodes: the tree decoder and the typed verbs.
Response answerFromTree(Verb verb, const Request& request, const extender::ClusterView& view) {
  extender::WireJson json;
  try {
    json = extender::WireJson::parse(request.body);
  } catch (const nlohmann::json::exception& e) {
    return invalidJson(e.what());
  }
  auto args = extender::decodeExtenderArgs(json);
  if (!args) {
    return jsonError(400, "invalid ExtenderArgs: " + args.error().message);
  }
  const extender::WireJson reply = verb == Verb::kFilter
                                       ? extender::encode(extender::filter(*args, view))
                                       : extender::encode(extender::prioritize(*args, view));
  return jsonReply(reply.dump());
}

Response answer(Verb verb, const Request& request, const ClusterViewProvider& views) {
  extender::ScanResult scanned = extender::scanExtenderArgs(request.body);
  if (scanned.outcome == extender::ScanResult::Outcome::kInvalidJson) {
    return invalidJson(scanned.error);
  }
  if (scanned.outcome == extender::ScanResult::Outcome::kInvalidArgs) {
    return jsonError(400, "invalid ExtenderArgs: " + scanned.error);
  }
  std::shared_ptr<const extender::ClusterView> view = views ? views() : nullptr;
  if (!view) {
    return jsonError(503, "cluster state is not synced yet");
  }
  if (scanned.args.hasNodes) {
    return answerFromTree(verb, request, *view);
  }
  const bool namesPresent = scanned.args.nodeNames.has_value();
  const std::vector<std::string_view> names =
      namesPresent ? scanned.args.nodeNames->views() : std::vector<std::string_view>();
  if (verb == Verb::kPrioritize) {
    const std::vector<int64_t> scores = extender::priorityScores(scanned.args.pod, names, *view);
    return jsonReply(extender::writeHostPriorities(names, scores));
  }
  std::vector<const char*> reasons;
  reasons.reserve(names.size());
  for (const std::string_view name : names) {
    reasons.push_back(extender::filterRejection(view->node(name)));
  }
  return jsonReply(extender::writeFilterReply(names, reasons, namesPresent));
}

}  // namespace

void addExtenderRoutes(Router& router, ClusterViewProvider views, size_t bodyLimit) {
  router.addRawJsonRoute(
      "POST", "/scheduler/filter",
      [views](const Request& request) { return answer(Verb::kFilter, request, views); }, bodyLimit);
  router.addRawJsonRoute(
      "POST", "/scheduler/prioritize",
      [views](const Request& request) { return answer(Verb::kPrioritize, request, views); },
      bodyLimit);
}

}  // namespace karpenter::server
