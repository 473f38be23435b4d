#include <arpa/inet.h>
#include <array>
#include <string>

#include "ec2nodeclass_rules.hpp"
#include "karpenter/admission/ec2nodeclass_validation.hpp"
#include "karpenter/api/duration.hpp"
#include "karpenter/api/quantity.hpp"

namespace karpenter::admission::detail {
namespace {

constexpr std::array<std::string_view, 6> kEvictionSignals = {
    "memory.available",  "nodefs.available",   "nodefs.inodesFree",
    "imagefs.available", "imagefs.inodesFree", "pid.available"};
constexpr std::array<std::string_view, 4> kReservedResources = {"cpu", "memory",
                                                                "ephemeral-storage", "pid"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& set, std::string_view value) {
  for (const auto item : set) {
    if (item == value) {
      return true;
    }
  }
  return false;
}

template <std::size_t N>
std::string listOf(const std::array<std::string_view, N>& set) {
  std::string out = "[";
  for (std::size_t i = 0; i < N; ++i) {
    out += (i == 0 ? "'" : ",'") + std::string(set[i]) + "'";
  }
  return out + "]";
}

bool isIpAddress(const std::string& text) {
  unsigned char buffer[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// systemReserved / kubeReserved: cpu, memory, ephemeral-storage, pid; non-negative quantities.
void validateReserved(const api::StringMap& reserved, std::string_view name, FieldErrors& errors) {
  const std::string path = child("spec.kubelet", name);
  for (const auto& [resource, value] : reserved) {
    const std::string itemPath = key(path, resource);
    if (!contains(kReservedResources, resource)) {
      errors.notSupported(itemPath, resource, {"cpu", "memory", "ephemeral-storage", "pid"});
    }
    auto quantity = api::Quantity::parse(value);
    if (!quantity) {
      errors.invalid(itemPath, value, "must be a resource quantity such as 100m or 1Gi");
    } else if (quantity->sign() < 0) {
      errors.invalid(itemPath, value,
                     std::string(name) + " value cannot be a negative resource quantity");
    }
  }
}

void validateSignalKeys(const api::StringMap& map, std::string_view name, FieldErrors& errors) {
  for (const auto& [signal, value] : map) {
    if (!contains(kEvictionSignals, signal)) {
      errors.invalid(key(child("spec.kubelet", name), signal), signal,
                     "valid keys for " + std::string(name) + " are " + listOf(kEvictionSignals));
    }
  }
}

void validateThresholds(const api::StringMap& map, std::string_view name, FieldErrors& errors) {
  static const std::regex kThresholdRe{std::string(kEvictionThresholdPattern)};
  validateSignalKeys(map, name, errors);
  for (const auto& [signal, value] : map) {
    if (!fullMatch(value, kThresholdRe)) {
      errors.invalid(key(child("spec.kubelet", name), signal), value,
                     "must be a percentage (0-100%) or a resource quantity");
    } else if (value.starts_with('-')) {
      errors.invalid(key(child("spec.kubelet", name), signal), value, "must not be negative");
    }
  }
}

// Each evictionSoft signal needs a grace period and each grace period a soft threshold.
void validateSoftEviction(const api::KubeletConfiguration& kubelet, FieldErrors& errors) {
  validateThresholds(kubelet.evictionSoft, "evictionSoft", errors);
  validateSignalKeys(kubelet.evictionSoftGracePeriod, "evictionSoftGracePeriod", errors);
  const std::string gracePath = "spec.kubelet.evictionSoftGracePeriod";
  for (const auto& [signal, period] : kubelet.evictionSoftGracePeriod) {
    auto parsed = api::parseGoDuration(period);
    if (!parsed || parsed->count() < 0) {
      errors.invalid(key(gracePath, signal), period,
                     "must be a non-negative duration such as 1m30s");
    }
    if (!kubelet.evictionSoft.contains(signal)) {
      errors.invalid(key(gracePath, signal), period,
                     "evictionSoftGracePeriod OwnerKey does not have a matching evictionSoft");
    }
  }
  for (const auto& [signal, threshold] : kubelet.evictionSoft) {
    if (!kubelet.evictionSoftGracePeriod.contains(signal)) {
      errors.invalid(key("spec.kubelet.evictionSoft", signal), threshold,
                     "evictionSoft OwnerKey does not have a matching evictionSoftGracePeriod");
    }
  }
}

void validatePercent(const std::optional<int>& value, std::string_view name, FieldErrors& errors) {
  if (value && (*value < 0 || *value > 100)) {
    errors.invalidInt(child("spec.kubelet", name), *value, "must be between 0 and 100");
  }
}

}  // namespace

void validateKubelet(const api::KubeletConfiguration& kubelet, FieldErrors& errors) {
  const std::string path = "spec.kubelet";
  for (std::size_t i = 0; i < kubelet.clusterDNS.size(); ++i) {
    if (!isIpAddress(kubelet.clusterDNS[i])) {
      errors.invalid(index(child(path, "clusterDNS"), i), kubelet.clusterDNS[i],
                     "must be an IPv4 or IPv6 address");
    }
  }
  if (kubelet.maxPods && *kubelet.maxPods < 0) {
    errors.invalidInt(child(path, "maxPods"), *kubelet.maxPods,
                      "must be greater than or equal to 0");
  }
  if (kubelet.podsPerCore && *kubelet.podsPerCore < 0) {
    errors.invalidInt(child(path, "podsPerCore"), *kubelet.podsPerCore,
                      "must be greater than or equal to 0");
  }
  validateReserved(kubelet.systemReserved, "systemReserved", errors);
  validateReserved(kubelet.kubeReserved, "kubeReserved", errors);
  validateThresholds(kubelet.evictionHard, "evictionHard", errors);
  validateSoftEviction(kubelet, errors);
  validatePercent(kubelet.imageGCHighThresholdPercent, "imageGCHighThresholdPercent", errors);
  validatePercent(kubelet.imageGCLowThresholdPercent, "imageGCLowThresholdPercent", errors);
  if (kubelet.imageGCHighThresholdPercent && kubelet.imageGCLowThresholdPercent &&
      *kubelet.imageGCHighThresholdPercent <= *kubelet.imageGCLowThresholdPercent) {
    errors.invalidInt(
        child(path, "imageGCHighThresholdPercent"), *kubelet.imageGCHighThresholdPercent,
        "imageGCHighThresholdPercent must be greater than imageGCLowThresholdPercent");
  }
}

}  // namespace karpenter::admission::detail
