#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/aws/config.hpp"
#include "karpenter/aws/credentials.hpp"
#include "karpenter/aws/query_client.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::aws {

inline constexpr const char* kEc2ApiVersion = "2016-11-15";

// DescribeInstanceTypes item. `raw` is the whole InstanceTypeInfo as the XML had it (lowerCamel
// names, lists as arrays, leaves as strings) for the instance-type model; the rest is typed.
struct InstanceTypeInfo {
  std::string instanceType;
  int64_t defaultVCpus = 0;
  int64_t memoryMiB = 0;
  std::vector<std::string> architectures;
  std::vector<std::string> usageClasses;
  std::string hypervisor;
  bool bareMetal = false;
  int64_t maximumNetworkInterfaces = 0;
  int64_t ipv4AddressesPerInterface = 0;
  nlohmann::json raw;
};

struct InstanceTypeOffering {
  std::string instanceType;
  std::string locationType;
  std::string location;
};

struct SpotPrice {
  std::string instanceType;
  std::string availabilityZone;
  std::string productDescription;
  double price = 0;
  std::string timestamp;
};

struct Subnet {
  std::string id;
  std::string availabilityZone;
  std::string availabilityZoneId;
  int64_t availableIpAddressCount = 0;
  std::string vpcId;
  Tags tags;
};

struct SecurityGroup {
  std::string id;
  std::string name;
  std::string vpcId;
  Tags tags;
};

struct Image {
  std::string id;
  std::string name;
  std::string architecture;
  std::string creationDate;
  std::string state;
  std::string ownerId;
  std::string deprecationTime;
  Tags tags;
};

struct LaunchTemplate {
  std::string id;
  std::string name;
  int64_t defaultVersion = 0;
  int64_t latestVersion = 0;
  std::string createTime;
  Tags tags;
};

struct TagSpecification {
  std::string resourceType;  // instance, volume, fleet, launch-template, network-interface, ...
  Tags tags;
};

struct BlockDeviceMapping {
  std::string deviceName;
  std::optional<int64_t> volumeSizeGiB;
  std::string volumeType;
  std::optional<bool> encrypted;
  std::optional<bool> deleteOnTermination;
  std::optional<int64_t> iops;
  std::optional<int64_t> throughput;
  std::string kmsKeyId;
  std::string snapshotId;
};

struct MetadataOptions {
  std::string httpEndpoint = "enabled";
  std::string httpProtocolIpv6 = "disabled";
  int64_t httpPutResponseHopLimit = 1;
  std::string httpTokens = "required";
};

struct CreateLaunchTemplateRequest {
  std::string name;
  std::string imageId;
  std::string userData;  // base64, as EC2 wants it
  std::vector<std::string> securityGroupIds;
  std::string instanceProfileName;
  std::optional<MetadataOptions> metadataOptions;
  std::vector<BlockDeviceMapping> blockDeviceMappings;
  bool detailedMonitoring = false;
  std::vector<TagSpecification> dataTagSpecifications;  // LaunchTemplateData.TagSpecification
  Tags tags;                                            // on the launch template itself
};

struct FleetOverride {
  std::string instanceType;
  std::string subnetId;
  std::string availabilityZone;
  std::string imageId;
  std::optional<double> priority;
};

struct CreateFleetRequest {
  std::string launchTemplateName;
  std::string launchTemplateVersion = "$Latest";
  std::vector<FleetOverride> overrides;
  std::string capacityType = "on-demand";  // DefaultTargetCapacityType: spot | on-demand
  int64_t totalTargetCapacity = 1;
  std::string spotAllocationStrategy = "price-capacity-optimized";
  std::string onDemandAllocationStrategy = "lowest-price";
  std::vector<TagSpecification> tagSpecifications;
  std::string context;
};

struct FleetInstance {
  std::vector<std::string> instanceIds;
  std::string instanceType;
  std::string subnetId;
  std::string availabilityZone;
  std::string lifecycle;  // spot | on-demand
};

struct FleetError {
  std::string errorCode;
  std::string errorMessage;
  std::string instanceType;
  std::string subnetId;
  std::string availabilityZone;
  std::string lifecycle;
};

struct CreateFleetResult {
  std::string fleetId;
  std::vector<FleetInstance> instances;
  std::vector<FleetError> errors;
};

struct Instance {
  std::string id;
  std::string instanceType;
  std::string state;  // pending, running, shutting-down, terminated, stopping, stopped
  std::string availabilityZone;
  std::string subnetId;
  std::string imageId;
  std::string lifecycle;  // "spot", or "" for on-demand
  std::string launchTime;
  std::string privateDnsName;
  // The instance's own groupSet (id and name only): what drift compares with the NodeClass.
  std::vector<SecurityGroup> securityGroups;
  Tags tags;
};

struct RunInstancesRequest {
  std::string imageId;
  std::string instanceType;
  std::string subnetId;
  std::string launchTemplateName;
  int64_t minCount = 1;
  int64_t maxCount = 1;
  bool spot = false;
  std::vector<TagSpecification> tagSpecifications;
};

struct InstanceStateChange {
  std::string instanceId;
  std::string previousState;
  std::string currentState;
};

// The EC2 API over the Query protocol. Describe* calls follow NextToken to the end.
// Errors are values (see errorKindForAwsCode); throttling and 5xx were already retried.
// Thread safety: every call may be used concurrently.
class Ec2Client final {
 public:
  Ec2Client(const AwsConfig& config, CredentialsProviderPtr credentials, HttpClientPtr http,
            Clock clock, RetryPolicy retry = {});

  Result<std::vector<InstanceTypeInfo>> describeInstanceTypes(
      const std::vector<Filter>& filters = {}, const std::vector<std::string>& names = {}) const;
  // locationType: availability-zone | availability-zone-id | region.
  Result<std::vector<InstanceTypeOffering>> describeInstanceTypeOfferings(
      const std::string& locationType = "availability-zone",
      const std::vector<Filter>& filters = {}) const;
  Result<std::vector<SpotPrice>> describeSpotPriceHistory(
      const std::vector<std::string>& productDescriptions, std::optional<std::string> startTime,
      const std::vector<Filter>& filters = {}) const;
  Result<std::vector<Subnet>> describeSubnets(const std::vector<Filter>& filters) const;
  Result<std::vector<SecurityGroup>> describeSecurityGroups(
      const std::vector<Filter>& filters) const;
  Result<std::vector<Image>> describeImages(const std::vector<Filter>& filters,
                                            const std::vector<std::string>& owners = {}) const;
  Result<std::vector<LaunchTemplate>> describeLaunchTemplates(
      const std::vector<std::string>& names, const std::vector<Filter>& filters = {}) const;
  Result<LaunchTemplate> createLaunchTemplate(const CreateLaunchTemplateRequest& request) const;
  Result<void> deleteLaunchTemplate(const std::string& name) const;
  // Type=instant. A result with instances and errors is a partial success, not an error.
  Result<CreateFleetResult> createFleet(const CreateFleetRequest& request) const;
  Result<std::vector<Instance>> runInstances(const RunInstancesRequest& request) const;
  Result<std::vector<Instance>> describeInstances(const std::vector<std::string>& ids,
                                                  const std::vector<Filter>& filters = {}) const;
  Result<std::vector<InstanceStateChange>> terminateInstances(
      const std::vector<std::string>& ids) const;
  Result<void> createTags(const std::vector<std::string>& resourceIds, const Tags& tags) const;

 private:
  QueryClient query_;
};

}  // namespace karpenter::aws
