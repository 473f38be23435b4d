#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loopback_server.hpp"

namespace karpenter::aws::testing {

// A test AWS Price List endpoint speaking the real JSON 1.1 wire protocol (POST /,
// X-Amz-Target AWSPriceListService.GetProducts, application/x-amz-json-1.1), serving one
// AmazonEC2 product per instance type of ../shared/testdata/ec2/on-demand-prices-us-east-1.json
// in GetProducts' shape (PriceList items are JSON documents inside strings; TERM_MATCH filters;
// MaxResults/NextToken paging). Every request's SigV4 signature (service "pricing",
// us-east-1) is verified. Thread safety: every public method may be called from any thread.
class FakePricing final {
 public:
  struct Options {
    std::string accessKeyId = "AKIDFAKEEC2EXAMPLE";
    std::string secretAccessKey = "fakeEc2Secret/K7MDENG+bPxRfiCYEXAMPLEKEY";
    std::string region = "us-east-1";  // the region the products are priced in
  };

  FakePricing();
  explicit FakePricing(Options options);
  ~FakePricing();

  std::string url() const;
  const Options& options() const { return options_; }
  LoopbackResponse handle(const LoopbackRequest& request);

  // The next n requests fail with ThrottlingException (HTTP 400, as the service answers).
  void throttleNextRequests(int n);
  // Every request fails with this HTTP status and an InternalErrorException until reset with 0.
  void failRequests(int status);

  // The price the endpoint quotes for a type (0 when unknown).
  double onDemandPrice(const std::string& instanceType) const;
  std::vector<nlohmann::json> requests() const;  // decoded bodies, oldest first
  int rejectedSignatures() const;

 private:
  nlohmann::json product(const std::string& instanceType, double price) const;

  Options options_;
  mutable std::mutex mutex_;
  std::map<std::string, double> prices_;
  std::vector<nlohmann::json> products_;  // one per type, built once
  std::vector<nlohmann::json> requests_;
  int throttleCount_ = 0;
  int failStatus_ = 0;
  int rejectedSignatures_ = 0;
  std::unique_ptr<LoopbackServer> server_;
};

}  // namespace karpenter::aws::testing
