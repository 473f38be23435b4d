// Instance types from the test EC2: offerings limited to the NodeClass's subnet zones, priced,
// availability from the shared unavailable-offerings cache, refreshed every 12 h.

#include "karpenter/cloudprovider/aws/instance_type_provider.hpp"

#include <gtest/gtest.h>

#include "fake_ec2_catalog.hpp"
#include "karpenter/api/well_known.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

std::string single(const scheduling::Requirements& requirements, std::string_view key) {
  const auto* r = requirements.find(key);
  return r != nullptr && r->values().size() == 1 ? r->values().front() : "";
}

class InstanceTypeProviderTest : public ::testing::Test {
 protected:
  InstanceTypeProviderTest() {
    nodeClass_.metadata.name = "default";
    nodeClass_.status.subnets = {{"subnet-test1", "test-zone-1a", "tstz1-az1"},
                                 {"subnet-test2", "test-zone-1b", "tstz1-az2"}};
  }

  const scheduling::InstanceType* find(const std::vector<scheduling::InstanceType>& types,
                                       const std::string& name) {
    for (const auto& type : types) {
      if (type.name == name) {
        return &type;
      }
    }
    return nullptr;
  }

  testing::FakeEc2Catalog catalog_;
  InstanceTypeProvider& provider_ = catalog_.instanceTypes;
  api::EC2NodeClass nodeClass_;
};

TEST_F(InstanceTypeProviderTest, OfferingsOnlyInSubnetZonesWithPrices) {
  auto types = provider_.list(nodeClass_);
  ASSERT_TRUE(types.ok()) << types.error().message;
  EXPECT_FALSE(types->empty());
  for (const auto& type : *types) {
    for (const auto& offering : type.offerings) {
      const std::string zone = single(offering.requirements, api::kLabelTopologyZone);
      EXPECT_TRUE(zone == "test-zone-1a" || zone == "test-zone-1b") << type.name << " " << zone;
    }
  }
  const auto* m5 = find(*types, "m5.large");
  ASSERT_NE(m5, nullptr);
  int spot = 0;
  for (const auto& offering : m5->offerings) {
    const std::string zone = single(offering.requirements, api::kLabelTopologyZone);
    EXPECT_EQ(single(offering.requirements, api::kAwsLabelTopologyZoneId),
              zone == "test-zone-1a" ? "tstz1-az1" : "tstz1-az2");
    if (single(offering.requirements, api::kCapacityTypeLabelKey) == "spot") {
      EXPECT_DOUBLE_EQ(offering.price, catalog_.ec2.spotPrice("m5.large", zone));
      ++spot;
    } else {
      EXPECT_DOUBLE_EQ(offering.price, 0.096);
    }
    EXPECT_TRUE(offering.available);
  }
  EXPECT_GT(spot, 0);
  EXPECT_EQ(m5->capacity.at("pods"), api::Quantity::fromInt(29));
  // The filters upstream sends.
  const auto calls = catalog_.ec2.requests("DescribeInstanceTypes");
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.front().at("Filter.1.Name"), "supported-virtualization-type");
  EXPECT_EQ(calls.front().at("Filter.2.Value.2"), "arm64");
}

TEST_F(InstanceTypeProviderTest, UnavailableOfferingIsMarkedAndExpires) {
  catalog_.unavailable.markUnavailable("m5.large", "test-zone-1a", "spot");
  auto types = provider_.list(nodeClass_);
  ASSERT_TRUE(types.ok());
  const auto* m5 = find(*types, "m5.large");
  ASSERT_NE(m5, nullptr);
  for (const auto& offering : m5->offerings) {
    const bool marked = single(offering.requirements, api::kLabelTopologyZone) == "test-zone-1a" &&
                        single(offering.requirements, api::kCapacityTypeLabelKey) == "spot";
    EXPECT_EQ(offering.available, !marked);
  }
  catalog_.now += std::chrono::minutes(3) + std::chrono::seconds(1);
  types = provider_.list(nodeClass_);
  for (const auto& offering : find(*types, "m5.large")->offerings) {
    EXPECT_TRUE(offering.available);
  }
}

TEST_F(InstanceTypeProviderTest, NodeClassSettingsReachTheModel) {
  nodeClass_.spec.kubelet = api::KubeletConfiguration{};
  nodeClass_.spec.kubelet->maxPods = 17;
  auto types = provider_.list(nodeClass_);
  ASSERT_TRUE(types.ok());
  EXPECT_EQ(find(*types, "m5.large")->capacity.at("pods"), api::Quantity::fromInt(17));
  nodeClass_.status.subnets.clear();
  types = provider_.list(nodeClass_);
  ASSERT_TRUE(types.ok());
  EXPECT_TRUE(types->empty());  // no subnet, no zone to launch in
}

TEST_F(InstanceTypeProviderTest, DescribesAgainOnlyAfterTwelveHours) {
  ASSERT_TRUE(provider_.list(nodeClass_).ok());
  ASSERT_TRUE(provider_.list(nodeClass_).ok());
  const size_t calls = catalog_.ec2.requests("DescribeInstanceTypeOfferings").size();
  catalog_.now += std::chrono::hours(12);
  ASSERT_TRUE(provider_.list(nodeClass_).ok());
  EXPECT_GT(catalog_.ec2.requests("DescribeInstanceTypeOfferings").size(), calls);
}

TEST_F(InstanceTypeProviderTest, ErrorBeforeFirstSuccessThenServesPrevious) {
  catalog_.ec2.failNextRequests(10, 500);
  auto types = provider_.list(nodeClass_);
  ASSERT_FALSE(types.ok());
  EXPECT_EQ(types.error().kind, ErrorKind::kUnavailable);
  ASSERT_TRUE(provider_.refresh().ok());
  catalog_.now += std::chrono::hours(13);
  catalog_.ec2.failNextRequests(10, 500);
  types = provider_.list(nodeClass_);
  ASSERT_TRUE(types.ok());
  EXPECT_FALSE(types->empty());
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
