#include "fake_pricing.hpp"

#include <cstdio>
#include <functional>

#include "support/testdata.hpp"
#include "wire.hpp"

namespace karpenter::aws::testing {
namespace {

constexpr const char* kContentType = "application/x-amz-json-1.1";

LoopbackResponse jsonError(int status, const std::string& code, const std::string& message) {
  LoopbackResponse response;
  response.status = status;
  response.contentType = kContentType;
  response.body = nlohmann::json{{"__type", code}, {"message", message}}.dump();
  response.headers.push_back({"x-amzn-RequestId", "pricing-req"});
  return response;
}

// A stable SKU per type, as AWS's are opaque and fixed.
std::string skuOf(const std::string& instanceType) {
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016zX", std::hash<std::string>{}(instanceType));
  return buffer;
}

std::string formatPrice(double price) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.10f", price);
  return buffer;
}

}  // namespace

FakePricing::FakePricing() : FakePricing(Options{}) {}

FakePricing::FakePricing(Options options) : options_(std::move(options)) {
  const auto prices = karpenter::testing::readTestdataJson("ec2/on-demand-prices-us-east-1.json");
  for (auto it = prices.begin(); it != prices.end(); ++it) {
    prices_[it.key()] = it.value().get<double>();
  }
  for (const auto& [type, price] : prices_) {
    products_.push_back(product(type, price));
  }
  server_ = std::make_unique<LoopbackServer>(
      [this](const LoopbackRequest& request) { return handle(request); });
}

FakePricing::~FakePricing() {
  server_.reset();
}

std::string FakePricing::url() const {
  return server_->url();
}

void FakePricing::throttleNextRequests(int n) {
  std::lock_guard lock(mutex_);
  throttleCount_ = n;
}

void FakePricing::failRequests(int status) {
  std::lock_guard lock(mutex_);
  failStatus_ = status;
}

double FakePricing::onDemandPrice(const std::string& instanceType) const {
  auto it = prices_.find(instanceType);
  return it == prices_.end() ? 0 : it->second;
}

std::vector<nlohmann::json> FakePricing::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

int FakePricing::rejectedSignatures() const {
  std::lock_guard lock(mutex_);
  return rejectedSignatures_;
}

nlohmann::json FakePricing::product(const std::string& instanceType, double price) const {
  const bool metal =
      instanceType.ends_with(".metal") || instanceType.find(".metal-") != std::string::npos;
  const std::string sku = skuOf(instanceType);
  const std::string term = sku + ".JRTCKXETXF";
  const std::string rate = term + ".6YS6EN2CT7";
  return {{"product",
           {{"productFamily", metal ? "Compute Instance (bare metal)" : "Compute Instance"},
            {"attributes",
             {{"instanceType", instanceType},
              {"instanceFamily", "General purpose"},
              {"regionCode", options_.region},
              {"servicecode", "AmazonEC2"},
              {"operatingSystem", "Linux"},
              {"preInstalledSw", "NA"},
              {"capacitystatus", "Used"},
              {"marketoption", "OnDemand"},
              {"tenancy", metal ? "Dedicated" : "Shared"},
              {"licenseModel", "No License required"},
              {"operation", "RunInstances"},
              {"usagetype", "BoxUsage:" + instanceType}}},
            {"sku", sku}}},
          {"serviceCode", "AmazonEC2"},
          {"terms",
           {{"OnDemand",
             {{term,
               {{"priceDimensions",
                 {{rate,
                   {{"unit", "Hrs"},
                    {"endRange", "Inf"},
                    {"description", "$" + formatPrice(price) + " per On Demand Linux " +
                                        instanceType + " Instance Hour"},
                    {"appliesTo", nlohmann::json::array()},
                    {"rateCode", rate},
                    {"beginRange", "0"},
                    {"pricePerUnit", {{"USD", formatPrice(price)}}}}}}},
                {"sku", sku},
                {"effectiveDate", "2026-07-01T00:00:00Z"},
                {"offerTermCode", "JRTCKXETXF"},
                {"termAttributes", nlohmann::json::object()}}}}}}},
          {"version", "20260701000000"},
          {"publicationDate", "2026-07-01T00:00:00Z"}};
}

LoopbackResponse FakePricing::handle(const LoopbackRequest& request) {
  std::lock_guard lock(mutex_);
  const SignatureCheck check =
      verifySigV4(request, options_.accessKeyId, options_.secretAccessKey, "us-east-1", "pricing");
  if (!check.ok) {
    ++rejectedSignatures_;
    return jsonError(check.status, check.code, check.message);
  }
  const std::string target = request.header("X-Amz-Target");
  if (request.method != "POST" || request.header("Content-Type") != kContentType) {
    return jsonError(400, "SerializationException",
                     "expected a POST of " + std::string(kContentType));
  }
  const auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object()) {
    return jsonError(400, "SerializationException", "the body is not a JSON object");
  }
  requests_.push_back(body);
  if (throttleCount_ > 0) {
    --throttleCount_;
    return jsonError(400, "ThrottlingException", "Rate exceeded");
  }
  if (failStatus_ != 0) {
    return jsonError(failStatus_, "InternalErrorException", "An internal error occurred");
  }
  if (target != "AWSPriceListService.GetProducts") {
    return jsonError(400, "UnknownOperationException", "unknown operation " + target);
  }
  if (body.value("ServiceCode", "") != "AmazonEC2") {
    return jsonError(400, "InvalidParameterException",
                     "Input validation error: ServiceCode " + body.value("ServiceCode", ""));
  }
  std::vector<nlohmann::json> matching;
  for (const nlohmann::json& item : products_) {
    bool matched = true;
    for (const auto& filter : body.value("Filters", nlohmann::json::array())) {
      if (filter.value("Type", "") != "TERM_MATCH") {
        return jsonError(400, "InvalidParameterException", "Filter type must be TERM_MATCH");
      }
      const std::string field = filter.value("Field", "");
      const std::string value = filter.value("Value", "");
      std::string actual;
      if (field == "productFamily") {
        actual = item["product"]["productFamily"];
      } else if (field == "serviceCode") {
        actual = item["serviceCode"];
      } else {
        actual = item["product"]["attributes"].value(field, "");
      }
      matched = matched && actual == value;
    }
    if (matched) {
      matching.push_back(item);
    }
  }
  const size_t offset = body.contains("NextToken") ? std::stoul(body.value("NextToken", "0")) : 0;
  const size_t limit = body.value("MaxResults", 100);
  if (limit < 1 || limit > 100) {
    return jsonError(400, "InvalidParameterException", "MaxResults must be between 1 and 100");
  }
  nlohmann::json answer = {{"FormatVersion", "aws_v1"}, {"PriceList", nlohmann::json::array()}};
  for (size_t i = offset; i < matching.size() && i < offset + limit; ++i) {
    answer["PriceList"].push_back(matching[i].dump());  // strings, as the service sends them
  }
  if (offset + limit < matching.size()) {
    answer["NextToken"] = std::to_string(offset + limit);
  }
  return {200, kContentType, answer.dump(), {{"x-amzn-RequestId", "pricing-req"}}};
}

}  // namespace karpenter::aws::testing
