#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "karpenter/admission/field_errors.hpp"
#include "karpenter/api/ec2nodeclass.hpp"

namespace karpenter::admission {

// Admission validation of karpenter.k8s.aws/v1 EC2NodeClasses: the CRD schema and CEL rules of
// upstream v1.14 (aws-ec2.md §1.1-§1.2) enforced by the webhook. Every violation is returned,
// each naming its field path and the rule; an empty FieldErrors means the object is admitted.
// Expected after CRD defaulting (defaulting.hpp). Pure and thread-safe.
//
// Where upstream's CEL is looser than its own documentation (its per-term exclusivity rules use
// `self.all(...)`, so they only fire when *every* term mixes fields), the documented intent is
// enforced per term.

inline constexpr std::string_view kSubnetIdPattern = "^subnet-[0-9a-z]+$";
inline constexpr std::string_view kSecurityGroupIdPattern = "^sg-[0-9a-z]+$";
inline constexpr std::string_view kAmiIdPattern = "^ami-[0-9a-z]+$";
inline constexpr std::string_view kCapacityReservationIdPattern = "^cr-[0-9a-z]+$";
inline constexpr std::string_view kOwnerIdPattern = "^[0-9]{12}$";
inline constexpr std::string_view kPlacementGroupIdPattern = "^pg-[0-9a-z]+$";
inline constexpr std::string_view kAliasPattern = "^[a-zA-Z0-9]+@.+$";
// volumeSize: a whole number of Gi, G, Ti or T, at most the CRD's maxima (59000Gi, 64000G,
// 58Ti, 64T). The CRD spells this as a regex with holes (it rejects "18Ti" and accepts a bare
// "Ti"); the webhook checks the documented range instead.
inline constexpr std::string_view kVolumeSizeFormat = "^([0-9]+)(Gi|G|Ti|T)$";
// Eviction thresholds: a percentage (0-100, two decimals) or a quantity.
inline constexpr std::string_view kEvictionThresholdPattern =
    "^((\\d{1,2}(\\.\\d{1,2})?|100(\\.0{1,2})?)%|(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))((["
    "KMGTPE]"
    "i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?)$";

inline constexpr std::size_t kMaxSelectorTerms = 30;
inline constexpr std::size_t kMaxSelectorTags = 20;
inline constexpr std::size_t kMaxBlockDeviceMappings = 50;
inline constexpr std::size_t kMaxNetworkInterfaces = 150;
// EC2 tag limits (EC2 User Guide, "Tag restrictions").
inline constexpr std::size_t kMaxTagKeyLength = 128;
inline constexpr std::size_t kMaxTagValueLength = 256;
inline constexpr std::size_t kMaxAliasLength = 30;

// The AMI family (spec.amiFamily spelling: AL2, AL2023, Bottlerocket, Windows2019, ...) an
// EC2NodeClass resolves to: spec.amiFamily when set, else the family of its alias term; nullopt
// when neither names a known family. Shared by validation and defaulting.
std::optional<std::string> effectiveAmiFamily(const api::EC2NodeClassSpec& spec);

// The spec.amiFamily spelling of an alias family ("al2023" → "AL2023"); nullopt if unknown.
std::optional<std::string> amiFamilyForAlias(std::string_view aliasFamily);

// CREATE: selector terms (subnets, security groups, capacity reservations, AMIs incl. alias),
// amiFamily, role xor instanceProfile, tags, blockDeviceMappings, metadataOptions, kubelet,
// instanceStorePolicy, networkInterfaces, connectionTracking, placementGroupSelector, cpuOptions,
// ipPrefixCount.
FieldErrors validateEC2NodeClass(const api::EC2NodeClass& nodeClass);

// UPDATE: validateEC2NodeClass on `updated`. v1.14 made `role` mutable and dropped the
// instanceProfile→role switch rule (aws-ec2.md §0), so no rule compares with `old` today; the
// function exists so the webhook's UPDATE path does not change when one is added.
FieldErrors validateEC2NodeClassUpdate(const api::EC2NodeClass& old,
                                       const api::EC2NodeClass& updated);

}  // namespace karpenter::admission
