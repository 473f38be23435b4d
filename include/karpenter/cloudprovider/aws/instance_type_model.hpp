#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "karpenter/api/ec2nodeclass.hpp"
#include "karpenter/api/quantity.hpp"
#include "karpenter/aws/ec2_client.hpp"
#include "karpenter/scheduling/instance_type.hpp"

// The AWS instance-type model as pure functions of DescribeInstanceTypes data and the
// EC2NodeClass (upstream pkg/providers/instancetype/types.go; aws-ec2.md §4). No I/O.
namespace karpenter::cloudprovider::aws {

inline constexpr std::string_view kAmiFamilyAL2 = "AL2";
inline constexpr std::string_view kAmiFamilyAL2023 = "AL2023";
inline constexpr std::string_view kAmiFamilyBottlerocket = "Bottlerocket";
inline constexpr std::string_view kAmiFamilyCustom = "Custom";

// What the capacity and overhead formulas read from the operator flags and the EC2NodeClass.
struct ModelSettings {
  double vmMemoryOverheadPercent = 0.075;  // VM_MEMORY_OVERHEAD_PERCENT
  int reservedENIs = 0;                    // RESERVED_ENIS
  std::string amiFamily = std::string(kAmiFamilyAL2023);
  api::KubeletConfiguration kubelet;
  std::vector<api::BlockDeviceMapping> blockDeviceMappings;
  std::optional<std::string> instanceStorePolicy;  // "RAID0"
};

// The effective AMI family: spec.amiFamily, else the family of an alias term (al2023@latest →
// AL2023), else AL2023.
std::string amiFamilyOf(const api::EC2NodeClass& nodeClass);
bool isWindowsFamily(std::string_view amiFamily);
// The settings for `nodeClass` under the operator's flags.
ModelSettings modelSettings(const api::EC2NodeClass& nodeClass, double vmMemoryOverheadPercent,
                            int reservedENIs);

// Millicores kube-reserved for `cpuMilli`: 6% of the first core, 1% of the second, 0.5% of cores
// 3–4, 0.25% beyond, each tier truncated to whole millicores.
int64_t kubeReservedCpuMilli(int64_t cpuMilli);
// Upstream's ^([a-z]+)(\-[0-9]+tb)?([0-9]+).*\. on an instance-type name: m5.large → {m, 5},
// u-6tb1.metal → {u, 1}; {"", ""} parts when the name does not match.
std::pair<std::string, std::string> categoryAndGeneration(std::string_view name);

// usableENIs × (IPv4 per ENI − 1) + 2, usableENIs = the default network card's interfaces −
// reservedENIs − efa-only interfaces (none configured here); 0 when no ENI is usable.
int64_t eniLimitedPods(const karpenter::aws::InstanceTypeInfo& info, int reservedENIs);
// The pods value: kubelet.maxPods, else ENI-limited (110 on Windows), then capped by
// podsPerCore × vCPU (not on Bottlerocket).
int64_t podsOf(const karpenter::aws::InstanceTypeInfo& info, const ModelSettings& settings);
// The EBS CSI driver's name, the InstanceType::volumeLimits key of EBS attachments.
inline constexpr std::string_view kEbsCsiDriverName = "ebs.csi.aws.com";
// EBS volumes a new node of this type can attach, as the EBS CSI driver will report them on the
// node's CSINode: Nitro (and bare metal) types share 28 attachments between network
// interfaces, EBS volumes and NVMe instance-store disks, so 28 − 1 (the primary ENI at boot)
// − the NVMe instance-store disks − 1 (the root volume); Xen types 39 (40 less the root).
int64_t ebsAttachmentLimit(const karpenter::aws::InstanceTypeInfo& info);
// The ephemeral-storage capacity in bytes (RAID0 instance store, rootVolume mapping, Custom's
// last mapping, the family's kubelet device, the family default, 20Gi).
int64_t ephemeralStorageBytes(const karpenter::aws::InstanceTypeInfo& info,
                              const ModelSettings& settings);

// cpu, memory (− 64Mi on arm64, − VM overhead), pods, ephemeral-storage and the extended
// resources the data supports (GPUs by manufacturer, Neuron devices and cores, EFA; pod-eni
// from instance_network_facts.hpp).
api::ResourceList capacityOf(const karpenter::aws::InstanceTypeInfo& info,
                             const ModelSettings& settings);
// kube-reserved (cpu tiers, 11 Mi × pods + 255 Mi, 1Gi storage; kubelet.kubeReserved wins),
// system-reserved (kubelet.systemReserved), eviction threshold (100Mi memory, 10% storage;
// kubelet.evictionHard wins, as a quantity or a percent of capacity).
scheduling::InstanceTypeOverhead overheadOf(const karpenter::aws::InstanceTypeInfo& info,
                                            const ModelSettings& settings,
                                            const api::ResourceList& capacity);
// The labels of §4.3 the data supports (not zone or capacity type: those are per offering).
std::map<std::string, std::string> labelsOf(const karpenter::aws::InstanceTypeInfo& info,
                                            std::string_view region, std::string_view amiFamily);

// One offering of a type: zone (with its zone ID) × capacity type, priced, available or not.
struct OfferingSpec {
  std::string zone;
  std::string zoneId;
  std::string capacityType;
  double price = 0;
  bool available = true;
};

// The solver's view of one type: labels as In requirements (GPU/accelerator labels that do not
// apply as DoesNotExist), zone/zone-id/capacity-type In the offerings' values, reservation-id
// DoesNotExist, and the offerings.
scheduling::InstanceType toInstanceType(const karpenter::aws::InstanceTypeInfo& info,
                                        std::string_view region, const ModelSettings& settings,
                                        const std::vector<OfferingSpec>& offerings);

}  // namespace karpenter::cloudprovider::aws
