#include "karpenter/cloudprovider/unavailable_offerings.hpp"

namespace karpenter::cloudprovider {

UnavailableOfferings::UnavailableOfferings(Clock clock, std::chrono::seconds ttl)
    : clock_(std::move(clock)), ttl_(ttl) {}

std::chrono::system_clock::time_point UnavailableOfferings::now() const {
  return clock_ ? clock_() : std::chrono::system_clock::now();
}

std::string UnavailableOfferings::key(std::string_view instanceType, std::string_view zone,
                                      std::string_view capacityType) {
  std::string k;
  k.reserve(capacityType.size() + instanceType.size() + zone.size() + 2);
  k.append(capacityType).append(":").append(instanceType).append(":").append(zone);
  return k;
}

void UnavailableOfferings::markUnavailable(std::string_view instanceType, std::string_view zone,
                                           std::string_view capacityType) {
  const auto expires = now() + ttl_;
  std::lock_guard lock(mutex_);
  expiry_[key(instanceType, zone, capacityType)] = expires;
  ++seqNum_;
}

bool UnavailableOfferings::isUnavailable(std::string_view instanceType, std::string_view zone,
                                         std::string_view capacityType) const {
  const auto current = now();
  std::lock_guard lock(mutex_);
  auto it = expiry_.find(key(instanceType, zone, capacityType));
  if (it == expiry_.end()) {
    return false;
  }
  if (current >= it->second) {
    expiry_.erase(it);
    return false;
  }
  return true;
}

uint64_t UnavailableOfferings::seqNum() const {
  std::lock_guard lock(mutex_);
  return seqNum_;
}

void UnavailableOfferings::clear() {
  std::lock_guard lock(mutex_);
  expiry_.clear();
  ++seqNum_;
}

}  // namespace karpenter::cloudprovider
