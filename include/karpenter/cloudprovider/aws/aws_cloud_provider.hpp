#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "karpenter/api/ec2nodeclass.hpp"
#include "karpenter/cloudprovider/aws/instance_provider.hpp"
#include "karpenter/cloudprovider/aws/instance_type_provider.hpp"
#include "karpenter/cloudprovider/cloud_provider.hpp"

namespace karpenter::cloudprovider::aws {

inline constexpr std::string_view kNodeClassHashAnnotationKey =
    "karpenter.k8s.aws/ec2nodeclass-hash";

// Reads an EC2NodeClass by name from wherever the operator keeps them (the cluster state's
// snapshot); nullptr when there is none. Must be thread-safe.
using NodeClassLookup =
    std::function<std::shared_ptr<const api::EC2NodeClass>(const std::string& name)>;

// "aws:///<zone>/<instance-id>" ↔ its parts.
std::string providerIdFor(std::string_view zone, std::string_view instanceId);
// The instance ID of an aws:/// providerID; kInvalid for anything else.
Result<std::string> instanceIdOf(std::string_view providerID);

// The CloudProvider of EC2 (upstream pkg/cloudprovider): create() needs the NodeClaim's
// EC2NodeClass to be Ready (its status is filled by the EC2NodeClass reconciler), picks the
// compatible instance types that fit, and launches through InstanceProvider; get/list/remove
// work on tagged instances by providerID; isDrifted compares the instance with the NodeClass
// status (AMI, subnet, security groups as a set) and the NodeClass hash annotation. Named "aws".
// Thread safety: every method may be called concurrently.
class AwsCloudProvider final : public CloudProvider {
 public:
  // Every pointer must outlive this.
  AwsCloudProvider(NodeClassLookup nodeClasses, InstanceTypeProvider* instanceTypes,
                   InstanceProvider* instances);

  // CloudProvider
  Result<api::NodeClaim> create(const api::NodeClaim& nodeClaim) override;
  Result<void> remove(const api::NodeClaim& nodeClaim) override;
  Result<api::NodeClaim> get(const std::string& providerID) override;
  Result<std::vector<api::NodeClaim>> list() override;
  Result<std::vector<scheduling::InstanceType>> instanceTypes(
      const api::NodePool& nodePool) override;
  Result<std::string> isDrifted(const api::NodeClaim& nodeClaim) override;
  // As upstream: Ready False/Unknown for 30 min, and the node monitoring agent's conditions.
  std::vector<RepairPolicy> repairPolicies() const override;
  std::string name() const override { return "aws"; }
  bool reconcilesNodeClasses() const override { return true; }

 private:
  Result<std::shared_ptr<const api::EC2NodeClass>> readyNodeClass(const std::string& name) const;
  api::NodeClaim toNodeClaim(const karpenter::aws::Instance& instance,
                             const scheduling::InstanceType* type) const;

  NodeClassLookup nodeClasses_;
  InstanceTypeProvider* instanceTypes_;
  InstanceProvider* instances_;
};

}  // namespace karpenter::cloudprovider::aws
