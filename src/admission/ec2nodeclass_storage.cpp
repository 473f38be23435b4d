#include <set>
#include <string>

#include "ec2nodeclass_rules.hpp"
#include "karpenter/admission/ec2nodeclass_validation.hpp"

namespace karpenter::admission::detail {
namespace {

bool oneOf(std::string_view value, std::initializer_list<std::string_view> allowed) {
  for (const auto candidate : allowed) {
    if (value == candidate) {
      return true;
    }
  }
  return false;
}

// A whole number of Gi/G/Ti/T within the CRD's per-unit maximum.
void validateVolumeSize(const std::string& size, const std::string& path, FieldErrors& errors) {
  static const std::regex kFormat{std::string(kVolumeSizeFormat)};
  std::smatch match;
  const std::string detail =
      "must be a whole number of Gi, G, Ti or T from 1 up to 59000Gi, 64000G, 58Ti or 64T";
  if (!std::regex_match(size, match, kFormat)) {
    errors.invalid(path, size, detail);
    return;
  }
  const std::string digits = match[1].str();
  const std::string unit = match[2].str();
  const long long maximum = unit == "Gi" ? 59000 : unit == "G" ? 64000 : unit == "Ti" ? 58 : 64;
  // More than 6 digits is over every maximum; checking length first keeps stoll in range.
  if (digits.size() > 6 || std::stoll(digits) < 1 || std::stoll(digits) > maximum) {
    errors.invalid(path, size, detail);
  }
}

void validateEbs(const api::BlockDevice& ebs, const std::string& path, FieldErrors& errors) {
  if (!ebs.snapshotID && !ebs.volumeSize) {
    errors.invalidRendered(path, "\"object\"", "snapshotID or volumeSize must be defined");
  }
  if (ebs.volumeSize) {
    validateVolumeSize(*ebs.volumeSize, child(path, "volumeSize"), errors);
  }
  const std::string type = ebs.volumeType.value_or("");
  if (ebs.volumeType && !oneOf(type, {"standard", "io1", "io2", "gp2", "sc1", "st1", "gp3"})) {
    errors.notSupported(child(path, "volumeType"), type,
                        {"standard", "io1", "io2", "gp2", "sc1", "st1", "gp3"});
  }
  // EC2 accepts Iops only for io1/io2/gp3 and Throughput only for gp3 (CreateVolume); an
  // unset volumeType launches as EC2's default type, which accepts neither.
  if (ebs.iops) {
    if (*ebs.iops < 0) {
      errors.invalidInt(child(path, "iops"), *ebs.iops, "must be greater than or equal to 0");
    }
    if (!oneOf(type, {"io1", "io2", "gp3"})) {
      errors.forbidden(child(path, "iops"),
                       "iops is only supported for volumeType io1, io2 and gp3");
    }
  }
  if (ebs.throughput) {
    if (*ebs.throughput < 0) {
      errors.invalidInt(child(path, "throughput"), *ebs.throughput,
                        "must be greater than or equal to 0");
    }
    if (type != "gp3") {
      errors.forbidden(child(path, "throughput"),
                       "throughput is only supported for volumeType gp3");
    }
  }
  if (ebs.volumeInitializationRate) {
    const int rate = *ebs.volumeInitializationRate;
    if (rate < 100 || rate > 300) {
      errors.invalidInt(child(path, "volumeInitializationRate"), rate,
                        "must be between 100 and 300");
    }
    if (!ebs.snapshotID) {
      errors.forbidden(child(path, "volumeInitializationRate"),
                       "volumeInitializationRate requires snapshotID");
    }
  }
}

}  // namespace

void validateBlockDeviceMappings(const std::vector<api::BlockDeviceMapping>& mappings,
                                 FieldErrors& errors) {
  const std::string path = "spec.blockDeviceMappings";
  if (mappings.size() > kMaxBlockDeviceMappings) {
    errors.tooMany(path, mappings.size(), kMaxBlockDeviceMappings);
  }
  std::size_t rootVolumes = 0;
  std::set<std::string, std::less<>> deviceNames;
  for (std::size_t i = 0; i < mappings.size(); ++i) {
    const auto& mapping = mappings[i];
    const std::string itemPath = index(path, i);
    rootVolumes += mapping.rootVolume ? 1 : 0;
    // The launch template needs a device name to attach the volume to.
    if (!mapping.deviceName || mapping.deviceName->empty()) {
      errors.required(child(itemPath, "deviceName"));
    } else if (!deviceNames.insert(*mapping.deviceName).second) {
      errors.duplicate(child(itemPath, "deviceName"), *mapping.deviceName);
    }
    if (mapping.ebs) {
      validateEbs(*mapping.ebs, child(itemPath, "ebs"), errors);
    }
  }
  if (rootVolumes > 1) {
    errors.invalidRendered(path, "\"array\"",
                           "must have only one blockDeviceMappings with rootVolume");
  }
}

void validateMetadataOptions(const api::MetadataOptions& options, FieldErrors& errors) {
  const std::string path = "spec.metadataOptions";
  if (options.httpEndpoint && !oneOf(*options.httpEndpoint, {"enabled", "disabled"})) {
    errors.notSupported(child(path, "httpEndpoint"), *options.httpEndpoint,
                        {"enabled", "disabled"});
  }
  if (options.httpProtocolIPv6 && !oneOf(*options.httpProtocolIPv6, {"enabled", "disabled"})) {
    errors.notSupported(child(path, "httpProtocolIPv6"), *options.httpProtocolIPv6,
                        {"enabled", "disabled"});
  }
  if (options.httpPutResponseHopLimit &&
      (*options.httpPutResponseHopLimit < 1 || *options.httpPutResponseHopLimit > 64)) {
    errors.invalidInt(child(path, "httpPutResponseHopLimit"), *options.httpPutResponseHopLimit,
                      "must be between 1 and 64");
  }
  if (options.httpTokens && !oneOf(*options.httpTokens, {"required", "optional"})) {
    errors.notSupported(child(path, "httpTokens"), *options.httpTokens, {"required", "optional"});
  }
}

}  // namespace karpenter::admission::detail
