// Subnet choice for launches over the wire-faithful test EC2: most free addresses first,
// in-flight reservations between describes, and InsufficientFreeAddressesInSubnet sorting a
// subnet last for three minutes (aws-ec2.md §2.1, §2.2 DescribeSubnets).

#include "karpenter/cloudprovider/aws/subnet_provider.hpp"

#include <gtest/gtest.h>

#include "aws/fake_ec2/fake_clients.hpp"
#include "karpenter/api/well_known.hpp"
#include "karpenter/cloudprovider/aws/aws_cloud_provider.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

using karpenter::aws::testing::FakeEc2;
using karpenter::aws::testing::FormParams;

std::string formParam(const FormParams& params, const std::string& name) {
  auto it = params.find(name);
  return it == params.end() ? "<unset>" : it->second;
}

class SubnetProviderTest : public ::testing::Test {
 protected:
  SubnetProviderTest() {
    ec2_.addSubnet("subnet-1a-spare", "test-zone-1a", 245);
    subnets_ = {{"subnet-test1", "test-zone-1a", "tstz1-az1"},
                {"subnet-1a-spare", "test-zone-1a", "tstz1-az1"},
                {"subnet-test3", "test-zone-1b", "tstz1-az3"}};
  }

  Clock clock() {
    return [this] { return now_; };
  }
  size_t describes() const { return ec2_.requests("DescribeSubnets").size(); }

  FakeEc2 ec2_;
  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
  std::unique_ptr<karpenter::aws::Ec2Client> ec2Client_ =
      karpenter::aws::testing::fakeEc2Client(ec2_);
  SubnetProvider provider_{ec2Client_.get(), clock()};
  std::vector<api::SubnetStatus> subnets_;
};

TEST_F(SubnetProviderTest, EachZoneTakesTheSubnetWithTheMostFreeAddresses) {
  ec2_.setSubnetFreeAddresses("subnet-1a-spare", 400);
  auto chosen = provider_.chooseForLaunch(subnets_, 1);
  ASSERT_EQ(chosen.size(), 2u);
  EXPECT_EQ(chosen.at("test-zone-1a").id, "subnet-1a-spare");
  EXPECT_EQ(chosen.at("test-zone-1b").id, "subnet-test3");
  EXPECT_TRUE(provider_.chooseForLaunch({}, 1).empty());
}

TEST_F(SubnetProviderTest, InFlightReservationsSpreadLaunchesUntilTheNextDescribe) {
  // 250 vs 245 free: the first launch takes subnet-test1 and reserves 10 there, so the
  // second sees 240 vs 245 and takes the spare, without describing again.
  auto first = provider_.chooseForLaunch(subnets_, 10);
  EXPECT_EQ(first.at("test-zone-1a").id, "subnet-test1");
  EXPECT_EQ(first.at("test-zone-1a").reservedIps, 10);
  EXPECT_EQ(provider_.freeIps("subnet-test1"), 240);
  auto second = provider_.chooseForLaunch(subnets_, 10);
  EXPECT_EQ(second.at("test-zone-1a").id, "subnet-1a-spare");
  EXPECT_EQ(describes(), 1u);
  // EC2 launched the first into subnet-test1 only: zone 1b's reservation comes back, 1a's stays.
  provider_.release(first, {"subnet-test1"});
  EXPECT_EQ(provider_.freeIps("subnet-test1"), 240);
  EXPECT_EQ(provider_.freeIps("subnet-test3"), 230 - 10);  // second's reservation only
  provider_.release(second, {});
  EXPECT_EQ(provider_.freeIps("subnet-test3"), 230);
  EXPECT_EQ(provider_.freeIps("subnet-1a-spare"), 245);
  // After the refresh interval EC2's own count (which includes launched instances) replaces
  // every reservation.
  ec2_.setSubnetFreeAddresses("subnet-test1", 249);
  now_ += kSubnetRefreshInterval;
  provider_.chooseForLaunch(subnets_, 1);
  EXPECT_EQ(describes(), 2u);
  EXPECT_EQ(provider_.freeIps("subnet-test1"), 249 - 1);
}

TEST_F(SubnetProviderTest, ASubnetOutOfAddressesGoesLastForThreeMinutes) {
  provider_.markInsufficientAddresses("subnet-test1");
  EXPECT_TRUE(provider_.isMarkedInsufficient("subnet-test1"));
  EXPECT_EQ(provider_.chooseForLaunch(subnets_, 1).at("test-zone-1a").id, "subnet-1a-spare");
  // A zone's only subnet is still offered: the offering cache decides whether the zone is tried.
  provider_.markInsufficientAddresses("subnet-test3");
  EXPECT_EQ(provider_.chooseForLaunch(subnets_, 1).at("test-zone-1b").id, "subnet-test3");
  now_ += kSubnetUnavailableTtl;
  EXPECT_FALSE(provider_.isMarkedInsufficient("subnet-test1"));
  EXPECT_EQ(provider_.chooseForLaunch(subnets_, 1).at("test-zone-1a").id, "subnet-test1");
}

TEST_F(SubnetProviderTest, AFailedDescribeFallsBackToStatusOrder) {
  auto failing = std::make_unique<karpenter::aws::Ec2Client>(
      karpenter::aws::testing::fakeConfig(ec2_), karpenter::aws::testing::fakeCredentials(ec2_),
      karpenter::aws::makeCurlHttpClient(), karpenter::aws::systemClock(),
      karpenter::aws::testing::noSleepRetry(1));
  SubnetProvider provider(failing.get(), clock());
  ec2_.failNextRequests(1);
  auto chosen = provider.chooseForLaunch(subnets_, 1);
  EXPECT_EQ(chosen.at("test-zone-1a").id, "subnet-test1");
  EXPECT_EQ(provider.freeIps("subnet-test1"), -1);
  // The next launch describes again (nothing was learnt), and the spare's count now wins.
  ec2_.setSubnetFreeAddresses("subnet-1a-spare", 400);
  EXPECT_EQ(provider.chooseForLaunch(subnets_, 1).at("test-zone-1a").id, "subnet-1a-spare");
}

// The same through launches: the fake EC2 answers InsufficientFreeAddressesInSubnet for a
// subnet with no address left.
class SubnetLaunchTest : public SubnetProviderTest {
 protected:
  SubnetLaunchTest() {
    ec2_.setSubnetFreeAddresses("subnet-1a-spare", 100);
    nodeClass_.metadata.name = "default";
    nodeClass_.spec.amiSelectorTerms = {{"al2023@latest"}};
    nodeClass_.status.subnets = subnets_;
    nodeClass_.status.securityGroups = {{"sg-test1", "test-group-1"}};
    nodeClass_.status.amis = {
        {"ami-test1", "al2023-x86", false, {{"kubernetes.io/arch", "In", {"amd64"}}}}};
    nodeClass_.status.instanceProfile = "KarpenterNodeInstanceProfile";
    nodeClass_.status.conditions = {{"Ready", "True"}};
  }

  api::NodeClaim zone1aClaim(const std::string& name) {
    api::NodeClaim claim;
    claim.metadata.name = name;
    claim.metadata.labels[std::string(api::kNodePoolLabelKey)] = "general";
    claim.spec.nodeClassRef = {"karpenter.k8s.aws", "EC2NodeClass", "default"};
    claim.spec.requirements = {{std::string(api::kLabelTopologyZone), "In", {"test-zone-1a"}},
                               {std::string(api::kLabelInstanceType), "In", {"m5.large"}}};
    claim.spec.resources.requests["cpu"] = api::Quantity::mustParse("1");
    return claim;
  }

  std::set<std::string> subnetsOf(const FormParams& fleet) {
    std::set<std::string> ids;
    for (int i = 1;; ++i) {
      const std::string id =
          formParam(fleet, "LaunchTemplateConfigs.1.Overrides." + std::to_string(i) + ".SubnetId");
      if (id == "<unset>") {
        return ids;
      }
      ids.insert(id);
    }
  }

  karpenter::aws::testing::FakePricing pricing_;
  std::unique_ptr<karpenter::aws::PricingClient> pricingClient_ =
      karpenter::aws::testing::fakePricingClient(ec2_, pricing_);
  UnavailableOfferings unavailable_{clock()};
  PricingProvider pricingProvider_{{"us-east-1", clock()}, ec2Client_.get(), pricingClient_.get()};
  InstanceTypeProvider types_{
      {"us-east-1", clock()}, ec2Client_.get(), &pricingProvider_, &unavailable_};
  LaunchTemplateProvider launchTemplates_{ec2Client_.get()};
  InstanceProvider instances_{{"test-cluster", "https://test-cluster.example", "Q0E=", ""},
                              ec2Client_.get(),
                              &launchTemplates_,
                              &unavailable_,
                              clock()};
  api::EC2NodeClass nodeClass_;
  AwsCloudProvider cloud_{
      [this](const std::string& name) -> std::shared_ptr<const api::EC2NodeClass> {
        return name == nodeClass_.metadata.name
                   ? std::make_shared<const api::EC2NodeClass>(nodeClass_)
                   : nullptr;
      },
      &types_, &instances_};
};

TEST_F(SubnetLaunchTest, ALaunchKeepsItsReservationInTheSubnetItUsed) {
  auto created = cloud_.create(zone1aClaim("claim-a"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  ASSERT_EQ(ec2_.instances().size(), 1u);
  EXPECT_EQ(ec2_.instances().front().subnetId, "subnet-test1");
  // m5.large runs 29 pods (aws-ec2.md §4.1): that many addresses stay reserved; the other
  // zone's reservation was given back.
  EXPECT_EQ(instances_.subnets().freeIps("subnet-test1"), 250 - 29);
  EXPECT_EQ(instances_.subnets().freeIps("subnet-test3"), 230);
}

TEST_F(SubnetLaunchTest, InsufficientFreeAddressesMovesTheNextLaunchToAnotherSubnet) {
  // Described with 250 free; then the subnet runs dry behind Karpenter's back.
  ASSERT_FALSE(instances_.subnets().isMarkedInsufficient("subnet-test1"));
  auto warm = cloud_.create(zone1aClaim("claim-warm"));
  ASSERT_TRUE(warm.ok()) << warm.error().message;
  ec2_.setSubnetFreeAddresses("subnet-test1", 0);

  auto first = cloud_.create(zone1aClaim("claim-a"));
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().kind, ErrorKind::kInsufficientCapacity);
  EXPECT_NE(first.error().message.find("InsufficientFreeAddressesInSubnet"), std::string::npos);
  EXPECT_EQ(subnetsOf(ec2_.requests("CreateFleet").back()), std::set<std::string>{"subnet-test1"});
  EXPECT_TRUE(instances_.subnets().isMarkedInsufficient("subnet-test1"));
  // The failed launch's reservation came back.
  EXPECT_EQ(instances_.subnets().freeIps("subnet-test1"), 250 - 29);

  // The spot offering is unavailable now; on-demand in the same zone goes to the spare subnet
  // although its last known count is lower.
  auto second = cloud_.create(zone1aClaim("claim-a"));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(subnetsOf(ec2_.requests("CreateFleet").back()),
            std::set<std::string>{"subnet-1a-spare"});
  EXPECT_EQ(ec2_.instances().back().subnetId, "subnet-1a-spare");
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
