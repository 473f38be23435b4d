// A new EKS-optimized AMI release reaches status.amis of an al2023@latest EC2NodeClass at the
// next 30-minute SSM invalidation (aws-ec2.md §2.2), while a pinned alias keeps its release.
// The clock is stepped; nothing sleeps.

#include <gtest/gtest.h>

#include "aws/fake_aws/fake_ssm.hpp"
#include "aws/fake_ec2/fake_clients.hpp"
#include "karpenter/cloudprovider/aws/nodeclass_amis.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

constexpr const char* kX86Latest =
    "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/image_id";
constexpr const char* kX86Pinned =
    "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/"
    "amazon-eks-node-al2023-x86_64-standard-1.31-v20240101/image_id";

class AliasAmiRefreshTest : public ::testing::Test {
 protected:
  AliasAmiRefreshTest() {
    auto config = karpenter::aws::testing::fakeConfig(ec2Fake_);
    config.serviceUrls["ssm"] = ssmFake_.url();
    ssm_ = std::make_unique<karpenter::aws::SsmClient>(
        config, karpenter::aws::testing::fakeCredentials(ec2Fake_),
        karpenter::aws::makeCurlHttpClient(), karpenter::aws::systemClock());
    cache_ = std::make_unique<karpenter::aws::SsmParameterCache>(*ssm_, [this] { return now_; });
  }

  // The image the x86_64 variant of `alias` resolves to now.
  std::string x86Image(const std::string& alias) {
    api::AMISelectorTerm term;
    term.alias = alias;
    auto amis = resolveAmis(*ec2_, *cache_, {term}, "1.31", now_);
    if (!amis) {
      return "error: " + amis.error().message;
    }
    for (const auto& ami : *amis) {
      if (!ami.requirements.empty() &&
          ami.requirements[0].values == std::vector<std::string>{"amd64"}) {
        return ami.id;
      }
    }
    return "none";
  }

  std::chrono::system_clock::time_point now_ =
      std::chrono::system_clock::time_point(std::chrono::hours(480000));
  karpenter::aws::testing::FakeEc2 ec2Fake_;
  karpenter::aws::testing::FakeSsm ssmFake_;
  std::unique_ptr<karpenter::aws::Ec2Client> ec2_ =
      karpenter::aws::testing::fakeEc2Client(ec2Fake_);
  std::unique_ptr<karpenter::aws::SsmClient> ssm_;
  std::unique_ptr<karpenter::aws::SsmParameterCache> cache_;
};

TEST_F(AliasAmiRefreshTest, LatestFollowsANewReleaseAtTheNextInvalidation) {
  ssmFake_.putParameter(kX86Latest, "ami-test1", "aws:ec2:image");
  ASSERT_EQ(x86Image("al2023@latest"), "ami-test1");
  // AWS publishes a new release (the test EC2 knows ami-test2 too).
  ssmFake_.putParameter(kX86Latest, "ami-test2", "aws:ec2:image");
  now_ += std::chrono::minutes(29);
  EXPECT_EQ(x86Image("al2023@latest"), "ami-test1");
  now_ += std::chrono::minutes(1);
  EXPECT_EQ(x86Image("al2023@latest"), "ami-test2");
}

TEST_F(AliasAmiRefreshTest, APinnedReleaseIsNotAskedAgainAtTheInvalidation) {
  ssmFake_.putParameter(kX86Pinned, "ami-test1", "aws:ec2:image");
  ASSERT_EQ(x86Image("al2023@v20240101"), "ami-test1");
  const auto asked = ssmFake_.requestedNames().size();
  ssmFake_.putParameter(kX86Pinned, "ami-test2", "aws:ec2:image");  // cannot happen, but shows it
  now_ += std::chrono::hours(2);
  EXPECT_EQ(x86Image("al2023@v20240101"), "ami-test1");
  // Only the unpublished variants (misses are never cached) were asked again.
  for (size_t i = asked; i < ssmFake_.requestedNames().size(); ++i) {
    EXPECT_NE(ssmFake_.requestedNames()[i], kX86Pinned);
  }
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
