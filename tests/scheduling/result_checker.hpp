#pragma once

// An independent checker of a whole solver result. It recomputes everything with the exact
// Quantity arithmetic of api/ (not the solver's ResourceVector) and from the raw inputs, so a
// solver bug in fitting, DaemonSet overhead, taints, requirements or limits shows up as a
// violation. Returns human-readable violations; empty means the result is valid.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "karpenter/api/pod_requests.hpp"
#include "karpenter/api/well_known.hpp"
#include "karpenter/scheduling/node_affinity.hpp"
#include "karpenter/scheduling/scheduler.hpp"
#include "karpenter/scheduling/taints.hpp"
#include "scheduling/topology_checker.hpp"

namespace karpenter::scheduling::testing {

// The requirement sets a pod accepts: nodeSelector plus one of its required node-affinity terms
// (terms are ORed), preferences left out; with `input`, ANDed with each of its volumes'
// topology alternatives.
inline std::vector<Requirements> acceptableRequirements(const api::Pod& pod,
                                                        const SchedulerInput* input = nullptr) {
  std::vector<std::optional<api::NodeAffinity>> alternatives;
  const api::NodeAffinity* affinity = nullptr;
  if (pod.spec.affinity && pod.spec.affinity->nodeAffinity) {
    affinity = &*pod.spec.affinity->nodeAffinity;
  }
  if (affinity == nullptr || !affinity->requiredDuringSchedulingIgnoredDuringExecution) {
    alternatives.push_back(std::nullopt);
  } else {
    for (const auto& term :
         affinity->requiredDuringSchedulingIgnoredDuringExecution->nodeSelectorTerms) {
      api::NodeAffinity single;
      single.requiredDuringSchedulingIgnoredDuringExecution = api::NodeSelector{{term}};
      alternatives.push_back(single);
    }
  }
  std::vector<Requirements> out;
  const auto volumes = input == nullptr ? std::vector<std::vector<api::NodeSelectorRequirement>>{}
                                        : volumeAlternatives(*input, pod);
  for (const auto& alternative : alternatives) {
    auto requirements = Requirements::fromPod(pod.spec.nodeSelector, alternative,
                                              PodRequirementMode::kRequiredOnly);
    if (!requirements) {
      continue;
    }
    if (volumes.empty()) {
      out.push_back(*requirements);
    }
    for (const auto& volume : volumes) {
      auto extra = Requirements::fromNodeSelectorRequirements(volume);
      if (extra) {
        Requirements both = *requirements;
        both.add(*extra);
        out.push_back(both);
      }
    }
  }
  return out;
}

inline api::ResourceList requestsWithPodCount(const api::Pod& pod) {
  auto requests = api::podRequests(pod.spec);
  requests["pods"] = api::Quantity::fromInt(1);
  return requests;
}

inline api::ResourceList daemonOverhead(const SchedulerInput& input,
                                        const std::vector<api::Taint>& taints,
                                        const Requirements& node, bool allowUndefinedWellKnown) {
  api::ResourceList total;
  for (const auto& daemonSet : input.daemonSets) {
    api::Pod pod;
    pod.spec = daemonSet.spec.template_.spec;
    if (!toleratesAll(pod.spec.tolerations, taints, TaintScope::kAllEffects)) {
      continue;
    }
    bool fits = false;
    for (const auto& alternative : acceptableRequirements(pod)) {
      fits = fits || node.compatible(alternative, allowUndefinedWellKnown).ok();
    }
    if (fits) {
      total = api::resources::add(total, requestsWithPodCount(pod));
    }
  }
  return total;
}

inline std::vector<std::tuple<std::string, std::string, int>> hostPortsOf(const api::Pod& pod) {
  std::vector<std::tuple<std::string, std::string, int>> out;  // ip, protocol, port
  for (const auto* containers : {&pod.spec.initContainers, &pod.spec.containers}) {
    for (const auto& container : *containers) {
      for (const auto& port : container.ports) {
        if (port.hostPort > 0) {
          out.emplace_back(port.hostIP.empty() ? "0.0.0.0" : port.hostIP,
                           port.protocol.empty() ? "TCP" : port.protocol, port.hostPort);
        }
      }
    }
  }
  return out;
}

// Whether a `placed` pod binds a host port/protocol on an address overlapping one bound by an
// earlier placed pod or by a pod already on the node (clashes among those are not ours).
inline bool hostPortClash(const std::vector<const api::Pod*>& placed,
                          const std::vector<const api::Pod*>& bound = {}) {
  std::vector<std::tuple<std::string, std::string, int>> seen;
  for (const auto* pod : bound) {
    auto ports = hostPortsOf(*pod);
    seen.insert(seen.end(), ports.begin(), ports.end());
  }
  for (const auto* pod : placed) {
    for (const auto& [ip, protocol, port] : hostPortsOf(*pod)) {
      for (const auto& [otherIp, otherProtocol, otherPort] : seen) {
        if (otherPort == port && otherProtocol == protocol &&
            (otherIp == ip || otherIp == "0.0.0.0" || ip == "0.0.0.0")) {
          return true;
        }
      }
      seen.emplace_back(ip, protocol, port);
    }
  }
  return false;
}

// The (driver, "namespace/claim") pairs of the CSI volumes `pod` mounts, resolved from the raw
// input: a bound PV's csi.driver, else the claim's StorageClass provisioner (named, else the
// default class).
inline std::set<std::pair<std::string, std::string>> csiVolumesOf(const SchedulerInput& input,
                                                                  const api::Pod& pod) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& volume : pod.spec.volumes) {
    if (!volume.persistentVolumeClaim) {
      continue;
    }
    const std::string& name = volume.persistentVolumeClaim->claimName;
    for (const auto& claim : input.persistentVolumeClaims) {
      if (claim.metadata.namespace_ != pod.metadata.namespace_ || claim.metadata.name != name) {
        continue;
      }
      std::string driver;
      for (const auto& pv : input.persistentVolumes) {
        if (!claim.spec.volumeName.empty() && pv.metadata.name == claim.spec.volumeName &&
            pv.spec.csi) {
          driver = pv.spec.csi->driver;
        }
      }
      for (const auto& storageClass : input.storageClasses) {
        bool named = claim.spec.storageClassName
                         ? storageClass.metadata.name == *claim.spec.storageClassName
                         : storageClass.metadata.annotations.contains(
                               "storageclass.kubernetes.io/is-default-class");
        if (driver.empty() && named) {
          driver = storageClass.provisioner;
        }
      }
      if (!driver.empty()) {
        out.emplace(driver, pod.metadata.namespace_ + "/" + name);
      }
    }
  }
  return out;
}

// Drivers whose distinct claims over `pods` exceed `limits`, counting only drivers some `placed`
// pod mounts (an overflow among bound pods alone is not the solver's).
inline std::vector<std::string> volumeLimitOverflows(const SchedulerInput& input,
                                                     const std::vector<const api::Pod*>& bound,
                                                     const std::vector<const api::Pod*>& placed,
                                                     const std::map<std::string, int64_t>& limits) {
  std::map<std::string, std::set<std::string>> claims;
  std::set<std::string> placedDrivers;
  for (const auto* pod : bound) {
    for (const auto& [driver, claim] : csiVolumesOf(input, *pod)) {
      claims[driver].insert(claim);
    }
  }
  for (const auto* pod : placed) {
    for (const auto& [driver, claim] : csiVolumesOf(input, *pod)) {
      claims[driver].insert(claim);
      placedDrivers.insert(driver);
    }
  }
  std::vector<std::string> out;
  for (const auto& driver : placedDrivers) {
    auto limit = limits.find(driver);
    if (limit != limits.end() && static_cast<int64_t>(claims[driver].size()) > limit->second) {
      out.push_back(driver + " attaches " + std::to_string(claims[driver].size()) +
                    " volumes, limit " + std::to_string(limit->second));
    }
  }
  return out;
}

// Whether `pod` may run on a node that does not exist yet: no required term, or one whose
// matchFields name no node with In (a fresh node's name is never an existing one's).
inline bool matchFieldsAllowNewNode(const api::Pod& pod) {
  if (!pod.spec.affinity || !pod.spec.affinity->nodeAffinity ||
      !pod.spec.affinity->nodeAffinity->requiredDuringSchedulingIgnoredDuringExecution) {
    return true;
  }
  for (const auto& term : pod.spec.affinity->nodeAffinity
                              ->requiredDuringSchedulingIgnoredDuringExecution->nodeSelectorTerms) {
    bool pinned = false;
    for (const auto& field : term.matchFields) {
      pinned = pinned || field.op == "In";
    }
    if (!pinned) {
      return true;
    }
  }
  return false;
}

inline std::vector<std::string> checkResults(const SchedulerInput& input,
                                             std::span<const api::Pod* const> pods,
                                             const Results& results) {
  std::vector<std::string> violations;
  std::map<const api::Pod*, int> seen;
  for (const auto* pod : pods) {
    seen[pod] = 0;
  }
  auto account = [&](const api::Pod* pod) {
    if (!seen.contains(pod)) {
      violations.push_back("unknown pod in results");
    } else {
      ++seen[pod];
    }
  };
  auto podAccepts = [&input](const api::Pod& pod, const Requirements& node, bool allowUndefined) {
    for (const auto& alternative : acceptableRequirements(pod, &input)) {
      if (node.compatible(alternative, allowUndefined).ok()) {
        return true;
      }
    }
    return false;
  };

  std::map<std::string, const NodePoolInput*> pools;
  for (const auto& pool : input.nodePools) {
    pools[pool.nodePool.metadata.name] = &pool;
  }
  std::map<std::string, std::map<std::string, api::Quantity>> limitUse;  // pool → resource → used
  for (const auto& claim : results.newNodeClaims) {
    auto poolIt = pools.find(claim.nodePoolName);
    if (poolIt == pools.end()) {
      violations.push_back("NodeClaim of unknown nodepool " + claim.nodePoolName);
      continue;
    }
    const auto& pool = poolIt->second->nodePool;
    const auto& taints = pool.spec.template_.spec.taints;
    if (claim.instanceTypes.empty() ||
        claim.instanceTypes.size() > input.options.maxInstanceTypes) {
      violations.push_back("NodeClaim with " + std::to_string(claim.instanceTypes.size()) +
                           " instance types");
    }
    if (claim.requirements.has(api::kLabelHostname)) {
      violations.push_back("hostname placeholder left in NodeClaim requirements");
    }
    api::ResourceList podTotal;
    for (const auto* pod : claim.pods) {
      account(pod);
      podTotal = api::resources::add(podTotal, requestsWithPodCount(*pod));
      if (!toleratesAll(pod->spec.tolerations, taints)) {
        violations.push_back("pod " + pod->metadata.name + " does not tolerate " +
                             claim.nodePoolName);
      }
      if (!podAccepts(*pod, claim.requirements, true)) {
        violations.push_back("pod " + pod->metadata.name + " incompatible with its NodeClaim");
      }
    }
    if (hostPortClash(claim.pods)) {
      violations.push_back("host port clash on a " + claim.nodePoolName + " NodeClaim");
    }
    for (const auto* pod : claim.pods) {
      if (!matchFieldsAllowNewNode(*pod)) {
        violations.push_back("pod " + pod->metadata.name +
                             " requires an existing node by name but is on a new NodeClaim");
      }
    }
    for (const auto* type : claim.instanceTypes) {
      for (const auto& overflow : volumeLimitOverflows(input, {}, claim.pods, type->volumeLimits)) {
        violations.push_back("a " + claim.nodePoolName + " NodeClaim lists " + type->name +
                             " but " + overflow);
      }
    }
    api::ResourceList largest;
    for (const auto* type : claim.instanceTypes) {
      bool owned = false;
      for (const auto& candidate : poolIt->second->instanceTypes) {
        owned = owned || &candidate == type;
      }
      if (!owned) {
        violations.push_back(type->name + " is not an instance type of " + claim.nodePoolName);
        continue;
      }
      if (!type->requirements.intersects(claim.requirements)) {
        violations.push_back(type->name + " does not match its NodeClaim's requirements");
      }
      bool offered = false;
      for (const auto& offering : type->offerings) {
        offered = offered || (offering.available &&
                              claim.requirements.compatible(offering.requirements, true));
      }
      if (!offered) {
        violations.push_back(type->name + " has no available compatible offering");
      }
      Requirements node = claim.requirements;
      node.add(type->requirements);
      auto needed = api::resources::add(podTotal, daemonOverhead(input, taints, node, true));
      if (!api::resources::fits(needed, type->allocatable())) {
        violations.push_back("pods of a " + claim.nodePoolName + " NodeClaim overflow " +
                             type->name + ": " + api::resources::toString(needed));
      }
      largest = api::resources::max(largest, type->capacity);
    }
    auto& used = limitUse[claim.nodePoolName];
    for (const auto& [name, amount] : largest) {
      used[name] += amount;
    }
    used["nodes"] += api::Quantity::fromInt(1);
  }
  for (const auto& [name, used] : limitUse) {
    const auto& pool = pools[name]->nodePool;
    for (const auto& [resource, limit] : pool.spec.limits) {
      api::Quantity total =
          resource == "nodes" ? api::Quantity::fromInt(pool.status.nodes) : api::Quantity();
      if (resource != "nodes" && pool.status.resources.contains(resource)) {
        total = pool.status.resources.at(resource);
      }
      if (used.contains(resource)) {
        total += used.at(resource);
      }
      if (total > limit) {
        violations.push_back("nodepool " + name + " exceeds its " + resource + " limit");
      }
    }
  }

  std::map<std::string, const ExistingNode*> nodes;
  for (const auto& node : input.existingNodes) {
    nodes[node.name] = &node;
  }
  for (const auto& placement : results.existingNodes) {
    auto nodeIt = nodes.find(placement.nodeName);
    if (nodeIt == nodes.end()) {
      violations.push_back("placement on unknown node " + placement.nodeName);
      continue;
    }
    const auto& node = *nodeIt->second;
    Requirements labels = Requirements::fromLabels(node.labels);
    api::ResourceList total;
    std::set<std::string> present;
    for (const auto* pod : node.pods) {
      total = api::resources::add(total, requestsWithPodCount(*pod));
    }
    for (const auto& daemonSet : input.daemonSets) {
      bool there = false;
      for (const auto* pod : node.pods) {
        for (const auto& owner : pod->metadata.ownerReferences) {
          there = there || (owner.kind == "DaemonSet" && owner.name == daemonSet.metadata.name);
        }
      }
      if (!there) {
        SchedulerInput single;
        single.daemonSets.push_back(daemonSet);
        total = api::resources::add(total, daemonOverhead(single, node.taints, labels, false));
      }
    }
    for (const auto* pod : placement.pods) {
      account(pod);
      total = api::resources::add(total, requestsWithPodCount(*pod));
      if (!toleratesAll(pod->spec.tolerations, node.taints)) {
        violations.push_back("pod " + pod->metadata.name + " does not tolerate " + node.name);
      }
      if (!podAccepts(*pod, labels, false)) {
        violations.push_back("pod " + pod->metadata.name + " incompatible with " + node.name);
      }
    }
    if (hostPortClash(placement.pods, node.pods)) {
      violations.push_back("host port clash on node " + node.name);
    }
    for (const auto& overflow :
         volumeLimitOverflows(input, node.pods, placement.pods, node.volumeLimits)) {
      violations.push_back("node " + node.name + ": " + overflow);
    }
    for (const auto* pod : placement.pods) {
      std::optional<api::NodeAffinity> affinity;
      if (pod->spec.affinity) {
        affinity = pod->spec.affinity->nodeAffinity;
      }
      if (!RequiredNodeAffinity(pod->spec.nodeSelector, affinity).matches(node.labels, node.name)) {
        violations.push_back("pod " + pod->metadata.name + " does not match " + node.name +
                             " by kube-scheduler's node affinity");
      }
    }
    if (!api::resources::fits(total, node.allocatable)) {
      violations.push_back("node " + node.name +
                           " overcommitted: " + api::resources::toString(total));
    }
  }
  for (const auto& error : results.podErrors) {
    account(error.pod);
    if (error.reason.empty()) {
      violations.push_back("pod error without a reason");
    }
  }
  for (const auto& [pod, count] : seen) {
    if (count != 1) {
      violations.push_back("pod " + pod->metadata.name + " accounted " + std::to_string(count) +
                           " times");
    }
  }

  std::vector<PlacedPod> all;
  for (const auto& node : input.existingNodes) {
    for (const auto* pod : node.pods) {
      if (pod->status.phase != "Succeeded" && pod->status.phase != "Failed" &&
          !pod->metadata.deletionTimestamp) {
        all.push_back({pod, {&node, nullptr, 0}, false});
      }
    }
  }
  for (const auto& placement : results.existingNodes) {
    if (auto it = nodes.find(placement.nodeName); it != nodes.end()) {
      for (const auto* pod : placement.pods) {
        all.push_back({pod, {it->second, nullptr, 0}, true});
      }
    }
  }
  for (size_t i = 0; i < results.newNodeClaims.size(); ++i) {
    for (const auto* pod : results.newNodeClaims[i].pods) {
      all.push_back({pod, {nullptr, &results.newNodeClaims[i], i}, true});
    }
  }
  auto topology = checkTopology(
      input, all, [&input](const api::Pod& pod) { return acceptableRequirements(pod, &input); });
  violations.insert(violations.end(), topology.begin(), topology.end());
  return violations;
}

}  // namespace karpenter::scheduling::testing
