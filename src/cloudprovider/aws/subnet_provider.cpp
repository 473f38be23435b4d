#include "karpenter/cloudprovider/aws/subnet_provider.hpp"

#include <algorithm>
#include <tuple>

#include <spdlog/spdlog.h>

namespace karpenter::cloudprovider::aws {

SubnetProvider::SubnetProvider(const karpenter::aws::Ec2Client* ec2, Clock clock)
    : ec2_(ec2), clock_(std::move(clock)) {}

std::chrono::system_clock::time_point SubnetProvider::now() const {
  return clock_ ? clock_() : std::chrono::system_clock::now();
}

void SubnetProvider::refresh(const std::vector<api::SubnetStatus>& subnets) {
  std::vector<std::string> ids;
  std::string names;
  {
    std::lock_guard lock(mutex_);
    const auto current = now();
    bool stale = false;
    for (const auto& subnet : subnets) {
      ids.push_back(subnet.id);
      names += (names.empty() ? "" : ",") + subnet.id;
      auto it = known_.find(subnet.id);
      stale =
          stale || it == known_.end() || current - it->second.describedAt >= kSubnetRefreshInterval;
    }
    if (!stale) {
      return;
    }
  }
  auto described = ec2_->describeSubnets({{"subnet-id", ids}});
  if (!described) {
    spdlog::warn("subnets {}: not described, choosing by the last known free addresses: {}", names,
                 described.error().message);
    return;
  }
  std::lock_guard lock(mutex_);
  const auto current = now();
  for (const auto& subnet : *described) {
    known_[subnet.id] = Known{subnet.availabilityZone, subnet.availableIpAddressCount, current};
    // The fresh count already includes every instance launched so far.
    inflight_.erase(subnet.id);
  }
}

int64_t SubnetProvider::freeIpsLocked(const std::string& subnetId) const {
  auto it = known_.find(subnetId);
  if (it == known_.end()) {
    return -1;
  }
  auto reserved = inflight_.find(subnetId);
  return it->second.availableIps - (reserved == inflight_.end() ? 0 : reserved->second);
}

std::map<std::string, ZonalSubnet> SubnetProvider::chooseForLaunch(
    const std::vector<api::SubnetStatus>& subnets, int64_t predictedIps) {
  refresh(subnets);
  std::lock_guard lock(mutex_);
  const auto current = now();
  // Per zone the best by (not recently out of addresses, most free, status order).
  using Rank = std::tuple<bool, int64_t, size_t>;
  std::map<std::string, std::pair<Rank, const api::SubnetStatus*>> best;
  for (size_t i = 0; i < subnets.size(); ++i) {
    const auto& subnet = subnets[i];
    auto marked = insufficientUntil_.find(subnet.id);
    const bool exhausted = marked != insufficientUntil_.end() && current < marked->second;
    const Rank rank{exhausted, -freeIpsLocked(subnet.id), i};
    auto known = known_.find(subnet.id);
    const std::string& zone = known != known_.end() ? known->second.zone : subnet.zone;
    auto [it, inserted] = best.try_emplace(zone, rank, &subnet);
    if (!inserted && rank < it->second.first) {
      it->second = {rank, &subnet};
    }
  }
  const int64_t reserve = std::max<int64_t>(predictedIps, 1);
  std::map<std::string, ZonalSubnet> chosen;
  for (const auto& [zone, ranked] : best) {
    inflight_[ranked.second->id] += reserve;
    chosen[zone] = ZonalSubnet{ranked.second->id, zone, reserve};
  }
  return chosen;
}

void SubnetProvider::release(const std::map<std::string, ZonalSubnet>& chosen,
                             const std::set<std::string>& usedSubnetIds) {
  std::lock_guard lock(mutex_);
  for (const auto& [zone, subnet] : chosen) {
    if (usedSubnetIds.count(subnet.id) > 0) {
      continue;
    }
    auto it = inflight_.find(subnet.id);
    if (it == inflight_.end()) {
      continue;  // a describe since the launch already ended the reservation
    }
    it->second -= std::min(it->second, subnet.reservedIps);
    if (it->second == 0) {
      inflight_.erase(it);
    }
  }
}

void SubnetProvider::markInsufficientAddresses(const std::string& subnetId) {
  std::lock_guard lock(mutex_);
  insufficientUntil_[subnetId] = now() + kSubnetUnavailableTtl;
}

int64_t SubnetProvider::freeIps(const std::string& subnetId) const {
  std::lock_guard lock(mutex_);
  return freeIpsLocked(subnetId);
}

bool SubnetProvider::isMarkedInsufficient(const std::string& subnetId) const {
  std::lock_guard lock(mutex_);
  auto it = insufficientUntil_.find(subnetId);
  return it != insufficientUntil_.end() && now() < it->second;
}

}  // namespace karpenter::cloudprovider::aws
