#include "karpenter/admission/defaulting.hpp"

#include <initializer_list>
#include <string_view>

namespace karpenter::admission {
namespace {

using nlohmann::json;

// The object at `name` inside `parent`, created when absent or null. Returns nullptr when the
// field holds something other than an object: defaulting leaves malformed input to validation.
json* objectField(json& parent, std::string_view name) {
  const std::string field(name);
  auto it = parent.find(field);
  if (it == parent.end() || it->is_null()) {
    parent[field] = json::object();
    return &parent[field];
  }
  return it->is_object() ? &*it : nullptr;
}

void setIfMissing(json& object, std::string_view name, const json& value) {
  const std::string field(name);
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) {
    object[field] = value;
  }
}

}  // namespace

json defaultNodePool(const json& pool) {
  json out = pool;
  if (!out.is_object()) {
    return out;
  }
  json* spec = objectField(out, "spec");
  if (spec == nullptr) {
    return out;
  }
  if (json* tmpl = objectField(*spec, "template")) {
    if (json* tmplSpec = objectField(*tmpl, "spec")) {
      setIfMissing(*tmplSpec, "expireAfter", "720h");
    }
  }
  json* disruption = objectField(*spec, "disruption");
  if (disruption == nullptr) {
    return out;
  }
  setIfMissing(*disruption, "consolidationPolicy", "WhenEmptyOrUnderutilized");
  setIfMissing(*disruption, "consolidateAfter", "0s");
  setIfMissing(*disruption, "budgets", json::array({json{{"nodes", "10%"}}}));
  if (auto& budgets = (*disruption)["budgets"]; budgets.is_array()) {
    for (auto& budget : budgets) {
      if (budget.is_object()) {
        setIfMissing(budget, "nodes", "10%");
      }
    }
  }
  return out;
}

json defaultNodeClaim(const json& claim) {
  json out = claim;
  if (!out.is_object()) {
    return out;
  }
  if (json* spec = objectField(out, "spec")) {
    setIfMissing(*spec, "expireAfter", "720h");
  }
  return out;
}

json defaultEC2NodeClass(const json& nodeClass) {
  json out = nodeClass;
  if (!out.is_object()) {
    return out;
  }
  json* spec = objectField(out, "spec");
  if (spec == nullptr) {
    return out;
  }
  if (json* options = objectField(*spec, "metadataOptions")) {
    setIfMissing(*options, "httpEndpoint", "enabled");
    setIfMissing(*options, "httpProtocolIPv6", "disabled");
    setIfMissing(*options, "httpPutResponseHopLimit", 1);
    setIfMissing(*options, "httpTokens", "required");
  }
  return out;
}

}  // namespace karpenter::admission
