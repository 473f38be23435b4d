#include "karpenter/kube/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace karpenter::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  TokenBucket::Clock fn() {
    return [this] { return now; };
  }
};

TEST(TokenBucketTest, BurstIsImmediateThenRequestsAreSpacedByQps) {
  FakeClock clock;
  TokenBucket bucket(10, 3, clock.fn());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(bucket.reserve(), nanoseconds(0)) << i;
  }
  // The bucket is empty: the next callers are promised slots 100 ms apart.
  EXPECT_EQ(bucket.reserve(), milliseconds(100));
  EXPECT_EQ(bucket.reserve(), milliseconds(200));
}

TEST(TokenBucketTest, RefillsWithTimeButNeverBeyondBurst) {
  FakeClock clock;
  TokenBucket bucket(10, 2, clock.fn());
  EXPECT_EQ(bucket.reserve(), nanoseconds(0));
  EXPECT_EQ(bucket.reserve(), nanoseconds(0));
  clock.now += milliseconds(100);  // one token back
  EXPECT_EQ(bucket.reserve(), nanoseconds(0));
  EXPECT_GT(bucket.reserve(), nanoseconds(0));
  clock.now += std::chrono::hours(1);  // refills to burst (2), not 36000
  EXPECT_EQ(bucket.reserve(), nanoseconds(0));
  EXPECT_EQ(bucket.reserve(), nanoseconds(0));
  EXPECT_EQ(bucket.reserve(), milliseconds(100));
}

TEST(TokenBucketTest, NonPositiveQpsDisablesLimiting) {
  FakeClock clock;
  TokenBucket bucket(0, 1, clock.fn());
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(bucket.reserve(), nanoseconds(0));
  }
}

TEST(TokenBucketTest, ClientGoDefaultsAllowThreeHundredAtOnce) {
  FakeClock clock;
  TokenBucket bucket(200, 300, clock.fn());
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(bucket.reserve(), nanoseconds(0)) << i;
  }
  EXPECT_EQ(bucket.reserve(), milliseconds(5));
}

}  // namespace
}  // namespace karpenter::kube
