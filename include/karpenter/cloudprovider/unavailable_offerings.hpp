#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace karpenter::cloudprovider {

// The clock every cloud-provider component reads; injectable so expiry tests step time instead of
// sleeping. An empty function means std::chrono::system_clock::now.
using Clock = std::function<std::chrono::system_clock::time_point()>;

// How long an offering stays unavailable after the cloud reported insufficient capacity for it
// (upstream UnavailableOfferingsTTL).
inline constexpr std::chrono::minutes kUnavailableOfferingsTtl{3};

// Offerings (capacity type × instance type × zone) that recently failed with insufficient
// capacity, as upstream's UnavailableOfferings cache keyed "<capacityType>:<instanceType>:<zone>".
// A mark expires kUnavailableOfferingsTtl after it was last set; expired marks are dropped lazily.
// seqNum() changes whenever a mark is added, so callers can cache offering lists against it.
// Thread-safe.
class UnavailableOfferings final {
 public:
  explicit UnavailableOfferings(Clock clock = {},
                                std::chrono::seconds ttl = kUnavailableOfferingsTtl);

  void markUnavailable(std::string_view instanceType, std::string_view zone,
                       std::string_view capacityType);
  bool isUnavailable(std::string_view instanceType, std::string_view zone,
                     std::string_view capacityType) const;
  uint64_t seqNum() const;
  // Forgets every mark (tests, or a provider reset).
  void clear();

  static std::string key(std::string_view instanceType, std::string_view zone,
                         std::string_view capacityType);

 private:
  std::chrono::system_clock::time_point now() const;

  Clock clock_;
  std::chrono::seconds ttl_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::chrono::system_clock::time_point, std::less<>> expiry_;
  uint64_t seqNum_ = 0;
};

}  // namespace karpenter::cloudprovider
