// Security-group drift: an instance launched through the NodeClass's launch template carries the
// NodeClass's resolved security groups (CreateFleet → groupSet), and isDrifted reports
// SecurityGroupDrift once the NodeClass resolves to a different set — order does not matter.

#include <gtest/gtest.h>

#include "aws/fake_ec2/fake_ec2.hpp"
#include "karpenter/api/well_known.hpp"
#include "karpenter/cloudprovider/aws/aws_environment.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

class SecurityGroupDrift : public ::testing::Test {
 protected:
  void SetUp() override {
    nodeClass_.metadata.name = "default";
    nodeClass_.spec.amiSelectorTerms = {{"al2023@latest"}};
    nodeClass_.status.subnets = {{"subnet-test1", "test-zone-1a", "tstz1-az1"}};
    nodeClass_.status.securityGroups = {{"sg-test1", "test-group-1"}, {"sg-test2", "test-group-2"}};
    nodeClass_.status.amis = {
        {"ami-test1", "al2023-x86", false, {{"kubernetes.io/arch", "In", {"amd64"}}}}};
    nodeClass_.status.instanceProfile = "KarpenterNodeInstanceProfile";
    nodeClass_.status.conditions = {{"Ready", "True"}};
    auto environment = AwsEnvironment::create(
        AwsSettings{.clusterName = "test-cluster",
                    .clusterEndpoint = "https://test-cluster.example",
                    .isolatedVpc = true},
        karpenter::aws::mapEnvironment({{"AWS_REGION", "us-east-1"},
                                        {"AWS_ACCESS_KEY_ID", ec2_.options().accessKeyId},
                                        {"AWS_SECRET_ACCESS_KEY", ec2_.options().secretAccessKey},
                                        {"AWS_ENDPOINT_URL_EC2", ec2_.url()}}));
    ASSERT_TRUE(environment.ok()) << environment.error().message;
    environment_ = std::move(*environment);
    provider_ = environment_->cloudProvider([this](const std::string& name) {
      return name == nodeClass_.metadata.name
                 ? std::make_shared<const api::EC2NodeClass>(nodeClass_)
                 : nullptr;
    });
  }

  // A launched on-demand m5.large NodeClaim of the "default" EC2NodeClass.
  api::NodeClaim launched() {
    api::NodeClaim claim;
    claim.metadata.name = "drifter";
    claim.metadata.labels[std::string(api::kNodePoolLabelKey)] = "general";
    claim.spec.nodeClassRef = {"karpenter.k8s.aws", "EC2NodeClass", "default"};
    claim.spec.requirements = {
        {.key = "node.kubernetes.io/instance-type", .op = "In", .values = {"m5.large"}},
        {.key = "karpenter.sh/capacity-type", .op = "In", .values = {"on-demand"}}};
    auto created = provider_->create(claim);
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created.ok() ? *created : claim;
  }

  karpenter::aws::testing::FakeEc2 ec2_;
  api::EC2NodeClass nodeClass_;
  std::unique_ptr<AwsEnvironment> environment_;
  std::unique_ptr<AwsCloudProvider> provider_;
};

TEST_F(SecurityGroupDrift, TheLaunchedInstanceCarriesTheNodeClassGroups) {
  const api::NodeClaim claim = launched();
  ASSERT_EQ(ec2_.instances().size(), 1u);
  const auto groups = ec2_.instances().front().securityGroups;
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0], (std::pair<std::string, std::string>{"sg-test1", "test-group-1"}));
  EXPECT_EQ(groups[1], (std::pair<std::string, std::string>{"sg-test2", "test-group-2"}));
  auto drifted = provider_->isDrifted(claim);
  ASSERT_TRUE(drifted.ok()) << drifted.error().message;
  EXPECT_EQ(*drifted, "");
}

TEST_F(SecurityGroupDrift, TheSameSetInAnotherOrderIsNotDrift) {
  const api::NodeClaim claim = launched();
  nodeClass_.status.securityGroups = {{"sg-test2", "test-group-2"}, {"sg-test1", "test-group-1"}};
  EXPECT_EQ(*provider_->isDrifted(claim), "");
}

TEST_F(SecurityGroupDrift, AGroupRemovedAddedOrReplacedIsDrift) {
  const api::NodeClaim claim = launched();
  const auto resolved = nodeClass_.status.securityGroups;
  nodeClass_.status.securityGroups = {{"sg-test1", "test-group-1"}};
  EXPECT_EQ(*provider_->isDrifted(claim), "SecurityGroupDrift");
  nodeClass_.status.securityGroups = resolved;
  nodeClass_.status.securityGroups.push_back({"sg-test3", "test-group-3"});
  EXPECT_EQ(*provider_->isDrifted(claim), "SecurityGroupDrift");
  nodeClass_.status.securityGroups = {{"sg-test1", "test-group-1"}, {"sg-test3", "test-group-3"}};
  EXPECT_EQ(*provider_->isDrifted(claim), "SecurityGroupDrift");
  nodeClass_.status.securityGroups = resolved;
  EXPECT_EQ(*provider_->isDrifted(claim), "");
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
