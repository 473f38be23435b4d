#pragma once

// Builders for solver tests and benchmarks-in-tests: pods, instance types and NodePools with
// only the fields the scheduler reads.

#include <string>
#include <vector>

#include "karpenter/api/nodepool.hpp"
#include "karpenter/api/pod.hpp"
#include "karpenter/api/well_known.hpp"
#include "karpenter/scheduling/instance_type.hpp"

namespace karpenter::scheduling::testing {

inline api::Pod makePod(const std::string& name, const std::string& cpu,
                        const std::string& memory) {
  api::Pod pod;
  pod.metadata.name = name;
  pod.metadata.namespace_ = "default";
  pod.metadata.uid = "uid-" + name;
  pod.metadata.creationTimestamp = "2024-01-01T00:00:00Z";
  api::Container container;
  container.name = "main";
  if (!cpu.empty()) {
    container.resources.requests["cpu"] = api::Quantity::mustParse(cpu);
  }
  if (!memory.empty()) {
    container.resources.requests["memory"] = api::Quantity::mustParse(memory);
  }
  pod.spec.containers.push_back(container);
  return pod;
}

inline Offering makeOffering(const std::string& zone, const std::string& capacityType, double price,
                             bool available = true) {
  Offering offering;
  offering.requirements.add(Requirement::in(api::kLabelTopologyZone, {zone}));
  offering.requirements.add(Requirement::in(api::kCapacityTypeLabelKey, {capacityType}));
  offering.price = price;
  offering.available = available;
  return offering;
}

// An instance type with on-demand offerings in `zones` at `price`, labelled like upstream's fake
// provider (instance-type, arch amd64, os linux, zone, capacity type).
inline InstanceType makeInstanceType(const std::string& name, int64_t cpu, int64_t memoryGi,
                                     int64_t pods, double price,
                                     const std::vector<std::string>& zones = {"zone-a", "zone-b",
                                                                              "zone-c"}) {
  InstanceType type;
  type.name = name;
  type.requirements.add(Requirement::in(api::kLabelInstanceType, {name}));
  type.requirements.add(Requirement::in(api::kLabelArch, {"amd64"}));
  type.requirements.add(Requirement::in(api::kLabelOs, {"linux"}));
  type.requirements.add(Requirement::in(api::kLabelTopologyZone, zones));
  type.requirements.add(Requirement::in(api::kCapacityTypeLabelKey, {"on-demand"}));
  for (const auto& zone : zones) {
    type.offerings.push_back(makeOffering(zone, "on-demand", price));
  }
  type.capacity["cpu"] = api::Quantity::fromInt(cpu);
  type.capacity["memory"] =
      api::Quantity::fromInt(memoryGi * 1024 * 1024 * 1024, api::Quantity::Format::kBinarySI);
  type.capacity["pods"] = api::Quantity::fromInt(pods);
  return type;
}

inline api::NodePool makeNodePool(const std::string& name, int weight = 0) {
  api::NodePool pool;
  pool.metadata.name = name;
  if (weight != 0) {
    pool.spec.weight = weight;
  }
  return pool;
}

inline api::NodeSelectorRequirement selectorRequirement(const std::string& key,
                                                        const std::string& op,
                                                        std::vector<std::string> values) {
  api::NodeSelectorRequirement r;
  r.key = key;
  r.op = op;
  r.values = std::move(values);
  return r;
}

}  // namespace karpenter::scheduling::testing
