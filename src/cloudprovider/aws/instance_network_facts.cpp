#include "karpenter/cloudprovider/aws/instance_network_facts.hpp"

#include <algorithm>
#include <array>

namespace karpenter::cloudprovider::aws {
namespace {

struct NetworkFactRow {
  std::string_view instanceType;
  int64_t baselineBandwidthMbps;
  int64_t branchInterfaces;
};

// Sorted by name for the binary search below.
constexpr std::array kNetworkFactRows = {
    NetworkFactRow{"c5.12xlarge", 12000, 54},   NetworkFactRow{"c5.18xlarge", 25000, 107},
    NetworkFactRow{"c5.24xlarge", 25000, 107},  NetworkFactRow{"c5.2xlarge", 2500, 38},
    NetworkFactRow{"c5.4xlarge", 5000, 54},     NetworkFactRow{"c5.9xlarge", 12000, 54},
    NetworkFactRow{"c5.large", 750, 9},         NetworkFactRow{"c5.metal", 25000, 107},
    NetworkFactRow{"c5.xlarge", 1250, 18},      NetworkFactRow{"c6g.12xlarge", 20000, 54},
    NetworkFactRow{"c6g.16xlarge", 25000, 107}, NetworkFactRow{"c6g.2xlarge", 2500, 38},
    NetworkFactRow{"c6g.4xlarge", 5000, 54},    NetworkFactRow{"c6g.8xlarge", 12000, 54},
    NetworkFactRow{"c6g.large", 750, 9},        NetworkFactRow{"c6g.medium", 500, 4},
    NetworkFactRow{"c6g.metal", 25000, 107},    NetworkFactRow{"c6g.xlarge", 1250, 18},
    NetworkFactRow{"g4ad.16xlarge", 25000, 6},  NetworkFactRow{"g4dn.8xlarge", 50000, 58},
    NetworkFactRow{"g5.12xlarge", 40000, 107},  NetworkFactRow{"inf2.24xlarge", 50000, 107},
    NetworkFactRow{"inf2.xlarge", 2083, 18},    NetworkFactRow{"m5.12xlarge", 12000, 54},
    NetworkFactRow{"m5.16xlarge", 20000, 107},  NetworkFactRow{"m5.24xlarge", 25000, 107},
    NetworkFactRow{"m5.2xlarge", 2500, 38},     NetworkFactRow{"m5.4xlarge", 5000, 54},
    NetworkFactRow{"m5.8xlarge", 10000, 54},    NetworkFactRow{"m5.large", 750, 9},
    NetworkFactRow{"m5.metal", 25000, 120},     NetworkFactRow{"m5.xlarge", 1250, 18},
    NetworkFactRow{"m6g.12xlarge", 20000, 54},  NetworkFactRow{"m6g.16xlarge", 25000, 107},
    NetworkFactRow{"m6g.2xlarge", 2500, 38},    NetworkFactRow{"m6g.4xlarge", 5000, 54},
    NetworkFactRow{"m6g.8xlarge", 12000, 54},   NetworkFactRow{"m6g.large", 750, 9},
    NetworkFactRow{"m6g.medium", 500, 4},       NetworkFactRow{"m6g.metal", 25000, 107},
    NetworkFactRow{"m6g.xlarge", 1250, 18},     NetworkFactRow{"m6i.12xlarge", 18750, 114},
    NetworkFactRow{"m6i.16xlarge", 25000, 107}, NetworkFactRow{"m6i.24xlarge", 37500, 107},
    NetworkFactRow{"m6i.2xlarge", 3125, 38},    NetworkFactRow{"m6i.32xlarge", 50000, 107},
    NetworkFactRow{"m6i.4xlarge", 6250, 54},    NetworkFactRow{"m6i.8xlarge", 12500, 84},
    NetworkFactRow{"m6i.large", 781, 9},        NetworkFactRow{"m6i.metal", 50000, 107},
    NetworkFactRow{"m6i.xlarge", 1562, 18},     NetworkFactRow{"m6idn.32xlarge", 200000, 106},
    NetworkFactRow{"m7i-flex.large", 390, 3},   NetworkFactRow{"p5.48xlarge", 3200000, 120},
    NetworkFactRow{"r5.12xlarge", 12000, 54},   NetworkFactRow{"r5.16xlarge", 20000, 107},
    NetworkFactRow{"r5.24xlarge", 25000, 107},  NetworkFactRow{"r5.2xlarge", 2500, 38},
    NetworkFactRow{"r5.4xlarge", 5000, 54},     NetworkFactRow{"r5.8xlarge", 10000, 54},
    NetworkFactRow{"r5.large", 750, 9},         NetworkFactRow{"r5.metal", 25000, 120},
    NetworkFactRow{"r5.xlarge", 1250, 18},      NetworkFactRow{"t3.2xlarge", 2048, 0},
    NetworkFactRow{"t3.large", 512, 0},         NetworkFactRow{"t3.medium", 256, 0},
    NetworkFactRow{"t3.micro", 64, 0},          NetworkFactRow{"t3.nano", 32, 0},
    NetworkFactRow{"t3.small", 128, 0},         NetworkFactRow{"t3.xlarge", 1024, 0},
    NetworkFactRow{"t3a.2xlarge", 2048, 0},     NetworkFactRow{"t3a.large", 512, 0},
    NetworkFactRow{"t3a.medium", 256, 0},       NetworkFactRow{"t3a.micro", 64, 0},
    NetworkFactRow{"t3a.nano", 32, 0},          NetworkFactRow{"t3a.small", 128, 0},
    NetworkFactRow{"t3a.xlarge", 1024, 0},      NetworkFactRow{"t4g.2xlarge", 2048, 0},
    NetworkFactRow{"t4g.large", 512, 0},        NetworkFactRow{"t4g.medium", 256, 0},
    NetworkFactRow{"t4g.micro", 64, 0},         NetworkFactRow{"t4g.nano", 32, 0},
    NetworkFactRow{"t4g.small", 128, 0},        NetworkFactRow{"t4g.xlarge", 1024, 0},
    NetworkFactRow{"trn1.2xlarge", 3125, 17},
};
static_assert(std::is_sorted(kNetworkFactRows.begin(), kNetworkFactRows.end(),
                             [](const NetworkFactRow& a, const NetworkFactRow& b) {
                               return a.instanceType < b.instanceType;
                             }),
              "kNetworkFactRows must stay sorted by instance type");

}  // namespace

std::optional<InstanceNetworkFacts> instanceNetworkFacts(std::string_view instanceType) {
  const auto* row = std::lower_bound(
      kNetworkFactRows.begin(), kNetworkFactRows.end(), instanceType,
      [](const NetworkFactRow& r, std::string_view name) { return r.instanceType < name; });
  if (row == kNetworkFactRows.end() || row->instanceType != instanceType) {
    return std::nullopt;
  }
  return InstanceNetworkFacts{row->baselineBandwidthMbps, row->branchInterfaces};
}

}  // namespace karpenter::cloudprovider::aws
