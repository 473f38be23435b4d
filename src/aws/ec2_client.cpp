#include "karpenter/aws/ec2_client.hpp"

#include <functional>

#include <pugixml.hpp>

#include "xml_json.hpp"

namespace karpenter::aws {
namespace {

Result<std::unique_ptr<pugi::xml_document>> parseXml(const std::string& body,
                                                     std::string_view action) {
  auto doc = std::make_unique<pugi::xml_document>();
  if (!doc->load_buffer(body.data(), body.size())) {
    return Error{ErrorKind::kUnavailable,
                 "ec2 " + std::string(action) + ": the answer is not XML: " + body.substr(0, 200)};
  }
  return doc;
}

int64_t toInt(const char* text) {
  try {
    return std::stoll(text);
  } catch (const std::exception&) {
    return 0;
  }
}

double toDouble(const char* text) {
  try {
    return std::stod(text);
  } catch (const std::exception&) {
    return 0;
  }
}

std::vector<std::string> items(const pugi::xml_node& list) {
  std::vector<std::string> values;
  for (auto item : list.children("item")) {
    values.emplace_back(item.child_value());
  }
  return values;
}

Tags tagsOf(const pugi::xml_node& node) {
  Tags tags;
  for (auto item : node.child("tagSet").children("item")) {
    tags[item.child_value("key")] = item.child_value("value");
  }
  return tags;
}

void setTagSpecifications(QueryParams& params, const std::string& prefix,
                          const std::vector<TagSpecification>& specs) {
  for (size_t i = 0; i < specs.size(); ++i) {
    const std::string item = prefix + "." + std::to_string(i + 1);
    params.set(item + ".ResourceType", specs[i].resourceType);
    params.setTags(item + ".Tag", specs[i].tags);
  }
}

std::string formatNumber(double value) {
  std::string text = std::to_string(value);
  while (text.find('.') != std::string::npos && (text.back() == '0' || text.back() == '.')) {
    const bool dot = text.back() == '.';
    text.pop_back();
    if (dot) {
      break;
    }
  }
  return text;
}

// Calls `action` until nextToken is empty, handing each page's root element to `onPage`.
Result<void> paginate(const QueryClient& query, std::string_view action, const QueryParams& base,
                      int maxResults, const std::function<void(const pugi::xml_node&)>& onPage) {
  std::string token;
  do {
    QueryParams params = base;
    if (maxResults > 0) {
      params.set("MaxResults", std::to_string(maxResults));
    }
    params.setIfNotEmpty("NextToken", token);
    auto body = query.call(action, params);
    if (!body) {
      return body.error();
    }
    auto doc = parseXml(*body, action);
    if (!doc) {
      return doc.error();
    }
    const pugi::xml_node root = (*doc)->document_element();
    onPage(root);
    token = root.child_value("nextToken");
  } while (!token.empty());
  return {};
}

Instance instanceOf(const pugi::xml_node& node) {
  Instance instance;
  instance.id = node.child_value("instanceId");
  instance.instanceType = node.child_value("instanceType");
  instance.state = node.child("instanceState").child_value("name");
  instance.availabilityZone = node.child("placement").child_value("availabilityZone");
  instance.subnetId = node.child_value("subnetId");
  instance.imageId = node.child_value("imageId");
  instance.lifecycle = node.child_value("instanceLifecycle");
  instance.launchTime = node.child_value("launchTime");
  instance.privateDnsName = node.child_value("privateDnsName");
  // The instance item's groupSet, not the reservation's (empty in a VPC) nor an ENI's.
  for (auto group : node.child("groupSet").children("item")) {
    instance.securityGroups.push_back(
        {group.child_value("groupId"), group.child_value("groupName"), "", {}});
  }
  instance.tags = tagsOf(node);
  return instance;
}

void readOverrides(const pugi::xml_node& node, std::string& instanceType, std::string& subnetId,
                   std::string& zone) {
  const auto overrides = node.child("launchTemplateAndOverrides").child("overrides");
  instanceType = overrides.child_value("instanceType");
  subnetId = overrides.child_value("subnetId");
  zone = overrides.child_value("availabilityZone");
}

}  // namespace

Ec2Client::Ec2Client(const AwsConfig& config, CredentialsProviderPtr credentials,
                     HttpClientPtr http, Clock clock, RetryPolicy retry)
    : query_(QueryClient::Options{config.endpointFor("ec2"), "ec2", config.signingRegionFor("ec2"),
                                  kEc2ApiVersion, std::move(retry)},
             std::move(credentials), std::move(http), std::move(clock)) {}

Result<std::vector<InstanceTypeInfo>> Ec2Client::describeInstanceTypes(
    const std::vector<Filter>& filters, const std::vector<std::string>& names) const {
  QueryParams params;
  params.setList("InstanceType", names).setFilters(filters);
  std::vector<InstanceTypeInfo> types;
  auto done =
      paginate(query_, "DescribeInstanceTypes", params, 100, [&](const pugi::xml_node& root) {
        for (auto item : root.child("instanceTypeSet").children("item")) {
          InstanceTypeInfo info;
          info.instanceType = item.child_value("instanceType");
          info.defaultVCpus = toInt(item.child("vCpuInfo").child_value("defaultVCpus"));
          info.memoryMiB = toInt(item.child("memoryInfo").child_value("sizeInMiB"));
          info.architectures = items(item.child("processorInfo").child("supportedArchitectures"));
          info.usageClasses = items(item.child("supportedUsageClasses"));
          info.hypervisor = item.child_value("hypervisor");
          info.bareMetal = std::string_view(item.child_value("bareMetal")) == "true";
          info.maximumNetworkInterfaces =
              toInt(item.child("networkInfo").child_value("maximumNetworkInterfaces"));
          info.ipv4AddressesPerInterface =
              toInt(item.child("networkInfo").child_value("ipv4AddressesPerInterface"));
          info.raw = xmlToJson(item);
          types.push_back(std::move(info));
        }
      });
  if (!done) {
    return done.error();
  }
  return types;
}

Result<std::vector<InstanceTypeOffering>> Ec2Client::describeInstanceTypeOfferings(
    const std::string& locationType, const std::vector<Filter>& filters) const {
  QueryParams params;
  params.set("LocationType", locationType).setFilters(filters);
  std::vector<InstanceTypeOffering> offerings;
  auto done = paginate(
      query_, "DescribeInstanceTypeOfferings", params, 1000, [&](const pugi::xml_node& root) {
        for (auto item : root.child("instanceTypeOfferingSet").children("item")) {
          offerings.push_back({item.child_value("instanceType"), item.child_value("locationType"),
                               item.child_value("location")});
        }
      });
  if (!done) {
    return done.error();
  }
  return offerings;
}

Result<std::vector<SpotPrice>> Ec2Client::describeSpotPriceHistory(
    const std::vector<std::string>& productDescriptions, std::optional<std::string> startTime,
    const std::vector<Filter>& filters) const {
  QueryParams params;
  params.setList("ProductDescription", productDescriptions).setFilters(filters);
  if (startTime) {
    params.set("StartTime", *startTime);
  }
  std::vector<SpotPrice> prices;
  auto done =
      paginate(query_, "DescribeSpotPriceHistory", params, 1000, [&](const pugi::xml_node& root) {
        for (auto item : root.child("spotPriceHistorySet").children("item")) {
          prices.push_back({item.child_value("instanceType"), item.child_value("availabilityZone"),
                            item.child_value("productDescription"),
                            toDouble(item.child_value("spotPrice")),
                            item.child_value("timestamp")});
        }
      });
  if (!done) {
    return done.error();
  }
  return prices;
}

Result<std::vector<Subnet>> Ec2Client::describeSubnets(const std::vector<Filter>& filters) const {
  QueryParams params;
  params.setFilters(filters);
  std::vector<Subnet> subnets;
  auto done = paginate(query_, "DescribeSubnets", params, 500, [&](const pugi::xml_node& root) {
    for (auto item : root.child("subnetSet").children("item")) {
      subnets.push_back({item.child_value("subnetId"), item.child_value("availabilityZone"),
                         item.child_value("availabilityZoneId"),
                         toInt(item.child_value("availableIpAddressCount")),
                         item.child_value("vpcId"), tagsOf(item)});
    }
  });
  if (!done) {
    return done.error();
  }
  return subnets;
}

Result<std::vector<SecurityGroup>> Ec2Client::describeSecurityGroups(
    const std::vector<Filter>& filters) const {
  QueryParams params;
  params.setFilters(filters);
  std::vector<SecurityGroup> groups;
  auto done =
      paginate(query_, "DescribeSecurityGroups", params, 1000, [&](const pugi::xml_node& root) {
        for (auto item : root.child("securityGroupInfo").children("item")) {
          groups.push_back({item.child_value("groupId"), item.child_value("groupName"),
                            item.child_value("vpcId"), tagsOf(item)});
        }
      });
  if (!done) {
    return done.error();
  }
  return groups;
}

Result<std::vector<Image>> Ec2Client::describeImages(const std::vector<Filter>& filters,
                                                     const std::vector<std::string>& owners) const {
  QueryParams params;
  params.setList("Owner", owners).setFilters(filters).set("IncludeDeprecated", "true");
  std::vector<Image> images;
  auto done = paginate(query_, "DescribeImages", params, 1000, [&](const pugi::xml_node& root) {
    for (auto item : root.child("imagesSet").children("item")) {
      images.push_back({item.child_value("imageId"), item.child_value("name"),
                        item.child_value("architecture"), item.child_value("creationDate"),
                        item.child_value("imageState"), item.child_value("imageOwnerId"),
                        item.child_value("deprecationTime"), tagsOf(item)});
    }
  });
  if (!done) {
    return done.error();
  }
  return images;
}

namespace {
LaunchTemplate launchTemplateOf(const pugi::xml_node& node) {
  return LaunchTemplate{node.child_value("launchTemplateId"),
                        node.child_value("launchTemplateName"),
                        toInt(node.child_value("defaultVersionNumber")),
                        toInt(node.child_value("latestVersionNumber")),
                        node.child_value("createTime"),
                        tagsOf(node)};
}
}  // namespace

Result<std::vector<LaunchTemplate>> Ec2Client::describeLaunchTemplates(
    const std::vector<std::string>& names, const std::vector<Filter>& filters) const {
  QueryParams params;
  params.setList("LaunchTemplateName", names).setFilters(filters);
  std::vector<LaunchTemplate> templates;
  // MaxResults may not be combined with explicit names.
  auto done = paginate(query_, "DescribeLaunchTemplates", params, names.empty() ? 200 : 0,
                       [&](const pugi::xml_node& root) {
                         for (auto item : root.child("launchTemplates").children("item")) {
                           templates.push_back(launchTemplateOf(item));
                         }
                       });
  if (!done) {
    return done.error();
  }
  return templates;
}

Result<LaunchTemplate> Ec2Client::createLaunchTemplate(
    const CreateLaunchTemplateRequest& request) const {
  QueryParams params;
  params.set("LaunchTemplateName", request.name);
  const std::string data = "LaunchTemplateData.";
  params.setIfNotEmpty(data + "ImageId", request.imageId);
  params.setIfNotEmpty(data + "UserData", request.userData);
  params.setList(data + "SecurityGroupId", request.securityGroupIds);
  params.setIfNotEmpty(data + "IamInstanceProfile.Name", request.instanceProfileName);
  if (request.detailedMonitoring) {
    params.set(data + "Monitoring.Enabled", "true");
  }
  if (request.metadataOptions) {
    const MetadataOptions& m = *request.metadataOptions;
    params.set(data + "MetadataOptions.HttpEndpoint", m.httpEndpoint);
    params.set(data + "MetadataOptions.HttpProtocolIpv6", m.httpProtocolIpv6);
    params.set(data + "MetadataOptions.HttpPutResponseHopLimit",
               std::to_string(m.httpPutResponseHopLimit));
    params.set(data + "MetadataOptions.HttpTokens", m.httpTokens);
    params.set(data + "MetadataOptions.InstanceMetadataTags", "disabled");
  }
  for (size_t i = 0; i < request.blockDeviceMappings.size(); ++i) {
    const BlockDeviceMapping& b = request.blockDeviceMappings[i];
    const std::string p = data + "BlockDeviceMapping." + std::to_string(i + 1) + ".";
    params.set(p + "DeviceName", b.deviceName);
    if (b.volumeSizeGiB) {
      params.set(p + "Ebs.VolumeSize", std::to_string(*b.volumeSizeGiB));
    }
    params.setIfNotEmpty(p + "Ebs.VolumeType", b.volumeType);
    if (b.encrypted) {
      params.set(p + "Ebs.Encrypted", *b.encrypted ? "true" : "false");
    }
    if (b.deleteOnTermination) {
      params.set(p + "Ebs.DeleteOnTermination", *b.deleteOnTermination ? "true" : "false");
    }
    if (b.iops) {
      params.set(p + "Ebs.Iops", std::to_string(*b.iops));
    }
    if (b.throughput) {
      params.set(p + "Ebs.Throughput", std::to_string(*b.throughput));
    }
    params.setIfNotEmpty(p + "Ebs.KmsKeyId", b.kmsKeyId);
    params.setIfNotEmpty(p + "Ebs.SnapshotId", b.snapshotId);
  }
  setTagSpecifications(params, data + "TagSpecification", request.dataTagSpecifications);
  if (!request.tags.empty()) {
    setTagSpecifications(params, "TagSpecification", {{"launch-template", request.tags}});
  }
  auto body = query_.call("CreateLaunchTemplate", params);
  if (!body) {
    return body.error();
  }
  auto doc = parseXml(*body, "CreateLaunchTemplate");
  if (!doc) {
    return doc.error();
  }
  return launchTemplateOf((*doc)->document_element().child("launchTemplate"));
}

Result<void> Ec2Client::deleteLaunchTemplate(const std::string& name) const {
  QueryParams params;
  params.set("LaunchTemplateName", name);
  auto body = query_.call("DeleteLaunchTemplate", params);
  if (!body) {
    return body.error();
  }
  return {};
}

Result<CreateFleetResult> Ec2Client::createFleet(const CreateFleetRequest& request) const {
  QueryParams params;
  params.set("Type", "instant");
  const std::string config = "LaunchTemplateConfigs.1.";
  params.set(config + "LaunchTemplateSpecification.LaunchTemplateName", request.launchTemplateName);
  params.set(config + "LaunchTemplateSpecification.Version", request.launchTemplateVersion);
  for (size_t i = 0; i < request.overrides.size(); ++i) {
    const FleetOverride& o = request.overrides[i];
    const std::string p = config + "Overrides." + std::to_string(i + 1) + ".";
    params.set(p + "InstanceType", o.instanceType);
    params.setIfNotEmpty(p + "SubnetId", o.subnetId);
    params.setIfNotEmpty(p + "AvailabilityZone", o.availabilityZone);
    params.setIfNotEmpty(p + "ImageId", o.imageId);
    if (o.priority) {
      params.set(p + "Priority", formatNumber(*o.priority));
    }
  }
  params.set("TargetCapacitySpecification.TotalTargetCapacity",
             std::to_string(request.totalTargetCapacity));
  params.set("TargetCapacitySpecification.DefaultTargetCapacityType", request.capacityType);
  if (request.capacityType == "spot") {
    params.set("SpotOptions.AllocationStrategy", request.spotAllocationStrategy);
  } else {
    params.set("OnDemandOptions.AllocationStrategy", request.onDemandAllocationStrategy);
  }
  setTagSpecifications(params, "TagSpecification", request.tagSpecifications);
  params.setIfNotEmpty("Context", request.context);
  auto body = query_.call("CreateFleet", params);
  if (!body) {
    return body.error();
  }
  auto doc = parseXml(*body, "CreateFleet");
  if (!doc) {
    return doc.error();
  }
  const pugi::xml_node root = (*doc)->document_element();
  CreateFleetResult result;
  result.fleetId = root.child_value("fleetId");
  for (auto item : root.child("fleetInstanceSet").children("item")) {
    FleetInstance instance;
    readOverrides(item, instance.instanceType, instance.subnetId, instance.availabilityZone);
    if (const char* type = item.child_value("instanceType"); *type != '\0') {
      instance.instanceType = type;
    }
    instance.instanceIds = items(item.child("instanceIds"));
    instance.lifecycle = item.child_value("lifecycle");
    result.instances.push_back(std::move(instance));
  }
  for (auto item : root.child("errorSet").children("item")) {
    FleetError error;
    readOverrides(item, error.instanceType, error.subnetId, error.availabilityZone);
    error.errorCode = item.child_value("errorCode");
    error.errorMessage = item.child_value("errorMessage");
    error.lifecycle = item.child_value("lifecycle");
    result.errors.push_back(std::move(error));
  }
  return result;
}

Result<std::vector<Instance>> Ec2Client::runInstances(const RunInstancesRequest& request) const {
  QueryParams params;
  params.setIfNotEmpty("ImageId", request.imageId);
  params.setIfNotEmpty("InstanceType", request.instanceType);
  params.setIfNotEmpty("SubnetId", request.subnetId);
  params.setIfNotEmpty("LaunchTemplate.LaunchTemplateName", request.launchTemplateName);
  params.set("MinCount", std::to_string(request.minCount));
  params.set("MaxCount", std::to_string(request.maxCount));
  if (request.spot) {
    params.set("InstanceMarketOptions.MarketType", "spot");
  }
  setTagSpecifications(params, "TagSpecification", request.tagSpecifications);
  auto body = query_.call("RunInstances", params);
  if (!body) {
    return body.error();
  }
  auto doc = parseXml(*body, "RunInstances");
  if (!doc) {
    return doc.error();
  }
  std::vector<Instance> instances;
  for (auto item : (*doc)->document_element().child("instancesSet").children("item")) {
    instances.push_back(instanceOf(item));
  }
  return instances;
}

Result<std::vector<Instance>> Ec2Client::describeInstances(
    const std::vector<std::string>& ids, const std::vector<Filter>& filters) const {
  QueryParams params;
  params.setList("InstanceId", ids).setFilters(filters);
  std::vector<Instance> instances;
  // MaxResults may not be combined with explicit instance IDs.
  auto done = paginate(query_, "DescribeInstances", params, ids.empty() ? 1000 : 0,
                       [&](const pugi::xml_node& root) {
                         for (auto reservation : root.child("reservationSet").children("item")) {
                           for (auto item : reservation.child("instancesSet").children("item")) {
                             instances.push_back(instanceOf(item));
                           }
                         }
                       });
  if (!done) {
    return done.error();
  }
  return instances;
}

Result<std::vector<InstanceStateChange>> Ec2Client::terminateInstances(
    const std::vector<std::string>& ids) const {
  QueryParams params;
  params.setList("InstanceId", ids);
  auto body = query_.call("TerminateInstances", params);
  if (!body) {
    return body.error();
  }
  auto doc = parseXml(*body, "TerminateInstances");
  if (!doc) {
    return doc.error();
  }
  std::vector<InstanceStateChange> changes;
  for (auto item : (*doc)->document_element().child("instancesSet").children("item")) {
    changes.push_back({item.child_value("instanceId"),
                       item.child("previousState").child_value("name"),
                       item.child("currentState").child_value("name")});
  }
  return changes;
}

Result<void> Ec2Client::createTags(const std::vector<std::string>& resourceIds,
                                   const Tags& tags) const {
  QueryParams params;
  params.setList("ResourceId", resourceIds).setTags("Tag", tags);
  auto body = query_.call("CreateTags", params);
  if (!body) {
    return body.error();
  }
  return {};
}

}  // namespace karpenter::aws
