#include "karpenter/aws/pricing_client.hpp"

#include <spdlog/spdlog.h>

namespace karpenter::aws {
namespace {

constexpr int kMaxResults = 100;

}  // namespace

PricingClient::PricingClient(const AwsConfig& config, CredentialsProviderPtr credentials,
                             HttpClientPtr http, Clock clock, RetryPolicy retry)
    : json_({.endpoint = config.endpointFor("pricing"),
             .service = "pricing",
             .signingRegion = config.signingRegionFor("pricing"),
             .retry = std::move(retry)},
            std::move(credentials), std::move(http), std::move(clock)) {}

Result<nlohmann::json> PricingClient::call(std::string_view operation,
                                           const nlohmann::json& body) const {
  auto reply = json_.callTarget("AWSPriceListService." + std::string(operation), body);
  if (!reply) {
    return reply.error();
  }
  if (!reply->is_object()) {
    return Error{ErrorKind::kUnavailable,
                 "pricing " + std::string(operation) +
                     ": the answer is not a JSON object: " + reply->dump().substr(0, 200)};
  }
  return reply;
}

Result<std::vector<nlohmann::json>> PricingClient::getProducts(
    const std::string& serviceCode, const std::vector<PricingFilter>& filters) const {
  nlohmann::json body = {{"ServiceCode", serviceCode},
                         {"FormatVersion", "aws_v1"},
                         {"MaxResults", kMaxResults},
                         {"Filters", nlohmann::json::array()}};
  for (const auto& filter : filters) {
    body["Filters"].push_back(
        {{"Type", "TERM_MATCH"}, {"Field", filter.field}, {"Value", filter.value}});
  }
  std::vector<nlohmann::json> products;
  std::string token;
  do {
    if (!token.empty()) {
      body["NextToken"] = token;
    }
    auto page = call("GetProducts", body);
    if (!page) {
      return page.error();
    }
    for (const auto& item : page->value("PriceList", nlohmann::json::array())) {
      // Each item is a JSON document inside a string (the SDKs hand them out as strings too).
      auto product =
          item.is_string() ? nlohmann::json::parse(item.get<std::string>(), nullptr, false) : item;
      if (product.is_discarded()) {
        return Error{ErrorKind::kUnavailable, "pricing GetProducts: a PriceList item is not JSON"};
      }
      products.push_back(std::move(product));
    }
    token = page->value("NextToken", "");
  } while (!token.empty());
  return products;
}

Result<std::map<std::string, double>> PricingClient::onDemandPrices(
    const std::string& region, const std::string& currency) const {
  const std::vector<PricingFilter> common = {
      {"regionCode", region},       {"serviceCode", "AmazonEC2"}, {"preInstalledSw", "NA"},
      {"operatingSystem", "Linux"}, {"capacitystatus", "Used"},   {"marketoption", "OnDemand"}};
  std::map<std::string, double> prices;
  for (const auto& [tenancy, family] :
       {std::pair{"Shared", "Compute Instance"}, {"Dedicated", "Compute Instance (bare metal)"}}) {
    auto filters = common;
    filters.push_back({"tenancy", tenancy});
    filters.push_back({"productFamily", family});
    auto products = getProducts("AmazonEC2", filters);
    if (!products) {
      return products.error();
    }
    for (const auto& product : *products) {
      if (auto price = onDemandPriceOf(product, currency)) {
        prices[price->first] = price->second;
      }
    }
  }
  return prices;
}

std::optional<std::pair<std::string, double>> onDemandPriceOf(const nlohmann::json& item,
                                                              const std::string& currency) {
  const auto type = item.value("/product/attributes/instanceType"_json_pointer, std::string());
  const auto terms = item.value("/terms/OnDemand"_json_pointer, nlohmann::json::object());
  if (type.empty() || !terms.is_object()) {
    return std::nullopt;
  }
  for (const auto& term : terms) {
    for (const auto& dimension : term.value("priceDimensions", nlohmann::json::object())) {
      const auto text = dimension.value("/pricePerUnit"_json_pointer, nlohmann::json::object())
                            .value(currency, "");
      try {
        size_t used = 0;
        const double price = std::stod(text, &used);
        if (used == text.size() && price > 0) {
          return std::pair{type, price};
        }
      } catch (const std::exception&) {
        spdlog::debug("pricing: {} has a price that is not a number: {}", type, text);
      }
    }
  }
  return std::nullopt;
}

}  // namespace karpenter::aws
