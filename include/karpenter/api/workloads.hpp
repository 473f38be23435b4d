#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/meta.hpp"
#include "karpenter/api/pod.hpp"
#include "karpenter/api/selectors.hpp"

namespace karpenter::api {

// apps/v1 DaemonSet (Karpenter adds daemon overhead to every new node) and policy/v1
// PodDisruptionBudget (disruption must respect it). Plain values: copy freely.

struct DaemonSetSpec {
  std::optional<LabelSelector> selector;
  PodTemplateSpec template_;  // JSON "template"
  bool operator==(const DaemonSetSpec&) const = default;
};

struct DaemonSet {
  static constexpr const char* kApiVersion = "apps/v1";
  static constexpr const char* kKind = "DaemonSet";
  std::string apiVersion;
  std::string kind;
  ObjectMeta metadata;
  DaemonSetSpec spec;
  nlohmann::json original;  // status and everything else unmodelled lives here
};

struct PodDisruptionBudgetSpec {
  // IntOrString values (an integer or a percentage such as "50%"), null when absent; interpret
  // them with scaledValue() from int_or_string.hpp. Decoding rejects any other JSON type.
  nlohmann::json minAvailable;
  nlohmann::json maxUnavailable;
  std::optional<LabelSelector> selector;                  // nullopt selects no pods, {} selects all
  std::optional<std::string> unhealthyPodEvictionPolicy;  // IfHealthyBudget / AlwaysAllow
  bool operator==(const PodDisruptionBudgetSpec&) const = default;
};

struct PodDisruptionBudgetStatus {
  int64_t observedGeneration = 0;
  Labels disruptedPods;  // pod name → eviction time (RFC 3339)
  int disruptionsAllowed = 0;
  int currentHealthy = 0;
  int desiredHealthy = 0;
  int expectedPods = 0;
  std::vector<Condition> conditions;
  bool operator==(const PodDisruptionBudgetStatus&) const = default;
};

struct PodDisruptionBudget {
  static constexpr const char* kApiVersion = "policy/v1";
  static constexpr const char* kKind = "PodDisruptionBudget";
  std::string apiVersion;
  std::string kind;
  ObjectMeta metadata;
  PodDisruptionBudgetSpec spec;
  PodDisruptionBudgetStatus status;
  nlohmann::json original;
};

void describe(Decoder&, DaemonSetSpec&);
void describe(Encoder&, const DaemonSetSpec&);
void describe(Decoder&, DaemonSet&);
void describe(Encoder&, const DaemonSet&);
void describe(Decoder&, PodDisruptionBudgetSpec&);
void describe(Encoder&, const PodDisruptionBudgetSpec&);
void describe(Decoder&, PodDisruptionBudgetStatus&);
void describe(Encoder&, const PodDisruptionBudgetStatus&);
void describe(Decoder&, PodDisruptionBudget&);
void describe(Encoder&, const PodDisruptionBudget&);

}  // namespace karpenter::api
