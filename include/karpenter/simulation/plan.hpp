#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/api/quantity.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::simulation {

// What `karpenter simulate` reports: the NodeClaims Karpenter launched for the input, the pods
// placed on each, what existing nodes received, and the pods left pending with their reasons.
struct PlannedNodeClaim {
  std::string name;
  std::string nodePool;
  std::string instanceType;        // the type the cloud launched
  size_t instanceTypeChoices = 0;  // how many types the NodeClaim allowed (cheapest first)
  std::string zone;
  std::string capacityType;
  double pricePerHour = 0;
  api::ResourceList allocatable;
  api::ResourceList daemonSetOverhead;  // the DaemonSet pods' requests the solver reserved
  api::ResourceList requested;          // the pods' requests plus daemonSetOverhead
  std::vector<std::string> pods;        // "namespace/name"
};

struct ExistingNodePlacement {
  std::string node;
  std::vector<std::string> pods;
};

struct PendingPod {
  std::string pod;
  std::string reason;
};

struct Plan {
  std::vector<PlannedNodeClaim> nodeClaims;
  std::vector<ExistingNodePlacement> existingNodes;
  std::vector<PendingPod> pendingPods;

  double totalPricePerHour() const;
};

// requested/allocatable of one resource as a percentage; 0 when allocatable is zero.
double utilisation(const api::ResourceList& requested, const api::ResourceList& allocatable,
                   std::string_view resource);

nlohmann::json toJson(const Plan& plan);
// Aligned columns for people; YAML and JSON for programs. Utilisation (the table's CPU* and
// MEMORY* columns, the documents' cpuUtilisationWithDaemonSets and
// memoryUtilisationWithDaemonSets) is `requested` over allocatable: DaemonSet pods included.
std::string renderTable(const Plan& plan);
std::string renderYaml(const Plan& plan);
std::string renderJson(const Plan& plan);

}  // namespace karpenter::simulation
