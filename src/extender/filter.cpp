#include "karpenter/extender/decisions.hpp"

namespace karpenter::extender {

const char* filterRejection(const NodeFacts* facts) {
  if (facts == nullptr || !facts->managed) {
    return nullptr;  // not ours to decide
  }
  if (facts->deleting) {
    return "node is being deleted by Karpenter";
  }
  if (facts->nodeClaimDeleting) {
    return "node's NodeClaim is being deleted by Karpenter";
  }
  if (facts->disruptedTaint) {
    return "node is being disrupted by Karpenter (taint karpenter.sh/disrupted)";
  }
  return nullptr;
}

ExtenderFilterResult filter(const ExtenderArgs& args, const ClusterView& view) {
  ExtenderFilterResult result;
  result.failedNodes.emplace();
  if (args.nodeNames) {
    result.nodeNames.emplace();
    for (const auto& name : *args.nodeNames) {
      if (const char* reason = filterRejection(view.node(name))) {
        (*result.failedNodes)[name] = reason;
      } else {
        result.nodeNames->push_back(name);
      }
    }
    return result;
  }
  if (!args.nodes) {
    return result;  // nothing asked, nothing passes
  }
  // Non-cache mode: hand the passing Node objects back exactly as they came, inside the list's
  // own envelope (copied without its items: a NodeList can hold thousands of nodes).
  WireJson passing = WireJson::object();
  for (auto it = args.nodes->begin(); it != args.nodes->end(); ++it) {
    passing[it.key()] = it.key() == "items" ? WireJson::array() : it.value();
  }
  if (auto items = nodeListItems(*args.nodes); items.ok()) {
    for (const WireJson* node : *items) {
      const std::string name = node->value("/metadata/name"_json_pointer, std::string());
      if (const char* reason = filterRejection(view.node(name))) {
        (*result.failedNodes)[name] = reason;
      } else {
        passing["items"].push_back(*node);
      }
    }
  }
  result.nodes = std::move(passing);
  return result;
}

}  // namespace karpenter::extender
