#pragma once

#include <optional>
#include <string>
#include <vector>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/selectors.hpp"

namespace karpenter::api {

// meta/v1 OwnerReference.
struct OwnerReference {
  std::string apiVersion;
  std::string kind;
  std::string name;
  std::string uid;
  std::optional<bool> controller;
  std::optional<bool> blockOwnerDeletion;
  bool operator==(const OwnerReference&) const = default;
};

// meta/v1 ObjectMeta, the fields the product reads or writes. Timestamps stay in their RFC 3339
// wire form ("2024-01-02T03:04:05Z").
struct ObjectMeta {
  std::string name;
  std::string generateName;
  std::string namespace_;  // JSON "namespace"
  std::string uid;
  std::string resourceVersion;
  int64_t generation = 0;
  std::string creationTimestamp;
  std::optional<std::string> deletionTimestamp;
  std::optional<int64_t> deletionGracePeriodSeconds;
  Labels labels;
  Labels annotations;
  std::vector<std::string> finalizers;
  std::vector<OwnerReference> ownerReferences;
  bool operator==(const ObjectMeta&) const = default;
};

// meta/v1 Condition (status conditions of NodePool, NodeClaim, EC2NodeClass).
struct Condition {
  std::string type;
  std::string status;  // "True", "False", "Unknown"
  std::optional<int64_t> observedGeneration;
  std::string lastTransitionTime;
  std::string reason;
  std::string message;
  bool operator==(const Condition&) const = default;
};

void describe(Decoder&, OwnerReference&);
void describe(Encoder&, const OwnerReference&);
void describe(Decoder&, ObjectMeta&);
void describe(Encoder&, const ObjectMeta&);
void describe(Decoder&, Condition&);
void describe(Encoder&, const Condition&);

// The shared selector shapes of selectors.hpp.
void describe(Decoder&, LabelSelectorRequirement&);
void describe(Encoder&, const LabelSelectorRequirement&);
void describe(Decoder&, LabelSelector&);
void describe(Encoder&, const LabelSelector&);
void describe(Decoder&, NodeSelectorRequirement&);
void describe(Encoder&, const NodeSelectorRequirement&);
void describe(Decoder&, NodeSelectorTerm&);
void describe(Encoder&, const NodeSelectorTerm&);
void describe(Decoder&, NodeSelector&);
void describe(Encoder&, const NodeSelector&);
void describe(Decoder&, PreferredSchedulingTerm&);
void describe(Encoder&, const PreferredSchedulingTerm&);
void describe(Decoder&, NodeAffinity&);
void describe(Encoder&, const NodeAffinity&);
void describe(Decoder&, Taint&);
void describe(Encoder&, const Taint&);
void describe(Decoder&, Toleration&);
void describe(Encoder&, const Toleration&);

}  // namespace karpenter::api
