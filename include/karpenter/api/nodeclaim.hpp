#pragma once

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

namespace karpenter::api {

// NodeClaim (karpenter.sh/v1, cluster-scoped): one requested node, created by the provisioner
// from a NodePool template and launched by the cloud provider. Field names follow the upstream
// JSON. Durations keep their wire strings; interpret them with duration.hpp.

// NodeClaim condition types (upstream pkg/apis/v1/nodeclaim_status.go). Ready is
// kConditionTypeReady (conditions.hpp) = Launched ∧ Registered ∧ Initialized.
inline constexpr std::string_view kConditionTypeLaunched = "Launched";
inline constexpr std::string_view kConditionTypeRegistered = "Registered";
inline constexpr std::string_view kConditionTypeInitialized = "Initialized";
inline constexpr std::string_view kConditionTypeConsolidatable = "Consolidatable";
inline constexpr std::string_view kConditionTypeDrifted = "Drifted";
inline constexpr std::string_view kConditionTypeDrained = "Drained";
inline constexpr std::string_view kConditionTypeVolumesDetached = "VolumesDetached";
inline constexpr std::string_view kConditionTypeInstanceTerminating = "InstanceTerminating";
inline constexpr std::string_view kConditionTypeConsistentStateFound = "ConsistentStateFound";
inline constexpr std::string_view kConditionTypeDisruptionReason = "DisruptionReason";

// The CRD default of expireAfter on NodePool templates and NodeClaims.
inline constexpr std::string_view kDefaultExpireAfter = "720h";

// Reference to the provider's node class, e.g. {karpenter.k8s.aws, EC2NodeClass, default}.
struct NodeClassReference {
  std::string group;
  std::string kind;
  std::string name;
  bool operator==(const NodeClassReference&) const = default;
};

// NodeClaim spec.resources: only requests are modelled upstream.
struct NodeClaimResources {
  ResourceList requests;
  bool operator==(const NodeClaimResources&) const = default;
};

struct NodeClaimSpec {
  std::vector<Taint> taints;
  std::vector<Taint> startupTaints;
  std::vector<NodeSelectorRequirement> requirements;
  NodeClaimResources resources;
  NodeClassReference nodeClassRef;
  // Unset means pods are waited on forever during termination.
  std::optional<std::string> terminationGracePeriod;
  // "720h" style or "Never"; empty when the object did not carry it (the CRD defaults it).
  std::string expireAfter;
  bool operator==(const NodeClaimSpec&) const = default;
};

struct NodeClaimStatus {
  std::string nodeName;
  std::string providerID;
  std::string imageID;
  ResourceList capacity;
  ResourceList allocatable;
  std::vector<Condition> conditions;
  std::string lastPodEventTime;  // RFC 3339; empty when no pod event was seen
  bool operator==(const NodeClaimStatus&) const = default;
};

struct NodeClaim {
  static constexpr const char* kApiVersion = "karpenter.sh/v1";
  static constexpr const char* kKind = "NodeClaim";

  std::string apiVersion;
  std::string kind;
  ObjectMeta metadata;
  NodeClaimSpec spec;
  NodeClaimStatus status;
  // The JSON this object was decoded from; encodeObject() writes on top of it (see codec.hpp).
  nlohmann::json original;
};

void describe(Decoder&, NodeClassReference&);
void describe(Encoder&, const NodeClassReference&);
void describe(Decoder&, NodeClaimResources&);
void describe(Encoder&, const NodeClaimResources&);
void describe(Decoder&, NodeClaimSpec&);
void describe(Encoder&, const NodeClaimSpec&);
void describe(Decoder&, NodeClaimStatus&);
void describe(Encoder&, const NodeClaimStatus&);
void describe(Decoder&, NodeClaim&);
void describe(Encoder&, const NodeClaim&);

}  // namespace karpenter::api
