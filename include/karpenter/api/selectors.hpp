#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace karpenter::api {

// Plain data shapes of core/v1 and meta/v1 selector and scheduling fields, shared by the object
// types (object decoding), the label-selector engine and the scheduling algebra.
// Field names follow the Kubernetes JSON names.

using Labels = std::map<std::string, std::string, std::less<>>;

// meta/v1 LabelSelectorRequirement; operator is "In", "NotIn", "Exists" or "DoesNotExist".
struct LabelSelectorRequirement {
  std::string key;
  std::string op;
  std::vector<std::string> values;
  bool operator==(const LabelSelectorRequirement&) const = default;
};

// meta/v1 LabelSelector. A null selector (std::nullopt at the use site) selects nothing; an empty
// one selects everything.
struct LabelSelector {
  Labels matchLabels;
  std::vector<LabelSelectorRequirement> matchExpressions;
  bool operator==(const LabelSelector&) const = default;
};

// core/v1 NodeSelectorRequirement; operator is In, NotIn, Exists, DoesNotExist, Gt, Lt
// (Karpenter also accepts Gte and Lte in its own requirements).
struct NodeSelectorRequirement {
  std::string key;
  std::string op;
  std::vector<std::string> values;
  // Karpenter's NodeSelectorRequirementWithMinValues; absent on plain core/v1 requirements.
  std::optional<int> minValues;
  bool operator==(const NodeSelectorRequirement&) const = default;
};

struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> matchExpressions;
  std::vector<NodeSelectorRequirement> matchFields;
  bool operator==(const NodeSelectorTerm&) const = default;
};

struct NodeSelector {
  std::vector<NodeSelectorTerm> nodeSelectorTerms;
  bool operator==(const NodeSelector&) const = default;
};

struct PreferredSchedulingTerm {
  int weight = 0;
  NodeSelectorTerm preference;
  bool operator==(const PreferredSchedulingTerm&) const = default;
};

struct NodeAffinity {
  std::optional<NodeSelector> requiredDuringSchedulingIgnoredDuringExecution;
  std::vector<PreferredSchedulingTerm> preferredDuringSchedulingIgnoredDuringExecution;
  bool operator==(const NodeAffinity&) const = default;
};

// core/v1 Taint; effect is NoSchedule, PreferNoSchedule or NoExecute.
struct Taint {
  std::string key;
  std::string value;
  std::string effect;
  bool operator==(const Taint&) const = default;
};

// core/v1 Toleration; operator "" or "Equal" compares the value, "Exists" matches any value.
struct Toleration {
  std::string key;
  std::string op;
  std::string value;
  std::string effect;
  std::optional<int64_t> tolerationSeconds;
  bool operator==(const Toleration&) const = default;
};

}  // namespace karpenter::api
