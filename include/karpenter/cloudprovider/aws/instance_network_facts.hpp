#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace karpenter::cloudprovider::aws {

// Network facts DescribeInstanceTypes does not answer (or older answers lack), kept by hand for
// common instance families (upstream keeps generated tables, zz_generated.bandwidth.go and
// zz_generated.vpclimits.go; aws-ec2.md §4.1, §4.3, §5):
//  - baseline network bandwidth in Mbps (EC2 "instance network bandwidth" documentation;
//    summed over network cards);
//  - branch network interfaces for security groups for pods (trunking-compatible Nitro types,
//    from amazon-vpc-resource-controller-k8s limits), 0 when the type cannot trunk.
struct InstanceNetworkFacts {
  int64_t baselineBandwidthMbps = 0;
  int64_t branchInterfaces = 0;
};

// The facts for `instanceType`, or nullopt when the table does not list it. Pure.
std::optional<InstanceNetworkFacts> instanceNetworkFacts(std::string_view instanceType);

}  // namespace karpenter::cloudprovider::aws
