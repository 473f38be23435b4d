#include "karpenter/aws/pricing_client.hpp"

#include <thread>

#include <spdlog/spdlog.h>

namespace karpenter::aws {
namespace {

constexpr int kMaxResults = 100;

// A JSON-protocol error: {"__type": "...#Code", "message": "..."} (some services say Message).
AwsErrorDetail decodeJsonError(long status, const HttpResponse& response) {
  AwsErrorDetail detail;
  detail.httpStatus = status;
  detail.requestId = response.header("x-amzn-RequestId");
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  std::string type = response.header("X-Amzn-ErrorType");
  if (body.is_object()) {
    type = body.value("__type", type);
    detail.message = body.value("message", body.value("Message", ""));
  }
  detail.code = type.substr(type.find('#') == std::string::npos ? 0 : type.find('#') + 1);
  detail.code = detail.code.substr(0, detail.code.find(':'));
  return detail;
}

bool retryable(ErrorKind kind) {
  return kind == ErrorKind::kThrottled || kind == ErrorKind::kUnavailable;
}

}  // namespace

PricingClient::PricingClient(const AwsConfig& config, CredentialsProviderPtr credentials,
                             HttpClientPtr http, Clock clock, RetryPolicy retry)
    : endpoint_(config.endpointFor("pricing")),
      signingRegion_(config.signingRegionFor("pricing")),
      credentials_(std::move(credentials)),
      http_(std::move(http)),
      clock_(std::move(clock)),
      retry_(std::move(retry)) {
  if (!retry_.sleep) {
    retry_.sleep = [](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); };
  }
}

Result<nlohmann::json> PricingClient::call(std::string_view operation,
                                           const nlohmann::json& body) const {
  auto url = parseUrl(endpoint_);
  if (!url) {
    return url.error().withContext("pricing endpoint");
  }
  const std::string payload = body.dump();
  Error last{ErrorKind::kInternal, "no attempt made"};
  for (int attempt = 0; attempt < std::max(1, retry_.maxAttempts); ++attempt) {
    if (attempt > 0) {
      retry_.sleep(backoffDelay(retry_, attempt - 1));
    }
    auto credentials = credentials_->credentials();
    if (!credentials) {
      return credentials.error().withContext("pricing " + std::string(operation));
    }
    SignableRequest signable{"POST",
                             url->path,
                             url->query,
                             {{"Host", url->authority},
                              {"Content-Type", "application/x-amz-json-1.1"},
                              {"X-Amz-Target", "AWSPriceListService." + std::string(operation)}},
                             payload};
    const SigningResult signature =
        signWithHeaders(signable, *credentials, {signingRegion_, "pricing", clock_()});
    HttpRequest request;
    request.method = "POST";
    request.url = endpoint_;
    request.headers = signable.headers;
    request.headers.insert(request.headers.end(), signature.addedHeaders.begin(),
                           signature.addedHeaders.end());
    request.body = payload;
    auto response = http_->send(request);
    if (!response) {
      last = response.error();
      continue;
    }
    if (response->status >= 200 && response->status < 300) {
      auto json = nlohmann::json::parse(response->body, nullptr, false);
      if (json.is_discarded() || !json.is_object()) {
        return Error{ErrorKind::kUnavailable,
                     "pricing " + std::string(operation) +
                         ": the answer is not a JSON object: " + response->body.substr(0, 200)};
      }
      return json;
    }
    last = toError(decodeJsonError(response->status, *response), "pricing", operation);
    if (!retryable(last.kind)) {
      return last;
    }
  }
  return last;
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
