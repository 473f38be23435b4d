#include "karpenter/cloudprovider/aws/instance_type_provider.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "karpenter/api/well_known.hpp"

namespace karpenter::cloudprovider::aws {

InstanceTypeProvider::InstanceTypeProvider(Options options, const karpenter::aws::Ec2Client* ec2,
                                           PricingProvider* pricing,
                                           UnavailableOfferings* unavailable)
    : options_(std::move(options)), ec2_(ec2), pricing_(pricing), unavailable_(unavailable) {}

std::chrono::system_clock::time_point InstanceTypeProvider::now() const {
  return options_.clock ? options_.clock() : std::chrono::system_clock::now();
}

Result<void> InstanceTypeProvider::refresh() {
  auto types =
      ec2_->describeInstanceTypes({{"supported-virtualization-type", {"hvm"}},
                                   {"processor-info.supported-architecture", {"x86_64", "arm64"}}});
  if (!types) {
    return types.error().withContext("describing instance types");
  }
  auto offerings = ec2_->describeInstanceTypeOfferings("availability-zone");
  if (!offerings) {
    return offerings.error().withContext("describing instance type offerings");
  }
  auto zones = std::make_shared<std::map<std::string, std::set<std::string>>>();
  for (const auto& offering : *offerings) {
    (*zones)[offering.instanceType].insert(offering.location);
  }
  auto infos = std::make_shared<std::vector<karpenter::aws::InstanceTypeInfo>>(std::move(*types));
  std::sort(infos->begin(), infos->end(),
            [](const auto& a, const auto& b) { return a.instanceType < b.instanceType; });
  spdlog::info("instance types: discovered {} types in {} type-zone offerings", infos->size(),
               offerings->size());
  std::lock_guard lock(mutex_);
  infos_ = std::move(infos);
  zones_ = std::move(zones);
  fetchedAt_ = now();
  return {};
}

Result<void> InstanceTypeProvider::refreshIfDue() {
  {
    std::lock_guard lock(mutex_);
    if (fetchedAt_ && now() - *fetchedAt_ < options_.refreshPeriod) {
      return {};
    }
  }
  return refresh();
}

std::optional<karpenter::aws::InstanceTypeInfo> InstanceTypeProvider::info(
    const std::string& instanceType) const {
  std::lock_guard lock(mutex_);
  if (!infos_) {
    return std::nullopt;
  }
  auto it = std::lower_bound(infos_->begin(), infos_->end(), instanceType,
                             [](const karpenter::aws::InstanceTypeInfo& info,
                                const std::string& name) { return info.instanceType < name; });
  return it != infos_->end() && it->instanceType == instanceType
             ? std::optional<karpenter::aws::InstanceTypeInfo>(*it)
             : std::nullopt;
}

Result<std::vector<scheduling::InstanceType>> InstanceTypeProvider::list(
    const api::EC2NodeClass& nodeClass) {
  if (auto refreshed = refreshIfDue(); !refreshed.ok()) {
    spdlog::warn("instance types: refresh failed, serving the previous list: {}",
                 refreshed.error().message);
  }
  (void)pricing_->refreshIfDue();  // failures are logged there; the last prices stay
  std::shared_ptr<const std::vector<karpenter::aws::InstanceTypeInfo>> infos;
  std::shared_ptr<const std::map<std::string, std::set<std::string>>> zones;
  {
    std::lock_guard lock(mutex_);
    infos = infos_;
    zones = zones_;
  }
  if (!infos) {
    return Error{ErrorKind::kUnavailable,
                 "no instance types: DescribeInstanceTypes has not succeeded yet"};
  }
  std::map<std::string, std::string> subnetZones;  // zone → zone ID
  for (const auto& subnet : nodeClass.status.subnets) {
    subnetZones[subnet.zone] = subnet.zoneID;
  }
  const ModelSettings settings =
      modelSettings(nodeClass, options_.vmMemoryOverheadPercent, options_.reservedENIs);
  std::vector<scheduling::InstanceType> result;
  for (const auto& info : *infos) {
    auto offered = zones->find(info.instanceType);
    if (offered == zones->end()) {
      continue;
    }
    std::vector<OfferingSpec> offerings;
    for (const auto& zone : offered->second) {
      auto subnet = subnetZones.find(zone);
      if (subnet == subnetZones.end()) {
        continue;
      }
      for (const auto& capacityType : info.usageClasses) {
        if (capacityType != api::kCapacityTypeSpot && capacityType != api::kCapacityTypeOnDemand) {
          continue;
        }
        const auto price = capacityType == api::kCapacityTypeSpot
                               ? pricing_->spotPrice(info.instanceType, zone)
                               : pricing_->onDemandPrice(info.instanceType);
        const bool available = price.has_value() &&
                               !unavailable_->isUnavailable(info.instanceType, zone, capacityType);
        offerings.push_back({zone, subnet->second, capacityType, price.value_or(0), available});
      }
    }
    if (!offerings.empty()) {
      result.push_back(toInstanceType(info, options_.region, settings, offerings));
    }
  }
  return result;
}

}  // namespace karpenter::cloudprovider::aws
