#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "karpenter/aws/ec2_client.hpp"
#include "karpenter/aws/pricing_client.hpp"
#include "karpenter/cloudprovider/unavailable_offerings.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::cloudprovider::aws {

// How often prices are fetched again (upstream's pricing controller period).
inline constexpr std::chrono::hours kPricingRefreshPeriod{12};

// On-demand and spot prices for one region (upstream pkg/providers/pricing). On-demand prices
// start from the built-in table (the simulated catalog's us-east-1 prices: one table in the
// project) and are replaced by the Price List API's once it answers; spot prices come from
// DescribeSpotPriceHistory per zone, and until that first succeeds a type's spot price is its
// on-demand price. Without a pricing client (ISOLATED_VPC) only the built-in table is used.
// A failed refresh keeps the previous prices.
//
// Thread safety: every method may be called concurrently.
class PricingProvider final {
 public:
  struct Options {
    std::string region = "us-east-1";
    Clock clock;  // empty = system_clock
    std::chrono::seconds refreshPeriod = kPricingRefreshPeriod;
  };

  // `ec2` must outlive this; `pricing` may be null (isolated VPC) and must outlive this too.
  PricingProvider(Options options, const karpenter::aws::Ec2Client* ec2,
                  const karpenter::aws::PricingClient* pricing);

  // Fetches both price sets now. The first error is returned after both were tried.
  Result<void> refresh();
  // refresh() when the last attempt is older than the refresh period (or there was none).
  Result<void> refreshIfDue();

  std::optional<double> onDemandPrice(const std::string& instanceType) const;
  // The zone's spot price; the on-demand price until spot prices were fetched once.
  std::optional<double> spotPrice(const std::string& instanceType, const std::string& zone) const;
  bool onDemandFromApi() const;
  bool spotFetched() const;

 private:
  Result<void> refreshOnDemand();
  Result<void> refreshSpot();
  std::chrono::system_clock::time_point now() const;

  Options options_;
  const karpenter::aws::Ec2Client* ec2_;
  const karpenter::aws::PricingClient* pricing_;
  mutable std::mutex mutex_;
  std::map<std::string, double, std::less<>> onDemand_;
  std::map<std::pair<std::string, std::string>, double> spot_;  // (type, zone)
  bool onDemandFromApi_ = false;
  bool spotFetched_ = false;
  std::optional<std::chrono::system_clock::time_point> lastAttempt_;
};

}  // namespace karpenter::cloudprovider::aws
