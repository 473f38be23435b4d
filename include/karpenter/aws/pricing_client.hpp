#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/aws/config.hpp"
#include "karpenter/aws/credentials.hpp"
#include "karpenter/aws/json_client.hpp"
#include "karpenter/aws/query_client.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::aws {

// A TERM_MATCH filter of pricing:GetProducts.
struct PricingFilter {
  std::string field;
  std::string value;
};

// The AWS Price List Query API (service `pricing`, JSON 1.1 protocol: POST /, X-Amz-Target
// AWSPriceListService.<Op>, Content-Type application/x-amz-json-1.1). Throttling and server
// faults are retried with jittered backoff; other errors return at once, as values.
// Thread safety: every call may be used concurrently.
class PricingClient final {
 public:
  PricingClient(const AwsConfig& config, CredentialsProviderPtr credentials, HttpClientPtr http,
                Clock clock, RetryPolicy retry = {});

  // Every PriceList item (each a JSON document AWS sends as a string) over all NextToken pages.
  Result<std::vector<nlohmann::json>> getProducts(const std::string& serviceCode,
                                                  const std::vector<PricingFilter>& filters) const;
  // On-demand Linux prices in `region` by instance type: the shared-tenancy compute instances
  // and the dedicated bare-metal ones, as upstream asks (aws-ec2.md §2.2). `currency` is USD,
  // or CNY in China.
  Result<std::map<std::string, double>> onDemandPrices(const std::string& region,
                                                       const std::string& currency = "USD") const;

 private:
  Result<nlohmann::json> call(std::string_view operation, const nlohmann::json& body) const;

  JsonClient json_;
};

// The instance type and its hourly on-demand price in `currency` from one PriceList item
// (product.attributes.instanceType, terms.OnDemand.*.priceDimensions.*.pricePerUnit); nullopt when
// the item has neither or the price is not a number.
std::optional<std::pair<std::string, double>> onDemandPriceOf(const nlohmann::json& item,
                                                              const std::string& currency);

}  // namespace karpenter::aws
