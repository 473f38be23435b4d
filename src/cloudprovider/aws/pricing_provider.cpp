#include "karpenter/cloudprovider/aws/pricing_provider.hpp"

#include <spdlog/spdlog.h>

#include "karpenter/aws/time_format.hpp"
#include "karpenter/cloudprovider/simulated/catalog.hpp"

namespace karpenter::cloudprovider::aws {

PricingProvider::PricingProvider(Options options, const karpenter::aws::Ec2Client* ec2,
                                 const karpenter::aws::PricingClient* pricing)
    : options_(std::move(options)), ec2_(ec2), pricing_(pricing) {
  // Upstream's static tables cover us-east-1 and use it for regions they do not know; so do we.
  for (const auto& spec : simulated::Catalog::builtin().types()) {
    onDemand_[spec.name] = spec.onDemandPrice;
  }
}

std::chrono::system_clock::time_point PricingProvider::now() const {
  return options_.clock ? options_.clock() : std::chrono::system_clock::now();
}

Result<void> PricingProvider::refreshIfDue() {
  {
    std::lock_guard lock(mutex_);
    if (lastAttempt_ && now() - *lastAttempt_ < options_.refreshPeriod) {
      return {};
    }
  }
  return refresh();
}

Result<void> PricingProvider::refresh() {
  {
    std::lock_guard lock(mutex_);
    lastAttempt_ = now();
  }
  auto onDemand = refreshOnDemand();
  auto spot = refreshSpot();
  if (!onDemand.ok()) {
    return onDemand;
  }
  return spot;
}

Result<void> PricingProvider::refreshOnDemand() {
  if (pricing_ == nullptr) {
    return {};
  }
  const std::string currency = options_.region.starts_with("cn-") ? "CNY" : "USD";
  auto prices = pricing_->onDemandPrices(options_.region, currency);
  if (!prices) {
    spdlog::warn("pricing: on-demand prices not refreshed, keeping the previous ones: {}",
                 prices.error().message);
    return prices.error().withContext("refreshing on-demand prices");
  }
  if (prices->empty()) {
    return Error{ErrorKind::kUnavailable,
                 "refreshing on-demand prices: the pricing API returned no prices for region " +
                     options_.region};
  }
  std::lock_guard lock(mutex_);
  onDemand_.clear();
  onDemand_.insert(prices->begin(), prices->end());
  onDemandFromApi_ = true;
  return {};
}

Result<void> PricingProvider::refreshSpot() {
  if (ec2_ == nullptr) {
    return {};
  }
  auto history = ec2_->describeSpotPriceHistory({"Linux/UNIX", "Linux/UNIX (Amazon VPC)"},
                                                karpenter::aws::formatIso8601(now()));
  if (!history) {
    spdlog::warn("pricing: spot prices not refreshed, keeping the previous ones: {}",
                 history.error().message);
    return history.error().withContext("refreshing spot prices");
  }
  // The newest record per pool wins (ISO 8601 timestamps sort as text).
  std::map<std::pair<std::string, std::string>, std::pair<std::string, double>> newest;
  for (const auto& record : *history) {
    auto& slot = newest[{record.instanceType, record.availabilityZone}];
    if (slot.first.empty() || record.timestamp >= slot.first) {
      slot = {record.timestamp, record.price};
    }
  }
  std::lock_guard lock(mutex_);
  spot_.clear();
  for (const auto& [pool, record] : newest) {
    spot_[pool] = record.second;
  }
  spotFetched_ = true;
  return {};
}

std::optional<double> PricingProvider::onDemandPrice(const std::string& instanceType) const {
  std::lock_guard lock(mutex_);
  auto it = onDemand_.find(instanceType);
  return it == onDemand_.end() ? std::nullopt : std::optional<double>(it->second);
}

std::optional<double> PricingProvider::spotPrice(const std::string& instanceType,
                                                 const std::string& zone) const {
  std::lock_guard lock(mutex_);
  if (!spotFetched_) {
    auto it = onDemand_.find(instanceType);
    return it == onDemand_.end() ? std::nullopt : std::optional<double>(it->second);
  }
  auto it = spot_.find({instanceType, zone});
  return it == spot_.end() ? std::nullopt : std::optional<double>(it->second);
}

bool PricingProvider::onDemandFromApi() const {
  std::lock_guard lock(mutex_);
  return onDemandFromApi_;
}

bool PricingProvider::spotFetched() const {
  std::lock_guard lock(mutex_);
  return spotFetched_;
}

}  // namespace karpenter::cloudprovider::aws
