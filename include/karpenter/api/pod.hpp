#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/meta.hpp"
#include "karpenter/api/quantity.hpp"
#include "karpenter/api/selectors.hpp"

namespace karpenter::api {

// core/v1 Pod and the parts of its spec the scheduler and Karpenter read. Field names follow the
// Kubernetes JSON names; everything not modelled here survives decode → encode through
// Pod::original (see codec.hpp). Plain values: no synchronisation, copy freely.

struct ResourceRequirements {
  ResourceList requests;
  ResourceList limits;
  bool operator==(const ResourceRequirements&) const = default;
};

struct ContainerPort {
  std::string name;
  int containerPort = 0;
  int hostPort = 0;
  std::string protocol;  // "TCP" (API default), "UDP", "SCTP"
  std::string hostIP;
  bool operator==(const ContainerPort&) const = default;
};

struct Container {
  std::string name;
  std::string image;
  ResourceRequirements resources;
  std::vector<ContainerPort> ports;
  // Only on init containers: "Always" makes it a restartable sidecar.
  std::optional<std::string> restartPolicy;
  bool operator==(const Container&) const = default;
};

struct PodAffinityTerm {
  std::optional<LabelSelector> labelSelector;  // nullopt selects no pods
  std::vector<std::string> namespaces;
  std::string topologyKey;
  std::optional<LabelSelector> namespaceSelector;  // {} selects all namespaces
  std::vector<std::string> matchLabelKeys;
  std::vector<std::string> mismatchLabelKeys;
  bool operator==(const PodAffinityTerm&) const = default;
};

struct WeightedPodAffinityTerm {
  int weight = 0;
  PodAffinityTerm podAffinityTerm;
  bool operator==(const WeightedPodAffinityTerm&) const = default;
};

// PodAffinity and PodAntiAffinity have the same shape.
struct PodAffinity {
  std::vector<PodAffinityTerm> requiredDuringSchedulingIgnoredDuringExecution;
  std::vector<WeightedPodAffinityTerm> preferredDuringSchedulingIgnoredDuringExecution;
  bool operator==(const PodAffinity&) const = default;
};
using PodAntiAffinity = PodAffinity;

struct Affinity {
  std::optional<NodeAffinity> nodeAffinity;
  std::optional<PodAffinity> podAffinity;
  std::optional<PodAntiAffinity> podAntiAffinity;
  bool operator==(const Affinity&) const = default;
};

struct TopologySpreadConstraint {
  int maxSkew = 0;
  std::string topologyKey;
  std::string whenUnsatisfiable;  // "DoNotSchedule" or "ScheduleAnyway"
  std::optional<LabelSelector> labelSelector;
  std::optional<int> minDomains;                  // absent means 1
  std::optional<std::string> nodeAffinityPolicy;  // absent means "Honor"
  std::optional<std::string> nodeTaintsPolicy;    // absent means "Ignore"
  std::vector<std::string> matchLabelKeys;
  bool operator==(const TopologySpreadConstraint&) const = default;
};

struct PersistentVolumeClaimVolumeSource {
  std::string claimName;
  bool readOnly = false;
  bool operator==(const PersistentVolumeClaimVolumeSource&) const = default;
};

// A pod volume; only what volume topology and volume limits need is typed.
struct Volume {
  std::string name;
  std::optional<PersistentVolumeClaimVolumeSource> persistentVolumeClaim;
  // The generic ephemeral volume source as-is (its PVC is named "<pod>-<volume>"); null when the
  // volume is not ephemeral.
  nlohmann::json ephemeral;
  bool operator==(const Volume&) const = default;
};

struct PodSchedulingGate {
  std::string name;
  bool operator==(const PodSchedulingGate&) const = default;
};

struct PodSpec {
  std::string nodeName;
  Labels nodeSelector;
  std::optional<Affinity> affinity;
  std::vector<Toleration> tolerations;
  std::vector<Container> containers;
  std::vector<Container> initContainers;
  ResourceList overhead;
  ResourceRequirements resources;  // pod-level resources (PodLevelResources feature)
  std::vector<TopologySpreadConstraint> topologySpreadConstraints;
  std::vector<Volume> volumes;
  std::optional<int> priority;
  std::string priorityClassName;
  std::string schedulerName;
  std::vector<PodSchedulingGate> schedulingGates;
  bool hostNetwork = false;
  std::string restartPolicy;
  std::optional<int64_t> terminationGracePeriodSeconds;
  bool operator==(const PodSpec&) const = default;
};

struct PodCondition {
  std::string type;
  std::string status;
  std::string reason;
  std::string message;
  std::string lastTransitionTime;
  bool operator==(const PodCondition&) const = default;
};

struct PodStatus {
  std::string phase;  // Pending, Running, Succeeded, Failed, Unknown
  std::vector<PodCondition> conditions;
  std::string nominatedNodeName;
  std::string startTime;
  bool operator==(const PodStatus&) const = default;
};

struct Pod {
  static constexpr const char* kApiVersion = "v1";
  static constexpr const char* kKind = "Pod";
  std::string apiVersion;
  std::string kind;
  ObjectMeta metadata;
  PodSpec spec;
  PodStatus status;
  nlohmann::json original;  // the JSON this was decoded from; see codec.hpp
};

struct PodTemplateSpec {
  ObjectMeta metadata;
  PodSpec spec;
  bool operator==(const PodTemplateSpec&) const = default;
};

void describe(Decoder&, ResourceRequirements&);
void describe(Encoder&, const ResourceRequirements&);
void describe(Decoder&, ContainerPort&);
void describe(Encoder&, const ContainerPort&);
void describe(Decoder&, Container&);
void describe(Encoder&, const Container&);
void describe(Decoder&, PodAffinityTerm&);
void describe(Encoder&, const PodAffinityTerm&);
void describe(Decoder&, WeightedPodAffinityTerm&);
void describe(Encoder&, const WeightedPodAffinityTerm&);
void describe(Decoder&, PodAffinity&);
void describe(Encoder&, const PodAffinity&);
void describe(Decoder&, Affinity&);
void describe(Encoder&, const Affinity&);
void describe(Decoder&, TopologySpreadConstraint&);
void describe(Encoder&, const TopologySpreadConstraint&);
void describe(Decoder&, PersistentVolumeClaimVolumeSource&);
void describe(Encoder&, const PersistentVolumeClaimVolumeSource&);
void describe(Decoder&, Volume&);
void describe(Encoder&, const Volume&);
void describe(Decoder&, PodSchedulingGate&);
void describe(Encoder&, const PodSchedulingGate&);
void describe(Decoder&, PodSpec&);
void describe(Encoder&, const PodSpec&);
void describe(Decoder&, PodCondition&);
void describe(Encoder&, const PodCondition&);
void describe(Decoder&, PodStatus&);
void describe(Encoder&, const PodStatus&);
void describe(Decoder&, Pod&);
void describe(Encoder&, const Pod&);
void describe(Decoder&, PodTemplateSpec&);
void describe(Encoder&, const PodTemplateSpec&);

}  // namespace karpenter::api
