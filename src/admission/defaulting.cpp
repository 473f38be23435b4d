#include "karpenter/admission/defaulting.hpp"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "karpenter/admission/ec2nodeclass_validation.hpp"

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

json ebsVolume(std::string_view deviceName, std::string_view size) {
  return json{{"deviceName", deviceName},
              {"ebs", {{"encrypted", true}, {"volumeSize", size}, {"volumeType", "gp3"}}}};
}

// The volumes upstream launches with when spec.blockDeviceMappings is empty (aws-ec2.md §1.3;
// aws/karpenter-provider-aws pkg/providers/amifamily/{al2,al2023,bottlerocket,windows}.go, and the
// "blockDeviceMappings" section of karpenter.sh/docs/concepts/nodeclasses/): the default EBS
// volume is encrypted gp3 of 20Gi; Bottlerocket adds a 4Gi OS volume in front of its data volume
// and Windows roots on /dev/sda1 with 50Gi. Custom (and an unknown family) has none: the AMI's
// own mappings apply.
std::optional<json> defaultBlockDevices(std::string_view family) {
  if (family == "AL2" || family == "AL2023") {
    return json::array({ebsVolume("/dev/xvda", "20Gi")});
  }
  if (family == "Bottlerocket") {
    return json::array({ebsVolume("/dev/xvda", "4Gi"), ebsVolume("/dev/xvdb", "20Gi")});
  }
  if (family.starts_with("Windows")) {
    return json::array({ebsVolume("/dev/sda1", "50Gi")});
  }
  return std::nullopt;
}

// spec.amiFamily when it is a string, else the family of the first alias term.
std::optional<std::string> familyOf(const json& spec) {
  if (auto it = spec.find("amiFamily"); it != spec.end() && it->is_string()) {
    return it->get<std::string>();
  }
  auto terms = spec.find("amiSelectorTerms");
  if (terms == spec.end() || !terms->is_array()) {
    return std::nullopt;
  }
  for (const auto& term : *terms) {
    if (!term.is_object()) {
      continue;
    }
    if (auto alias = term.find("alias"); alias != term.end() && alias->is_string()) {
      const auto text = alias->get<std::string>();
      return amiFamilyForAlias(std::string_view(text).substr(0, text.find('@')));
    }
  }
  return std::nullopt;
}

// Absent, null and [] all mean "no mappings": upstream uses the family defaults for each.
bool lacksBlockDevices(const json& spec) {
  auto it = spec.find("blockDeviceMappings");
  return it == spec.end() || it->is_null() || (it->is_array() && it->empty());
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
  if (lacksBlockDevices(*spec)) {
    if (auto family = familyOf(*spec)) {
      if (auto devices = defaultBlockDevices(*family)) {
        (*spec)["blockDeviceMappings"] = std::move(*devices);
      }
    }
  }
  return out;
}

}  // namespace karpenter::admission
