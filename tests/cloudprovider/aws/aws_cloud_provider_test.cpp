// The AWS CloudProvider over the wire-faithful test EC2: launch through launch templates and
// CreateFleet, capacity-error fallback, get/list/remove by providerID and tags, drift.

#include "karpenter/cloudprovider/aws/aws_cloud_provider.hpp"

#include <gtest/gtest.h>

#include "fake_ec2_catalog.hpp"
#include "karpenter/admission/review.hpp"
#include "karpenter/api/well_known.hpp"
#include "karpenter/kube/config.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

using karpenter::aws::testing::FormParams;

std::string param(const FormParams& params, const std::string& name) {
  auto it = params.find(name);
  return it == params.end() ? "<unset>" : it->second;
}

class AwsCloudProviderTest : public ::testing::Test {
 protected:
  AwsCloudProviderTest() {
    nodeClass_.metadata.name = "default";
    nodeClass_.spec.amiSelectorTerms = {{"al2023@latest"}};
    nodeClass_.spec.tags = {{"team", "blue"}};
    nodeClass_.status.subnets = {{"subnet-test1", "test-zone-1a", "tstz1-az1"},
                                 {"subnet-test2", "test-zone-1b", "tstz1-az2"}};
    nodeClass_.status.securityGroups = {{"sg-test1", "test-group-1"}};
    nodeClass_.status.amis = {
        {"ami-test1", "al2023-x86", false, {{"kubernetes.io/arch", "In", {"amd64"}}}},
        {"ami-test2", "al2023-arm", false, {{"kubernetes.io/arch", "In", {"arm64"}}}}};
    nodeClass_.status.instanceProfile = "KarpenterNodeInstanceProfile";
    nodeClass_.status.conditions = {{"Ready", "True"}};
  }

  api::NodeClaim nodeClaim(const std::string& name,
                           std::vector<api::NodeSelectorRequirement> requirements = {}) {
    api::NodeClaim claim;
    claim.metadata.name = name;
    claim.metadata.labels[std::string(api::kNodePoolLabelKey)] = "general";
    claim.spec.nodeClassRef = {"karpenter.k8s.aws", "EC2NodeClass", "default"};
    claim.spec.requirements = std::move(requirements);
    claim.spec.resources.requests["cpu"] = api::Quantity::mustParse("1");
    claim.spec.resources.requests["memory"] = api::Quantity::mustParse("1Gi");
    return claim;
  }

  testing::FakeEc2Catalog catalog_;
  LaunchTemplateProvider launchTemplates_{catalog_.ec2Client.get()};
  InstanceProvider instances_{{"test-cluster", "https://test-cluster.example", "Q0E=", ""},
                              catalog_.ec2Client.get(),
                              &launchTemplates_,
                              &catalog_.unavailable};
  api::EC2NodeClass nodeClass_;
  AwsCloudProvider provider_{
      [this](const std::string& name) -> std::shared_ptr<const api::EC2NodeClass> {
        return name == nodeClass_.metadata.name
                   ? std::make_shared<const api::EC2NodeClass>(nodeClass_)
                   : nullptr;
      },
      &catalog_.instanceTypes, &instances_};
};

TEST_F(AwsCloudProviderTest, CreateLaunchesTheCheapestSpotPoolsThroughALaunchTemplate) {
  auto created = provider_.create(nodeClaim("claim-a"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  ASSERT_EQ(catalog_.ec2.instances().size(), 1u);
  const auto instance = catalog_.ec2.instances().front();
  EXPECT_EQ(created->status.providerID, "aws:///" + instance.zone + "/" + instance.id);
  EXPECT_EQ(created->metadata.labels.at(std::string(api::kCapacityTypeLabelKey)), "spot");
  EXPECT_EQ(created->metadata.labels.at(std::string(api::kLabelInstanceType)),
            instance.instanceType);
  EXPECT_EQ(created->metadata.labels.at(std::string(api::kLabelTopologyZone)), instance.zone);
  EXPECT_FALSE(created->status.allocatable.empty());
  EXPECT_EQ(instance.lifecycle, "spot");
  EXPECT_TRUE(instance.zone == "test-zone-1a" || instance.zone == "test-zone-1b");

  const auto fleets = catalog_.ec2.requests("CreateFleet");
  ASSERT_EQ(fleets.size(), 1u);
  const auto& fleet = fleets.front();
  EXPECT_EQ(param(fleet, "Type"), "instant");
  EXPECT_EQ(param(fleet, "TargetCapacitySpecification.DefaultTargetCapacityType"), "spot");
  EXPECT_EQ(param(fleet, "SpotOptions.AllocationStrategy"), "price-capacity-optimized");
  EXPECT_EQ(param(fleet, "LaunchTemplateConfigs.1.LaunchTemplateSpecification.LaunchTemplateName")
                .rfind("karpenter.k8s.aws/", 0),
            0u);
  // Overrides cheapest first, never more than 60, only the NodeClass's subnets.
  double previous = 0;
  int overrides = 0;
  for (int i = 1;
       fleet.count("LaunchTemplateConfigs.1.Overrides." + std::to_string(i) + ".InstanceType");
       ++i) {
    const std::string p = "LaunchTemplateConfigs.1.Overrides." + std::to_string(i) + ".";
    const double priority = std::stod(param(fleet, p + "Priority"));
    EXPECT_GE(priority, previous);
    previous = priority;
    EXPECT_NE(param(fleet, p + "SubnetId"), "subnet-test3");
    ++overrides;
  }
  EXPECT_GT(overrides, 1);
  EXPECT_LE(overrides, 60);
  // Tags on instance, volume and fleet.
  for (const auto& [key, value] :
       std::map<std::string, std::string>{{"kubernetes.io/cluster/test-cluster", "owned"},
                                          {"karpenter.sh/nodepool", "general"},
                                          {"eks:eks-cluster-name", "test-cluster"},
                                          {"karpenter.k8s.aws/ec2nodeclass", "default"},
                                          {"karpenter.sh/nodeclaim", "claim-a"},
                                          {"team", "blue"}}) {
    EXPECT_EQ(instance.tags.at(key), value) << key;
  }
  std::set<std::string> tagged;
  for (int i = 1; fleet.count("TagSpecification." + std::to_string(i) + ".ResourceType"); ++i) {
    tagged.insert(param(fleet, "TagSpecification." + std::to_string(i) + ".ResourceType"));
  }
  EXPECT_EQ(tagged, (std::set<std::string>{"instance", "volume", "fleet"}));

  // The launch template: AL2023 user data, IMDS defaults with tags disabled, SGs, profile.
  const auto templates = catalog_.ec2.requests("CreateLaunchTemplate");
  ASSERT_EQ(templates.size(), 1u);
  const auto& lt = templates.front();
  EXPECT_EQ(param(lt, "LaunchTemplateData.SecurityGroupId.1"), "sg-test1");
  EXPECT_EQ(param(lt, "LaunchTemplateData.IamInstanceProfile.Name"),
            "KarpenterNodeInstanceProfile");
  EXPECT_EQ(param(lt, "LaunchTemplateData.MetadataOptions.HttpTokens"), "required");
  EXPECT_EQ(param(lt, "LaunchTemplateData.MetadataOptions.InstanceMetadataTags"), "disabled");
  EXPECT_EQ(param(lt, "LaunchTemplateData.BlockDeviceMapping.1.DeviceName"), "/dev/xvda");
  auto userData = kube::base64Decode(param(lt, "LaunchTemplateData.UserData"));
  ASSERT_TRUE(userData.ok());
  EXPECT_NE(userData->find("kind: NodeConfig"), std::string::npos);
  EXPECT_NE(userData->find("name: \"test-cluster\""), std::string::npos);

  // A second NodeClaim with the same options reuses the template.
  ASSERT_TRUE(provider_.create(nodeClaim("claim-b")).ok());
  EXPECT_EQ(catalog_.ec2.requests("CreateLaunchTemplate").size(), 1u);
  EXPECT_EQ(catalog_.ec2.requests("CreateFleet").size(), 2u);
}

TEST_F(AwsCloudProviderTest, NodeClassMustBeReady) {
  nodeClass_.status.conditions = {
      {"Ready", "False", std::nullopt, "", "SubnetsNotFound", "no subnet matches"}};
  auto created = provider_.create(nodeClaim("claim-a"));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().kind, ErrorKind::kUnavailable);
  EXPECT_NE(created.error().message.find("not Ready: no subnet matches"), std::string::npos);
  EXPECT_TRUE(catalog_.ec2.requests("CreateFleet").empty());
  auto other = nodeClaim("claim-b");
  other.spec.nodeClassRef.name = "missing";
  EXPECT_EQ(provider_.create(other).error().kind, ErrorKind::kInvalid);
}

TEST_F(AwsCloudProviderTest, SpotCapacityErrorsMarkOfferingsAndFallBackToOnDemand) {
  const std::vector<api::NodeSelectorRequirement> m5 = {
      {std::string(api::kLabelInstanceType), "In", {"m5.large"}}};
  for (const auto& zone : catalog_.ec2.zones()) {
    catalog_.ec2.setInsufficientCapacity("spot", "m5.large", zone);
  }
  auto first = provider_.create(nodeClaim("claim-a", m5));
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().kind, ErrorKind::kInsufficientCapacity);
  EXPECT_NE(first.error().message.find("InsufficientInstanceCapacity"), std::string::npos);
  EXPECT_TRUE(catalog_.unavailable.isUnavailable("m5.large", "test-zone-1a", "spot"));
  // The next attempt sees the spot pools unavailable and asks for on-demand.
  auto second = provider_.create(nodeClaim("claim-a", m5));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->metadata.labels.at(std::string(api::kCapacityTypeLabelKey)), "on-demand");
  const auto fleets = catalog_.ec2.requests("CreateFleet");
  EXPECT_EQ(param(fleets.back(), "TargetCapacitySpecification.DefaultTargetCapacityType"),
            "on-demand");
  EXPECT_EQ(param(fleets.back(), "OnDemandOptions.AllocationStrategy"), "lowest-price");
  // On-demand only NodeClaims never ask for spot.
  auto onDemand = provider_.create(
      nodeClaim("claim-c", {{std::string(api::kCapacityTypeLabelKey), "In", {"on-demand"}}}));
  ASSERT_TRUE(onDemand.ok());
  EXPECT_EQ(onDemand->metadata.labels.at(std::string(api::kCapacityTypeLabelKey)), "on-demand");
}

TEST_F(AwsCloudProviderTest, DeletedLaunchTemplateIsRecreatedOnce) {
  ASSERT_TRUE(provider_.create(nodeClaim("claim-a")).ok());
  const std::string name =
      param(catalog_.ec2.requests("CreateLaunchTemplate").front(), "LaunchTemplateName");
  ASSERT_TRUE(catalog_.ec2Client->deleteLaunchTemplate(name).ok());
  auto created = provider_.create(nodeClaim("claim-b"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(catalog_.ec2.requests("CreateLaunchTemplate").size(), 2u);
  EXPECT_EQ(catalog_.ec2.instances().size(), 2u);
}

TEST_F(AwsCloudProviderTest, GetListAndRemoveByProviderIdAndTags) {
  auto created = provider_.create(nodeClaim("claim-a"));
  ASSERT_TRUE(created.ok());
  const std::string providerID = created->status.providerID;
  auto got = provider_.get(providerID);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->metadata.name, "claim-a");
  // The AMI of the launched type's architecture (the cheapest spot pool may be Graviton).
  EXPECT_EQ(got->status.imageID, catalog_.ec2.instances().front().imageId);
  EXPECT_EQ(got->status.imageID, created->metadata.labels.at("kubernetes.io/arch") == "arm64"
                                     ? "ami-test2"
                                     : "ami-test1");
  auto listed = provider_.list();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().status.providerID, providerID);

  ASSERT_TRUE(provider_.remove(*created).ok());
  // EC2 answers shutting-down, then terminated: remove() loops until NotFound.
  Result<void> again = provider_.remove(*created);
  for (int i = 0; i < 3 && again.ok(); ++i) {
    again = provider_.remove(*created);
  }
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(provider_.get(providerID).error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(provider_.list()->empty());
  EXPECT_EQ(catalog_.ec2.requests("TerminateInstances").size(), 1u);
  EXPECT_EQ(provider_.get("kwok://zone/i-1").error().kind, ErrorKind::kInvalid);
}

TEST_F(AwsCloudProviderTest, DriftFromAmiSubnetAndNodeClassHash) {
  auto created = provider_.create(nodeClaim("claim-a"));
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(*provider_.isDrifted(*created), "");
  const auto amis = nodeClass_.status.amis;
  nodeClass_.status.amis[0].id = "ami-newer-x86";
  nodeClass_.status.amis[1].id = "ami-newer-arm";
  EXPECT_EQ(*provider_.isDrifted(*created), "AMIDrift");
  nodeClass_.status.amis = amis;
  nodeClass_.status.subnets = {{"subnet-other", "test-zone-1a", "tstz1-az1"}};
  EXPECT_EQ(*provider_.isDrifted(*created), "SubnetDrift");
  created->metadata.annotations[std::string(kNodeClassHashAnnotationKey)] = "1";
  nodeClass_.metadata.annotations[std::string(kNodeClassHashAnnotationKey)] = "2";
  EXPECT_EQ(*provider_.isDrifted(*created), "NodeClassDrift");
}

TEST_F(AwsCloudProviderTest, NameRepairPoliciesAndInstanceTypes) {
  EXPECT_EQ(provider_.name(), "aws");
  const auto policies = provider_.repairPolicies();
  ASSERT_GE(policies.size(), 2u);
  EXPECT_EQ(policies[0], (RepairPolicy{"Ready", "False", std::chrono::minutes(30)}));
  EXPECT_EQ(policies[1], (RepairPolicy{"Ready", "Unknown", std::chrono::minutes(30)}));
  api::NodePool pool;
  pool.metadata.name = "general";
  pool.spec.template_.spec.nodeClassRef.name = "default";
  auto types = provider_.instanceTypes(pool);
  ASSERT_TRUE(types.ok());
  EXPECT_FALSE(types->empty());
  pool.spec.template_.spec.nodeClassRef.name = "missing";
  EXPECT_FALSE(provider_.instanceTypes(pool).ok());
}

TEST(ProviderId, RoundTrips) {
  EXPECT_EQ(providerIdFor("us-east-1a", "i-0123"), "aws:///us-east-1a/i-0123");
  EXPECT_EQ(*instanceIdOf("aws:///us-east-1a/i-0123"), "i-0123");
  EXPECT_FALSE(instanceIdOf("aws:///us-east-1a/").ok());
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
