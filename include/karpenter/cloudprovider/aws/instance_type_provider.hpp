#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "karpenter/api/ec2nodeclass.hpp"
#include "karpenter/aws/ec2_client.hpp"
#include "karpenter/cloudprovider/aws/instance_type_model.hpp"
#include "karpenter/cloudprovider/aws/pricing_provider.hpp"
#include "karpenter/cloudprovider/unavailable_offerings.hpp"
#include "karpenter/scheduling/instance_type.hpp"

namespace karpenter::cloudprovider::aws {

// How often the instance types and their zones are described again (upstream: 12 h).
inline constexpr std::chrono::hours kInstanceTypesRefreshPeriod{12};

// The region's instance types as the solver sees them (upstream pkg/providers/instancetype):
// DescribeInstanceTypes (hvm; x86_64 and arm64) and DescribeInstanceTypeOfferings
// (availability-zone) fetched on first use and again every refresh period, modelled per
// EC2NodeClass, with one offering per zone × supported capacity type in the zones of the
// NodeClass's subnets. An offering is available when it is priced and not marked in the shared
// UnavailableOfferings (capacity errors in the last 3 minutes).
//
// Thread safety: every method may be called concurrently.
class InstanceTypeProvider final {
 public:
  struct Options {
    std::string region = "us-east-1";
    Clock clock;  // empty = system_clock
    std::chrono::seconds refreshPeriod = kInstanceTypesRefreshPeriod;
    double vmMemoryOverheadPercent = 0.075;  // VM_MEMORY_OVERHEAD_PERCENT
    int reservedENIs = 0;                    // RESERVED_ENIS
  };

  // Every pointer must outlive this.
  InstanceTypeProvider(Options options, const karpenter::aws::Ec2Client* ec2,
                       PricingProvider* pricing, UnavailableOfferings* unavailable);

  // Describes types and offerings now; on error the previous data stays.
  Result<void> refresh();
  // refresh() when the data is older than the refresh period or missing.
  Result<void> refreshIfDue();

  // The types `nodeClass` can launch (offerings only in its status.subnets' zones), refreshing
  // first when due. kUnavailable when EC2 was never described successfully.
  Result<std::vector<scheduling::InstanceType>> list(const api::EC2NodeClass& nodeClass);
  // The DescribeInstanceTypes record of one type, if known.
  std::optional<karpenter::aws::InstanceTypeInfo> info(const std::string& instanceType) const;
  const Options& options() const { return options_; }

 private:
  std::chrono::system_clock::time_point now() const;

  Options options_;
  const karpenter::aws::Ec2Client* ec2_;
  PricingProvider* pricing_;
  UnavailableOfferings* unavailable_;
  mutable std::mutex mutex_;
  std::shared_ptr<const std::vector<karpenter::aws::InstanceTypeInfo>> infos_;
  std::shared_ptr<const std::map<std::string, std::set<std::string>>> zones_;  // type → zones
  std::optional<std::chrono::system_clock::time_point> fetchedAt_;
};

}  // namespace karpenter::cloudprovider::aws
