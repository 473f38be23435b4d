#include "karpenter/admission/ec2nodeclass_validation.hpp"

#include <array>
#include <map>
#include <string>
#include <utility>

#include "ec2nodeclass_rules.hpp"

namespace karpenter::admission {
namespace {

const std::string kObject = "\"object\"";

constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kAliasFamilies = {{
    {"al2", "AL2"},
    {"al2023", "AL2023"},
    {"bottlerocket", "Bottlerocket"},
    {"windows2019", "Windows2019"},
    {"windows2022", "Windows2022"},
    {"windows2025", "Windows2025"},
}};

constexpr std::array<std::string_view, 7> kAmiFamilies = {
    "AL2", "AL2023", "Bottlerocket", "Custom", "Windows2019", "Windows2022", "Windows2025"};

std::optional<std::string> aliasFamilyOf(const api::EC2NodeClassSpec& spec) {
  for (const auto& term : spec.amiSelectorTerms) {
    if (!term.alias.empty()) {
      return amiFamilyForAlias(std::string_view(term.alias).substr(0, term.alias.find('@')));
    }
  }
  return std::nullopt;
}

bool hasAlias(const api::EC2NodeClassSpec& spec) {
  for (const auto& term : spec.amiSelectorTerms) {
    if (!term.alias.empty()) {
      return true;
    }
  }
  return false;
}

// amiFamily is one of the enum, required without an alias, and with an alias equal to the
// alias's family or Custom.
void validateAmiFamily(const api::EC2NodeClassSpec& spec, FieldErrors& errors) {
  const std::string path = "spec.amiFamily";
  if (!spec.amiFamily) {
    if (!hasAlias(spec)) {
      errors.required(path, "must specify amiFamily if amiSelectorTerms does not contain an alias");
    }
    return;
  }
  const std::string& family = *spec.amiFamily;
  bool known = false;
  for (const auto candidate : kAmiFamilies) {
    known = known || candidate == family;
  }
  if (!known) {
    errors.notSupported(
        path, family,
        {"AL2", "AL2023", "Bottlerocket", "Custom", "Windows2019", "Windows2022", "Windows2025"});
    return;
  }
  const auto aliasFamily = aliasFamilyOf(spec);
  if (aliasFamily && family != "Custom" && family != *aliasFamily) {
    errors.invalid(path, family,
                   "if set, amiFamily must be '" + *aliasFamily + "' or 'Custom' when using an " +
                       *aliasFamily + " alias");
  }
}

// Presence as the CRD's has() sees it: the typed model folds an explicit "" into "unset", so the
// JSON the object was decoded from decides when it is available.
bool present(const api::EC2NodeClass& nodeClass, const char* field, bool typedPresent) {
  const auto& original = nodeClass.original;
  if (original.is_object()) {
    const auto spec = original.find("spec");
    if (spec != original.end() && spec->is_object()) {
      const auto it = spec->find(field);
      return it != spec->end() && !it->is_null();
    }
  }
  return typedPresent;
}

void validateIdentity(const api::EC2NodeClass& nodeClass, FieldErrors& errors) {
  const auto& spec = nodeClass.spec;
  const bool hasRole = present(nodeClass, "role", !spec.role.empty());
  const bool hasProfile = present(nodeClass, "instanceProfile", spec.instanceProfile.has_value());
  if (hasRole == hasProfile) {
    errors.invalidRendered("spec", kObject,
                           "must specify exactly one of ['role', 'instanceProfile']");
  }
  if (hasRole && spec.role.empty()) {
    errors.invalid("spec.role", "", "role cannot be empty");
  }
  if (hasProfile && spec.instanceProfile.value_or("").empty()) {
    errors.invalid("spec.instanceProfile", "", "instanceProfile cannot be empty");
  }
}

// Karpenter owns these tags (it writes them on every instance); a user value would break
// ownership, garbage collection or the cluster's own tagging. `aws:` is reserved by AWS.
void validateTags(const api::StringMap& tags, FieldErrors& errors) {
  const std::string path = "spec.tags";
  for (const auto& [tagKey, value] : tags) {
    const std::string itemPath = key(path, tagKey);
    if (tagKey.empty()) {
      errors.invalid(itemPath, tagKey, "empty tag keys aren't supported");
      continue;
    }
    if (tagKey.starts_with("kubernetes.io/cluster")) {
      errors.invalid(itemPath, tagKey,
                     "tag contains a restricted tag matching kubernetes.io/cluster/");
    }
    for (const std::string_view restricted :
         {"karpenter.sh/nodepool", "karpenter.sh/nodeclaim", "karpenter.k8s.aws/ec2nodeclass",
          "eks:eks-cluster-name"}) {
      if (tagKey == restricted) {
        errors.invalid(itemPath, tagKey,
                       "tag contains a restricted tag matching " + std::string(restricted));
      }
    }
    if (tagKey.starts_with("aws:")) {
      errors.invalid(itemPath, tagKey, "tag keys starting with 'aws:' are reserved by AWS");
    }
    if (tagKey.size() > kMaxTagKeyLength) {
      errors.invalid(
          itemPath, tagKey,
          "tag keys must be at most " + std::to_string(kMaxTagKeyLength) + " characters");
    }
    if (value.size() > kMaxTagValueLength) {
      errors.invalid(
          itemPath, value,
          "tag values must be at most " + std::to_string(kMaxTagValueLength) + " characters");
    }
  }
}

// Must include the primary interface (card 0, device 0, type interface); (card, device) pairs are
// unique; at most one efa-only interface per card.
void validateNetworkInterfaces(const std::vector<api::NodeClassNetworkInterface>& interfaces,
                               FieldErrors& errors) {
  const std::string path = "spec.networkInterfaces";
  if (interfaces.empty()) {
    return;
  }
  if (interfaces.size() > kMaxNetworkInterfaces) {
    errors.tooMany(path, interfaces.size(), kMaxNetworkInterfaces);
  }
  bool primary = false;
  std::map<std::pair<int, int>, std::size_t> seen;
  std::map<int, std::size_t> efaPerCard;
  for (std::size_t i = 0; i < interfaces.size(); ++i) {
    const auto& item = interfaces[i];
    const std::string itemPath = index(path, i);
    const int card = item.networkCardIndex.value_or(0);
    const int device = item.deviceIndex.value_or(0);
    if (item.interfaceType != "interface" && item.interfaceType != "efa-only") {
      errors.notSupported(child(itemPath, "interfaceType"), item.interfaceType,
                          {"interface", "efa-only"});
    }
    if (card < 0 || device < 0) {
      errors.invalidRendered(itemPath, kObject,
                             "networkCardIndex and deviceIndex must be greater than or equal to 0");
    }
    primary = primary || (card == 0 && device == 0 && item.interfaceType == "interface");
    if (!seen.emplace(std::pair{card, device}, i).second) {
      errors.duplicate(itemPath, std::to_string(card) + "/" + std::to_string(device));
    }
    if (item.interfaceType == "efa-only" && ++efaPerCard[card] > 1) {
      errors.forbidden(itemPath, "at most one efa-only interface per network card");
    }
  }
  if (!primary) {
    errors.invalidRendered(path, "\"array\"",
                           "must include the primary interface (networkCardIndex 0, deviceIndex 0, "
                           "interfaceType interface)");
  }
}

void validateRange(const std::optional<int>& value, const std::string& path, int low, int high,
                   FieldErrors& errors) {
  if (value && (*value < low || *value > high)) {
    errors.invalidInt(path, *value,
                      "must be between " + std::to_string(low) + " and " + std::to_string(high));
  }
}

void validateConnectionTracking(const api::ConnectionTracking& tracking, FieldErrors& errors) {
  const std::string path = "spec.connectionTracking";
  if (!tracking.tcpEstablishedTimeout && !tracking.udpStreamTimeout && !tracking.udpTimeout) {
    errors.invalidRendered(path, kObject,
                           "expected at least one, got none, ['tcpEstablishedTimeout', "
                           "'udpStreamTimeout', 'udpTimeout']");
  }
  validateRange(tracking.tcpEstablishedTimeout, child(path, "tcpEstablishedTimeout"), 60, 432000,
                errors);
  validateRange(tracking.udpStreamTimeout, child(path, "udpStreamTimeout"), 60, 180, errors);
  validateRange(tracking.udpTimeout, child(path, "udpTimeout"), 30, 60, errors);
}

void validateMisc(const api::EC2NodeClassSpec& spec, FieldErrors& errors) {
  if (spec.instanceStorePolicy && *spec.instanceStorePolicy != "RAID0") {
    errors.notSupported("spec.instanceStorePolicy", *spec.instanceStorePolicy, {"RAID0"});
  }
  if (spec.ipPrefixCount && *spec.ipPrefixCount < 0) {
    errors.invalidInt("spec.ipPrefixCount", *spec.ipPrefixCount,
                      "must be greater than or equal to 0");
  }
  if (spec.cpuOptions && spec.cpuOptions->nestedVirtualization) {
    const auto& value = *spec.cpuOptions->nestedVirtualization;
    if (value != "enabled" && value != "disabled") {
      errors.notSupported("spec.cpuOptions.nestedVirtualization", value, {"enabled", "disabled"});
    }
  }
  if (spec.connectionTracking) {
    validateConnectionTracking(*spec.connectionTracking, errors);
  }
  validateNetworkInterfaces(spec.networkInterfaces, errors);
}

}  // namespace

std::optional<std::string> amiFamilyForAlias(std::string_view aliasFamily) {
  for (const auto& [alias, family] : kAliasFamilies) {
    if (alias == aliasFamily) {
      return std::string(family);
    }
  }
  return std::nullopt;
}

std::optional<std::string> effectiveAmiFamily(const api::EC2NodeClassSpec& spec) {
  if (spec.amiFamily) {
    for (const auto family : kAmiFamilies) {
      if (family == *spec.amiFamily) {
        return *spec.amiFamily;
      }
    }
    return std::nullopt;
  }
  return aliasFamilyOf(spec);
}

FieldErrors validateEC2NodeClass(const api::EC2NodeClass& nodeClass) {
  FieldErrors errors;
  const auto& spec = nodeClass.spec;
  detail::validateSelectorTerms(spec, errors);
  validateAmiFamily(spec, errors);
  validateIdentity(nodeClass, errors);
  validateTags(spec.tags, errors);
  detail::validateBlockDeviceMappings(spec.blockDeviceMappings, errors);
  if (spec.metadataOptions) {
    detail::validateMetadataOptions(*spec.metadataOptions, errors);
  }
  if (spec.kubelet) {
    detail::validateKubelet(*spec.kubelet, errors);
  }
  validateMisc(spec, errors);
  return errors;
}

FieldErrors validateEC2NodeClassUpdate(const api::EC2NodeClass& /*old*/,
                                       const api::EC2NodeClass& updated) {
  return validateEC2NodeClass(updated);
}

}  // namespace karpenter::admission
