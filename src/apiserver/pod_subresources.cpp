// pods/eviction and pods/binding (k/k pkg/registry/core/pod/storage/{eviction.go,storage.go}).

#include <algorithm>
#include <cmath>

#include "store_state.hpp"

namespace karpenter::apiserver {
namespace {

const Gvr kPods{"", "v1", "pods"};
const Gvr kPdbs{"policy", "v1", "poddisruptionbudgets"};

bool isReady(const nlohmann::json& pod) {
  const nlohmann::json conditions =
      pod.value("status", nlohmann::json::object()).value("conditions", nlohmann::json::array());
  return std::any_of(conditions.begin(), conditions.end(), [](const nlohmann::json& c) {
    return c.value("type", "") == "Ready" && c.value("status", "") == "True";
  });
}

bool isTerminating(const nlohmann::json& object) {
  return object["metadata"].contains("deletionTimestamp");
}

// spec.selector as a labels.Selector. policy/v1: a null selector selects nothing, an empty one
// everything.
ApiResult<api::Selector> pdbSelector(const nlohmann::json& pdb) {
  const nlohmann::json spec = pdb.value("spec", nlohmann::json::object());
  if (!spec.contains("selector") || spec["selector"].is_null()) {
    return api::Selector::nothing();
  }
  api::LabelSelector selector;
  const nlohmann::json& raw = spec["selector"];
  const nlohmann::json matchLabels = raw.value("matchLabels", nlohmann::json::object());
  for (const auto& [key, value] : matchLabels.items()) {
    selector.matchLabels.emplace(key, value.get<std::string>());
  }
  for (const auto& expression : raw.value("matchExpressions", nlohmann::json::array())) {
    selector.matchExpressions.push_back({expression.value("key", ""),
                                         expression.value("operator", ""),
                                         expression.value("values", std::vector<std::string>{})});
  }
  auto parsed = api::fromLabelSelector(selector);
  if (!parsed) {
    return internalError(parsed.error().message);
  }
  return std::move(parsed).value();
}

// GetScaledValueFromIntOrPercent with round-up.
int64_t scaled(const nlohmann::json& value, int64_t total) {
  if (value.is_number_integer()) {
    return value.get<int64_t>();
  }
  const std::string text = value.is_string() ? value.get<std::string>() : "0";
  const int64_t percent = std::stoll(text.substr(0, text.find('%')));
  return (percent * total + 99) / 100;
}

}  // namespace

ApiResult<nlohmann::json> Store::evict(const std::string& ns, const std::string& name,
                                       const nlohmann::json& body) {
  // A missing body (null) is an Eviction with no options.
  const nlohmann::json eviction = body.is_object() ? body : nlohmann::json::object();
  std::lock_guard lock(state_->mutex);
  const auto pods = state_->indexOf(kPods);
  const auto pdbs = state_->indexOf(kPdbs);
  if (!pods || !pdbs) {
    return unknownResource();
  }
  const nlohmann::json meta = eviction.value("metadata", nlohmann::json::object());
  if (meta.value("name", name) != name) {
    return badRequest("name in URL does not match name in Eviction object");
  }
  auto it = state_->objects[*pods].find(objectKey(ns, name));
  if (it == state_->objects[*pods].end()) {
    return notFound("", "pods", name);
  }
  const nlohmann::json pod = it->second;
  DeleteOptions options;
  const nlohmann::json preconditions = eviction.value("deleteOptions", nlohmann::json::object())
                                           .value("preconditions", nlohmann::json::object());
  options.preconditionUid = preconditions.value("uid", "");
  options.preconditionResourceVersion = preconditions.value("resourceVersion", "");
  auto evicted = [&]() -> ApiResult<nlohmann::json> {
    auto removed = removeLocked(*state_, *pods, ns, name, options);
    if (!removed) {
      return removed.error();
    }
    return successStatus(201);
  };
  const std::string phase =
      pod.value("status", nlohmann::json::object()).value("phase", std::string("Pending"));
  if (phase == "Succeeded" || phase == "Failed" || phase == "Pending" || isTerminating(pod)) {
    return evicted();  // such pods do not count against any budget
  }
  const nlohmann::json* budget = nullptr;
  api::Selector budgetSelector;
  int matching = 0;
  for (auto pdb = state_->objects[*pdbs].lower_bound(ns + "/");
       pdb != state_->objects[*pdbs].end() && pdb->first.starts_with(ns + "/"); ++pdb) {
    auto selector = pdbSelector(pdb->second);
    if (!selector) {
      return selector.error();
    }
    if (labelsMatch(*selector, pod) && !selector->isNothing()) {
      ++matching;
      budget = &pdb->second;
      budgetSelector = std::move(selector).value();
    }
  }
  if (matching > 1) {
    return internalError(
        "This pod has more than one PodDisruptionBudget, which the eviction subresource does "
        "not support.");
  }
  if (budget == nullptr) {
    return evicted();
  }
  // The budget's status is computed here, as the disruption controller would: expected pods are
  // the non-terminating pods it selects, healthy ones those of them that are Ready.
  int64_t expected = 0;
  int64_t healthy = 0;
  for (auto other = state_->objects[*pods].lower_bound(ns + "/");
       other != state_->objects[*pods].end() && other->first.starts_with(ns + "/"); ++other) {
    if (!isTerminating(other->second) && labelsMatch(budgetSelector, other->second)) {
      ++expected;
      healthy += isReady(other->second) ? 1 : 0;
    }
  }
  const nlohmann::json spec = budget->value("spec", nlohmann::json::object());
  int64_t desired = 0;
  if (spec.contains("maxUnavailable")) {
    desired = std::max<int64_t>(0, expected - scaled(spec["maxUnavailable"], expected));
  } else if (spec.contains("minAvailable")) {
    desired = scaled(spec["minAvailable"], expected);
  }
  const bool alwaysAllowUnhealthy = spec.value("unhealthyPodEvictionPolicy", "") == "AlwaysAllow";
  if (!isReady(pod) && (alwaysAllowUnhealthy || healthy >= desired)) {
    return evicted();  // evicting an unhealthy pod does not reduce the healthy count
  }
  if (healthy - desired <= 0) {
    const std::string budgetName = (*budget)["metadata"].value("name", "");
    return tooManyRequests(
        "Cannot evict pod as it would violate the pod's disruption budget.",
        {{"causes", nlohmann::json::array(
                        {{{"reason", "DisruptionBudget"},
                          {"message", "The disruption budget " + budgetName + " needs " +
                                          std::to_string(desired) + " healthy pods and has " +
                                          std::to_string(healthy) + " currently"}}})}});
  }
  return evicted();
}

ApiResult<nlohmann::json> Store::bind(const std::string& ns, const std::string& name,
                                      const nlohmann::json& body) {
  const nlohmann::json binding = body.is_object() ? body : nlohmann::json::object();
  std::lock_guard lock(state_->mutex);
  const auto pods = state_->indexOf(kPods);
  if (!pods) {
    return unknownResource();
  }
  const nlohmann::json meta = binding.value("metadata", nlohmann::json::object());
  if (meta.value("name", name) != name) {
    return badRequest("name in URL does not match name in Binding object");
  }
  const std::string node =
      binding.value("target", nlohmann::json::object()).value("name", std::string());
  if (node.empty()) {
    return invalid("", "Binding", name, "target.name", "Required value");
  }
  const std::string key = objectKey(ns, name);
  auto it = state_->objects[*pods].find(key);
  if (it == state_->objects[*pods].end()) {
    return notFound("", "pods", name);
  }
  const nlohmann::json& pod = it->second;
  const std::string uid = pod["metadata"].value("uid", "");
  if (!meta.value("uid", uid).empty() && meta.value("uid", uid) != uid) {
    return conflict("", "pods/binding", name,
                    "Precondition failed: UID in precondition: " + meta.value("uid", "") +
                        ", UID in object meta: " + uid);
  }
  if (isTerminating(pod)) {
    return conflict("", "pods/binding", name,
                    "pod " + name + " is being deleted, cannot be assigned to a host");
  }
  const std::string bound =
      pod.value("spec", nlohmann::json::object()).value("nodeName", std::string());
  if (!bound.empty()) {
    return conflict("", "pods/binding", name,
                    "pod " + name + " is already assigned to node \"" + bound + "\"");
  }
  nlohmann::json updated = pod;
  updated["spec"]["nodeName"] = node;
  nlohmann::json& conditions = updated["status"]["conditions"];
  if (!conditions.is_array()) {
    conditions = nlohmann::json::array();
  }
  conditions.erase(
      std::remove_if(conditions.begin(), conditions.end(),
                     [](const nlohmann::json& c) { return c.value("type", "") == "PodScheduled"; }),
      conditions.end());
  conditions.push_back({{"type", "PodScheduled"},
                        {"status", "True"},
                        {"lastProbeTime", nullptr},
                        {"lastTransitionTime", state_->now()}});
  const nlohmann::json annotations = meta.value("annotations", nlohmann::json::object());
  for (const auto& [k, v] : annotations.items()) {
    updated["metadata"]["annotations"][k] = v;
  }
  nlohmann::json previous = pod;
  state_->commit(*pods, key, "MODIFIED", std::move(updated), std::move(previous));
  return successStatus(201);
}

}  // namespace karpenter::apiserver
