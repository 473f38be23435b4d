#include "karpenter/api/well_known.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace karpenter::api {
namespace {

// Kept sorted so lookups are a binary search; the static_assert below guards the order.
constexpr std::array<std::string_view, 37> kWellKnownLabels = {
    kAwsLabelCapacityReservationId,
    kAwsLabelCapacityReservationInterruptible,
    kAwsLabelCapacityReservationType,
    kAwsLabelInstanceAcceleratorCount,
    kAwsLabelInstanceAcceleratorManufacturer,
    kAwsLabelInstanceAcceleratorName,
    kAwsLabelInstanceCapabilityFlex,
    kAwsLabelInstanceCategory,
    kAwsLabelInstanceCpu,
    kAwsLabelInstanceCpuManufacturer,
    kAwsLabelInstanceCpuSustainedClockSpeedMhz,
    kAwsLabelInstanceEbsBandwidth,
    kAwsLabelInstanceEncryptionInTransitSupported,
    kAwsLabelInstanceFamily,
    kAwsLabelInstanceGeneration,
    kAwsLabelInstanceGpuCount,
    kAwsLabelInstanceGpuManufacturer,
    kAwsLabelInstanceGpuMemory,
    kAwsLabelInstanceGpuName,
    kAwsLabelInstanceHypervisor,
    kAwsLabelInstanceLocalNvme,
    kAwsLabelInstanceMemory,
    kAwsLabelInstanceNetworkBandwidth,
    kAwsLabelInstanceSize,
    kAwsLabelInstanceTenancy,
    kAwsLabelPlacementGroupId,
    kAwsLabelPlacementGroupPartition,
    kCapacityTypeLabelKey,
    kNodePoolLabelKey,
    kReservationIdLabelKey,
    kLabelArch,
    kLabelOs,
    kLabelInstanceType,
    kLabelWindowsBuild,
    kAwsLabelTopologyZoneId,
    kLabelTopologyRegion,
    kLabelTopologyZone,
};
static_assert(std::ranges::is_sorted(kWellKnownLabels));
static_assert(std::ranges::adjacent_find(kWellKnownLabels) == kWellKnownLabels.end());

constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kNormalizedLabels = {{
    {kLabelFailureDomainBetaZone, kLabelTopologyZone},
    {kLabelFailureDomainBetaRegion, kLabelTopologyRegion},
    {kLabelBetaArch, kLabelArch},
    {kLabelBetaOs, kLabelOs},
    {kLabelBetaInstanceType, kLabelInstanceType},
}};

bool isKarpenterDomain(std::string_view domain) {
  if (domain == kGroup) {
    return true;
  }
  // Subdomains such as "foo.karpenter.sh" are reserved too, but not look-alikes such as
  // "notkarpenter.sh".
  return domain.size() > kGroup.size() && domain.ends_with(kGroup) &&
         domain[domain.size() - kGroup.size() - 1] == '.';
}

}  // namespace

std::string_view normalizeLabelKey(std::string_view key) {
  // Every alias contains "beta."; skipping the table for everything else keeps this free for the
  // common case, since it runs on every requirement construction.
  if (key.find("beta.") == std::string_view::npos) {
    return key;
  }
  for (const auto& [alias, stable] : kNormalizedLabels) {
    if (key == alias) {
      return stable;
    }
  }
  return key;
}

std::span<const std::string_view> wellKnownLabels() {
  return kWellKnownLabels;
}

bool isWellKnownLabel(std::string_view key) {
  return std::ranges::binary_search(kWellKnownLabels, key);
}

std::string_view labelDomain(std::string_view key) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos) {
    return {};
  }
  return key.substr(0, slash);
}

bool isRestrictedLabel(std::string_view key) {
  return !checkLabelNotRestricted(key).ok();
}

Result<void> checkLabelNotRestricted(std::string_view key) {
  if (isWellKnownLabel(key)) {
    return {};
  }
  if (isKarpenterDomain(labelDomain(key))) {
    return invalidError("label domain \"karpenter.sh\" is restricted");
  }
  if (key == kLabelHostname) {
    return invalidError("label \"" + std::string(kLabelHostname) + "\" is restricted");
  }
  return {};
}

}  // namespace karpenter::api
