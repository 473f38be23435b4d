// Prices: built-in table first, the Price List API once it answers, zonal spot prices from
// DescribeSpotPriceHistory, refreshed on an injected clock.

#include "karpenter/cloudprovider/aws/pricing_provider.hpp"

#include <gtest/gtest.h>

#include "aws/fake_ec2/fake_clients.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

using karpenter::aws::testing::FakeEc2;
using karpenter::aws::testing::FakePricing;

class PricingProviderTest : public ::testing::Test {
 protected:
  PricingProvider::Options options() {
    PricingProvider::Options options;
    options.clock = [this] { return now_; };
    return options;
  }

  FakeEc2 ec2_;
  FakePricing pricing_;
  std::unique_ptr<karpenter::aws::Ec2Client> ec2Client_ =
      karpenter::aws::testing::fakeEc2Client(ec2_);
  std::unique_ptr<karpenter::aws::PricingClient> pricingClient_ =
      karpenter::aws::testing::fakePricingClient(ec2_, pricing_, 1);
  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
};

TEST_F(PricingProviderTest, BuiltInPricesUntilTheApiAnswersAndSpotEqualsOnDemandUntilFetched) {
  PricingProvider provider(options(), ec2Client_.get(), pricingClient_.get());
  // m5.large is in the built-in table at the published price.
  ASSERT_TRUE(provider.onDemandPrice("m5.large").has_value());
  EXPECT_DOUBLE_EQ(*provider.onDemandPrice("m5.large"), 0.096);
  EXPECT_FALSE(provider.onDemandPrice("p5.48xlarge").has_value());  // not built in
  EXPECT_EQ(provider.spotPrice("m5.large", "test-zone-1a"), provider.onDemandPrice("m5.large"));
  EXPECT_FALSE(provider.onDemandFromApi());

  ASSERT_TRUE(provider.refresh().ok());
  EXPECT_TRUE(provider.onDemandFromApi());
  EXPECT_DOUBLE_EQ(*provider.onDemandPrice("p5.48xlarge"), pricing_.onDemandPrice("p5.48xlarge"));
  ASSERT_TRUE(provider.spotPrice("m5.large", "test-zone-1b").has_value());
  EXPECT_DOUBLE_EQ(*provider.spotPrice("m5.large", "test-zone-1b"),
                   ec2_.spotPrice("m5.large", "test-zone-1b"));
  EXPECT_NE(*provider.spotPrice("m5.large", "test-zone-1a"),
            *provider.spotPrice("m5.large", "test-zone-1b"));
  // A pool EC2 quotes no spot price for has none.
  EXPECT_FALSE(provider.spotPrice("m5.large", "elsewhere-1a").has_value());
  const auto spotCalls = ec2_.requests("DescribeSpotPriceHistory");
  ASSERT_FALSE(spotCalls.empty());
  EXPECT_EQ(spotCalls.front().at("ProductDescription.1"), "Linux/UNIX");
  EXPECT_EQ(spotCalls.front().at("ProductDescription.2"), "Linux/UNIX (Amazon VPC)");
  EXPECT_TRUE(spotCalls.front().count("StartTime"));
}

TEST_F(PricingProviderTest, FailedRefreshKeepsPreviousPrices) {
  pricing_.failRequests(500);
  ec2_.failNextRequests(10, 500);  // more than the client retries
  PricingProvider provider(options(), ec2Client_.get(), pricingClient_.get());
  auto result = provider.refresh();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("on-demand"), std::string::npos);
  EXPECT_DOUBLE_EQ(*provider.onDemandPrice("m5.large"), 0.096);
  EXPECT_FALSE(provider.spotFetched());
  EXPECT_EQ(provider.spotPrice("m5.large", "test-zone-1a"), provider.onDemandPrice("m5.large"));
}

TEST_F(PricingProviderTest, RefreshesEveryTwelveHoursOfTheInjectedClock) {
  PricingProvider provider(options(), ec2Client_.get(), pricingClient_.get());
  ASSERT_TRUE(provider.refreshIfDue().ok());
  const size_t calls = ec2_.requests("DescribeSpotPriceHistory").size();
  now_ += std::chrono::hours(11);
  ASSERT_TRUE(provider.refreshIfDue().ok());
  EXPECT_EQ(ec2_.requests("DescribeSpotPriceHistory").size(), calls);
  now_ += std::chrono::hours(1);
  ASSERT_TRUE(provider.refreshIfDue().ok());
  EXPECT_GT(ec2_.requests("DescribeSpotPriceHistory").size(), calls);
}

TEST_F(PricingProviderTest, IsolatedVpcUsesOnlyTheBuiltInTable) {
  PricingProvider provider(options(), ec2Client_.get(), nullptr);
  ASSERT_TRUE(provider.refresh().ok());
  EXPECT_FALSE(provider.onDemandFromApi());
  EXPECT_TRUE(pricing_.requests().empty());
  EXPECT_DOUBLE_EQ(*provider.onDemandPrice("m5.large"), 0.096);
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
