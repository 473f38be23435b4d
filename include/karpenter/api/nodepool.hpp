#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/conditions.hpp"
#include "karpenter/api/meta.hpp"
#include "karpenter/api/nodeclaim.hpp"
#include "karpenter/api/quantity.hpp"
#include "karpenter/api/selectors.hpp"

namespace karpenter::api {

// NodePool (karpenter.sh/v1, cluster-scoped): a template for NodeClaims plus the limits and
// disruption rules that govern them. Field names follow the upstream JSON; defaults noted below
// are CRD defaults applied by the API server, not by decoding. Durations keep their wire
// strings; interpret them with duration.hpp.

// NodePool condition types besides kConditionTypeReady / kConditionTypeValidationSucceeded.
inline constexpr std::string_view kConditionTypeNodeClassReady = "NodeClassReady";
inline constexpr std::string_view kConditionTypeNodeRegistrationHealthy = "NodeRegistrationHealthy";

inline constexpr std::string_view kConsolidationPolicyWhenEmpty = "WhenEmpty";
inline constexpr std::string_view kConsolidationPolicyWhenEmptyOrUnderutilized =
    "WhenEmptyOrUnderutilized";
inline constexpr std::string_view kConsolidationPolicyBalanced = "Balanced";

// Reasons a disruption budget can be limited to.
inline constexpr std::string_view kDisruptionReasonUnderutilized = "Underutilized";
inline constexpr std::string_view kDisruptionReasonEmpty = "Empty";
inline constexpr std::string_view kDisruptionReasonDrifted = "Drifted";

// The metadata a NodePool stamps on its NodeClaims (upstream v1.ObjectMeta, not meta/v1).
struct NodeClaimTemplateMetadata {
  Labels labels;
  Labels annotations;
  bool operator==(const NodeClaimTemplateMetadata&) const = default;
};

// NodeClaim spec as templated by a NodePool (no resources: those come from the pods).
struct NodeClaimTemplateSpec {
  std::vector<Taint> taints;
  std::vector<Taint> startupTaints;
  std::vector<NodeSelectorRequirement> requirements;
  NodeClassReference nodeClassRef;
  std::string expireAfter;  // default kDefaultExpireAfter; "Never" disables expiry
  std::optional<std::string> terminationGracePeriod;  // unset = wait for pods forever
  bool operator==(const NodeClaimTemplateSpec&) const = default;
};

struct NodeClaimTemplate {
  NodeClaimTemplateMetadata metadata;
  NodeClaimTemplateSpec spec;
  bool operator==(const NodeClaimTemplate&) const = default;
};

// At most `nodes` ("10%" or "5") may be disrupting at once, while the cron `schedule` window of
// `duration` is active (both or neither), for the listed reasons (empty = all reasons).
struct Budget {
  std::string nodes;
  std::optional<std::string> schedule;
  std::optional<std::string> duration;
  std::vector<std::string> reasons;
  bool operator==(const Budget&) const = default;
};

struct Disruption {
  std::string consolidateAfter;     // default "0s"; "Never" disables consolidation
  std::string consolidationPolicy;  // default WhenEmptyOrUnderutilized
  std::vector<Budget> budgets;      // default [{nodes: "10%"}]
  bool operator==(const Disruption&) const = default;
};

struct NodePoolSpec {
  NodeClaimTemplate template_;  // JSON "template"
  Disruption disruption;
  ResourceList limits;  // may include "nodes"
  std::optional<int> weight;
  std::optional<int64_t> replicas;  // static NodePools (v1.8+)
  bool operator==(const NodePoolSpec&) const = default;
};

struct NodePoolStatus {
  ResourceList resources;
  int64_t nodes = 0;
  int64_t nodeClassObservedGeneration = 0;
  std::vector<Condition> conditions;
  bool operator==(const NodePoolStatus&) const = default;
};

struct NodePool {
  static constexpr const char* kApiVersion = "karpenter.sh/v1";
  static constexpr const char* kKind = "NodePool";

  std::string apiVersion;
  std::string kind;
  ObjectMeta metadata;
  NodePoolSpec spec;
  NodePoolStatus status;
  // The JSON this object was decoded from; encodeObject() writes on top of it (see codec.hpp).
  nlohmann::json original;
};

void describe(Decoder&, NodeClaimTemplateMetadata&);
void describe(Encoder&, const NodeClaimTemplateMetadata&);
void describe(Decoder&, NodeClaimTemplateSpec&);
void describe(Encoder&, const NodeClaimTemplateSpec&);
void describe(Decoder&, NodeClaimTemplate&);
void describe(Encoder&, const NodeClaimTemplate&);
void describe(Decoder&, Budget&);
void describe(Encoder&, const Budget&);
void describe(Decoder&, Disruption&);
void describe(Encoder&, const Disruption&);
void describe(Decoder&, NodePoolSpec&);
void describe(Encoder&, const NodePoolSpec&);
void describe(Decoder&, NodePoolStatus&);
void describe(Encoder&, const NodePoolStatus&);
void describe(Decoder&, NodePool&);
void describe(Encoder&, const NodePool&);

}  // namespace karpenter::api
