// The Price List client (JSON 1.1) against the wire-faithful test pricing endpoint.

#include "karpenter/aws/pricing_client.hpp"

#include <gtest/gtest.h>

#include "aws/fake_ec2/fake_clients.hpp"
#include "support/testdata.hpp"

namespace karpenter::aws {
namespace {

using testing::FakeEc2;
using testing::FakePricing;

class PricingClientTest : public ::testing::Test {
 protected:
  FakeEc2 ec2_;
  FakePricing pricing_;
};

TEST_F(PricingClientTest, OnDemandPricesCoverEveryTestdataTypeAcrossPages) {
  auto client = testing::fakePricingClient(ec2_, pricing_);
  auto prices = client->onDemandPrices("us-east-1");
  ASSERT_TRUE(prices.ok()) << prices.error().message;
  const auto expected = karpenter::testing::readTestdataJson("ec2/on-demand-prices-us-east-1.json");
  EXPECT_EQ(prices->size(), expected.size());
  EXPECT_DOUBLE_EQ(prices->at("m5.large"), 0.096);
  EXPECT_DOUBLE_EQ(prices->at("m5.metal"), expected["m5.metal"].get<double>());
  // Two filter sets (shared compute, dedicated bare metal), 100 items a page.
  const auto requests = pricing_.requests();
  EXPECT_GT(requests.size(), expected.size() / 100);
  EXPECT_EQ(pricing_.rejectedSignatures(), 0);
  bool sawMetal = false;
  for (const auto& request : requests) {
    EXPECT_EQ(request["ServiceCode"], "AmazonEC2");
    EXPECT_EQ(request["MaxResults"], 100);
    for (const auto& filter : request["Filters"]) {
      EXPECT_EQ(filter["Type"], "TERM_MATCH");
      sawMetal = sawMetal || filter["Value"] == "Compute Instance (bare metal)";
    }
  }
  EXPECT_TRUE(sawMetal);
}

TEST_F(PricingClientTest, ThrottlingIsRetriedAndOtherErrorsAreValues) {
  pricing_.throttleNextRequests(2);
  auto client = testing::fakePricingClient(ec2_, pricing_);
  auto products =
      client->getProducts("AmazonEC2", {{"instanceType", "m5.large"}, {"regionCode", "us-east-1"}});
  ASSERT_TRUE(products.ok()) << products.error().message;
  ASSERT_EQ(products->size(), 1u);
  auto price = onDemandPriceOf(products->front(), "USD");
  ASSERT_TRUE(price.has_value());
  EXPECT_EQ(price->first, "m5.large");
  EXPECT_DOUBLE_EQ(price->second, 0.096);

  auto bad = client->getProducts("AmazonS3", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(awsErrorCode(bad.error()), "InvalidParameterException");

  pricing_.failRequests(503);
  auto down = testing::fakePricingClient(ec2_, pricing_, 2)->onDemandPrices("us-east-1");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().kind, ErrorKind::kUnavailable);
}

TEST_F(PricingClientTest, WrongSecretIsRejectedBySignature) {
  PricingClient client(testing::fakeConfig(ec2_, &pricing_),
                       testing::fakeCredentials(ec2_, "wrong"), makeCurlHttpClient(), systemClock(),
                       testing::noSleepRetry(1));
  auto result = client.getProducts("AmazonEC2", {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(pricing_.rejectedSignatures(), 1);
}

TEST(OnDemandPriceOf, ReadsTheRealGetProductsItem) {
  // instance-selector's verbatim GetProducts answer for m5.large.
  const auto item =
      karpenter::testing::readTestdataJson("ec2/instance-selector/GetProducts/m5_large.json");
  auto price = onDemandPriceOf(item, "USD");
  ASSERT_TRUE(price.has_value());
  EXPECT_EQ(price->first, "m5.large");
  EXPECT_DOUBLE_EQ(price->second, 0.096);
  EXPECT_FALSE(onDemandPriceOf(item, "CNY").has_value());
  EXPECT_FALSE(onDemandPriceOf(nlohmann::json::object(), "USD").has_value());
}

}  // namespace
}  // namespace karpenter::aws
