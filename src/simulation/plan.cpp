#include "karpenter/simulation/plan.hpp"

#include <algorithm>
#include <cstdio>

#include <yaml-cpp/yaml.h>

#include "karpenter/util/text_table.hpp"

namespace karpenter::simulation {
namespace {

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string amount(const api::ResourceList& list, std::string_view name) {
  auto it = list.find(name);
  return it == list.end() ? "0" : it->second.toString();
}

// "1500m/3920m (38%)"
std::string usage(const PlannedNodeClaim& claim, std::string_view resource) {
  return amount(claim.requested, resource) + "/" + amount(claim.allocatable, resource) + " (" +
         fixed(utilisation(claim.requested, claim.allocatable, resource), 0) + "%)";
}

YAML::Node toYaml(const nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::object: {
      YAML::Node node(YAML::NodeType::Map);
      for (const auto& [key, value] : json.items()) {
        node[key] = toYaml(value);
      }
      return node;
    }
    case nlohmann::json::value_t::array: {
      YAML::Node node(YAML::NodeType::Sequence);
      for (const auto& value : json) {
        node.push_back(toYaml(value));
      }
      return node;
    }
    case nlohmann::json::value_t::string:
      return YAML::Node(json.get<std::string>());
    case nlohmann::json::value_t::null:
      return YAML::Node(YAML::NodeType::Null);
    default:
      return YAML::Node(json.dump());
  }
}

}  // namespace

double Plan::totalPricePerHour() const {
  double total = 0;
  for (const auto& claim : nodeClaims) {
    total += claim.pricePerHour;
  }
  return total;
}

double utilisation(const api::ResourceList& requested, const api::ResourceList& allocatable,
                   std::string_view resource) {
  auto available = allocatable.find(resource);
  auto used = requested.find(resource);
  if (available == allocatable.end() || used == requested.end() || available->second.isZero()) {
    return 0;
  }
  return 100.0 * used->second.asApproximateFloat64() / available->second.asApproximateFloat64();
}

nlohmann::json toJson(const Plan& plan) {
  nlohmann::json out = {{"nodeClaims", nlohmann::json::array()},
                        {"existingNodes", nlohmann::json::array()},
                        {"pendingPods", nlohmann::json::array()},
                        {"totalPricePerHour", plan.totalPricePerHour()}};
  for (const auto& claim : plan.nodeClaims) {
    nlohmann::json allocatable = nlohmann::json::object();
    for (const auto& [name, quantity] : claim.allocatable) {
      allocatable[name] = quantity.toString();
    }
    nlohmann::json requested = nlohmann::json::object();
    for (const auto& [name, quantity] : claim.requested) {
      requested[name] = quantity.toString();
    }
    nlohmann::json daemonSetOverhead = nlohmann::json::object();
    for (const auto& [name, quantity] : claim.daemonSetOverhead) {
      daemonSetOverhead[name] = quantity.toString();
    }
    out["nodeClaims"].push_back(
        {{"name", claim.name},
         {"nodePool", claim.nodePool},
         {"instanceType", claim.instanceType},
         {"instanceTypeChoices", claim.instanceTypeChoices},
         {"zone", claim.zone},
         {"capacityType", claim.capacityType},
         {"pricePerHour", claim.pricePerHour},
         {"allocatable", allocatable},
         {"requested", requested},
         {"daemonSetOverhead", daemonSetOverhead},
         {"cpuUtilisationWithDaemonSets", utilisation(claim.requested, claim.allocatable, "cpu")},
         {"memoryUtilisationWithDaemonSets",
          utilisation(claim.requested, claim.allocatable, "memory")},
         {"pods", claim.pods}});
  }
  for (const auto& node : plan.existingNodes) {
    out["existingNodes"].push_back({{"node", node.node}, {"pods", node.pods}});
  }
  for (const auto& pending : plan.pendingPods) {
    out["pendingPods"].push_back({{"pod", pending.pod}, {"reason", pending.reason}});
  }
  return out;
}

std::string renderJson(const Plan& plan) {
  return toJson(plan).dump(2) + "\n";
}

std::string renderYaml(const Plan& plan) {
  YAML::Emitter emitter;
  emitter << toYaml(toJson(plan));
  return std::string(emitter.c_str()) + "\n";
}

std::string renderTable(const Plan& plan) {
  std::vector<std::vector<std::string>> rows = {{"NODECLAIM", "NODEPOOL", "INSTANCE TYPE", "ZONE",
                                                 "CAPACITY", "$/HOUR", "PODS", "CPU*", "MEMORY*",
                                                 "CHOICES"}};
  for (const auto& claim : plan.nodeClaims) {
    rows.push_back({claim.name, claim.nodePool, claim.instanceType, claim.zone, claim.capacityType,
                    fixed(claim.pricePerHour, 4), std::to_string(claim.pods.size()),
                    usage(claim, "cpu"), usage(claim, "memory"),
                    std::to_string(claim.instanceTypeChoices)});
  }
  std::string out = alignColumns(rows);
  out += "* requested/allocatable: the node's pods plus the DaemonSet pods that will run on it\n";
  out += "\n" + std::to_string(plan.nodeClaims.size()) + " nodeclaims, " +
         fixed(plan.totalPricePerHour(), 4) + " $/hour\n";
  for (const auto& claim : plan.nodeClaims) {
    out += "\n" + claim.name + ":";
    for (const auto& pod : claim.pods) {
      out += " " + pod;
    }
    out += "\n";
  }
  for (const auto& node : plan.existingNodes) {
    out += "\nexisting node " + node.node + ":";
    for (const auto& pod : node.pods) {
      out += " " + pod;
    }
    out += "\n";
  }
  if (!plan.pendingPods.empty()) {
    out += "\n" + std::to_string(plan.pendingPods.size()) + " pods left pending:\n";
    for (const auto& pending : plan.pendingPods) {
      out += "  " + pending.pod + ": " + pending.reason + "\n";
    }
  }
  return out;
}

}  // namespace karpenter::simulation
