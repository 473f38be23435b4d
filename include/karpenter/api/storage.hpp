#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/meta.hpp"
#include "karpenter/api/object_reference.hpp"
#include "karpenter/api/quantity.hpp"
#include "karpenter/api/selectors.hpp"

namespace karpenter::api {

// Storage kinds Karpenter reads for volume topology (zonal PVs, WaitForFirstConsumer classes) and
// per-node CSI volume limits. Plain values: copy freely.

struct VolumeNodeAffinity {
  std::optional<NodeSelector> required;
  bool operator==(const VolumeNodeAffinity&) const = default;
};

struct CSIPersistentVolumeSource {
  std::string driver;  // e.g. "ebs.csi.aws.com"
  std::string volumeHandle;
  std::string fsType;
  bool operator==(const CSIPersistentVolumeSource&) const = default;
};

struct PersistentVolumeSpec {
  ResourceList capacity;
  std::vector<std::string> accessModes;
  std::optional<ObjectReference> claimRef;
  std::string persistentVolumeReclaimPolicy;
  std::string storageClassName;
  std::optional<VolumeNodeAffinity> nodeAffinity;
  std::optional<CSIPersistentVolumeSource> csi;
  bool operator==(const PersistentVolumeSpec&) const = default;
};

struct PersistentVolumeStatus {
  std::string phase;  // Pending, Available, Bound, Released, Failed
  bool operator==(const PersistentVolumeStatus&) const = default;
};

struct PersistentVolume {
  static constexpr const char* kApiVersion = "v1";
  static constexpr const char* kKind = "PersistentVolume";
  std::string apiVersion;
  std::string kind;
  ObjectMeta metadata;
  PersistentVolumeSpec spec;
  PersistentVolumeStatus status;
  nlohmann::json original;
};

struct VolumeResourceRequirements {
  ResourceList requests;
  ResourceList limits;
  bool operator==(const VolumeResourceRequirements&) const = default;
};

struct PersistentVolumeClaimSpec {
  // nullopt means "use the default class"; "" means "no class" (static binding only).
  std::optional<std::string> storageClassName;
  std::string volumeName;
  VolumeResourceRequirements resources;
  std::vector<std::string> accessModes;
  bool operator==(const PersistentVolumeClaimSpec&) const = default;
};

struct PersistentVolumeClaimStatus {
  std::string phase;  // Pending, Bound, Lost
  bool operator==(const PersistentVolumeClaimStatus&) const = default;
};

struct PersistentVolumeClaim {
  static constexpr const char* kApiVersion = "v1";
  static constexpr const char* kKind = "PersistentVolumeClaim";
  std::string apiVersion;
  std::string kind;
  ObjectMeta metadata;
  PersistentVolumeClaimSpec spec;
  PersistentVolumeClaimStatus status;
  nlohmann::json original;
};

struct TopologySelectorLabelRequirement {
  std::string key;
  std::vector<std::string> values;
  bool operator==(const TopologySelectorLabelRequirement&) const = default;
};

struct TopologySelectorTerm {
  std::vector<TopologySelectorLabelRequirement> matchLabelExpressions;
  bool operator==(const TopologySelectorTerm&) const = default;
};

struct StorageClass {
  static constexpr const char* kApiVersion = "storage.k8s.io/v1";
  static constexpr const char* kKind = "StorageClass";
  std::string apiVersion;
  std::string kind;
  ObjectMeta metadata;
  std::string provisioner;
  Labels parameters;
  std::optional<std::string> reclaimPolicy;
  std::optional<std::string> volumeBindingMode;  // absent means "Immediate"
  std::optional<bool> allowVolumeExpansion;
  std::vector<TopologySelectorTerm> allowedTopologies;
  nlohmann::json original;
};

// storage.k8s.io/v1 CSINode: per node, the CSI drivers installed and how many volumes each can
// attach there (spec.drivers[].allocatable.count; absent = no limit reported). kube-scheduler's
// NodeVolumeLimits filter and upstream Karpenter's existing-node volume limits read it.
struct VolumeNodeResources {
  std::optional<int64_t> count;
  bool operator==(const VolumeNodeResources&) const = default;
};

struct CSINodeDriver {
  std::string name;  // e.g. "ebs.csi.aws.com"
  std::string nodeID;
  std::vector<std::string> topologyKeys;
  std::optional<VolumeNodeResources> allocatable;
  bool operator==(const CSINodeDriver&) const = default;
};

struct CSINodeSpec {
  std::vector<CSINodeDriver> drivers;
  bool operator==(const CSINodeSpec&) const = default;
};

struct CSINode {
  static constexpr const char* kApiVersion = "storage.k8s.io/v1";
  static constexpr const char* kKind = "CSINode";
  std::string apiVersion;
  std::string kind;
  ObjectMeta metadata;  // named after its Node
  CSINodeSpec spec;
  nlohmann::json original;
};

void describe(Decoder&, VolumeNodeAffinity&);
void describe(Encoder&, const VolumeNodeAffinity&);
void describe(Decoder&, CSIPersistentVolumeSource&);
void describe(Encoder&, const CSIPersistentVolumeSource&);
void describe(Decoder&, PersistentVolumeSpec&);
void describe(Encoder&, const PersistentVolumeSpec&);
void describe(Decoder&, PersistentVolumeStatus&);
void describe(Encoder&, const PersistentVolumeStatus&);
void describe(Decoder&, PersistentVolume&);
void describe(Encoder&, const PersistentVolume&);
void describe(Decoder&, VolumeResourceRequirements&);
void describe(Encoder&, const VolumeResourceRequirements&);
void describe(Decoder&, PersistentVolumeClaimSpec&);
void describe(Encoder&, const PersistentVolumeClaimSpec&);
void describe(Decoder&, PersistentVolumeClaimStatus&);
void describe(Encoder&, const PersistentVolumeClaimStatus&);
void describe(Decoder&, PersistentVolumeClaim&);
void describe(Encoder&, const PersistentVolumeClaim&);
void describe(Decoder&, TopologySelectorLabelRequirement&);
void describe(Encoder&, const TopologySelectorLabelRequirement&);
void describe(Decoder&, TopologySelectorTerm&);
void describe(Encoder&, const TopologySelectorTerm&);
void describe(Decoder&, StorageClass&);
void describe(Encoder&, const StorageClass&);
void describe(Decoder&, VolumeNodeResources&);
void describe(Encoder&, const VolumeNodeResources&);
void describe(Decoder&, CSINodeDriver&);
void describe(Encoder&, const CSINodeDriver&);
void describe(Decoder&, CSINodeSpec&);
void describe(Encoder&, const CSINodeSpec&);
void describe(Decoder&, CSINode&);
void describe(Encoder&, const CSINode&);

}  // namespace karpenter::api
