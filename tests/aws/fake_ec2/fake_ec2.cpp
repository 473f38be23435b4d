#include "fake_ec2.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>

#include "karpenter/aws/time_format.hpp"
#include "support/testdata.hpp"

namespace karpenter::aws::testing {
namespace {

using Attributes = std::map<std::string, std::vector<std::string>>;

constexpr const char* kOwnerId = "123456789012";

void addTagAttributes(Attributes& attributes, const Tags& tags) {
  for (const auto& [key, value] : tags) {
    attributes["tag:" + key].push_back(value);
    attributes["tag-key"].push_back(key);
  }
}

// Empty when every filter matches; "!<name>" when a filter name is not supported.
std::string matchFilters(const std::vector<Filter>& filters, const Attributes& attributes,
                         const std::set<std::string>& known, bool& matched) {
  matched = true;
  for (const Filter& filter : filters) {
    const bool isTag = filter.name.rfind("tag:", 0) == 0 || filter.name == "tag-key";
    if (!isTag && known.count(filter.name) == 0) {
      return filter.name;
    }
    auto it = attributes.find(filter.name);
    bool any = false;
    if (it != attributes.end()) {
      for (const std::string& pattern : filter.values) {
        for (const std::string& value : it->second) {
          any = any || globMatch(pattern, value);
        }
      }
    }
    matched = matched && any;
  }
  return "";
}

LoopbackResponse invalidFilter(const std::string& name, const std::string& requestId) {
  return ec2Error(400, "InvalidParameterValue", "The filter '" + name + "' is invalid", requestId);
}

// Slices [offset, offset+MaxResults) and writes nextToken when more remain.
template <typename T>
std::vector<T> page(const std::vector<T>& all, const FormParams& params, pugi::xml_node root,
                    size_t cap) {
  size_t offset = 0;
  if (auto token = params.find("NextToken"); token != params.end()) {
    offset = std::stoul(token->second.substr(token->second.find('-') + 1));
  }
  size_t limit = all.size();
  if (auto max = params.find("MaxResults"); max != params.end()) {
    limit = std::stoul(max->second);
  }
  limit = std::min(limit, cap);  // EC2 may answer with fewer items than MaxResults
  std::vector<T> slice;
  for (size_t i = offset; i < all.size() && slice.size() < limit; ++i) {
    slice.push_back(all[i]);
  }
  if (offset + slice.size() < all.size()) {
    addText(root, "nextToken", "page-" + std::to_string(offset + slice.size()));
  }
  return slice;
}

std::string param(const FormParams& params, const std::string& name) {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

int stateCode(const std::string& state) {
  static const std::map<std::string, int> kCodes = {{"pending", 0},        {"running", 16},
                                                    {"shutting-down", 32}, {"terminated", 48},
                                                    {"stopping", 64},      {"stopped", 80}};
  return kCodes.at(state);
}

void addState(pugi::xml_node parent, const char* name, const std::string& state) {
  auto node = parent.append_child(name);
  addText(node, "code", std::to_string(stateCode(state)));
  addText(node, "name", state);
}

std::string formatPrice(double price) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.6f", price);
  return buffer;
}

}  // namespace

FakeEc2::FakeEc2() : FakeEc2(Options{}) {}

FakeEc2::FakeEc2(Options options) : options_(std::move(options)) {
  instanceTypes_ = karpenter::testing::readTestdataJson(
      "ec2/karpenter-fake-DescribeInstanceTypes.json")["InstanceTypes"];
  const auto offerings =
      karpenter::testing::readTestdataJson("ec2/karpenter-fake-DescribeInstanceTypeOfferings.json");
  for (const auto& offering : offerings["InstanceTypeOfferings"]) {
    offerings_.emplace_back(offering["InstanceType"], offering["Location"]);
  }
  const auto prices = karpenter::testing::readTestdataJson("ec2/on-demand-prices-us-east-1.json");
  for (auto it = prices.begin(); it != prices.end(); ++it) {
    onDemandPrices_[it.key()] = it.value().get<double>();
  }
  const auto zoneList = zones();
  for (size_t i = 0; i < zoneList.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    subnets_.push_back({"subnet-test" + n, zoneList[i], "tstz1-az" + n, "vpc-test1",
                        "10.0." + n + ".0/24", static_cast<int64_t>(250 - 10 * i),
                        Tags{{"Name", "test-subnet-" + n}, {"karpenter.sh/discovery", "test"}}});
    securityGroups_.push_back({"sg-test" + n, "test-group-" + n, "vpc-test1", "test group " + n,
                               Tags{{"karpenter.sh/discovery", "test"}}});
  }
  images_.push_back({"ami-test1", "amazon-eks-node-al2023-x86_64-standard-1.31-v20240101", "x86_64",
                     "2024-01-01T00:00:00.000Z", kOwnerId,
                     Tags{{"karpenter.sh/discovery", "test"}}});
  images_.push_back({"ami-test2", "amazon-eks-node-al2023-arm64-standard-1.31-v20240101", "arm64",
                     "2024-01-01T00:00:00.000Z", kOwnerId,
                     Tags{{"karpenter.sh/discovery", "test"}}});
  server_ = std::make_unique<LoopbackServer>(
      [this](const LoopbackRequest& request) { return handle(request); });
}

FakeEc2::~FakeEc2() {
  releaseCreateFleetAnswers();
  server_.reset();  // stop serving before the state goes away
}

std::string FakeEc2::url() const {
  return server_->url();
}

std::vector<std::string> FakeEc2::zones() const {
  std::set<std::string> zones;
  for (const auto& [type, zone] : offerings_) {
    zones.insert(zone);
  }
  return {zones.begin(), zones.end()};
}

double FakeEc2::onDemandPrice(const std::string& instanceType) const {
  auto it = onDemandPrices_.find(instanceType);
  return it == onDemandPrices_.end() ? 0 : it->second;
}

double FakeEc2::spotPrice(const std::string& instanceType, const std::string& zone) const {
  // A fixed discount that differs per zone, so "cheapest pool" has one right answer.
  const auto list = zones();
  const auto index = std::find(list.begin(), list.end(), zone) - list.begin();
  return std::round(onDemandPrice(instanceType) * (0.30 + 0.05 * static_cast<double>(index)) *
                    1e6) /
         1e6;
}

void FakeEc2::setInsufficientCapacity(const std::string& capacityType,
                                      const std::string& instanceType, const std::string& zone) {
  std::lock_guard lock(mutex_);
  insufficientPools_.emplace(capacityType, instanceType, zone);
}

void FakeEc2::throttleNextRequests(int n) {
  std::lock_guard lock(mutex_);
  throttleCount_ = n;
}

void FakeEc2::failNextRequests(int n, int status) {
  std::lock_guard lock(mutex_);
  failCount_ = n;
  failStatus_ = status;
}

void FakeEc2::setMaxPageSize(size_t items) {
  std::lock_guard lock(mutex_);
  pageCap_ = items;
}

void FakeEc2::holdCreateFleetAnswers() {
  std::lock_guard lock(mutex_);
  holdFleetAnswers_ = true;
}

void FakeEc2::releaseCreateFleetAnswers() {
  {
    std::lock_guard lock(mutex_);
    holdFleetAnswers_ = false;
  }
  fleetAnswersReleased_.notify_all();
}

void FakeEc2::limitFleetFulfilment(int maxInstances) {
  std::lock_guard lock(mutex_);
  fleetLimit_ = maxInstances;
}

std::vector<FakeEc2::FakeInstance> FakeEc2::instances() const {
  std::lock_guard lock(mutex_);
  return instances_;
}

std::vector<FormParams> FakeEc2::requests(const std::string& action) const {
  std::lock_guard lock(mutex_);
  auto it = requests_.find(action);
  return it == requests_.end() ? std::vector<FormParams>{} : it->second;
}

int FakeEc2::rejectedSignatures() const {
  std::lock_guard lock(mutex_);
  return rejectedSignatures_;
}

std::string FakeEc2::nextId(const std::string& prefix) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%017llx", static_cast<unsigned long long>(++idCounter_));
  return prefix + "-" + buffer;
}

std::string FakeEc2::now() const {
  return formatIso8601(std::chrono::system_clock::now());
}

bool FakeEc2::offered(const std::string& instanceType, const std::string& zone) const {
  return std::find(offerings_.begin(), offerings_.end(), std::make_pair(instanceType, zone)) !=
         offerings_.end();
}

void FakeEc2::setSubnetFreeAddresses(const std::string& subnetId, int64_t available) {
  std::lock_guard lock(mutex_);
  for (auto& subnet : subnets_) {
    if (subnet.id == subnetId) {
      subnet.availableIps = available;
    }
  }
}

void FakeEc2::addSubnet(const std::string& subnetId, const std::string& zone, int64_t available) {
  std::lock_guard lock(mutex_);
  std::string zoneId;
  for (const auto& subnet : subnets_) {
    if (subnet.zone == zone) {
      zoneId = subnet.zoneId;
    }
  }
  const std::string n = std::to_string(subnets_.size() + 1);
  subnets_.push_back({subnetId, zone, zoneId, "vpc-test1", "10.0." + n + ".0/24", available,
                      Tags{{"Name", subnetId}, {"karpenter.sh/discovery", "test"}}});
}

bool FakeEc2::insufficient(const std::string& capacityType, const std::string& instanceType,
                           const std::string& zone) const {
  return insufficientPools_.count({capacityType, instanceType, zone}) > 0;
}

LoopbackResponse FakeEc2::handle(const LoopbackRequest& request) {
  std::unique_lock lock(mutex_);
  std::string action;
  LoopbackResponse response = answer(request, action);
  if (action == "CreateFleet") {
    fleetAnswersReleased_.wait_for(lock, std::chrono::minutes(1),
                                   [this] { return !holdFleetAnswers_; });
  }
  return response;
}

LoopbackResponse FakeEc2::answer(const LoopbackRequest& request, std::string& action) {
  const std::string requestId = nextId("req");
  const FormParams params =
      parseForm(request.method == "POST" ? request.body : std::string_view(request.query));
  action = param(params, "Action");
  const SignatureCheck check =
      verifySigV4(request, options_.accessKeyId, options_.secretAccessKey, options_.region, "ec2");
  if (!check.ok) {
    ++rejectedSignatures_;
    return ec2Error(check.status, check.code, check.message, requestId);
  }
  requests_[action].push_back(params);
  if (throttleCount_ > 0) {
    --throttleCount_;
    return ec2Error(503, "RequestLimitExceeded", "Request limit exceeded.", requestId);
  }
  if (failCount_ > 0) {
    --failCount_;
    return ec2Error(failStatus_, "InternalError", "An internal error has occurred", requestId);
  }
  if (param(params, "Version") != "2016-11-15") {
    return ec2Error(400, "InvalidParameterValue",
                    "Version must be 2016-11-15, not '" + param(params, "Version") + "'",
                    requestId);
  }
  return dispatch(action, params, requestId);
}

LoopbackResponse FakeEc2::dispatch(const std::string& action, const FormParams& params,
                                   const std::string& requestId) {
  static const std::map<std::string, Handler> kHandlers = {
      {"DescribeInstanceTypes", &FakeEc2::describeInstanceTypes},
      {"DescribeInstanceTypeOfferings", &FakeEc2::describeInstanceTypeOfferings},
      {"DescribeSpotPriceHistory", &FakeEc2::describeSpotPriceHistory},
      {"DescribeSubnets", &FakeEc2::describeSubnets},
      {"DescribeSecurityGroups", &FakeEc2::describeSecurityGroups},
      {"DescribeImages", &FakeEc2::describeImages},
      {"CreateLaunchTemplate", &FakeEc2::createLaunchTemplate},
      {"DescribeLaunchTemplates", &FakeEc2::describeLaunchTemplates},
      {"DeleteLaunchTemplate", &FakeEc2::deleteLaunchTemplate},
      {"CreateFleet", &FakeEc2::createFleet},
      {"RunInstances", &FakeEc2::runInstances},
      {"DescribeInstances", &FakeEc2::describeInstances},
      {"TerminateInstances", &FakeEc2::terminateInstances},
      {"CreateTags", &FakeEc2::createTags},
  };
  auto it = kHandlers.find(action);
  if (it == kHandlers.end()) {
    return ec2Error(400, "InvalidAction",
                    "The action " + action + " is not valid for this web service.", requestId);
  }
  return (this->*(it->second))(params, requestId);
}

LoopbackResponse FakeEc2::describeInstanceTypes(const FormParams& params,
                                                const std::string& requestId) {
  const auto names = listParam(params, "InstanceType");
  const auto filters = filterParams(params);
  std::vector<nlohmann::json> selected;
  for (const auto& type : instanceTypes_) {
    const std::string name = type["InstanceType"];
    if (!names.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
      continue;
    }
    Attributes attributes{{"instance-type", {name}}};
    for (const auto& arch : type["ProcessorInfo"]["SupportedArchitectures"]) {
      attributes["processor-info.supported-architecture"].push_back(arch);
    }
    for (const auto& virt : type.value("SupportedVirtualizationTypes", nlohmann::json::array())) {
      attributes["supported-virtualization-type"].push_back(virt);
    }
    bool matched = false;
    const std::string bad = matchFilters(
        filters, attributes,
        {"instance-type", "processor-info.supported-architecture", "supported-virtualization-type"},
        matched);
    if (!bad.empty()) {
      return invalidFilter(bad, requestId);
    }
    if (matched) {
      selected.push_back(type);
    }
  }
  for (const std::string& name : names) {
    if (std::none_of(instanceTypes_.begin(), instanceTypes_.end(),
                     [&](const auto& t) { return t["InstanceType"] == name; })) {
      return ec2Error(400, "InvalidInstanceType",
                      "The following supplied instance types do not exist: [" + name + "]",
                      requestId);
    }
  }
  ResponseXml xml("DescribeInstanceTypes", requestId);
  auto set = xml.root().append_child("instanceTypeSet");
  for (const auto& type : page(selected, params, xml.root(), pageCap_)) {
    appendJsonAsXml(set.append_child("item"), type);
  }
  return {200, "text/xml;charset=UTF-8", xml.str()};
}

LoopbackResponse FakeEc2::describeInstanceTypeOfferings(const FormParams& params,
                                                        const std::string& requestId) {
  std::string locationType = param(params, "LocationType");
  if (locationType.empty()) {
    locationType = "region";
  }
  std::vector<std::pair<std::string, std::string>> rows;
  if (locationType == "region") {
    std::set<std::string> types;
    for (const auto& [type, zone] : offerings_) {
      if (types.insert(type).second) {
        rows.emplace_back(type, options_.region);
      }
    }
  } else if (locationType == "availability-zone") {
    rows = offerings_;
  } else {
    return ec2Error(400, "InvalidParameterValue",
                    "Value (" + locationType + ") for parameter locationType is invalid.",
                    requestId);
  }
  const auto filters = filterParams(params);
  std::vector<std::pair<std::string, std::string>> selected;
  for (const auto& row : rows) {
    bool matched = false;
    const std::string bad =
        matchFilters(filters, {{"instance-type", {row.first}}, {"location", {row.second}}},
                     {"instance-type", "location"}, matched);
    if (!bad.empty()) {
      return invalidFilter(bad, requestId);
    }
    if (matched) {
      selected.push_back(row);
    }
  }
  ResponseXml xml("DescribeInstanceTypeOfferings", requestId);
  auto set = xml.root().append_child("instanceTypeOfferingSet");
  for (const auto& [type, location] : page(selected, params, xml.root(), pageCap_)) {
    auto item = set.append_child("item");
    addText(item, "instanceType", type);
    addText(item, "locationType", locationType);
    addText(item, "location", location);
  }
  return {200, "text/xml;charset=UTF-8", xml.str()};
}

LoopbackResponse FakeEc2::describeSpotPriceHistory(const FormParams& params,
                                                   const std::string& requestId) {
  const auto types = listParam(params, "InstanceType");
  auto products = listParam(params, "ProductDescription");
  const auto filters = filterParams(params);
  std::vector<std::tuple<std::string, std::string, std::string>> rows;  // type, zone, product
  for (const auto& [type, zone] : offerings_) {
    if (!types.empty() && std::find(types.begin(), types.end(), type) == types.end()) {
      continue;
    }
    for (const std::string product : {"Linux/UNIX", "Linux/UNIX (Amazon VPC)"}) {
      if (!products.empty() &&
          std::find(products.begin(), products.end(), product) == products.end()) {
        continue;
      }
      bool matched = false;
      const std::string bad =
          matchFilters(filters,
                       {{"availability-zone", {zone}},
                        {"instance-type", {type}},
                        {"product-description", {product}}},
                       {"availability-zone", "instance-type", "product-description"}, matched);
      if (!bad.empty()) {
        return invalidFilter(bad, requestId);
      }
      if (matched) {
        rows.emplace_back(type, zone, product);
      }
    }
  }
  ResponseXml xml("DescribeSpotPriceHistory", requestId);
  auto set = xml.root().append_child("spotPriceHistorySet");
  const std::string timestamp = now();
  for (const auto& [type, zone, product] : page(rows, params, xml.root(), pageCap_)) {
    auto item = set.append_child("item");
    addText(item, "instanceType", type);
    addText(item, "productDescription", product);
    addText(item, "spotPrice", formatPrice(spotPrice(type, zone)));
    addText(item, "timestamp", timestamp);
    addText(item, "availabilityZone", zone);
  }
  return {200, "text/xml;charset=UTF-8", xml.str()};
}

LoopbackResponse FakeEc2::describeSubnets(const FormParams& params, const std::string& requestId) {
  const auto ids = listParam(params, "SubnetId");
  const auto filters = filterParams(params);
  std::vector<SubnetRecord> selected;
  for (const auto& subnet : subnets_) {
    if (!ids.empty() && std::find(ids.begin(), ids.end(), subnet.id) == ids.end()) {
      continue;
    }
    Attributes attributes{{"subnet-id", {subnet.id}},
                          {"availability-zone", {subnet.zone}},
                          {"availability-zone-id", {subnet.zoneId}},
                          {"vpc-id", {subnet.vpcId}}};
    addTagAttributes(attributes, subnet.tags);
    bool matched = false;
    const std::string bad =
        matchFilters(filters, attributes,
                     {"subnet-id", "availability-zone", "availability-zone-id", "vpc-id"}, matched);
    if (!bad.empty()) {
      return invalidFilter(bad, requestId);
    }
    if (matched) {
      selected.push_back(subnet);
    }
  }
  ResponseXml xml("DescribeSubnets", requestId);
  auto set = xml.root().append_child("subnetSet");
  for (const auto& subnet : page(selected, params, xml.root(), pageCap_)) {
    auto item = set.append_child("item");
    addText(item, "subnetId", subnet.id);
    addText(item, "subnetArn",
            "arn:aws:ec2:" + options_.region + ":" + kOwnerId + ":subnet/" + subnet.id);
    addText(item, "state", "available");
    addText(item, "ownerId", kOwnerId);
    addText(item, "vpcId", subnet.vpcId);
    addText(item, "cidrBlock", subnet.cidr);
    addText(item, "availableIpAddressCount", std::to_string(subnet.availableIps));
    addText(item, "availabilityZone", subnet.zone);
    addText(item, "availabilityZoneId", subnet.zoneId);
    addText(item, "defaultForAz", "false");
    addText(item, "mapPublicIpOnLaunch", "false");
    addTagSet(item, subnet.tags);
  }
  return {200, "text/xml;charset=UTF-8", xml.str()};
}

LoopbackResponse FakeEc2::describeSecurityGroups(const FormParams& params,
                                                 const std::string& requestId) {
  const auto ids = listParam(params, "GroupId");
  const auto filters = filterParams(params);
  std::vector<SecurityGroupRecord> selected;
  for (const auto& group : securityGroups_) {
    if (!ids.empty() && std::find(ids.begin(), ids.end(), group.id) == ids.end()) {
      continue;
    }
    Attributes attributes{
        {"group-id", {group.id}}, {"group-name", {group.name}}, {"vpc-id", {group.vpcId}}};
    addTagAttributes(attributes, group.tags);
    bool matched = false;
    const std::string bad =
        matchFilters(filters, attributes, {"group-id", "group-name", "vpc-id"}, matched);
    if (!bad.empty()) {
      return invalidFilter(bad, requestId);
    }
    if (matched) {
      selected.push_back(group);
    }
  }
  ResponseXml xml("DescribeSecurityGroups", requestId);
  auto set = xml.root().append_child("securityGroupInfo");
  for (const auto& group : page(selected, params, xml.root(), pageCap_)) {
    auto item = set.append_child("item");
    addText(item, "ownerId", kOwnerId);
    addText(item, "groupId", group.id);
    addText(item, "groupName", group.name);
    addText(item, "groupDescription", group.description);
    addText(item, "vpcId", group.vpcId);
    addTagSet(item, group.tags);
  }
  return {200, "text/xml;charset=UTF-8", xml.str()};
}

LoopbackResponse FakeEc2::describeImages(const FormParams& params, const std::string& requestId) {
  const auto ids = listParam(params, "ImageId");
  const auto owners = listParam(params, "Owner");
  const auto filters = filterParams(params);
  std::vector<ImageRecord> selected;
  for (const auto& image : images_) {
    if (!ids.empty() && std::find(ids.begin(), ids.end(), image.id) == ids.end()) {
      continue;
    }
    if (!owners.empty() && std::none_of(owners.begin(), owners.end(), [&](const auto& owner) {
          return owner == image.ownerId || owner == "self";
        })) {
      continue;
    }
    Attributes attributes{{"image-id", {image.id}},
                          {"name", {image.name}},
                          {"architecture", {image.architecture}},
                          {"state", {"available"}},
                          {"owner-id", {image.ownerId}}};
    addTagAttributes(attributes, image.tags);
    bool matched = false;
    const std::string bad = matchFilters(
        filters, attributes, {"image-id", "name", "architecture", "state", "owner-id"}, matched);
    if (!bad.empty()) {
      return invalidFilter(bad, requestId);
    }
    if (matched) {
      selected.push_back(image);
    }
  }
  ResponseXml xml("DescribeImages", requestId);
  auto set = xml.root().append_child("imagesSet");
  for (const auto& image : page(selected, params, xml.root(), pageCap_)) {
    auto item = set.append_child("item");
    addText(item, "imageId", image.id);
    addText(item, "imageState", "available");
    addText(item, "imageOwnerId", image.ownerId);
    addText(item, "creationDate", image.creationDate);
    addText(item, "isPublic", "false");
    addText(item, "architecture", image.architecture);
    addText(item, "imageType", "machine");
    addText(item, "name", image.name);
    addText(item, "rootDeviceType", "ebs");
    addText(item, "rootDeviceName", "/dev/xvda");
    addText(item, "virtualizationType", "hvm");
    addText(item, "hypervisor", "xen");
    addTagSet(item, image.tags);
  }
  return {200, "text/xml;charset=UTF-8", xml.str()};
}

namespace {
void addLaunchTemplate(pugi::xml_node parent, const std::string& id, const std::string& name,
                       const std::string& createTime, const Tags& tags) {
  addText(parent, "launchTemplateId", id);
  addText(parent, "launchTemplateName", name);
  addText(parent, "createTime", createTime);
  addText(parent, "createdBy", std::string("arn:aws:iam::") + kOwnerId + ":root");
  addText(parent, "defaultVersionNumber", "1");
  addText(parent, "latestVersionNumber", "1");
  addTagSet(parent, tags);
}

Tags tagsFor(const FormParams& params, const std::string& prefix, const std::string& resource) {
  Tags tags;
  for (int i : listIndices(params, prefix)) {
    const std::string item = prefix + "." + std::to_string(i);
    if (param(params, item + ".ResourceType") == resource) {
      for (const auto& [key, value] : tagParams(params, item + ".Tag")) {
        tags[key] = value;
      }
    }
  }
  return tags;
}
}  // namespace

LoopbackResponse FakeEc2::createLaunchTemplate(const FormParams& params,
                                               const std::string& requestId) {
  const std::string name = param(params, "LaunchTemplateName");
  if (name.empty()) {
    return ec2Error(400, "MissingParameter",
                    "The request must contain the parameter LaunchTemplateName", requestId);
  }
  if (launchTemplates_.count(name) > 0) {
    return ec2Error(400, "InvalidLaunchTemplateName.AlreadyExistsException",
                    "Launch template name already in use.", requestId);
  }
  LaunchTemplateRecord record{
      nextId("lt"), name, now(), {}, tagsFor(params, "TagSpecification", "launch-template")};
  for (const auto& [key, value] : params) {
    if (key.rfind("LaunchTemplateData.", 0) == 0) {
      record.data[key.substr(19)] = value;
    }
  }
  launchTemplates_[name] = record;
  ResponseXml xml("CreateLaunchTemplate", requestId);
  addLaunchTemplate(xml.root().append_child("launchTemplate"), record.id, record.name,
                    record.createTime, record.tags);
  return {200, "text/xml;charset=UTF-8", xml.str()};
}

LoopbackResponse FakeEc2::describeLaunchTemplates(const FormParams& params,
                                                  const std::string& requestId) {
  const auto names = listParam(params, "LaunchTemplateName");
  const auto ids = listParam(params, "LaunchTemplateId");
  for (const std::string& name : names) {
    if (launchTemplates_.count(name) == 0) {
      return ec2Error(400, "InvalidLaunchTemplateName.NotFoundException",
                      "At least one of the launch templates specified in the request does not "
                      "exist.",
                      requestId);
    }
  }
  const auto filters = filterParams(params);
  std::vector<LaunchTemplateRecord> selected;
  for (const auto& [name, record] : launchTemplates_) {
    if ((!names.empty() && std::find(names.begin(), names.end(), name) == names.end()) ||
        (!ids.empty() && std::find(ids.begin(), ids.end(), record.id) == ids.end())) {
      continue;
    }
    Attributes attributes{{"launch-template-name", {name}}};
    addTagAttributes(attributes, record.tags);
    bool matched = false;
    const std::string bad = matchFilters(filters, attributes, {"launch-template-name"}, matched);
    if (!bad.empty()) {
      return invalidFilter(bad, requestId);
    }
    if (matched) {
      selected.push_back(record);
    }
  }
  ResponseXml xml("DescribeLaunchTemplates", requestId);
  auto set = xml.root().append_child("launchTemplates");
  for (const auto& record : page(selected, params, xml.root(), pageCap_)) {
    addLaunchTemplate(set.append_child("item"), record.id, record.name, record.createTime,
                      record.tags);
  }
  return {200, "text/xml;charset=UTF-8", xml.str()};
}

const FakeEc2::LaunchTemplateRecord* FakeEc2::findLaunchTemplate(const FormParams& params,
                                                                 const std::string& prefix) const {
  const std::string name = param(params, prefix + "LaunchTemplateName");
  if (!name.empty()) {
    auto it = launchTemplates_.find(name);
    return it == launchTemplates_.end() ? nullptr : &it->second;
  }
  const std::string id = param(params, prefix + "LaunchTemplateId");
  for (const auto& [n, record] : launchTemplates_) {
    if (record.id == id) {
      return &record;
    }
  }
  return nullptr;
}

LoopbackResponse FakeEc2::deleteLaunchTemplate(const FormParams& params,
                                               const std::string& requestId) {
  const LaunchTemplateRecord* record = findLaunchTemplate(params, "");
  if (record == nullptr) {
    return ec2Error(400, "InvalidLaunchTemplateName.NotFoundException",
                    "The specified launch template, with template name " +
                        param(params, "LaunchTemplateName") + ", does not exist.",
                    requestId);
  }
  const LaunchTemplateRecord copy = *record;
  launchTemplates_.erase(copy.name);
  ResponseXml xml("DeleteLaunchTemplate", requestId);
  addLaunchTemplate(xml.root().append_child("launchTemplate"), copy.id, copy.name, copy.createTime,
                    {});
  return {200, "text/xml;charset=UTF-8", xml.str()};
}

FakeEc2::FakeInstance& FakeEc2::launch(const std::string& type, const std::string& zone,
                                       const std::string& subnet, const std::string& image,
                                       const std::string& lifecycle, const Tags& tags,
                                       const std::vector<std::string>& securityGroupIds) {
  FakeInstance instance{nextId("i"), type,      zone,  subnet, image,
                        lifecycle,   "pending", now(), "",     tags};
  for (const std::string& id : securityGroupIds) {
    auto group = std::find_if(securityGroups_.begin(), securityGroups_.end(),
                              [&](const auto& g) { return g.id == id; });
    instance.securityGroups.emplace_back(id, group == securityGroups_.end() ? "" : group->name);
  }
  for (auto& record : subnets_) {
    if (record.id == subnet) {
      --record.availableIps;  // the primary network interface's address
    }
  }
  instances_.push_back(instance);
  return instances_.back();
}

LoopbackResponse FakeEc2::createFleet(const FormParams& params, const std::string& requestId) {
  if (param(params, "Type") != "instant") {
    return ec2Error(400, "InvalidParameterValue",
                    "This test endpoint implements CreateFleet Type=instant only", requestId);
  }
  const std::string capacityType =
      param(params, "TargetCapacitySpecification.DefaultTargetCapacityType");
  if (capacityType != "spot" && capacityType != "on-demand") {
    return ec2Error(400, "InvalidParameterValue",
                    "DefaultTargetCapacityType must be spot or on-demand", requestId);
  }
  int64_t remaining = 0;
  try {
    remaining = std::stoll(param(params, "TargetCapacitySpecification.TotalTargetCapacity"));
  } catch (const std::exception&) {
    return ec2Error(400, "MissingParameter",
                    "The request must contain TargetCapacitySpecification.TotalTargetCapacity",
                    requestId);
  }
  struct Candidate {
    std::string templateName, templateId, version, type, subnet, zone, image;
    std::string priority;
    double price = 0;
    std::vector<std::string> securityGroupIds;  // the launch template's
  };
  std::vector<Candidate> candidates;
  for (int c : listIndices(params, "LaunchTemplateConfigs")) {
    const std::string prefix = "LaunchTemplateConfigs." + std::to_string(c) + ".";
    const LaunchTemplateRecord* lt =
        findLaunchTemplate(params, prefix + "LaunchTemplateSpecification.");
    if (lt == nullptr) {
      return ec2Error(400, "InvalidLaunchTemplateName.NotFoundException",
                      "The specified launch template, with template name " +
                          param(params, prefix + "LaunchTemplateSpecification.LaunchTemplateName") +
                          ", does not exist.",
                      requestId);
    }
    for (int o : listIndices(params, prefix + "Overrides")) {
      const std::string p = prefix + "Overrides." + std::to_string(o) + ".";
      Candidate candidate{lt->name,
                          lt->id,
                          param(params, prefix + "LaunchTemplateSpecification.Version"),
                          param(params, p + "InstanceType"),
                          param(params, p + "SubnetId"),
                          param(params, p + "AvailabilityZone"),
                          param(params, p + "ImageId"),
                          param(params, p + "Priority")};
      candidate.securityGroupIds = listParam(lt->data, "SecurityGroupId");
      if (candidate.image.empty()) {
        candidate.image = param(lt->data, "ImageId");
      }
      for (const auto& subnet : subnets_) {
        if (subnet.id == candidate.subnet) {
          candidate.zone = subnet.zone;
        }
      }
      if (candidate.subnet.empty()) {
        for (const auto& subnet : subnets_) {
          if (subnet.zone == candidate.zone) {
            candidate.subnet = subnet.id;
          }
        }
      }
      candidate.price = capacityType == "spot" ? spotPrice(candidate.type, candidate.zone)
                                               : onDemandPrice(candidate.type);
      candidates.push_back(candidate);
    }
  }
  const std::string strategy = capacityType == "spot"
                                   ? param(params, "SpotOptions.AllocationStrategy")
                                   : param(params, "OnDemandOptions.AllocationStrategy");
  // lowest-price and price-capacity-optimized both prefer the cheapest pool here (every pool
  // has the same depth); prioritized honours Priority (lower first).
  std::stable_sort(candidates.begin(), candidates.end(), [&](const auto& a, const auto& b) {
    if (strategy == "prioritized" || strategy == "capacity-optimized-prioritized") {
      return std::stod(a.priority.empty() ? "0" : a.priority) <
             std::stod(b.priority.empty() ? "0" : b.priority);
    }
    return a.price < b.price;
  });

  const std::string fleetId = "fleet-" + nextId("f").substr(2);
  fleetTags_[fleetId] = tagsFor(params, "TagSpecification", "fleet");
  const Tags instanceTags = tagsFor(params, "TagSpecification", "instance");
  int launched = 0;
  ResponseXml xml("CreateFleet", requestId);
  addText(xml.root(), "fleetId", fleetId);
  auto errors = xml.root().append_child("errorSet");
  auto fleetInstances = xml.root().append_child("fleetInstanceSet");
  auto describe = [&](pugi::xml_node item, const Candidate& candidate) {
    auto lto = item.append_child("launchTemplateAndOverrides");
    auto spec = lto.append_child("launchTemplateSpecification");
    addText(spec, "launchTemplateId", candidate.templateId);
    addText(spec, "version", candidate.version.empty() ? "1" : candidate.version);
    auto overrides = lto.append_child("overrides");
    addText(overrides, "instanceType", candidate.type);
    addText(overrides, "subnetId", candidate.subnet);
    addText(overrides, "availabilityZone", candidate.zone);
    if (!candidate.image.empty()) {
      addText(overrides, "imageId", candidate.image);
    }
    if (!candidate.priority.empty()) {
      addText(overrides, "priority", candidate.priority);
    }
    addText(item, "lifecycle", capacityType);
  };
  auto addError = [&](const Candidate& candidate, const std::string& code,
                      const std::string& message) {
    auto item = errors.append_child("item");
    describe(item, candidate);
    addText(item, "errorCode", code);
    addText(item, "errorMessage", message);
  };
  for (const Candidate& candidate : candidates) {
    if (remaining == 0) {
      break;
    }
    if (!offered(candidate.type, candidate.zone)) {
      addError(candidate, "Unsupported",
               "Your requested instance type (" + candidate.type +
                   ") is not supported in your requested Availability Zone (" + candidate.zone +
                   ").");
      continue;
    }
    auto subnet = std::find_if(subnets_.begin(), subnets_.end(),
                               [&](const auto& s) { return s.id == candidate.subnet; });
    if (subnet != subnets_.end() && subnet->availableIps <= 0) {
      addError(candidate, "InsufficientFreeAddressesInSubnet",
               "There are not enough free addresses in subnet '" + candidate.subnet +
                   "' to satisfy the requested number of instances.");
      continue;
    }
    if (insufficient(capacityType, candidate.type, candidate.zone)) {
      addError(candidate, "InsufficientInstanceCapacity",
               "We currently do not have sufficient " + candidate.type +
                   " capacity in the Availability Zone you requested (" + candidate.zone + ").");
      continue;
    }
    if (fleetLimit_ >= 0 && launched >= fleetLimit_) {
      addError(candidate, "InsufficientInstanceCapacity",
               "There is no " + std::string(capacityType == "spot" ? "Spot" : "On-Demand") +
                   " capacity available that matches your request.");
      break;
    }
    auto item = fleetInstances.append_child("item");
    describe(item, candidate);
    auto ids = item.append_child("instanceIds");
    while (remaining > 0 && (fleetLimit_ < 0 || launched < fleetLimit_)) {
      FakeInstance& instance =
          launch(candidate.type, candidate.zone, candidate.subnet, candidate.image, capacityType,
                 instanceTags, candidate.securityGroupIds);
      instance.fleetId = fleetId;
      addText(ids, "item", instance.id);
      --remaining;
      ++launched;
    }
    addText(item, "instanceType", candidate.type);
  }
  if (remaining > 0 && launched > 0 && fleetLimit_ >= 0 && !candidates.empty()) {
    // Partial fulfilment: the unmet units are reported against the last pool used.
    if (errors.empty()) {
      addError(candidates.front(), "InsufficientInstanceCapacity",
               "There is not enough capacity to fulfill your request.");
    }
  }
  return {200, "text/xml;charset=UTF-8", xml.str()};
}

namespace {
void addInstance(pugi::xml_node item, const FakeEc2::FakeInstance& instance,
                 const std::string& region) {
  addText(item, "instanceId", instance.id);
  addText(item, "imageId", instance.imageId);
  addState(item, "instanceState", instance.state);
  const std::string ip = "10.0." + std::to_string(instance.id.back() % 200) + ".10";
  std::string dashed = ip;
  std::replace(dashed.begin(), dashed.end(), '.', '-');
  addText(item, "privateDnsName", "ip-" + dashed + "." + region + ".compute.internal");
  addText(item, "privateIpAddress", ip);
  addText(item, "reason", "");
  addText(item, "amiLaunchIndex", "0");
  item.append_child("productCodes");
  addText(item, "instanceType", instance.instanceType);
  addText(item, "launchTime", instance.launchTime);
  auto placement = item.append_child("placement");
  addText(placement, "availabilityZone", instance.zone);
  addText(placement, "groupName", "");
  addText(placement, "tenancy", "default");
  addText(item.append_child("monitoring"), "state", "disabled");
  addText(item, "subnetId", instance.subnetId);
  addText(item, "vpcId", "vpc-test1");
  addText(item, "architecture", "x86_64");
  addText(item, "rootDeviceType", "ebs");
  addText(item, "rootDeviceName", "/dev/xvda");
  if (instance.lifecycle == "spot") {
    addText(item, "instanceLifecycle", "spot");
  }
  addText(item, "virtualizationType", "hvm");
  addText(item, "hypervisor", "xen");
  auto groups = item.append_child("groupSet");
  for (const auto& [id, name] : instance.securityGroups) {
    auto group = groups.append_child("item");
    addText(group, "groupId", id);
    addText(group, "groupName", name);
  }
  addTagSet(item, instance.tags);
}
}  // namespace

LoopbackResponse FakeEc2::runInstances(const FormParams& params, const std::string& requestId) {
  const LaunchTemplateRecord* lt = nullptr;
  if (!param(params, "LaunchTemplate.LaunchTemplateName").empty() ||
      !param(params, "LaunchTemplate.LaunchTemplateId").empty()) {
    lt = findLaunchTemplate(params, "LaunchTemplate.");
    if (lt == nullptr) {
      return ec2Error(400, "InvalidLaunchTemplateName.NotFoundException",
                      "The specified launch template does not exist.", requestId);
    }
  }
  std::string image = param(params, "ImageId");
  if (image.empty() && lt != nullptr) {
    image = param(lt->data, "ImageId");
  }
  if (std::none_of(images_.begin(), images_.end(), [&](const auto& i) { return i.id == image; })) {
    return ec2Error(400, "InvalidAMIID.NotFound", "The image id '[" + image + "]' does not exist",
                    requestId);
  }
  const std::string type = param(params, "InstanceType");
  if (std::none_of(instanceTypes_.begin(), instanceTypes_.end(),
                   [&](const auto& t) { return t["InstanceType"] == type; })) {
    return ec2Error(400, "InvalidParameterValue", "Invalid value '" + type + "' for InstanceType.",
                    requestId);
  }
  std::string subnet = param(params, "SubnetId");
  std::string zone = param(params, "Placement.AvailabilityZone");
  for (const auto& s : subnets_) {
    if (s.id == subnet) {
      zone = s.zone;
    }
  }
  if (!subnet.empty() && zone.empty()) {
    return ec2Error(400, "InvalidSubnetID.NotFound",
                    "The subnet ID '" + subnet + "' does not exist", requestId);
  }
  if (zone.empty()) {
    for (const auto& s : subnets_) {
      if (offered(type, s.zone)) {
        zone = s.zone;
        subnet = s.id;
        break;
      }
    }
  }
  if (!offered(type, zone)) {
    return ec2Error(400, "Unsupported",
                    "Your requested instance type (" + type +
                        ") is not supported in your requested Availability Zone (" + zone + ").",
                    requestId);
  }
  const std::string lifecycle =
      param(params, "InstanceMarketOptions.MarketType") == "spot" ? "spot" : "on-demand";
  if (insufficient(lifecycle, type, zone)) {
    return ec2Error(500, "InsufficientInstanceCapacity",
                    "We currently do not have sufficient " + type +
                        " capacity in the Availability Zone you requested (" + zone + ").",
                    requestId);
  }
  int64_t count = 1;
  try {
    count = std::stoll(param(params, "MaxCount"));
  } catch (const std::exception&) {
    return ec2Error(400, "MissingParameter", "The request must contain the parameter MaxCount",
                    requestId);
  }
  const Tags tags = tagsFor(params, "TagSpecification", "instance");
  std::vector<std::string> groupIds = listParam(params, "SecurityGroupId");
  if (groupIds.empty() && lt != nullptr) {
    groupIds = listParam(lt->data, "SecurityGroupId");
  }
  ResponseXml xml("RunInstances", requestId);
  addText(xml.root(), "reservationId", nextId("r"));
  addText(xml.root(), "ownerId", kOwnerId);
  xml.root().append_child("groupSet");
  auto set = xml.root().append_child("instancesSet");
  for (int64_t i = 0; i < count; ++i) {
    addInstance(set.append_child("item"),
                launch(type, zone, subnet, image, lifecycle, tags, groupIds), options_.region);
  }
  return {200, "text/xml;charset=UTF-8", xml.str()};
}

LoopbackResponse FakeEc2::describeInstances(const FormParams& params,
                                            const std::string& requestId) {
  const auto ids = listParam(params, "InstanceId");
  for (const std::string& id : ids) {
    if (std::none_of(instances_.begin(), instances_.end(),
                     [&](const auto& i) { return i.id == id; })) {
      return ec2Error(400, "InvalidInstanceID.NotFound",
                      "The instance ID '" + id + "' does not exist", requestId);
    }
  }
  // Time passes between calls: pending instances are now running, terminating ones are gone.
  for (FakeInstance& instance : instances_) {
    if (instance.state == "pending") {
      instance.state = "running";
    } else if (instance.state == "shutting-down") {
      instance.state = "terminated";
    }
  }
  const auto filters = filterParams(params);
  std::vector<FakeInstance> selected;
  for (const FakeInstance& instance : instances_) {
    if (!ids.empty() && std::find(ids.begin(), ids.end(), instance.id) == ids.end()) {
      continue;
    }
    Attributes attributes{{"instance-id", {instance.id}},
                          {"instance-type", {instance.instanceType}},
                          {"instance-state-name", {instance.state}},
                          {"availability-zone", {instance.zone}},
                          {"subnet-id", {instance.subnetId}},
                          {"image-id", {instance.imageId}}};
    addTagAttributes(attributes, instance.tags);
    bool matched = false;
    const std::string bad = matchFilters(filters, attributes,
                                         {"instance-id", "instance-type", "instance-state-name",
                                          "availability-zone", "subnet-id", "image-id"},
                                         matched);
    if (!bad.empty()) {
      return invalidFilter(bad, requestId);
    }
    if (matched) {
      selected.push_back(instance);
    }
  }
  ResponseXml xml("DescribeInstances", requestId);
  auto set = xml.root().append_child("reservationSet");
  for (const FakeInstance& instance : page(selected, params, xml.root(), pageCap_)) {
    auto reservation = set.append_child("item");
    addText(reservation, "reservationId", "r-" + instance.id.substr(2));
    addText(reservation, "ownerId", kOwnerId);
    reservation.append_child("groupSet");
    addInstance(reservation.append_child("instancesSet").append_child("item"), instance,
                options_.region);
  }
  return {200, "text/xml;charset=UTF-8", xml.str()};
}

LoopbackResponse FakeEc2::terminateInstances(const FormParams& params,
                                             const std::string& requestId) {
  const auto ids = listParam(params, "InstanceId");
  std::vector<FakeInstance*> targets;
  for (const std::string& id : ids) {
    auto it = std::find_if(instances_.begin(), instances_.end(),
                           [&](const auto& i) { return i.id == id; });
    if (it == instances_.end()) {
      return ec2Error(400, "InvalidInstanceID.NotFound",
                      "The instance ID '" + id + "' does not exist", requestId);
    }
    targets.push_back(&*it);
  }
  ResponseXml xml("TerminateInstances", requestId);
  auto set = xml.root().append_child("instancesSet");
  for (FakeInstance* instance : targets) {
    auto item = set.append_child("item");
    addText(item, "instanceId", instance->id);
    const std::string previous = instance->state;
    if (instance->state != "terminated") {
      instance->state = "shutting-down";
    }
    addState(item, "currentState", instance->state);
    addState(item, "previousState", previous);
  }
  return {200, "text/xml;charset=UTF-8", xml.str()};
}

LoopbackResponse FakeEc2::createTags(const FormParams& params, const std::string& requestId) {
  const auto ids = listParam(params, "ResourceId");
  const Tags tags = tagParams(params, "Tag");
  for (const std::string& id : ids) {
    bool found = false;
    for (FakeInstance& instance : instances_) {
      if (instance.id == id) {
        found = true;
        for (const auto& [key, value] : tags) {
          instance.tags[key] = value;
        }
      }
    }
    for (auto& [name, record] : launchTemplates_) {
      if (record.id == id) {
        found = true;
        for (const auto& [key, value] : tags) {
          record.tags[key] = value;
        }
      }
    }
    if (!found && id.rfind("i-", 0) == 0) {
      return ec2Error(400, "InvalidInstanceID.NotFound",
                      "The instance ID '" + id + "' does not exist", requestId);
    }
    if (!found) {
      return ec2Error(400, "InvalidID", "The ID '" + id + "' is not valid", requestId);
    }
  }
  ResponseXml xml("CreateTags", requestId);
  addText(xml.root(), "return", "true");
  return {200, "text/xml;charset=UTF-8", xml.str()};
}

}  // namespace karpenter::aws::testing
