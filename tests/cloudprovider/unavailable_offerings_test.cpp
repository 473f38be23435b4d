#include "karpenter/cloudprovider/unavailable_offerings.hpp"

#include <gtest/gtest.h>

namespace karpenter::cloudprovider {
namespace {

TEST(UnavailableOfferingsTest, MarksExpireAfterThreeMinutesAndBumpTheSequence) {
  auto now = std::chrono::system_clock::time_point{} + std::chrono::hours(1);
  UnavailableOfferings cache([&] { return now; });
  EXPECT_EQ(UnavailableOfferings::key("m5.large", "us-east-1a", "spot"),
            "spot:m5.large:us-east-1a");
  const auto before = cache.seqNum();
  cache.markUnavailable("m5.large", "us-east-1a", "spot");
  EXPECT_GT(cache.seqNum(), before);
  EXPECT_TRUE(cache.isUnavailable("m5.large", "us-east-1a", "spot"));
  EXPECT_FALSE(cache.isUnavailable("m5.large", "us-east-1a", "on-demand"));
  EXPECT_FALSE(cache.isUnavailable("m5.large", "us-east-1b", "spot"));

  now += std::chrono::minutes(2);
  cache.markUnavailable("m5.large", "us-east-1a", "spot");  // a new error restarts the 3 minutes
  now += std::chrono::minutes(2);
  EXPECT_TRUE(cache.isUnavailable("m5.large", "us-east-1a", "spot"));
  now += std::chrono::minutes(1);
  EXPECT_FALSE(cache.isUnavailable("m5.large", "us-east-1a", "spot"));

  cache.markUnavailable("c5.large", "us-east-1c", "on-demand");
  cache.clear();
  EXPECT_FALSE(cache.isUnavailable("c5.large", "us-east-1c", "on-demand"));
}

}  // namespace
}  // namespace karpenter::cloudprovider
