#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "karpenter/api/ec2nodeclass.hpp"

namespace karpenter::cloudprovider::aws {

inline constexpr std::string_view kNodeClassHashAnnotation = "karpenter.k8s.aws/ec2nodeclass-hash";
inline constexpr std::string_view kNodeClassHashVersionAnnotation =
    "karpenter.k8s.aws/ec2nodeclass-hash-version";
// Not upstream's "v6": this hash is computed differently, and a distinct version makes
// NodeClaims annotated by upstream Karpenter be re-annotated rather than counted as drifted.
inline constexpr std::string_view kNodeClassHashVersion = "cpp-v1";
// Finalizer that holds an EC2NodeClass until its NodeClaims are gone and its generated
// instance profile is deleted.
inline constexpr std::string_view kNodeClassFinalizer = "karpenter.k8s.aws/termination";

// 64-bit FNV-1a.
uint64_t fnv1a64(std::string_view data);

// The drift hash of a spec, as a decimal string: FNV-1a over the canonical JSON (sorted keys)
// of the spec without the selector terms (subnets, security groups, capacity reservations,
// AMIs) — as upstream, drift on those is judged from the resolved status, not the hash.
std::string nodeClassHash(const api::EC2NodeClassSpec& spec);

}  // namespace karpenter::cloudprovider::aws
