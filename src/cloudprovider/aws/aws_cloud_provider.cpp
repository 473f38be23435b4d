#include "karpenter/cloudprovider/aws/aws_cloud_provider.hpp"

#include <algorithm>
#include <set>

#include "karpenter/api/conditions.hpp"
#include "karpenter/api/well_known.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

constexpr std::string_view kProviderIdPrefix = "aws:///";

std::string single(const scheduling::Requirements& requirements, std::string_view key) {
  const auto* r = requirements.find(key);
  return r != nullptr && !r->complement() && r->values().size() == 1 ? r->values().front() : "";
}

}  // namespace

std::string providerIdFor(std::string_view zone, std::string_view instanceId) {
  return std::string(kProviderIdPrefix) + std::string(zone) + "/" + std::string(instanceId);
}

Result<std::string> instanceIdOf(std::string_view providerID) {
  const auto slash = providerID.rfind('/');
  if (!providerID.starts_with(kProviderIdPrefix) || slash == std::string_view::npos ||
      !providerID.substr(slash + 1).starts_with("i-")) {
    return invalidError("providerID \"" + std::string(providerID) +
                        "\" is not aws:///<zone>/<instance-id>");
  }
  return std::string(providerID.substr(slash + 1));
}

AwsCloudProvider::AwsCloudProvider(NodeClassLookup nodeClasses, InstanceTypeProvider* instanceTypes,
                                   InstanceProvider* instances)
    : nodeClasses_(std::move(nodeClasses)), instanceTypes_(instanceTypes), instances_(instances) {}

Result<std::shared_ptr<const api::EC2NodeClass>> AwsCloudProvider::readyNodeClass(
    const std::string& name) const {
  auto nodeClass = nodeClasses_(name);
  if (!nodeClass) {
    return invalidError("EC2NodeClass \"" + name + "\" does not exist");
  }
  if (!api::isConditionTrue(nodeClass->status.conditions, "Ready")) {
    const auto* ready = api::findCondition(nodeClass->status.conditions, "Ready");
    return Error{ErrorKind::kUnavailable,
                 "EC2NodeClass \"" + name + "\" is not Ready" +
                     (ready != nullptr && !ready->message.empty() ? ": " + ready->message : "")};
  }
  return nodeClass;
}

Result<api::NodeClaim> AwsCloudProvider::create(const api::NodeClaim& nodeClaim) {
  const std::string who = "creating instance for nodeclaim \"" + nodeClaim.metadata.name + "\"";
  auto nodeClass = readyNodeClass(nodeClaim.spec.nodeClassRef.name);
  if (!nodeClass) {
    return nodeClass.error().withContext(who);
  }
  auto requirements =
      scheduling::Requirements::fromNodeSelectorRequirements(nodeClaim.spec.requirements);
  if (!requirements) {
    return requirements.error().withContext(who + ": spec.requirements");
  }
  auto types = instanceTypes_->list(**nodeClass);
  if (!types) {
    return types.error().withContext(who);
  }
  LaunchRequest request;
  request.nodeClaim = &nodeClaim;
  request.nodeClass = nodeClass->get();
  auto pool = nodeClaim.metadata.labels.find(std::string(api::kNodePoolLabelKey));
  request.nodePool = pool == nodeClaim.metadata.labels.end() ? "" : pool->second;
  request.requirements = *requirements;
  for (const auto& type : *types) {
    if (requirements->isCompatible(type.requirements, true) &&
        api::resources::fits(nodeClaim.spec.resources.requests, type.allocatable()) &&
        scheduling::hasCompatibleOffering(type, *requirements)) {
      request.instanceTypes.push_back(&type);
    }
  }
  scheduling::orderByPrice(request.instanceTypes, *requirements);
  if (request.instanceTypes.empty()) {
    return Error{ErrorKind::kInsufficientCapacity,
                 who + ": no instance type of EC2NodeClass \"" + (*nodeClass)->metadata.name +
                     "\" meets the requirements and requests with an available offering"};
  }
  auto launched = instances_->launch(request);
  if (!launched) {
    return launched.error();
  }
  const scheduling::InstanceType* type = nullptr;
  for (const auto* candidate : request.instanceTypes) {
    if (candidate->name == launched->instance.instanceType) {
      type = candidate;
    }
  }
  api::NodeClaim result = nodeClaim;
  const api::NodeClaim described = toNodeClaim(launched->instance, type);
  for (const auto& [key, value] : described.metadata.labels) {
    result.metadata.labels[key] = value;
  }
  result.metadata.labels[std::string(api::kCapacityTypeLabelKey)] = launched->capacityType;
  result.status.providerID = described.status.providerID;
  result.status.imageID = described.status.imageID;
  result.status.capacity = described.status.capacity;
  result.status.allocatable = described.status.allocatable;
  return result;
}

api::NodeClaim AwsCloudProvider::toNodeClaim(const karpenter::aws::Instance& instance,
                                             const scheduling::InstanceType* type) const {
  api::NodeClaim claim;
  auto name = instance.tags.find("karpenter.sh/nodeclaim");
  claim.metadata.name = name == instance.tags.end() ? "" : name->second;
  if (type != nullptr) {
    // Single-valued requirements are the type's labels.
    for (const auto& requirement : type->requirements) {
      if (const std::string value = single(type->requirements, requirement.key()); !value.empty()) {
        claim.metadata.labels[requirement.key()] = value;
      }
    }
    claim.status.capacity = type->capacity;
    claim.status.allocatable = type->allocatable();
  }
  for (const auto& key : {api::kNodePoolLabelKey}) {
    if (auto tag = instance.tags.find(std::string(key)); tag != instance.tags.end()) {
      claim.metadata.labels[std::string(key)] = tag->second;
    }
  }
  claim.metadata.labels[std::string(api::kLabelInstanceType)] = instance.instanceType;
  claim.metadata.labels[std::string(api::kLabelTopologyZone)] = instance.availabilityZone;
  claim.metadata.labels[std::string(api::kCapacityTypeLabelKey)] =
      instance.lifecycle == "spot" ? std::string(api::kCapacityTypeSpot)
                                   : std::string(api::kCapacityTypeOnDemand);
  claim.status.providerID = providerIdFor(instance.availabilityZone, instance.id);
  claim.status.imageID = instance.imageId;
  return claim;
}

Result<void> AwsCloudProvider::remove(const api::NodeClaim& nodeClaim) {
  auto id = instanceIdOf(nodeClaim.status.providerID);
  if (!id) {
    return id.error().withContext("deleting nodeclaim \"" + nodeClaim.metadata.name + "\"");
  }
  return instances_->terminate(*id);
}

Result<api::NodeClaim> AwsCloudProvider::get(const std::string& providerID) {
  auto id = instanceIdOf(providerID);
  if (!id) {
    return id.error();
  }
  auto instance = instances_->get(*id);
  if (!instance) {
    return instance.error();
  }
  return toNodeClaim(*instance, nullptr);
}

Result<std::vector<api::NodeClaim>> AwsCloudProvider::list() {
  auto instances = instances_->list();
  if (!instances) {
    return instances.error();
  }
  std::vector<api::NodeClaim> claims;
  for (const auto& instance : *instances) {
    claims.push_back(toNodeClaim(instance, nullptr));
  }
  return claims;
}

Result<std::vector<scheduling::InstanceType>> AwsCloudProvider::instanceTypes(
    const api::NodePool& nodePool) {
  const std::string& name = nodePool.spec.template_.spec.nodeClassRef.name;
  auto nodeClass = nodeClasses_(name);
  if (!nodeClass) {
    return invalidError("NodePool \"" + nodePool.metadata.name + "\": EC2NodeClass \"" + name +
                        "\" does not exist");
  }
  return instanceTypes_->list(*nodeClass);
}

Result<std::string> AwsCloudProvider::isDrifted(const api::NodeClaim& nodeClaim) {
  auto nodeClass = nodeClasses_(nodeClaim.spec.nodeClassRef.name);
  if (!nodeClass) {
    return std::string();  // nothing to compare with; the NodeClaim is handled elsewhere
  }
  const auto& annotations = nodeClass->metadata.annotations;
  auto classHash = annotations.find(std::string(kNodeClassHashAnnotationKey));
  auto claimHash = nodeClaim.metadata.annotations.find(std::string(kNodeClassHashAnnotationKey));
  if (classHash != annotations.end() && claimHash != nodeClaim.metadata.annotations.end() &&
      classHash->second != claimHash->second) {
    return std::string("NodeClassDrift");
  }
  auto id = instanceIdOf(nodeClaim.status.providerID);
  if (!id) {
    return id.error();
  }
  auto instance = instances_->get(*id);
  if (!instance) {
    return instance.error();
  }
  const auto& status = nodeClass->status;
  if (!status.amis.empty() &&
      std::none_of(status.amis.begin(), status.amis.end(),
                   [&](const auto& ami) { return ami.id == instance->imageId; })) {
    return std::string("AMIDrift");
  }
  if (!status.subnets.empty() &&
      std::none_of(status.subnets.begin(), status.subnets.end(),
                   [&](const auto& subnet) { return subnet.id == instance->subnetId; })) {
    return std::string("SubnetDrift");
  }
  // As upstream (pkg/cloudprovider/drift.go): the instance's security-group IDs must equal, as
  // a set, the ones the NodeClass resolves to now; a group added to the selection drifts too.
  if (!status.securityGroups.empty()) {
    std::set<std::string> wanted;
    for (const auto& group : status.securityGroups) {
      wanted.insert(group.id);
    }
    std::set<std::string> attached;
    for (const auto& group : instance->securityGroups) {
      attached.insert(group.id);
    }
    if (wanted != attached) {
      return std::string("SecurityGroupDrift");
    }
  }
  return std::string();
}

std::vector<RepairPolicy> AwsCloudProvider::repairPolicies() const {
  using std::chrono::minutes;
  const auto thirty = std::chrono::duration_cast<std::chrono::seconds>(minutes(30));
  return {
      {"Ready", "False", thirty},
      {"Ready", "Unknown", thirty},
      // Conditions of the EKS node monitoring agent.
      {"AcceleratedHardwareReady", "False",
       std::chrono::duration_cast<std::chrono::seconds>(minutes(10))},
      {"StorageReady", "False", thirty},
      {"NetworkingReady", "False", thirty},
      {"KernelReady", "False", thirty},
      {"ContainerRuntimeReady", "False", thirty},
  };
}

}  // namespace karpenter::cloudprovider::aws
