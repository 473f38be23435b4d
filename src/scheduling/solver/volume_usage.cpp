#include "volume_usage.hpp"

namespace karpenter::scheduling::solver {

VolumeUsage::Counts VolumeUsage::countsWith(const std::vector<PodVolume>& volumes) const {
  Counts out;
  for (const auto& volume : volumes) {
    bool counted = false;
    for (const auto& [driver, count] : out) {
      counted = counted || driver == volume.driver;
    }
    if (counted) {
      continue;
    }
    std::set<std::string> claims;
    if (auto it = claims_.find(volume.driver); it != claims_.end()) {
      claims = it->second;
    }
    for (const auto& other : volumes) {
      if (other.driver == volume.driver) {
        claims.insert(other.claim);
      }
    }
    out.emplace_back(volume.driver, static_cast<int64_t>(claims.size()));
  }
  return out;
}

bool VolumeUsage::within(const Counts& counts, const Limits& limits) {
  for (const auto& [driver, count] : counts) {
    if (auto limit = limits.find(driver); limit != limits.end() && count > limit->second) {
      return false;
    }
  }
  return true;
}

bool VolumeUsage::fits(const std::vector<PodVolume>& volumes, const Limits& limits) const {
  return volumes.empty() || limits.empty() || within(countsWith(volumes), limits);
}

void VolumeUsage::add(const std::vector<PodVolume>& volumes) {
  for (const auto& volume : volumes) {
    claims_[volume.driver].insert(volume.claim);
  }
}

}  // namespace karpenter::scheduling::solver
