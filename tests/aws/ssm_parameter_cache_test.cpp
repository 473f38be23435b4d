// How long SsmParameterCache keeps each kind of parameter: an alias's latest parameters are
// dropped at the 30-minute invalidation so a new EKS-optimized AMI release is picked up, pinned
// releases stay 24 h, users' ssmParameter terms 5 minutes (aws-ec2.md §2.2). Time is stepped.

#include <gtest/gtest.h>

#include "aws/fake_aws/fake_ssm.hpp"
#include "karpenter/aws/ssm_client.hpp"

namespace karpenter::aws {
namespace {

using testing::FakeSsm;

constexpr const char* kLatestParameter =
    "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/image_id";
constexpr const char* kPinnedParameter =
    "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/"
    "amazon-eks-node-al2023-x86_64-standard-1.31-v20240807/image_id";
constexpr const char* kCustomParameter = "/my-team/golden-ami";

class SsmParameterCacheTest : public ::testing::Test {
 protected:
  SsmParameterCacheTest() {
    AwsConfig config;
    config.region = "us-east-1";
    config.serviceUrls["ssm"] = fake_.url();
    RetryPolicy retry;
    retry.maxAttempts = 1;
    client_ = std::make_unique<SsmClient>(
        config,
        makeStaticProvider({fake_.options().accessKeyId, fake_.options().secretAccessKey, "",
                            std::nullopt, "test"}),
        makeCurlHttpClient(), systemClock(), retry);
    cache_ = std::make_unique<SsmParameterCache>(*client_, [this] { return now_; });
  }

  size_t asked(const std::string& name) const {
    size_t n = 0;
    for (const auto& requested : fake_.requestedNames()) {
      n += requested == name ? 1 : 0;
    }
    return n;
  }

  FakeSsm fake_;
  std::chrono::system_clock::time_point now_{std::chrono::hours(500000)};
  std::unique_ptr<SsmClient> client_;
  std::unique_ptr<SsmParameterCache> cache_;
};

TEST_F(SsmParameterCacheTest, LatestAliasParametersAreReReadAtEachInvalidation) {
  fake_.putParameter(kLatestParameter, "ami-v20240801", "aws:ec2:image");
  ASSERT_EQ(cache_->get(kLatestParameter, SsmEntryKind::kLatest)->value, "ami-v20240801");
  fake_.putParameter(kLatestParameter, "ami-v20240807", "aws:ec2:image");  // a new release
  now_ += SsmParameterCache::kInvalidationInterval - std::chrono::seconds(1);
  EXPECT_EQ(cache_->get(kLatestParameter, SsmEntryKind::kLatest)->value, "ami-v20240801");
  EXPECT_EQ(asked(kLatestParameter), 1u);
  now_ += std::chrono::seconds(1);
  EXPECT_EQ(cache_->get(kLatestParameter, SsmEntryKind::kLatest)->value, "ami-v20240807");
  EXPECT_EQ(asked(kLatestParameter), 2u);
  // Until the next tick the new answer is served from the cache.
  now_ += std::chrono::minutes(29);
  EXPECT_EQ(cache_->get(kLatestParameter, SsmEntryKind::kLatest)->value, "ami-v20240807");
  EXPECT_EQ(asked(kLatestParameter), 2u);
}

TEST_F(SsmParameterCacheTest, ATickMissedWhileIdleStillInvalidatesOnce) {
  fake_.putParameter(kLatestParameter, "ami-a", "aws:ec2:image");
  ASSERT_TRUE(cache_->get(kLatestParameter, SsmEntryKind::kLatest).ok());
  now_ += std::chrono::hours(2);  // four ticks with nobody asking
  ASSERT_TRUE(cache_->get(kLatestParameter, SsmEntryKind::kLatest).ok());
  ASSERT_TRUE(cache_->get(kLatestParameter, SsmEntryKind::kLatest).ok());
  EXPECT_EQ(asked(kLatestParameter), 2u);
}

TEST_F(SsmParameterCacheTest, PinnedReleasesSurviveTheInvalidation) {
  fake_.putParameter(kPinnedParameter, "ami-pinned", "aws:ec2:image");
  ASSERT_TRUE(cache_->get(kPinnedParameter, SsmEntryKind::kFixed).ok());
  now_ += std::chrono::hours(23);  // 46 invalidations
  ASSERT_TRUE(cache_->get(kPinnedParameter, SsmEntryKind::kFixed).ok());
  EXPECT_EQ(asked(kPinnedParameter), 1u);
  now_ += std::chrono::hours(1);
  ASSERT_TRUE(cache_->get(kPinnedParameter, SsmEntryKind::kFixed).ok());
  EXPECT_EQ(asked(kPinnedParameter), 2u);
}

TEST_F(SsmParameterCacheTest, CustomParametersAreKeptFiveMinutes) {
  fake_.putParameter(kCustomParameter, "ami-golden-1", "aws:ec2:image");
  ASSERT_EQ(cache_->get(kCustomParameter, SsmEntryKind::kCustom)->value, "ami-golden-1");
  fake_.putParameter(kCustomParameter, "ami-golden-2", "aws:ec2:image");
  now_ += std::chrono::minutes(4);
  EXPECT_EQ(cache_->get(kCustomParameter, SsmEntryKind::kCustom)->value, "ami-golden-1");
  now_ += std::chrono::minutes(1);
  EXPECT_EQ(cache_->get(kCustomParameter, SsmEntryKind::kCustom)->value, "ami-golden-2");
}

}  // namespace
}  // namespace karpenter::aws
