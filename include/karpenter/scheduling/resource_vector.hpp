#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "karpenter/api/quantity.hpp"

namespace karpenter::scheduling {

// The solver's hot-path resource representation: cpu, memory, pods and ephemeral-storage in a
// fixed array, any other (extended) resource in a short vector sorted by name. Every amount is an
// int64 count of thousandths (Quantity::milliValue, rounded up), converted once per pod or
// instance type so that fit checks never touch Quantity maps. int64 milli-units hold up to
// ~9.2 PB of memory, far above any node.
//
// A value type; not synchronised — share only as const.
class ResourceVector final {
 public:
  static constexpr size_t kCpu = 0;
  static constexpr size_t kMemory = 1;
  static constexpr size_t kPods = 2;
  static constexpr size_t kEphemeralStorage = 3;
  static constexpr size_t kCoreCount = 4;

  ResourceVector() = default;
  static ResourceVector fromList(const api::ResourceList& list);
  // Back to a ResourceList; zero entries are left out. cpu stays DecimalSI, memory-like
  // resources become BinarySI when they are whole numbers.
  api::ResourceList toList() const;

  // Amount of `name` in milli-units (0 when absent).
  int64_t get(std::string_view name) const;
  void set(std::string_view name, int64_t milli);
  int64_t core(size_t index) const { return core_[index]; }
  void setCore(size_t index, int64_t milli) { core_[index] = milli; }
  const std::vector<std::pair<std::string, int64_t>>& extended() const { return extended_; }

  ResourceVector& operator+=(const ResourceVector& other);
  ResourceVector& operator-=(const ResourceVector& other);
  ResourceVector operator+(const ResourceVector& other) const;
  ResourceVector operator-(const ResourceVector& other) const;
  bool operator==(const ResourceVector&) const = default;

  // True when every positive amount here is ≤ the same amount in `available` (absent = 0), as
  // kube-scheduler's fit: zero and negative requests always fit.
  bool fitsIn(const ResourceVector& available) const;
  // Names of the resources that do not fit, for messages.
  std::vector<std::string> insufficient(const ResourceVector& available) const;

  // Per-resource maximum / minimum (absent = 0).
  static ResourceVector max(const ResourceVector& a, const ResourceVector& b);
  static ResourceVector min(const ResourceVector& a, const ResourceVector& b);

  // {"cpu":"1500m","memory":"1Gi"} like resources::toString.
  std::string toString() const;

 private:
  std::array<int64_t, kCoreCount> core_{};
  std::vector<std::pair<std::string, int64_t>> extended_;
};

// The core slot of a resource name, or kCoreCount for extended resources.
size_t coreIndex(std::string_view name);

}  // namespace karpenter::scheduling
