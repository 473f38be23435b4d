#pragma once

#include <string>
#include <vector>

#include "karpenter/api/ec2nodeclass.hpp"
#include "karpenter/api/nodeclaim.hpp"
#include "karpenter/aws/ec2_client.hpp"
#include "karpenter/cloudprovider/aws/launch_template_provider.hpp"
#include "karpenter/cloudprovider/aws/subnet_provider.hpp"
#include "karpenter/cloudprovider/unavailable_offerings.hpp"
#include "karpenter/scheduling/instance_type.hpp"

namespace karpenter::cloudprovider::aws {

// At most this many (type × zone) overrides per CreateFleet (upstream maxInstanceTypes).
inline constexpr size_t kMaxFleetOverrides = 60;

// The cluster facts every launch needs (operator settings).
struct ClusterSettings {
  std::string name;      // CLUSTER_NAME
  std::string endpoint;  // CLUSTER_ENDPOINT
  std::string caBundle;  // CLUSTER_CA_BUNDLE (base64)
  std::string serviceCIDR;
};

// One launch: the NodeClaim, its (Ready) EC2NodeClass and pool, and the instance types that are
// compatible with its requirements and fit its requests.
struct LaunchRequest {
  const api::NodeClaim* nodeClaim = nullptr;
  const api::EC2NodeClass* nodeClass = nullptr;
  std::string nodePool;
  scheduling::Requirements requirements;
  std::vector<const scheduling::InstanceType*> instanceTypes;
};

struct LaunchedInstance {
  karpenter::aws::Instance instance;
  std::string capacityType;
};

// EC2 instances for NodeClaims (upstream pkg/providers/instance): CreateFleet `instant` over the
// cheapest ≤60 type × zone overrides of one capacity type (spot when the NodeClaim allows it and
// a spot offering is available), with a launch template per launch options and bootstrap user
// data per AMI family; tags on instance, volume and fleet. Capacity errors mark the offering
// unavailable for 3 minutes. Each zone's subnet comes from a SubnetProvider (most free addresses,
// in-flight launches counted; InsufficientFreeAddressesInSubnet sorts the subnet last for 3
// minutes). Thread safety: every method is thread-safe.
class InstanceProvider final {
 public:
  // Every pointer must outlive this. `clock` times the subnet bookkeeping.
  InstanceProvider(ClusterSettings cluster, const karpenter::aws::Ec2Client* ec2,
                   LaunchTemplateProvider* launchTemplates, UnavailableOfferings* unavailable,
                   Clock clock = {});

  // kInsufficientCapacity when nothing launched and every fleet error was a capacity error (or
  // no offering was left to try); other fleet failures are kUnavailable with EC2's reasons.
  Result<LaunchedInstance> launch(const LaunchRequest& request);
  // kNotFound when the instance does not exist or is terminated.
  Result<karpenter::aws::Instance> get(const std::string& instanceId) const;
  // Every not-terminated instance this cluster's Karpenter launched (by tags).
  Result<std::vector<karpenter::aws::Instance>> list() const;
  // Terminates; ok while shutting down; kNotFound once gone.
  Result<void> terminate(const std::string& instanceId) const;

  // The tags of every launched resource (aws-ec2.md §2.2).
  karpenter::aws::Tags launchTags(const LaunchRequest& request) const;
  // The CreateLaunchTemplate data for a NodeClaim of `nodeClass` with `imageId`.
  Result<karpenter::aws::CreateLaunchTemplateRequest> launchTemplateData(
      const LaunchRequest& request, const std::string& imageId) const;

  // The subnet choice and in-flight address bookkeeping of launches.
  const SubnetProvider& subnets() const { return subnets_; }

 private:
  ClusterSettings cluster_;
  const karpenter::aws::Ec2Client* ec2_;
  LaunchTemplateProvider* launchTemplates_;
  UnavailableOfferings* unavailable_;
  SubnetProvider subnets_;
};

// The offering-level fleet errors that mean "no capacity here now" (aws-ec2.md §2.1).
bool isCapacityErrorCode(std::string_view code);

}  // namespace karpenter::cloudprovider::aws
