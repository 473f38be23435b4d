#include "karpenter/cloudprovider/simulated/catalog.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

#include "karpenter/api/well_known.hpp"
#include "karpenter/cloudprovider/aws/instance_type_model.hpp"

namespace karpenter::cloudprovider::simulated {
namespace {

// The formulas shared with the AWS provider (one definition of upstream's tiers and regex).
using aws::categoryAndGeneration;
using aws::kubeReservedCpuMilli;

constexpr int64_t kMi = 1024 * 1024;
constexpr int64_t kGi = 1024 * kMi;
// Graviton kernels reserve 64 MiB for the contiguous memory allocator (upstream memory()).
constexpr int64_t kArm64ReservedMiB = 64;
constexpr int64_t kEvictionMemoryMiB = 100;

api::Quantity mebibytes(int64_t mib) {
  return api::Quantity::fromInt(mib * kMi, api::Quantity::Format::kBinarySI);
}

std::string_view gpuResourceName(std::string_view manufacturer) {
  return manufacturer == "amd" ? "amd.com/gpu" : "nvidia.com/gpu";
}

}  // namespace

Catalog::Catalog(std::string region, std::vector<std::string> zones,
                 std::vector<InstanceTypeSpec> types)
    : region_(std::move(region)), zones_(std::move(zones)), types_(std::move(types)) {
  std::sort(types_.begin(), types_.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
}

const InstanceTypeSpec* Catalog::find(std::string_view name) const {
  auto it =
      std::lower_bound(types_.begin(), types_.end(), name,
                       [](const InstanceTypeSpec& s, std::string_view n) { return s.name < n; });
  return it != types_.end() && it->name == name ? &*it : nullptr;
}

std::vector<scheduling::InstanceType> Catalog::instanceTypes(const NodeSettings& settings) const {
  std::vector<scheduling::InstanceType> result;
  result.reserve(types_.size());
  for (const auto& spec : types_) {
    result.push_back(toInstanceType(spec, region_, settings));
  }
  return result;
}

std::string zoneId(std::string_view region, std::string_view zone) {
  // us-east-1 → use1, eu-west-2 → euw2: the first word, the initials of the others, the number.
  std::string shortName;
  size_t word = 0;
  bool wordStart = true;
  for (char c : region) {
    if (c == '-') {
      ++word;
      wordStart = true;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || word == 0 || wordStart) {
      shortName += c;
      wordStart = false;
    }
  }
  const char letter = zone.empty() ? 'a' : zone.back();
  return shortName + "-az" + std::to_string(letter - 'a' + 1);
}

api::ResourceList capacityOf(const InstanceTypeSpec& spec, const NodeSettings& settings) {
  api::ResourceList capacity;
  capacity["cpu"] = api::Quantity::fromInt(spec.vcpu);
  int64_t memoryMiB = spec.memoryMiB;
  if (spec.architecture == api::kArchitectureArm64) {
    memoryMiB -= kArm64ReservedMiB;
  }
  const auto overheadMiB = static_cast<int64_t>(
      std::ceil(static_cast<double>(memoryMiB) * settings.vmMemoryOverheadPercent));
  capacity["memory"] = mebibytes(memoryMiB - overheadMiB);
  capacity["pods"] = api::Quantity::fromInt(settings.maxPods.value_or(spec.maxPods));
  capacity["ephemeral-storage"] =
      api::Quantity::fromInt(settings.ephemeralStorageGi * kGi, api::Quantity::Format::kBinarySI);
  if (spec.gpu && spec.gpu->count > 0) {
    capacity[std::string(gpuResourceName(spec.gpu->manufacturer))] =
        api::Quantity::fromInt(spec.gpu->count);
  }
  return capacity;
}

scheduling::InstanceTypeOverhead overheadOf(const InstanceTypeSpec& spec,
                                            const NodeSettings& settings) {
  scheduling::InstanceTypeOverhead overhead;
  overhead.kubeReserved["cpu"] = api::Quantity::fromMilli(kubeReservedCpuMilli(spec.vcpu * 1000));
  // AL2023 sizes kube-reserved memory by the ENI-limited pod count even when maxPods is set.
  overhead.kubeReserved["memory"] = mebibytes(11 * int64_t{spec.maxPods} + 255);
  overhead.kubeReserved["ephemeral-storage"] = api::Quantity::mustParse("1Gi");
  overhead.evictionThreshold["memory"] = mebibytes(kEvictionMemoryMiB);
  const int64_t storageBytes = settings.ephemeralStorageGi * kGi;
  overhead.evictionThreshold["ephemeral-storage"] = api::Quantity::fromInt(
      static_cast<int64_t>(std::ceil(static_cast<double>(storageBytes) / 100 * 10)));
  return overhead;
}

std::map<std::string, std::string> labelsOf(const InstanceTypeSpec& spec, std::string_view region) {
  const auto dot = spec.name.find('.');
  const std::string family = spec.name.substr(0, dot);
  const std::string size = dot == std::string::npos ? "" : spec.name.substr(dot + 1);
  auto [category, generation] = categoryAndGeneration(spec.name);
  std::map<std::string, std::string> labels = {
      {std::string(api::kLabelInstanceType), spec.name},
      {std::string(api::kLabelArch), spec.architecture},
      {std::string(api::kLabelOs), "linux"},
      {std::string(api::kLabelTopologyRegion), std::string(region)},
      {std::string(api::kAwsLabelInstanceCategory), category},
      {std::string(api::kAwsLabelInstanceFamily), family},
      {std::string(api::kAwsLabelInstanceGeneration), generation},
      {std::string(api::kAwsLabelInstanceSize), size},
      {std::string(api::kAwsLabelInstanceCpu), std::to_string(spec.vcpu)},
      {std::string(api::kAwsLabelInstanceCpuManufacturer), spec.cpuManufacturer},
      {std::string(api::kAwsLabelInstanceMemory), std::to_string(spec.memoryMiB)},
      {std::string(api::kAwsLabelInstanceHypervisor), spec.hypervisor},
      {std::string(api::kAwsLabelInstanceCapabilityFlex),
       family.ends_with("-flex") ? "true" : "false"},
  };
  if (spec.gpu && spec.gpu->count > 0) {
    labels[std::string(api::kAwsLabelInstanceGpuCount)] = std::to_string(spec.gpu->count);
    labels[std::string(api::kAwsLabelInstanceGpuName)] = spec.gpu->name;
    labels[std::string(api::kAwsLabelInstanceGpuManufacturer)] = spec.gpu->manufacturer;
    labels[std::string(api::kAwsLabelInstanceGpuMemory)] = std::to_string(spec.gpu->memoryMiB);
  }
  return labels;
}

scheduling::InstanceType toInstanceType(const InstanceTypeSpec& spec, std::string_view region,
                                        const NodeSettings& settings) {
  using scheduling::Requirement;
  scheduling::InstanceType type;
  type.name = spec.name;
  for (const auto& [key, value] : labelsOf(spec, region)) {
    type.requirements.add(Requirement::in(key, {value}));
  }
  if (!spec.gpu || spec.gpu->count == 0) {
    // Upstream gives labels that do not apply DoesNotExist, so "needs a GPU" excludes this type.
    for (auto key : {api::kAwsLabelInstanceGpuCount, api::kAwsLabelInstanceGpuName,
                     api::kAwsLabelInstanceGpuManufacturer, api::kAwsLabelInstanceGpuMemory}) {
      type.requirements.add(Requirement::doesNotExist(key));
    }
  }
  std::vector<std::string> zones;
  std::vector<std::string> zoneIds;
  for (const auto& [zone, spot] : spec.spotPrices) {
    zones.push_back(zone);
    zoneIds.push_back(zoneId(region, zone));
    for (auto capacityType : {api::kCapacityTypeSpot, api::kCapacityTypeOnDemand}) {
      scheduling::Offering offering;
      offering.requirements.add(Requirement::in(api::kLabelTopologyZone, {zone}));
      offering.requirements.add(Requirement::in(api::kAwsLabelTopologyZoneId, {zoneIds.back()}));
      offering.requirements.add(
          Requirement::in(api::kCapacityTypeLabelKey, {std::string(capacityType)}));
      offering.price = capacityType == api::kCapacityTypeSpot ? spot : spec.onDemandPrice;
      type.offerings.push_back(std::move(offering));
    }
  }
  type.requirements.add(Requirement::in(api::kLabelTopologyZone, zones));
  type.requirements.add(Requirement::in(api::kAwsLabelTopologyZoneId, zoneIds));
  type.requirements.add(Requirement::in(
      api::kCapacityTypeLabelKey,
      {std::string(api::kCapacityTypeOnDemand), std::string(api::kCapacityTypeSpot)}));
  type.capacity = capacityOf(spec, settings);
  type.overhead = overheadOf(spec, settings);
  return type;
}

}  // namespace karpenter::cloudprovider::simulated
