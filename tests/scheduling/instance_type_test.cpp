#include "karpenter/scheduling/instance_type.hpp"

#include <gtest/gtest.h>

#include "scheduling/scheduling_fixtures.hpp"

namespace karpenter::scheduling {
namespace {

using testing::makeInstanceType;
using testing::makeOffering;

Requirements zone(const std::string& z) {
  Requirements r;
  r.add(Requirement::in(api::kLabelTopologyZone, {z}));
  return r;
}

TEST(InstanceTypeTest, AllocatableSubtractsAllOverhead) {
  auto type = makeInstanceType("m", 4, 16, 110, 1.0);
  type.overhead.kubeReserved["cpu"] = api::Quantity::mustParse("100m");
  type.overhead.systemReserved["cpu"] = api::Quantity::mustParse("100m");
  type.overhead.evictionThreshold["memory"] = api::Quantity::mustParse("100Mi");
  auto allocatable = type.allocatable();
  EXPECT_EQ(allocatable["cpu"], api::Quantity::mustParse("3800m"));
  EXPECT_EQ(allocatable["memory"], api::Quantity::mustParse("16284Mi"));
  EXPECT_EQ(allocatable["pods"], api::Quantity::mustParse("110"));
}

TEST(InstanceTypeTest, CheapestOfferingSkipsUnavailableAndIncompatible) {
  auto type = makeInstanceType("m", 4, 16, 110, 1.0, {"zone-a"});
  type.offerings.push_back(makeOffering("zone-b", "spot", 0.2, /*available=*/false));
  type.offerings.push_back(makeOffering("zone-c", "spot", 0.3));
  EXPECT_EQ(cheapestOfferingPrice(type, Requirements()), 0.3);
  EXPECT_EQ(cheapestOfferingPrice(type, zone("zone-a")), 1.0);
  EXPECT_EQ(cheapestOfferingPrice(type, zone("zone-b")), std::nullopt);
  EXPECT_FALSE(hasCompatibleOffering(type, zone("zone-b")));
  EXPECT_TRUE(hasCompatibleOffering(type, zone("zone-c")));
}

TEST(InstanceTypeTest, OrderByPriceCheapestFirstUnpricedLast) {
  auto a = makeInstanceType("a", 4, 16, 110, 3.0, {"zone-a"});
  auto b = makeInstanceType("b", 4, 16, 110, 1.0, {"zone-a"});
  auto c = makeInstanceType("c", 4, 16, 110, 0.5, {"zone-b"});
  auto d = makeInstanceType("d", 4, 16, 110, 1.0, {"zone-a"});
  std::vector<const InstanceType*> types = {&a, &b, &c, &d};
  orderByPrice(types, zone("zone-a"));
  ASSERT_EQ(types.size(), 4U);
  EXPECT_EQ(types[0]->name, "b");
  EXPECT_EQ(types[1]->name, "d");
  EXPECT_EQ(types[2]->name, "a");
  EXPECT_EQ(types[3]->name, "c");  // no zone-a offering
}

TEST(InstanceTypeTest, TruncateKeepsCheapestAndChecksMinValues) {
  std::vector<InstanceType> storage;
  for (int i = 0; i < 5; ++i) {
    storage.push_back(makeInstanceType("t" + std::to_string(i), 4, 16, 110, 5.0 - i));
  }
  std::vector<const InstanceType*> types;
  for (const auto& t : storage) {
    types.push_back(&t);
  }
  auto kept = truncate(types, Requirements(), 2);
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->size(), 2U);
  EXPECT_EQ((*kept)[0]->name, "t4");
  EXPECT_EQ((*kept)[1]->name, "t3");

  Requirements flexible;
  flexible.add(Requirement::exists(api::kLabelInstanceType));
  auto withMin = Requirement::create(api::kLabelInstanceType, "Exists", {}, 3);
  ASSERT_TRUE(withMin.ok());
  Requirements minThree;
  minThree.add(*withMin);
  EXPECT_TRUE(truncate(types, minThree, 3).ok());
  auto tooFew = truncate(types, minThree, 2);
  ASSERT_FALSE(tooFew.ok());
  EXPECT_NE(tooFew.error().message.find("couldn't meet minValues"), std::string::npos);
}

}  // namespace
}  // namespace karpenter::scheduling
