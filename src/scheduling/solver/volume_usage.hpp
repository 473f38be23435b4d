#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace karpenter::scheduling::solver {

// A persistent volume a pod mounts, by the CSI driver that attaches it and its claim
// ("namespace/name"): two pods mounting one claim attach it once.
struct PodVolume {
  std::string driver;
  std::string claim;
};

// Upstream volumeusage.go: the volumes attached to one node, per CSI driver, against that
// node's attach limits (driver → count; a driver without a limit is not limited).
class VolumeUsage final {
 public:
  using Counts = std::vector<std::pair<std::string, int64_t>>;
  using Limits = std::map<std::string, int64_t>;

  // Per driver, how many distinct claims would be attached with `volumes` added.
  Counts countsWith(const std::vector<PodVolume>& volumes) const;
  // Whether every count is within its driver's limit.
  static bool within(const Counts& counts, const Limits& limits);
  // within(countsWith(volumes), limits).
  bool fits(const std::vector<PodVolume>& volumes, const Limits& limits) const;

  void add(const std::vector<PodVolume>& volumes);

 private:
  std::map<std::string, std::set<std::string>> claims_;  // driver → claims
};

}  // namespace karpenter::scheduling::solver
