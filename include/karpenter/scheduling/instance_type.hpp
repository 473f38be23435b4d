#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "karpenter/api/quantity.hpp"
#include "karpenter/scheduling/requirements.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::scheduling {

// Upstream's cap on the instance types written into a NodeClaim's requirements (v1.7+).
inline constexpr size_t kMaxInstanceTypes = 600;

// One way to buy an instance type: its requirements name the zone and capacity type
// (topology.kubernetes.io/zone In [z], karpenter.sh/capacity-type In [c]), plus a price in $/hour
// and whether the provider currently has capacity.
struct Offering {
  Requirements requirements;
  double price = 0;
  bool available = true;
};

// What the node reserves for itself; allocatable = capacity − all three.
struct InstanceTypeOverhead {
  api::ResourceList kubeReserved;
  api::ResourceList systemReserved;
  api::ResourceList evictionThreshold;

  api::ResourceList total() const;
};

// A cloud provider's instance type as the solver sees it (upstream cloudprovider.InstanceType).
// requirements hold its labels (instance-type, arch, os, zone In [all offering zones], …).
// A value type; not synchronised — share only as const.
struct InstanceType {
  std::string name;
  Requirements requirements;
  std::vector<Offering> offerings;
  api::ResourceList capacity;
  InstanceTypeOverhead overhead;
  // CSI driver → volumes a new node of this type can attach (the provider's figure, e.g. EBS's
  // instance-type-dependent attachment limit); a driver absent is not limited.
  std::map<std::string, int64_t> volumeLimits;

  // capacity − overhead.total(); names with nothing left are kept (as zero or negative).
  api::ResourceList allocatable() const;
};

// Whether an available offering is compatible with `requirements` (the NodeClaim's).
bool hasCompatibleOffering(const InstanceType& instanceType, const Requirements& requirements);
// The price of the cheapest available offering compatible with `requirements`; nullopt when none.
std::optional<double> cheapestOfferingPrice(const InstanceType& instanceType,
                                            const Requirements& requirements);

// Sorts cheapest first by cheapestOfferingPrice (types without one last), ties by name, so the
// order is deterministic. Pointers must stay valid for the call.
void orderByPrice(std::vector<const InstanceType*>& instanceTypes,
                  const Requirements& requirements);

// orderByPrice, then keeps the first maxItems. When `requirements` carry minValues the kept
// types must still meet them (Strict policy); otherwise an Invalid error
// "NodePool couldn't meet minValues requirements, <detail>".
Result<std::vector<const InstanceType*>> truncate(std::vector<const InstanceType*> instanceTypes,
                                                  const Requirements& requirements,
                                                  size_t maxItems = kMaxInstanceTypes);

}  // namespace karpenter::scheduling
