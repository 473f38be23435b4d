#include "karpenter/scheduling/resource_vector.hpp"

#include <gtest/gtest.h>

namespace karpenter::scheduling {
namespace {

api::ResourceList list(std::initializer_list<std::pair<const char*, const char*>> entries) {
  api::ResourceList out;
  for (const auto& [name, value] : entries) {
    out[name] = api::Quantity::mustParse(value);
  }
  return out;
}

TEST(ResourceVectorTest, ConvertsToMilliUnitsRoundingUp) {
  auto v = ResourceVector::fromList(
      list({{"cpu", "1500m"}, {"memory", "1Gi"}, {"pods", "110"}, {"nvidia.com/gpu", "2"}}));
  EXPECT_EQ(v.core(ResourceVector::kCpu), 1500);
  EXPECT_EQ(v.core(ResourceVector::kMemory), int64_t{1024} * 1024 * 1024 * 1000);
  EXPECT_EQ(v.get("pods"), 110000);
  EXPECT_EQ(v.get("nvidia.com/gpu"), 2000);
  EXPECT_EQ(v.get("example.com/absent"), 0);
  EXPECT_EQ(ResourceVector::fromList(list({{"cpu", "0.0001"}})).get("cpu"), 1);
}

TEST(ResourceVectorTest, RoundTripsToResourceList) {
  auto original = list({{"cpu", "1500m"}, {"memory", "3Gi"}, {"nvidia.com/gpu", "1"}});
  EXPECT_EQ(api::resources::toString(ResourceVector::fromList(original).toList()),
            api::resources::toString(original));
}

TEST(ResourceVectorTest, ArithmeticMergesExtendedResources) {
  auto a = ResourceVector::fromList(list({{"cpu", "1"}, {"a.io/x", "1"}}));
  auto b = ResourceVector::fromList(list({{"cpu", "500m"}, {"b.io/y", "2"}}));
  auto sum = a + b;
  EXPECT_EQ(sum.get("cpu"), 1500);
  EXPECT_EQ(sum.get("a.io/x"), 1000);
  EXPECT_EQ(sum.get("b.io/y"), 2000);
  auto diff = a - b;
  EXPECT_EQ(diff.get("cpu"), 500);
  EXPECT_EQ(diff.get("b.io/y"), -2000);
  EXPECT_EQ(ResourceVector::max(a, b).get("b.io/y"), 2000);
  EXPECT_EQ(ResourceVector::min(a, b).get("cpu"), 500);
}

TEST(ResourceVectorTest, FitsLikeKubeScheduler) {
  auto available = ResourceVector::fromList(list({{"cpu", "2"}, {"memory", "4Gi"}}));
  EXPECT_TRUE(ResourceVector::fromList(list({{"cpu", "2"}})).fitsIn(available));
  EXPECT_FALSE(ResourceVector::fromList(list({{"cpu", "2001m"}})).fitsIn(available));
  // An extended resource the node lacks does not fit; a zero request always does.
  EXPECT_FALSE(ResourceVector::fromList(list({{"nvidia.com/gpu", "1"}})).fitsIn(available));
  EXPECT_TRUE(ResourceVector::fromList(list({{"nvidia.com/gpu", "0"}})).fitsIn(available));
  auto request = ResourceVector::fromList(list({{"cpu", "3"}, {"nvidia.com/gpu", "1"}}));
  EXPECT_EQ(request.insufficient(available), (std::vector<std::string>{"cpu", "nvidia.com/gpu"}));
}

}  // namespace
}  // namespace karpenter::scheduling
