#include "karpenter/scheduling/scheduler.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>

#include "karpenter/api/well_known.hpp"
#include "solver/existing_node.hpp"
#include "solver/inflight_nodeclaim.hpp"
#include "solver/nodeclaim_template.hpp"
#include "solver/packing.hpp"
#include "solver/prepared_pod.hpp"
#include "solver/topology.hpp"
#include "solver/volume_topology.hpp"

namespace karpenter::scheduling {

ExistingNode ExistingNode::fromNode(const api::Node& node, std::vector<const api::Pod*> pods) {
  ExistingNode out;
  out.name = node.metadata.name;
  out.labels = node.metadata.labels;
  out.taints = node.spec.taints;
  out.allocatable = node.status.allocatable;
  out.pods = std::move(pods);
  bool managed = out.labels.contains(api::kNodePoolLabelKey);
  auto initialized = out.labels.find(api::kNodeInitializedLabelKey);
  out.initialized = !managed || (initialized != out.labels.end() && initialized->second == "true");
  return out;
}

std::map<std::string, int64_t> csiVolumeLimits(const api::CSINode& csiNode) {
  std::map<std::string, int64_t> out;
  for (const auto& driver : csiNode.spec.drivers) {
    if (driver.allocatable && driver.allocatable->count) {
      out[driver.name] = *driver.allocatable->count;
    }
  }
  return out;
}

namespace {

using solver::ExistingNodeState;
using solver::InFlightNodeClaim;
using solver::NodeClaimTemplate;
using solver::PreparedPod;

// One solve's mutable state (upstream Scheduler): templates with their remaining limits, the
// existing nodes and the NodeClaims opened so far.
class Solver final {
 public:
  explicit Solver(const SchedulerInput& input) : options_(input.options), volumes_(input) {
    daemonPods_ = solver::prepareDaemonPods(input.daemonSets);
    templates_.reserve(input.nodePools.size());
    for (const auto& pool : input.nodePools) {
      templates_.push_back(solver::prepareTemplate(pool, daemonPods_));
    }
    // §4.2: weight desc, then name desc.
    std::sort(templates_.begin(), templates_.end(), [](const auto& a, const auto& b) {
      if (a.weight != b.weight) {
        return a.weight > b.weight;
      }
      return a.nodePoolName > b.nodePoolName;
    });
    // Relaxation tolerates PreferNoSchedule when some NodePool or node has such a taint (upstream
    // looks at NodePools; existing nodes are added so that, as with kube-scheduler, a soft taint
    // on a node never keeps a pod off it for good).
    anyPreferNoSchedule_ = std::any_of(templates_.begin(), templates_.end(),
                                       [](const auto& t) { return t.hasPreferNoSchedule; });
    for (const auto& node : input.existingNodes) {
      for (const auto& taint : node.taints) {
        anyPreferNoSchedule_ =
            anyPreferNoSchedule_ || taint.effect == api::kTaintEffectPreferNoSchedule;
      }
    }
    topology_ = std::make_unique<solver::Topology>(input, templates_);
    existing_.reserve(input.existingNodes.size());
    for (size_t i = 0; i < input.existingNodes.size(); ++i) {
      existing_.emplace_back(input.existingNodes[i], i, daemonPods_, volumes_, topology_.get());
    }
    std::stable_sort(existing_.begin(), existing_.end(), [](const auto& a, const auto& b) {
      if (a.node().initialized != b.node().initialized) {
        return a.node().initialized;
      }
      return a.node().name < b.node().name;
    });
  }

  Results solve(std::span<const api::Pod* const> pods) {
    Results results;
    std::vector<PreparedPod> prepared;
    prepared.reserve(pods.size());
    for (const auto* pod : pods) {
      prepared.emplace_back(*pod, options_.ignorePreferences, volumes_);
    }
    topology_->prepare(prepared);
    std::vector<PreparedPod*> order;
    order.reserve(prepared.size());
    for (auto& pod : prepared) {
      if (pod.unsupported().empty()) {
        order.push_back(&pod);
      } else {
        results.podErrors.push_back({&pod.pod(), pod.unsupported()});
      }
    }
    std::sort(order.begin(), order.end(), [](const PreparedPod* a, const PreparedPod* b) {
      return solver::queueBefore(*a, *b);
    });

    for (const auto* pod : order) {
      unplaced_ += pod->requests();
    }
    std::deque<PreparedPod*> queue(order.begin(), order.end());
    std::vector<std::string> lastError(prepared.size());
    size_t failuresSinceProgress = 0;
    while (!queue.empty() && failuresSinceProgress < queue.size()) {
      PreparedPod* pod = queue.front();
      queue.pop_front();
      size_t index = static_cast<size_t>(pod - prepared.data());
      if (add(*pod, &lastError[index])) {
        unplaced_ -= pod->requests();
        failuresSinceProgress = 0;
        continue;
      }
      queue.push_back(pod);
      if (pod->relax(anyPreferNoSchedule_)) {
        failuresSinceProgress = 0;
      } else {
        ++failuresSinceProgress;
      }
    }
    for (const auto* pod : queue) {
      size_t index = static_cast<size_t>(pod - prepared.data());
      results.podErrors.push_back({&pod->pod(), lastError[index]});
    }
    open_.clear();
    solver::BalancedRepack(claims_, topology_.get(), hostnameSequence_).run();
    finish(results);
    return results;
  }

 private:
  bool add(const PreparedPod& pod, std::string* error) {
    for (auto& node : existing_) {
      if (node.tryAdd(pod)) {
        return true;
      }
    }
    for (size_t i = 0; i < open_.size(); ++i) {
      if (open_[i]->tryAdd(pod, nullptr)) {
        keepFewestPodsFirst(i);
        return true;
      }
    }
    for (auto& nodeClaimTemplate : templates_) {
      if (openNodeClaim(nodeClaimTemplate, pod, nullptr)) {
        return true;
      }
    }
    // Failure path only: try again, this time building the reasons.
    std::string reasons;
    for (auto& nodeClaimTemplate : templates_) {
      std::string reason;
      openNodeClaim(nodeClaimTemplate, pod, &reason);
      if (!reasons.empty()) {
        reasons += "; ";
      }
      reasons += reason;
    }
    *error = templates_.empty() ? "no nodepools found" : reasons;
    return false;
  }

  // A NodeClaim that just gained a pod moves right past those with fewer pods, so open_ stays
  // sorted by pod count (stable: older first among equals) without re-sorting.
  void keepFewestPodsFirst(size_t i) {
    while (i + 1 < open_.size() && open_[i]->pods().size() > open_[i + 1]->pods().size()) {
      std::swap(open_[i], open_[i + 1]);
      ++i;
    }
  }

  bool openNodeClaim(NodeClaimTemplate& nodeClaimTemplate, const PreparedPod& pod,
                     std::string* reason) {
    const std::string prefix =
        "incompatible with nodepool \"" + nodeClaimTemplate.nodePoolName + "\": ";
    if (!nodeClaimTemplate.invalid.empty()) {
      if (reason != nullptr) {
        *reason = prefix + nodeClaimTemplate.invalid;
      }
      return false;
    }
    std::vector<const solver::Candidate*> admitted;
    admitted.reserve(nodeClaimTemplate.candidates.size());
    for (const auto& candidate : nodeClaimTemplate.candidates) {
      if (nodeClaimTemplate.limits.admits(candidate)) {
        admitted.push_back(&candidate);
      }
    }
    const std::string hostname = solver::placeholderHostname(hostnameSequence_);
    auto claim = std::make_unique<InFlightNodeClaim>(nodeClaimTemplate, std::move(admitted),
                                                     hostname, topology_.get());
    if (!claim->tryAdd(pod, reason)) {
      if (reason != nullptr && reason->starts_with("no instance type fits")) {
        // Distinguish "nothing fits" from "what fits is over the limits".
        InFlightNodeClaim unlimited(nodeClaimTemplate, nodeClaimTemplate.allCandidates(), hostname,
                                    topology_.get());
        unlimited.setDryRun();
        if (unlimited.tryAdd(pod, nullptr)) {
          *reason = "exceeds limits of nodepool \"" + nodeClaimTemplate.nodePoolName + "\"";
          return false;
        }
      }
      if (reason != nullptr) {
        *reason = prefix + *reason;
      }
      return false;
    }
    // A NodePool's limits are charged the largest type each NodeClaim may launch, and a "nodes"
    // limit counts NodeClaims: more, smaller NodeClaims would exhaust them where upstream's
    // fill-the-largest packing fits, so limited NodePools keep that packing.
    if (nodeClaimTemplate.limits.empty()) {
      if (const auto* capType = solver::packingCapType(claim->candidates(), unplaced_)) {
        claim->capPrice(*capType);
      }
    }
    ++hostnameSequence_;
    topology_->registerHostname(hostname, &nodeClaimTemplate.requirements,
                                &nodeClaimTemplate.taints);
    nodeClaimTemplate.limits.subtractLargest(claim->candidates());
    open_.insert(open_.begin(), claim.get());  // one pod: the fewest there can be
    claims_.push_back(std::move(claim));
    keepFewestPodsFirst(0);
    return true;
  }

  void finish(Results& results) {
    for (const auto& node : existing_) {
      if (!node.added().empty()) {
        results.existingNodes.push_back({node.node().name, node.added()});
      }
    }
    // NodeClaims are reported in the order they were opened, not by pod count.
    for (const auto& claim : claims_) {
      finishNodeClaim(*claim, results);
    }
  }

  // §4.4/4.5: capacity-type In [what the kept types offer, available and compatible]; when a
  // reserved offering is among them the NodeClaim is pinned to reserved capacity (and to the
  // types and reservations that have it), so it cannot over-launch into on-demand or spot.
  static void narrowCapacityType(Requirements& requirements,
                                 std::vector<const InstanceType*>& types) {
    std::vector<std::string> capacityTypes;
    std::vector<std::string> reservations;
    std::vector<const InstanceType*> reservedTypes;
    for (const auto* type : types) {
      bool reserved = false;
      for (const auto& offering : type->offerings) {
        if (!offering.available || !requirements.isCompatible(offering.requirements, true)) {
          continue;
        }
        const Requirement* capacityType = offering.requirements.find(api::kCapacityTypeLabelKey);
        if (capacityType == nullptr || capacityType->complement()) {
          continue;
        }
        for (const auto& value : capacityType->values()) {
          capacityTypes.push_back(value);
          if (value == api::kCapacityTypeReserved) {
            reserved = true;
            if (const auto* id = offering.requirements.find(api::kReservationIdLabelKey);
                id != nullptr && !id->complement()) {
              reservations.insert(reservations.end(), id->values().begin(), id->values().end());
            }
          }
        }
      }
      if (reserved) {
        reservedTypes.push_back(type);
      }
    }
    if (!reservedTypes.empty()) {
      types = std::move(reservedTypes);
      requirements.add(
          Requirement::in(api::kCapacityTypeLabelKey, {std::string(api::kCapacityTypeReserved)}));
      if (!reservations.empty()) {
        requirements.add(Requirement::in(api::kReservationIdLabelKey, std::move(reservations)));
      }
      return;
    }
    if (!capacityTypes.empty()) {
      requirements.add(Requirement::in(api::kCapacityTypeLabelKey, std::move(capacityTypes)));
    }
  }

  // What finalisation derives from a NodeClaim's requirements and remaining instance types;
  // NodeClaims of one template that end up alike (common in large solves) share it.
  struct Finalised {
    std::string error;
    std::vector<const InstanceType*> instanceTypes;
    Requirements requirements;
    ResourceVector overhead;
  };

  static std::string finaliseKey(const InFlightNodeClaim& claim, const Requirements& requirements) {
    std::string key = claim.nodeClaimTemplate().nodePoolName;
    key += '\0';
    for (const auto& requirement : requirements) {
      for (const auto& r : requirement.toNodeSelectorRequirements()) {
        key += r.key + ' ' + r.op;
        for (const auto& value : r.values) {
          key += ' ' + value;
        }
        key += '\0';
      }
    }
    const auto& candidates = claim.candidates();
    key.append(reinterpret_cast<const char*>(candidates.data()),
               candidates.size() * sizeof(candidates[0]));
    return key;
  }

  Finalised finalise(const InFlightNodeClaim& claim, Requirements requirements) const {
    Finalised out;
    std::vector<const InstanceType*> types;
    types.reserve(claim.candidates().size());
    for (const auto* candidate : claim.candidates()) {
      types.push_back(candidate->type);
    }
    auto truncated = truncate(std::move(types), requirements, options_.maxInstanceTypes);
    if (!truncated) {
      out.error = truncated.error().message;
      return out;
    }
    out.instanceTypes = std::move(truncated).value();
    narrowCapacityType(requirements, out.instanceTypes);
    std::vector<std::string> names;
    names.reserve(out.instanceTypes.size());
    for (const auto* type : out.instanceTypes) {
      names.push_back(type->name);
    }
    requirements.add(Requirement::in(api::kLabelInstanceType, std::move(names)));
    out.requirements = std::move(requirements);
    std::vector<const InstanceType*> kept = out.instanceTypes;
    std::sort(kept.begin(), kept.end());
    bool first = true;
    for (const auto* candidate : claim.candidates()) {
      if (!std::binary_search(kept.begin(), kept.end(), candidate->type)) {
        continue;
      }
      out.overhead = first ? candidate->daemonOverhead
                           : ResourceVector::min(out.overhead, candidate->daemonOverhead);
      first = false;
    }
    return out;
  }

  void finishNodeClaim(const InFlightNodeClaim& claim, Results& results) {
    std::vector<Requirement> kept;
    for (const auto& requirement : claim.requirements()) {
      if (requirement.key() != api::kLabelHostname) {
        kept.push_back(requirement);
      }
    }
    Requirements requirements(std::move(kept));
    std::string key = finaliseKey(claim, requirements);
    auto cached = finalised_.find(key);
    if (cached == finalised_.end()) {
      cached = finalised_.emplace(std::move(key), finalise(claim, std::move(requirements))).first;
    }
    const Finalised& done = cached->second;
    if (!done.error.empty()) {
      for (const auto* pod : claim.pods()) {
        results.podErrors.push_back({pod, "incompatible with nodepool \"" +
                                              claim.nodeClaimTemplate().nodePoolName +
                                              "\": " + done.error});
      }
      return;
    }
    NewNodeClaim out;
    out.nodePoolName = claim.nodeClaimTemplate().nodePoolName;
    out.instanceTypes = done.instanceTypes;
    out.requirements = done.requirements;
    out.daemonSetOverhead = done.overhead.toList();
    out.requests = (claim.podRequests() + done.overhead).toList();
    out.pods = claim.pods();
    results.newNodeClaims.push_back(std::move(out));
  }

  SchedulerOptions options_;
  solver::VolumeTopology volumes_;
  std::unique_ptr<solver::Topology> topology_;
  std::vector<solver::DaemonPod> daemonPods_;
  std::vector<NodeClaimTemplate> templates_;
  bool anyPreferNoSchedule_ = false;
  std::vector<ExistingNodeState> existing_;
  std::vector<std::unique_ptr<InFlightNodeClaim>> claims_;  // in the order they were opened
  std::vector<InFlightNodeClaim*> open_;                    // the same, fewest pods first
  size_t hostnameSequence_ = 0;
  ResourceVector unplaced_;  // requests of the queued pods not placed yet
  std::map<std::string, Finalised> finalised_;
};

}  // namespace

Results solve(const SchedulerInput& input, std::span<const api::Pod* const> pods) {
  Solver solver(input);
  return solver.solve(pods);
}

}  // namespace karpenter::scheduling
