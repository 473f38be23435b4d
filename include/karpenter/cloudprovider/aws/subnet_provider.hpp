#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "karpenter/api/ec2nodeclass.hpp"
#include "karpenter/aws/ec2_client.hpp"
#include "karpenter/cloudprovider/unavailable_offerings.hpp"

namespace karpenter::cloudprovider::aws {

// How long DescribeSubnets' free-address counts are trusted (upstream --subnet-refresh-interval).
inline constexpr std::chrono::seconds kSubnetRefreshInterval{60};
// How long a subnet that failed a launch with InsufficientFreeAddressesInSubnet is sorted last
// (upstream: the same 3 minutes as an unavailable offering).
inline constexpr std::chrono::minutes kSubnetUnavailableTtl{3};

// The subnet of one zone a launch uses, and the addresses it reserved there.
struct ZonalSubnet {
  std::string id;
  std::string zone;
  int64_t reservedIps = 0;
};

// Chooses the subnet of each zone for a launch (upstream pkg/providers/subnet
// ZonalSubnetsForLaunch) and keeps the in-flight address bookkeeping across launches:
//  - free addresses = DescribeSubnets' AvailableIpAddressCount (re-described when older than
//    kSubnetRefreshInterval) minus the addresses launches reserved since;
//  - per zone the subnet with the most free addresses wins, except that a subnet marked by
//    markInsufficientAddresses() goes last for kSubnetUnavailableTtl (it is still used when it
//    is the zone's only subnet: the offering cache decides whether the zone is tried);
//  - each launch reserves its predicted address use in every zone's chosen subnet; release()
//    gives back what the subnets EC2 did not launch into keep, and a fresh DescribeSubnets (which
//    then counts the new instances itself) ends every reservation.
// Thread safety: every method is thread-safe; the choice and the reservation are one step, so
// concurrent launches spread over subnets.
class SubnetProvider final {
 public:
  // `ec2` must outlive this.
  SubnetProvider(const karpenter::aws::Ec2Client* ec2, Clock clock = {});

  // The chosen subnet per zone (by zone name, as DescribeSubnets reports it; the status's zone
  // until described) among `subnets` (EC2NodeClass status.subnets),
  // each with `predictedIps` (≥ 1 is used) reserved. When DescribeSubnets fails, the last
  // known counts (or status order) decide and the error is only logged: a launch is not held
  // up by a describe. Empty when `subnets` is.
  std::map<std::string, ZonalSubnet> chooseForLaunch(const std::vector<api::SubnetStatus>& subnets,
                                                     int64_t predictedIps);
  // After CreateFleet: gives the reservations of `chosen` back except in the subnets instances
  // were launched into (`usedSubnetIds`), which keep theirs until the next describe.
  void release(const std::map<std::string, ZonalSubnet>& chosen,
               const std::set<std::string>& usedSubnetIds);
  // CreateFleet reported InsufficientFreeAddressesInSubnet for this subnet.
  void markInsufficientAddresses(const std::string& subnetId);

  // Free addresses as the next choice sees them (last describe minus reservations); -1 when
  // the subnet was never described.
  int64_t freeIps(const std::string& subnetId) const;
  bool isMarkedInsufficient(const std::string& subnetId) const;

 private:
  struct Known {
    std::string zone;  // as EC2 reports it (status.subnets may be stale)
    int64_t availableIps = 0;
    std::chrono::system_clock::time_point describedAt;
  };
  std::chrono::system_clock::time_point now() const;
  // Re-describes `ids` when any is unknown or stale; outside the lock (a slow call must not
  // hold up other launches' bookkeeping).
  void refresh(const std::vector<api::SubnetStatus>& subnets);
  int64_t freeIpsLocked(const std::string& subnetId) const;

  const karpenter::aws::Ec2Client* ec2_;
  Clock clock_;
  mutable std::mutex mutex_;
  std::map<std::string, Known> known_;
  std::map<std::string, int64_t> inflight_;  // reserved addresses by subnet
  std::map<std::string, std::chrono::system_clock::time_point> insufficientUntil_;
};

}  // namespace karpenter::cloudprovider::aws
