#pragma once

#include <span>
#include <string_view>

#include "karpenter/util/result.hpp"

namespace karpenter::api {

// Well-known label, taint and annotation keys shared by the API types, the scheduling algebra and
// the controllers (upstream pkg/apis/v1/labels.go, taints.go, core/v1 well_known_labels.go and the
// AWS provider's karpenter.k8s.aws labels). All constants have static storage; the functions are
// pure and thread-safe.

// --- core/v1 node labels ---
inline constexpr std::string_view kLabelHostname = "kubernetes.io/hostname";
inline constexpr std::string_view kLabelTopologyZone = "topology.kubernetes.io/zone";
inline constexpr std::string_view kLabelTopologyRegion = "topology.kubernetes.io/region";
inline constexpr std::string_view kLabelArch = "kubernetes.io/arch";
inline constexpr std::string_view kLabelOs = "kubernetes.io/os";
inline constexpr std::string_view kLabelInstanceType = "node.kubernetes.io/instance-type";
inline constexpr std::string_view kLabelWindowsBuild = "node.kubernetes.io/windows-build";

// Deprecated aliases that normalizeLabelKey() maps to the stable names above.
inline constexpr std::string_view kLabelFailureDomainBetaZone =
    "failure-domain.beta.kubernetes.io/zone";
inline constexpr std::string_view kLabelFailureDomainBetaRegion =
    "failure-domain.beta.kubernetes.io/region";
inline constexpr std::string_view kLabelBetaArch = "beta.kubernetes.io/arch";
inline constexpr std::string_view kLabelBetaOs = "beta.kubernetes.io/os";
inline constexpr std::string_view kLabelBetaInstanceType = "beta.kubernetes.io/instance-type";

inline constexpr std::string_view kArchitectureAmd64 = "amd64";
inline constexpr std::string_view kArchitectureArm64 = "arm64";

// --- karpenter.sh ---
inline constexpr std::string_view kGroup = "karpenter.sh";
inline constexpr std::string_view kNodePoolLabelKey = "karpenter.sh/nodepool";
inline constexpr std::string_view kCapacityTypeLabelKey = "karpenter.sh/capacity-type";
inline constexpr std::string_view kCapacityTypeOnDemand = "on-demand";
inline constexpr std::string_view kCapacityTypeSpot = "spot";
inline constexpr std::string_view kCapacityTypeReserved = "reserved";
// Offerings of reserved capacity carry the reservation id (cloudprovider.ReservationIDLabel).
inline constexpr std::string_view kReservationIdLabelKey = "karpenter.sh/reservation-id";
inline constexpr std::string_view kNodeRegisteredLabelKey = "karpenter.sh/registered";
inline constexpr std::string_view kNodeInitializedLabelKey = "karpenter.sh/initialized";
inline constexpr std::string_view kNodeDoNotSyncTaintsLabelKey = "karpenter.sh/do-not-sync-taints";

inline constexpr std::string_view kDoNotDisruptAnnotationKey = "karpenter.sh/do-not-disrupt";
inline constexpr std::string_view kNodePoolHashAnnotationKey = "karpenter.sh/nodepool-hash";
inline constexpr std::string_view kNodePoolHashVersionAnnotationKey =
    "karpenter.sh/nodepool-hash-version";
inline constexpr std::string_view kNodeClaimTerminationTimestampAnnotationKey =
    "karpenter.sh/nodeclaim-termination-timestamp";
inline constexpr std::string_view kNodeClaimMinValuesRelaxedAnnotationKey =
    "karpenter.sh/nodeclaim-min-values-relaxed";

inline constexpr std::string_view kTerminationFinalizer = "karpenter.sh/termination";

inline constexpr std::string_view kDisruptedTaintKey = "karpenter.sh/disrupted";
inline constexpr std::string_view kDisruptedTaintEffect = "NoSchedule";
inline constexpr std::string_view kUnregisteredTaintKey = "karpenter.sh/unregistered";
inline constexpr std::string_view kUnregisteredTaintEffect = "NoExecute";

// Taint effects (core/v1).
inline constexpr std::string_view kTaintEffectNoSchedule = "NoSchedule";
inline constexpr std::string_view kTaintEffectPreferNoSchedule = "PreferNoSchedule";
inline constexpr std::string_view kTaintEffectNoExecute = "NoExecute";

// --- AWS provider (karpenter.k8s.aws/*, topology.k8s.aws/*) ---
inline constexpr std::string_view kAwsLabelTopologyZoneId = "topology.k8s.aws/zone-id";
inline constexpr std::string_view kAwsLabelInstanceCategory = "karpenter.k8s.aws/instance-category";
inline constexpr std::string_view kAwsLabelInstanceGeneration =
    "karpenter.k8s.aws/instance-generation";
inline constexpr std::string_view kAwsLabelInstanceFamily = "karpenter.k8s.aws/instance-family";
inline constexpr std::string_view kAwsLabelInstanceSize = "karpenter.k8s.aws/instance-size";
inline constexpr std::string_view kAwsLabelInstanceCpu = "karpenter.k8s.aws/instance-cpu";
inline constexpr std::string_view kAwsLabelInstanceCpuManufacturer =
    "karpenter.k8s.aws/instance-cpu-manufacturer";
inline constexpr std::string_view kAwsLabelInstanceCpuSustainedClockSpeedMhz =
    "karpenter.k8s.aws/instance-cpu-sustained-clock-speed-mhz";
inline constexpr std::string_view kAwsLabelInstanceMemory = "karpenter.k8s.aws/instance-memory";
inline constexpr std::string_view kAwsLabelInstanceHypervisor =
    "karpenter.k8s.aws/instance-hypervisor";
inline constexpr std::string_view kAwsLabelInstanceEncryptionInTransitSupported =
    "karpenter.k8s.aws/instance-encryption-in-transit-supported";
inline constexpr std::string_view kAwsLabelInstanceNetworkBandwidth =
    "karpenter.k8s.aws/instance-network-bandwidth";
inline constexpr std::string_view kAwsLabelInstanceEbsBandwidth =
    "karpenter.k8s.aws/instance-ebs-bandwidth";
inline constexpr std::string_view kAwsLabelInstanceLocalNvme =
    "karpenter.k8s.aws/instance-local-nvme";
inline constexpr std::string_view kAwsLabelInstanceCapabilityFlex =
    "karpenter.k8s.aws/instance-capability-flex";
inline constexpr std::string_view kAwsLabelInstanceTenancy = "karpenter.k8s.aws/instance-tenancy";
inline constexpr std::string_view kAwsLabelInstanceGpuName = "karpenter.k8s.aws/instance-gpu-name";
inline constexpr std::string_view kAwsLabelInstanceGpuManufacturer =
    "karpenter.k8s.aws/instance-gpu-manufacturer";
inline constexpr std::string_view kAwsLabelInstanceGpuCount =
    "karpenter.k8s.aws/instance-gpu-count";
inline constexpr std::string_view kAwsLabelInstanceGpuMemory =
    "karpenter.k8s.aws/instance-gpu-memory";
inline constexpr std::string_view kAwsLabelInstanceAcceleratorName =
    "karpenter.k8s.aws/instance-accelerator-name";
inline constexpr std::string_view kAwsLabelInstanceAcceleratorManufacturer =
    "karpenter.k8s.aws/instance-accelerator-manufacturer";
inline constexpr std::string_view kAwsLabelInstanceAcceleratorCount =
    "karpenter.k8s.aws/instance-accelerator-count";
inline constexpr std::string_view kAwsLabelCapacityReservationId =
    "karpenter.k8s.aws/capacity-reservation-id";
inline constexpr std::string_view kAwsLabelCapacityReservationType =
    "karpenter.k8s.aws/capacity-reservation-type";
inline constexpr std::string_view kAwsLabelCapacityReservationInterruptible =
    "karpenter.k8s.aws/capacity-reservation-interruptible";
inline constexpr std::string_view kAwsLabelPlacementGroupId =
    "karpenter.k8s.aws/placement-group-id";
inline constexpr std::string_view kAwsLabelPlacementGroupPartition =
    "karpenter.k8s.aws/placement-group-partition";

// Maps a deprecated alias (beta.kubernetes.io/arch|os|instance-type,
// failure-domain.beta.kubernetes.io/zone|region) to its stable name; any other key is returned
// unchanged. The returned view refers either to `key` or to a static constant.
std::string_view normalizeLabelKey(std::string_view key);

// True for the keys Karpenter knows values for (core + provider labels): pods may constrain them
// without a NodePool defining them. Sorted ascending, without duplicates.
std::span<const std::string_view> wellKnownLabels();
bool isWellKnownLabel(std::string_view key);

// v1.9+ rules (karpenter-behaviour.md §1.3): a well-known key is allowed; any other key in the
// karpenter.sh domain (or a subdomain of it) and kubernetes.io/hostname are restricted.
bool isRestrictedLabel(std::string_view key);
// As isRestrictedLabel, but an Invalid error whose message matches the CRD rule that rejects it:
// `label domain "karpenter.sh" is restricted` or `label "kubernetes.io/hostname" is restricted`.
Result<void> checkLabelNotRestricted(std::string_view key);

// The domain (prefix before '/') of a label key, or "" when it has none.
std::string_view labelDomain(std::string_view key);

}  // namespace karpenter::api
