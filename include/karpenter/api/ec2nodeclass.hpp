#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/conditions.hpp"
#include "karpenter/api/meta.hpp"
#include "karpenter/api/quantity.hpp"
#include "karpenter/api/selectors.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::api {

// EC2NodeClass (karpenter.k8s.aws/v1, cluster-scoped): how the AWS provider launches instances
// for NodeClaims that reference it (aws/karpenter-provider-aws pkg/apis/v1, v1.14 field set).
// Field names are the upstream JSON names; pointer fields upstream are std::optional here so
// "set to zero/false" stays distinct from "unset". Defaults are CRD defaults applied by the API
// server, not by decoding.

// EC2NodeClass condition types besides kConditionTypeReady / kConditionTypeValidationSucceeded.
inline constexpr std::string_view kConditionTypeAMIsReady = "AMIsReady";
inline constexpr std::string_view kConditionTypeSubnetsReady = "SubnetsReady";
inline constexpr std::string_view kConditionTypeSecurityGroupsReady = "SecurityGroupsReady";
inline constexpr std::string_view kConditionTypeInstanceProfileReady = "InstanceProfileReady";
inline constexpr std::string_view kConditionTypeCapacityReservationsReady =
    "CapacityReservationsReady";
inline constexpr std::string_view kConditionTypePlacementGroupReady = "PlacementGroupReady";

// Tags and kubelet maps: string → string, sorted for deterministic output.
using StringMap = std::map<std::string, std::string, std::less<>>;

// Terms are ORed; the fields within one term are ANDed. A tag value "*" matches any value.
struct SubnetSelectorTerm {
  StringMap tags;
  std::string id;
  bool operator==(const SubnetSelectorTerm&) const = default;
};

struct SecurityGroupSelectorTerm {
  StringMap tags;
  std::string id;
  std::string name;  // GroupName, not the Name tag
  bool operator==(const SecurityGroupSelectorTerm&) const = default;
};

struct CapacityReservationSelectorTerm {
  StringMap tags;
  std::string id;
  std::string ownerID;
  std::string instanceMatchCriteria;  // open | targeted
  bool operator==(const CapacityReservationSelectorTerm&) const = default;
};

struct AMISelectorTerm {
  std::string alias;  // family@version, e.g. al2023@latest; must be the only term
  StringMap tags;
  std::string id;
  std::string name;
  std::string owner;  // account ID, self, amazon or aws-marketplace
  std::string ssmParameter;
  bool operator==(const AMISelectorTerm&) const = default;
};

struct PlacementGroupSelector {
  std::string name;
  std::string id;
  bool operator==(const PlacementGroupSelector&) const = default;
};

// The typed kubelet subset of v1.14. Quantities and eviction thresholds stay strings as on the
// wire (thresholds may be percentages such as "10%").
struct KubeletConfiguration {
  std::vector<std::string> clusterDNS;
  std::optional<int> maxPods;
  std::optional<int> podsPerCore;
  StringMap systemReserved;
  StringMap kubeReserved;
  StringMap evictionHard;
  StringMap evictionSoft;
  StringMap evictionSoftGracePeriod;  // Go durations
  std::optional<int> evictionMaxPodGracePeriod;
  std::optional<int> imageGCHighThresholdPercent;
  std::optional<int> imageGCLowThresholdPercent;
  std::optional<bool> cpuCFSQuota;
  bool operator==(const KubeletConfiguration&) const = default;
};

struct BlockDevice {
  std::optional<bool> deleteOnTermination;
  std::optional<bool> encrypted;
  std::optional<int64_t> iops;
  std::optional<std::string> kmsKeyID;
  std::optional<std::string> snapshotID;
  std::optional<int64_t> throughput;
  std::optional<int> volumeInitializationRate;
  // A quantity limited to Gi/G/Ti/T; kept as written so "1024Gi" does not come back as "1Ti".
  // Use volumeSizeQuantity() for its value.
  std::optional<std::string> volumeSize;
  std::optional<std::string> volumeType;  // standard | io1 | io2 | gp2 | sc1 | st1 | gp3
  bool operator==(const BlockDevice&) const = default;
};

// The parsed volumeSize: nullopt when unset, an error (kInvalid) when it is not a quantity.
Result<std::optional<Quantity>> volumeSizeQuantity(const BlockDevice& device);

struct BlockDeviceMapping {
  std::optional<std::string> deviceName;
  std::optional<BlockDevice> ebs;
  bool rootVolume = false;
  bool operator==(const BlockDeviceMapping&) const = default;
};

// IMDS settings; CRD default {enabled, disabled, 1, required}.
struct MetadataOptions {
  std::optional<std::string> httpEndpoint;
  std::optional<std::string> httpProtocolIPv6;
  std::optional<int64_t> httpPutResponseHopLimit;
  std::optional<std::string> httpTokens;
  bool operator==(const MetadataOptions&) const = default;
};

struct NodeClassNetworkInterface {
  std::optional<int> networkCardIndex;
  std::optional<int> deviceIndex;
  std::string interfaceType;  // interface | efa-only
  bool operator==(const NodeClassNetworkInterface&) const = default;
};

// Idle timeouts in seconds.
struct ConnectionTracking {
  std::optional<int> tcpEstablishedTimeout;
  std::optional<int> udpStreamTimeout;
  std::optional<int> udpTimeout;
  bool operator==(const ConnectionTracking&) const = default;
};

struct CPUOptions {
  std::optional<std::string> nestedVirtualization;  // enabled | disabled
  bool operator==(const CPUOptions&) const = default;
};

struct EC2NodeClassSpec {
  std::vector<SubnetSelectorTerm> subnetSelectorTerms;
  std::vector<SecurityGroupSelectorTerm> securityGroupSelectorTerms;
  std::vector<CapacityReservationSelectorTerm> capacityReservationSelectorTerms;
  std::optional<PlacementGroupSelector> placementGroupSelector;
  std::optional<bool> associatePublicIPAddress;
  std::optional<int> ipPrefixCount;
  std::vector<AMISelectorTerm> amiSelectorTerms;
  std::optional<std::string> amiFamily;
  std::optional<std::string> userData;
  std::string role;  // exactly one of role / instanceProfile
  std::optional<std::string> instanceProfile;
  StringMap tags;
  std::optional<KubeletConfiguration> kubelet;
  std::vector<BlockDeviceMapping> blockDeviceMappings;
  std::optional<std::string> instanceStorePolicy;  // RAID0
  std::vector<NodeClassNetworkInterface> networkInterfaces;
  std::optional<bool> detailedMonitoring;
  std::optional<MetadataOptions> metadataOptions;
  std::optional<ConnectionTracking> connectionTracking;
  std::optional<std::string> context;
  std::optional<CPUOptions> cpuOptions;
  bool operator==(const EC2NodeClassSpec&) const = default;
};

struct SubnetStatus {
  std::string id;
  std::string zone;
  std::string zoneID;
  bool operator==(const SubnetStatus&) const = default;
};

struct SecurityGroupStatus {
  std::string id;
  std::string name;
  bool operator==(const SecurityGroupStatus&) const = default;
};

struct CapacityReservationStatus {
  std::string availabilityZone;
  std::optional<std::string> endTime;  // RFC 3339
  std::string id;
  std::string instanceMatchCriteria;
  std::string instanceType;
  std::string ownerID;
  std::string reservationType;  // default | capacity-block
  std::string state;            // active | expiring
  std::optional<bool> interruptible;
  bool operator==(const CapacityReservationStatus&) const = default;
};

struct AMIStatus {
  std::string id;
  std::string name;
  bool deprecated = false;
  std::vector<NodeSelectorRequirement> requirements;
  bool operator==(const AMIStatus&) const = default;
};

struct EC2NodeClassStatus {
  std::vector<SubnetStatus> subnets;
  std::vector<SecurityGroupStatus> securityGroups;
  std::vector<CapacityReservationStatus> capacityReservations;
  std::vector<AMIStatus> amis;
  std::string instanceProfile;
  std::vector<Condition> conditions;
  bool operator==(const EC2NodeClassStatus&) const = default;
};

struct EC2NodeClass {
  static constexpr const char* kApiVersion = "karpenter.k8s.aws/v1";
  static constexpr const char* kKind = "EC2NodeClass";

  std::string apiVersion;
  std::string kind;
  ObjectMeta metadata;
  EC2NodeClassSpec spec;
  EC2NodeClassStatus status;
  // The JSON this object was decoded from; encodeObject() writes on top of it (see codec.hpp).
  nlohmann::json original;
};

void describe(Decoder&, SubnetSelectorTerm&);
void describe(Encoder&, const SubnetSelectorTerm&);
void describe(Decoder&, SecurityGroupSelectorTerm&);
void describe(Encoder&, const SecurityGroupSelectorTerm&);
void describe(Decoder&, CapacityReservationSelectorTerm&);
void describe(Encoder&, const CapacityReservationSelectorTerm&);
void describe(Decoder&, AMISelectorTerm&);
void describe(Encoder&, const AMISelectorTerm&);
void describe(Decoder&, PlacementGroupSelector&);
void describe(Encoder&, const PlacementGroupSelector&);
void describe(Decoder&, KubeletConfiguration&);
void describe(Encoder&, const KubeletConfiguration&);
void describe(Decoder&, BlockDevice&);
void describe(Encoder&, const BlockDevice&);
void describe(Decoder&, BlockDeviceMapping&);
void describe(Encoder&, const BlockDeviceMapping&);
void describe(Decoder&, MetadataOptions&);
void describe(Encoder&, const MetadataOptions&);
void describe(Decoder&, NodeClassNetworkInterface&);
void describe(Encoder&, const NodeClassNetworkInterface&);
void describe(Decoder&, ConnectionTracking&);
void describe(Encoder&, const ConnectionTracking&);
void describe(Decoder&, CPUOptions&);
void describe(Encoder&, const CPUOptions&);
void describe(Decoder&, EC2NodeClassSpec&);
void describe(Encoder&, const EC2NodeClassSpec&);
void describe(Decoder&, SubnetStatus&);
void describe(Encoder&, const SubnetStatus&);
void describe(Decoder&, SecurityGroupStatus&);
void describe(Encoder&, const SecurityGroupStatus&);
void describe(Decoder&, CapacityReservationStatus&);
void describe(Encoder&, const CapacityReservationStatus&);
void describe(Decoder&, AMIStatus&);
void describe(Encoder&, const AMIStatus&);
void describe(Decoder&, EC2NodeClassStatus&);
void describe(Encoder&, const EC2NodeClassStatus&);
void describe(Decoder&, EC2NodeClass&);
void describe(Encoder&, const EC2NodeClass&);

}  // namespace karpenter::api
