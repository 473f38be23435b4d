#include "karpenter/cloudprovider/aws/instance_provider.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <spdlog/spdlog.h>

#include "karpenter/admission/review.hpp"
#include "karpenter/api/well_known.hpp"
#include "karpenter/cloudprovider/aws/instance_type_model.hpp"
#include "karpenter/cloudprovider/aws/user_data.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

using karpenter::aws::BlockDeviceMapping;
using karpenter::aws::Filter;

constexpr int64_t kGi = int64_t{1} << 30;
constexpr std::string_view kNodeClassTag = "karpenter.k8s.aws/ec2nodeclass";
constexpr std::string_view kClusterNameTag = "eks:eks-cluster-name";
const std::vector<std::string> kLiveStates = {"pending", "running", "stopping", "stopped",
                                              "shutting-down"};

std::string single(const scheduling::Requirements& requirements, std::string_view key) {
  const auto* r = requirements.find(key);
  return r != nullptr && !r->complement() && r->values().size() == 1 ? r->values().front() : "";
}

BlockDeviceMapping ebs(std::string device, int64_t sizeGiB) {
  BlockDeviceMapping mapping;
  mapping.deviceName = std::move(device);
  mapping.volumeSizeGiB = sizeGiB;
  mapping.volumeType = "gp3";
  mapping.encrypted = true;
  mapping.deleteOnTermination = true;
  return mapping;
}

// The family's volumes when the EC2NodeClass names none (upstream amifamily defaults).
std::vector<BlockDeviceMapping> defaultBlockDevices(std::string_view family) {
  if (family == kAmiFamilyBottlerocket) {
    return {ebs("/dev/xvda", 4), ebs("/dev/xvdb", 20)};
  }
  if (isWindowsFamily(family)) {
    return {ebs("/dev/sda1", 50)};
  }
  return {ebs("/dev/xvda", 20)};
}

Result<std::vector<BlockDeviceMapping>> blockDevices(const api::EC2NodeClass& nodeClass,
                                                     std::string_view family) {
  if (nodeClass.spec.blockDeviceMappings.empty()) {
    return defaultBlockDevices(family);
  }
  std::vector<BlockDeviceMapping> mappings;
  for (const auto& spec : nodeClass.spec.blockDeviceMappings) {
    BlockDeviceMapping mapping;
    mapping.deviceName = spec.deviceName.value_or("");
    if (spec.ebs) {
      const auto& e = *spec.ebs;
      auto size = api::volumeSizeQuantity(e);
      if (!size) {
        return size.error().withContext("spec.blockDeviceMappings");
      }
      if (size->has_value()) {
        mapping.volumeSizeGiB = static_cast<int64_t>(
            std::ceil(static_cast<double>((*size)->value()) / static_cast<double>(kGi)));
      }
      mapping.volumeType = e.volumeType.value_or("");
      mapping.encrypted = e.encrypted;
      mapping.deleteOnTermination = e.deleteOnTermination;
      mapping.iops = e.iops;
      mapping.throughput = e.throughput;
      mapping.kmsKeyId = e.kmsKeyID.value_or("");
      mapping.snapshotId = e.snapshotID.value_or("");
    }
    mappings.push_back(std::move(mapping));
  }
  return mappings;
}

karpenter::aws::MetadataOptions metadataOptions(const api::EC2NodeClass& nodeClass) {
  karpenter::aws::MetadataOptions options;
  if (const auto& spec = nodeClass.spec.metadataOptions) {
    options.httpEndpoint = spec->httpEndpoint.value_or(options.httpEndpoint);
    options.httpProtocolIpv6 = spec->httpProtocolIPv6.value_or(options.httpProtocolIpv6);
    options.httpPutResponseHopLimit =
        spec->httpPutResponseHopLimit.value_or(options.httpPutResponseHopLimit);
    options.httpTokens = spec->httpTokens.value_or(options.httpTokens);
  }
  return options;
}

struct Override {
  karpenter::aws::FleetOverride fleet;
  double price = 0;
};

constexpr std::string_view kInsufficientFreeAddresses = "InsufficientFreeAddressesInSubnet";

// Addresses a launch is expected to take in its subnet (upstream: the smallest pod capacity
// among the candidate types, as the VPC CNI gives every pod an address of the node's subnet).
int64_t predictedIpUse(const std::vector<const scheduling::InstanceType*>& types) {
  int64_t fewest = 0;
  for (const auto* type : types) {
    auto pods = type->capacity.find("pods");
    if (pods != type->capacity.end() && (fewest == 0 || pods->second.value() < fewest)) {
      fewest = pods->second.value();
    }
  }
  return std::max<int64_t>(fewest, 1);
}

}  // namespace

bool isCapacityErrorCode(std::string_view code) {
  static const std::set<std::string_view> kCodes = {"InsufficientInstanceCapacity",
                                                    "MaxSpotInstanceCountExceeded",
                                                    "VcpuLimitExceeded",
                                                    "UnfulfillableCapacity",
                                                    "Unsupported",
                                                    "InsufficientFreeAddressesInSubnet",
                                                    "MaxFleetCountExceeded",
                                                    "ReservationCapacityExceeded"};
  return kCodes.count(code) > 0;
}

InstanceProvider::InstanceProvider(ClusterSettings cluster, const karpenter::aws::Ec2Client* ec2,
                                   LaunchTemplateProvider* launchTemplates,
                                   UnavailableOfferings* unavailable, Clock clock)
    : cluster_(std::move(cluster)),
      ec2_(ec2),
      launchTemplates_(launchTemplates),
      unavailable_(unavailable),
      subnets_(ec2, std::move(clock)) {}

karpenter::aws::Tags InstanceProvider::launchTags(const LaunchRequest& request) const {
  karpenter::aws::Tags tags(request.nodeClass->spec.tags.begin(),
                            request.nodeClass->spec.tags.end());
  tags["kubernetes.io/cluster/" + cluster_.name] = "owned";
  tags[std::string(api::kNodePoolLabelKey)] = request.nodePool;
  tags[std::string(kClusterNameTag)] = cluster_.name;
  tags[std::string(kNodeClassTag)] = request.nodeClass->metadata.name;
  tags["karpenter.sh/nodeclaim"] = request.nodeClaim->metadata.name;
  return tags;
}

Result<karpenter::aws::CreateLaunchTemplateRequest> InstanceProvider::launchTemplateData(
    const LaunchRequest& request, const std::string& imageId) const {
  const api::EC2NodeClass& nodeClass = *request.nodeClass;
  const std::string family = amiFamilyOf(nodeClass);
  BootstrapOptions bootstrap;
  bootstrap.clusterName = cluster_.name;
  bootstrap.clusterEndpoint = cluster_.endpoint;
  bootstrap.caBundle = cluster_.caBundle;
  bootstrap.clusterCIDR = cluster_.serviceCIDR;
  bootstrap.kubelet = nodeClass.spec.kubelet.value_or(api::KubeletConfiguration{});
  bootstrap.customUserData = nodeClass.spec.userData;
  for (const auto& [key, value] : request.nodeClaim->metadata.labels) {
    bootstrap.labels[key] = value;
  }
  bootstrap.labels[std::string(api::kNodePoolLabelKey)] = request.nodePool;
  bootstrap.taints = request.nodeClaim->spec.taints;
  bootstrap.taints.insert(bootstrap.taints.end(), request.nodeClaim->spec.startupTaints.begin(),
                          request.nodeClaim->spec.startupTaints.end());
  auto userData = bootstrapUserData(family, bootstrap);
  if (!userData) {
    return userData.error().withContext("EC2NodeClass \"" + nodeClass.metadata.name + "\"");
  }
  auto devices = blockDevices(nodeClass, family);
  if (!devices) {
    return devices.error();
  }
  karpenter::aws::CreateLaunchTemplateRequest data;
  data.imageId = imageId;
  data.userData = admission::base64Encode(*userData);
  for (const auto& group : nodeClass.status.securityGroups) {
    data.securityGroupIds.push_back(group.id);
  }
  data.instanceProfileName = !nodeClass.status.instanceProfile.empty()
                                 ? nodeClass.status.instanceProfile
                                 : nodeClass.spec.instanceProfile.value_or("");
  data.metadataOptions = metadataOptions(nodeClass);
  data.blockDeviceMappings = std::move(*devices);
  data.detailedMonitoring = nodeClass.spec.detailedMonitoring.value_or(false);
  karpenter::aws::Tags tags(nodeClass.spec.tags.begin(), nodeClass.spec.tags.end());
  tags["kubernetes.io/cluster/" + cluster_.name] = "owned";
  tags[std::string(kClusterNameTag)] = cluster_.name;
  tags[std::string(kNodeClassTag)] = nodeClass.metadata.name;
  data.tags = tags;
  data.dataTagSpecifications = {{"network-interface", tags}};
  return data;
}

Result<LaunchedInstance> InstanceProvider::launch(const LaunchRequest& request) {
  const api::EC2NodeClass& nodeClass = *request.nodeClass;
  const std::string who = "launching nodeclaim \"" + request.nodeClaim->metadata.name + "\"";
  // Which AMI serves which type: the first AMI whose requirements (arch, ...) the type meets.
  std::vector<std::pair<std::string, scheduling::Requirements>> amis;
  for (const auto& ami : nodeClass.status.amis) {
    auto requirements = scheduling::Requirements::fromNodeSelectorRequirements(ami.requirements);
    if (requirements) {
      amis.emplace_back(ami.id, std::move(*requirements));
    }
  }
  auto imageFor = [&](const scheduling::InstanceType& type) -> std::string {
    for (const auto& [id, requirements] : amis) {
      if (requirements.isCompatible(type.requirements, true)) {
        return id;
      }
    }
    return "";
  };
  // Each zone's subnet, with the addresses this launch is predicted to use reserved there.
  const auto subnetByZone =
      subnets_.chooseForLaunch(nodeClass.status.subnets, predictedIpUse(request.instanceTypes));
  // A launch that never reaches EC2 gives every reservation back.
  auto releaseAll = [&](Error error) {
    subnets_.release(subnetByZone, {});
    return error;
  };
  // Spot first when the NodeClaim allows it and any spot offering is available.
  auto overridesFor = [&](std::string_view capacityType) {
    std::vector<Override> overrides;
    for (const auto* type : request.instanceTypes) {
      const std::string image = imageFor(*type);
      if (image.empty()) {
        continue;
      }
      for (const auto& offering : type->offerings) {
        const std::string zone = single(offering.requirements, api::kLabelTopologyZone);
        if (!offering.available ||
            single(offering.requirements, api::kCapacityTypeLabelKey) != capacityType ||
            !request.requirements.isCompatible(offering.requirements, true) ||
            unavailable_->isUnavailable(type->name, zone, capacityType)) {
          continue;
        }
        auto subnet = subnetByZone.find(zone);
        if (subnet == subnetByZone.end()) {
          continue;
        }
        overrides.push_back(
            {{type->name, subnet->second.id, zone, image, offering.price}, offering.price});
      }
    }
    std::stable_sort(overrides.begin(), overrides.end(),
                     [](const Override& a, const Override& b) { return a.price < b.price; });
    if (overrides.size() > kMaxFleetOverrides) {
      overrides.resize(kMaxFleetOverrides);
    }
    return overrides;
  };
  std::string capacityType(api::kCapacityTypeOnDemand);
  std::vector<Override> overrides;
  scheduling::Requirements spot;
  spot.add(scheduling::Requirement::in(api::kCapacityTypeLabelKey,
                                       {std::string(api::kCapacityTypeSpot)}));
  if (request.requirements.isCompatible(spot, true)) {
    overrides = overridesFor(api::kCapacityTypeSpot);
    if (!overrides.empty()) {
      capacityType = api::kCapacityTypeSpot;
    }
  }
  if (overrides.empty()) {
    overrides = overridesFor(api::kCapacityTypeOnDemand);
  }
  if (overrides.empty()) {
    return releaseAll(Error{ErrorKind::kInsufficientCapacity,
                            who + ": no available offering of " +
                                std::to_string(request.instanceTypes.size()) +
                                " instance types has an AMI and a subnet in its zone"});
  }
  auto data = launchTemplateData(request, overrides.front().fleet.imageId);
  if (!data) {
    return releaseAll(data.error().withContext(who));
  }
  karpenter::aws::CreateFleetRequest fleet;
  fleet.capacityType = capacityType;
  for (const auto& o : overrides) {
    fleet.overrides.push_back(o.fleet);
  }
  const auto tags = launchTags(request);
  fleet.tagSpecifications = {{"instance", tags}, {"volume", tags}, {"fleet", tags}};
  fleet.context = nodeClass.spec.context.value_or("");
  Result<karpenter::aws::CreateFleetResult> result = Error{ErrorKind::kInternal, "not called"};
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto name = launchTemplates_->ensure(*data);
    if (!name) {
      return releaseAll(name.error().withContext(who));
    }
    fleet.launchTemplateName = *name;
    result = ec2_->createFleet(fleet);
    if (!result.ok() && karpenter::aws::awsErrorCode(result.error()) ==
                            "InvalidLaunchTemplateName.NotFoundException") {
      launchTemplates_->invalidate(*name);  // deleted behind our back: recreate once
      continue;
    }
    break;
  }
  if (!result) {
    return releaseAll(result.error().withContext(who));
  }
  std::set<std::string> usedSubnets;
  for (const auto& launched : result->instances) {
    if (!launched.instanceIds.empty()) {
      usedSubnets.insert(launched.subnetId);
    }
  }
  subnets_.release(subnetByZone, usedSubnets);
  bool onlyCapacityErrors = true;
  std::string reasons;
  for (const auto& error : result->errors) {
    if (error.errorCode == kInsufficientFreeAddresses && !error.subnetId.empty()) {
      subnets_.markInsufficientAddresses(error.subnetId);
    }
    if (isCapacityErrorCode(error.errorCode)) {
      unavailable_->markUnavailable(error.instanceType, error.availabilityZone, capacityType);
    } else {
      onlyCapacityErrors = false;
    }
    if (reasons.find(error.errorCode) == std::string::npos) {
      reasons += (reasons.empty() ? "" : "; ") + error.errorCode + ": " + error.errorMessage;
    }
  }
  for (const auto& launched : result->instances) {
    if (launched.instanceIds.empty()) {
      continue;
    }
    karpenter::aws::Instance instance;
    instance.id = launched.instanceIds.front();
    instance.instanceType = launched.instanceType;
    instance.availabilityZone = launched.availabilityZone;
    instance.subnetId = launched.subnetId;
    for (const auto& o : overrides) {
      if (o.fleet.instanceType == launched.instanceType &&
          o.fleet.availabilityZone == launched.availabilityZone) {
        instance.imageId = o.fleet.imageId;
      }
    }
    instance.state = "pending";
    instance.lifecycle = capacityType == api::kCapacityTypeSpot ? "spot" : "";
    instance.tags = tags;
    spdlog::info("{}: launched {} ({} {} in {})", who, instance.id, capacityType,
                 instance.instanceType, instance.availabilityZone);
    return LaunchedInstance{std::move(instance), capacityType};
  }
  const ErrorKind kind =
      onlyCapacityErrors ? ErrorKind::kInsufficientCapacity : ErrorKind::kUnavailable;
  return Error{kind, who + ": CreateFleet launched nothing (" + capacityType + ", " +
                         std::to_string(overrides.size()) +
                         " overrides): " + (reasons.empty() ? "no reason given" : reasons)};
}

Result<karpenter::aws::Instance> InstanceProvider::get(const std::string& instanceId) const {
  auto instances = ec2_->describeInstances({instanceId});
  if (!instances) {
    return instances.error();
  }
  for (auto& instance : *instances) {
    if (instance.id == instanceId && instance.state != "terminated") {
      return std::move(instance);
    }
  }
  return notFoundError("instance " + instanceId + " is terminated");
}

Result<std::vector<karpenter::aws::Instance>> InstanceProvider::list() const {
  return ec2_->describeInstances({}, {{"tag-key", {std::string(api::kNodePoolLabelKey)}},
                                      {"tag-key", {std::string(kNodeClassTag)}},
                                      {"tag:" + std::string(kClusterNameTag), {cluster_.name}},
                                      {"instance-state-name", kLiveStates}});
}

Result<void> InstanceProvider::terminate(const std::string& instanceId) const {
  auto instance = get(instanceId);
  if (!instance) {
    return instance.error();
  }
  if (instance->state == "shutting-down") {
    return {};  // already going; get() reports NotFound once it is terminated
  }
  auto changes = ec2_->terminateInstances({instanceId});
  if (!changes) {
    return changes.error().withContext("terminating " + instanceId);
  }
  return {};
}

}  // namespace karpenter::cloudprovider::aws
