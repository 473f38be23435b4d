#include "packing.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace karpenter::scheduling::solver {

double packingPriceCap(const std::vector<const Candidate*>& candidates,
                       const ResourceVector& remaining) {
  constexpr std::array<size_t, 3> kPacked = {ResourceVector::kCpu, ResourceVector::kMemory,
                                             ResourceVector::kPods};
  const double podCount = static_cast<double>(remaining.core(ResourceVector::kPods)) / 1000.0;
  double bestCost = std::numeric_limits<double>::infinity();
  double cap = std::numeric_limits<double>::infinity();
  for (const auto* candidate : candidates) {
    double nodes = 1;
    for (size_t resource : kPacked) {
      const auto wanted = static_cast<double>(remaining.core(resource));
      double room = static_cast<double>(candidate->headroom.core(resource));
      // Whole pods leave a node short of full, on average by half a pod: without this, small
      // types (which round the demand more finely) win on paper and lose when packed.
      if (resource != ResourceVector::kPods && podCount > 0) {
        room -= wanted / podCount / 2;
      }
      if (wanted > 0 && room > 0) {
        nodes = std::max(nodes, std::ceil(wanted / room));
      }
    }
    const double cost = candidate->price * nodes;
    // On a tie the larger (pricier) type: fewer, bigger NodeClaims pack with less waste.
    if (cost < bestCost || (cost == bestCost && candidate->price > cap)) {
      bestCost = cost;
      cap = candidate->price;
    }
  }
  return cap;
}

}  // namespace karpenter::scheduling::solver
