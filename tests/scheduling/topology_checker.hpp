#pragma once

// The topology half of the independent result checker: volume topology, topology spread, pod
// affinity and anti-affinity (both directions) over the whole result, recomputed from the raw
// input with its own domain bookkeeping (strings, not the solver's interned ids).
//
// Spread is checked on the final state: a placed pod's domain may hold at most
// min + maxSkew matching pods, min over the eligible domains (0 for hostname while a NodePool
// exists, or when fewer than minDomains are eligible). That is what kube-scheduler's placement-time
// rule guarantees when every pod the selector matches is itself an owner of the same constraint,
// which is how the property scenarios build their workloads. Affinity: every domain the pod may
// be in holds another matching pod, or the pod matches its own term and no other pod matches it
// at all (the first-pod rule). Anti-affinity: no other matching pod may share a possible domain,
// in either direction (existing pods' terms included).

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "karpenter/api/label_selector.hpp"
#include "karpenter/api/well_known.hpp"
#include "karpenter/scheduling/scheduler.hpp"
#include "karpenter/scheduling/taints.hpp"

namespace karpenter::scheduling::testing {

// Alternatives (ORed) a pod's persistent volumes allow; empty when none constrains it.
inline std::vector<std::vector<api::NodeSelectorRequirement>> volumeAlternatives(
    const SchedulerInput& input, const api::Pod& pod) {
  std::vector<std::vector<api::NodeSelectorRequirement>> product;
  for (const auto& volume : pod.spec.volumes) {
    if (!volume.persistentVolumeClaim) {
      continue;
    }
    const api::PersistentVolumeClaim* claim = nullptr;
    for (const auto& c : input.persistentVolumeClaims) {
      if (c.metadata.namespace_ == pod.metadata.namespace_ &&
          c.metadata.name == volume.persistentVolumeClaim->claimName) {
        claim = &c;
      }
    }
    if (claim == nullptr) {
      continue;
    }
    std::vector<std::vector<api::NodeSelectorRequirement>> options;
    if (!claim->spec.volumeName.empty()) {
      for (const auto& pv : input.persistentVolumes) {
        if (pv.metadata.name == claim->spec.volumeName && pv.spec.nodeAffinity &&
            pv.spec.nodeAffinity->required) {
          for (const auto& term : pv.spec.nodeAffinity->required->nodeSelectorTerms) {
            options.push_back(term.matchExpressions);
          }
        }
      }
    } else {
      for (const auto& storageClass : input.storageClasses) {
        bool named = claim->spec.storageClassName
                         ? storageClass.metadata.name == *claim->spec.storageClassName
                         : storageClass.metadata.annotations.contains(
                               "storageclass.kubernetes.io/is-default-class");
        if (!named) {
          continue;
        }
        for (const auto& term : storageClass.allowedTopologies) {
          std::vector<api::NodeSelectorRequirement> in;
          for (const auto& e : term.matchLabelExpressions) {
            in.push_back({e.key, "In", e.values, std::nullopt});
          }
          options.push_back(in);
        }
      }
    }
    if (options.empty()) {
      continue;
    }
    if (product.empty()) {
      product = options;
      continue;
    }
    std::vector<std::vector<api::NodeSelectorRequirement>> next;
    for (const auto& left : product) {
      for (const auto& right : options) {
        auto both = left;
        both.insert(both.end(), right.begin(), right.end());
        next.push_back(both);
      }
    }
    product = next;
  }
  return product;
}

// Where a pod runs, as far as topology can tell: an existing node's labels, or a new NodeClaim's
// requirements (its hostname is unique to it).
struct PlacedNode {
  const ExistingNode* existing = nullptr;
  const NewNodeClaim* claim = nullptr;
  size_t claimIndex = 0;

  // The values `key` may take there; nullopt when the node will not carry the label.
  std::optional<std::set<std::string>> domains(const std::string& key) const {
    if (existing != nullptr) {
      auto it = existing->labels.find(key);
      if (it == existing->labels.end()) {
        return std::nullopt;
      }
      return std::set<std::string>{it->second};
    }
    if (key == api::kLabelHostname) {
      return std::set<std::string>{"new-nodeclaim-" + std::to_string(claimIndex)};
    }
    const Requirement* r = claim->requirements.find(key);
    if (r != nullptr && !r->complement()) {
      if (r->values().empty()) {
        return std::nullopt;
      }
      return std::set<std::string>(r->values().begin(), r->values().end());
    }
    // Open on the NodeClaim: wherever one of its instance types may put it.
    std::set<std::string> out;
    for (const auto* type : claim->instanceTypes) {
      const Requirement* t = type->requirements.find(key);
      if (t != nullptr && !t->complement()) {
        for (const auto& v : t->values()) {
          if (r == nullptr || r->has(v)) {
            out.insert(v);
          }
        }
      }
    }
    if (out.empty()) {
      return std::nullopt;
    }
    return out;
  }
  Requirements requirements() const {
    return existing != nullptr ? Requirements::fromLabels(existing->labels) : claim->requirements;
  }
  const std::vector<api::Taint>& taints(const SchedulerInput& input) const {
    static const std::vector<api::Taint> kNone;
    if (existing != nullptr) {
      return existing->taints;
    }
    for (const auto& pool : input.nodePools) {
      if (pool.nodePool.metadata.name == claim->nodePoolName) {
        return pool.nodePool.spec.template_.spec.taints;
      }
    }
    return kNone;
  }
};

struct PlacedPod {
  const api::Pod* pod;
  PlacedNode node;
  bool pending;  // placed by this solve
};

// Which pods a term (of `owner`) selects: namespaces and label selector (+ matchLabelKeys).
struct TermMatcher {
  std::optional<api::Selector> selector;
  bool allNamespaces = false;
  std::set<std::string> namespaces;

  TermMatcher(const SchedulerInput& input, const api::Pod& owner,
              const std::optional<api::LabelSelector>& labelSelector,
              const std::vector<std::string>& matchLabelKeys,
              const std::vector<std::string>& mismatchLabelKeys,
              const std::vector<std::string>& termNamespaces,
              const std::optional<api::LabelSelector>& namespaceSelector) {
    if (labelSelector) {
      auto parsed = api::fromLabelSelector(*labelSelector);
      if (parsed) {
        selector = *parsed;
        for (const auto& key : matchLabelKeys) {
          if (owner.metadata.labels.contains(key)) {
            selector->add(*api::makeRequirement(key, api::SelectorOperator::kIn,
                                                {owner.metadata.labels.at(key)}));
          }
        }
        for (const auto& key : mismatchLabelKeys) {
          if (owner.metadata.labels.contains(key)) {
            selector->add(*api::makeRequirement(key, api::SelectorOperator::kNotIn,
                                                {owner.metadata.labels.at(key)}));
          }
        }
      }
    }
    namespaces.insert(termNamespaces.begin(), termNamespaces.end());
    if (namespaceSelector) {
      auto parsed = api::fromLabelSelector(*namespaceSelector);
      if (parsed && parsed->empty()) {
        allNamespaces = true;
      } else if (parsed) {
        for (const auto& ns : input.namespaces) {
          if (parsed->matches(ns.labels)) {
            namespaces.insert(ns.name);
          }
        }
      }
    } else if (namespaces.empty()) {
      namespaces.insert(owner.metadata.namespace_);
    }
  }

  bool matches(const api::Pod& pod) const {
    return selector && (allNamespaces || namespaces.contains(pod.metadata.namespace_)) &&
           selector->matches(pod.metadata.labels);
  }
};

inline bool overlaps(const std::optional<std::set<std::string>>& a,
                     const std::optional<std::set<std::string>>& b) {
  if (!a || !b) {
    return false;
  }
  return std::any_of(a->begin(), a->end(), [&](const std::string& v) { return b->contains(v); });
}

inline std::vector<std::string> checkTopology(
    const SchedulerInput& input, const std::vector<PlacedPod>& all,
    const std::function<std::vector<Requirements>(const api::Pod&)>& requiredAlternatives) {
  std::vector<std::string> violations;
  auto name = [](const api::Pod& pod) { return pod.metadata.name; };
  for (const auto& placed : all) {
    if (!placed.pending) {
      continue;
    }
    const api::Pod& pod = *placed.pod;
    // --- topology spread (DoNotSchedule only: ScheduleAnyway may have been relaxed) ---
    for (const auto& constraint : pod.spec.topologySpreadConstraints) {
      if (constraint.whenUnsatisfiable != "DoNotSchedule") {
        continue;
      }
      const std::string key(api::normalizeLabelKey(constraint.topologyKey));
      auto own = placed.node.domains(key);
      if (!own || own->size() != 1) {
        violations.push_back("spread pod " + name(pod) + " on a node without one " + key);
        continue;
      }
      const bool honorAffinity = constraint.nodeAffinityPolicy.value_or("Honor") != "Ignore";
      const bool honorTaints = constraint.nodeTaintsPolicy.value_or("Ignore") == "Honor";
      const auto alternatives = requiredAlternatives(pod);
      auto nodePasses = [&](const Requirements& node, const std::vector<api::Taint>& taints,
                            bool allowUndefined) {
        if (honorAffinity) {
          bool any = false;
          for (const auto& a : alternatives) {
            any = any || node.compatible(a, allowUndefined).ok();
          }
          if (!any) {
            return false;
          }
        }
        return !honorTaints || toleratesAll(pod.spec.tolerations, taints).ok();
      };
      TermMatcher matcher(input, pod, constraint.labelSelector, constraint.matchLabelKeys, {},
                          {pod.metadata.namespace_}, std::nullopt);
      std::map<std::string, int> counts;
      for (const auto& other : all) {
        if (!matcher.matches(*other.pod)) {
          continue;
        }
        auto domains = other.node.domains(key);
        if (domains && domains->size() == 1 &&
            nodePasses(other.node.requirements(), other.node.taints(input),
                       other.node.claim != nullptr)) {
          ++counts[*domains->begin()];
        }
      }
      // Eligible domains: from NodePools × their instance types, and existing nodes.
      std::set<std::string> eligible;
      auto domainAllowed = [&](const std::string& value) {
        if (!honorAffinity) {
          return true;
        }
        for (const auto& a : alternatives) {
          const Requirement* r = a.find(key);
          if (r == nullptr || r->has(value)) {
            return true;
          }
        }
        return false;
      };
      for (const auto& node : input.existingNodes) {
        auto it = node.labels.find(key);
        if (it != node.labels.end() && domainAllowed(it->second) &&
            nodePasses(Requirements::fromLabels(node.labels), node.taints, false)) {
          eligible.insert(it->second);
        }
      }
      for (const auto& pool : input.nodePools) {
        const auto& tmpl = pool.nodePool.spec.template_;
        auto base = Requirements::fromNodeSelectorRequirements(tmpl.spec.requirements);
        if (!base) {
          continue;
        }
        Requirements poolRequirements = *base;
        poolRequirements.add(Requirements::fromLabels(tmpl.metadata.labels));
        if (!nodePasses(poolRequirements, tmpl.spec.taints, true)) {
          continue;
        }
        for (const auto& type : pool.instanceTypes) {
          bool offered = false;
          for (const auto& o : type.offerings) {
            offered =
                offered || (o.available && poolRequirements.compatible(o.requirements, true).ok());
          }
          if (!offered || !type.requirements.intersects(poolRequirements)) {
            continue;
          }
          const Requirement* p = poolRequirements.find(key);
          const Requirement* t = type.requirements.find(key);
          if (p == nullptr && t == nullptr) {
            continue;
          }
          Requirement both = p == nullptr ? *t : t == nullptr ? *p : p->intersection(*t);
          if (both.complement()) {
            continue;
          }
          for (const auto& v : both.values()) {
            if (domainAllowed(v)) {
              eligible.insert(v);
            }
          }
        }
      }
      int min = std::numeric_limits<int>::max();
      for (const auto& d : eligible) {
        min = std::min(min, counts.contains(d) ? counts.at(d) : 0);
      }
      if (eligible.empty() ||
          (constraint.minDomains && static_cast<int>(eligible.size()) < *constraint.minDomains) ||
          (key == api::kLabelHostname && !input.nodePools.empty())) {
        min = 0;
      }
      const int mine = counts[*own->begin()];
      if (mine - min > constraint.maxSkew) {
        violations.push_back("spread of " + name(pod) + " on " + key + ": " + *own->begin() +
                             " holds " + std::to_string(mine) + ", min " + std::to_string(min) +
                             ", maxSkew " + std::to_string(constraint.maxSkew));
      }
    }
    if (!pod.spec.affinity) {
      continue;
    }
    // --- required pod affinity ---
    if (pod.spec.affinity->podAffinity) {
      for (const auto& term :
           pod.spec.affinity->podAffinity->requiredDuringSchedulingIgnoredDuringExecution) {
        const std::string key(api::normalizeLabelKey(term.topologyKey));
        TermMatcher matcher(input, pod, term.labelSelector, term.matchLabelKeys,
                            term.mismatchLabelKeys, term.namespaces, term.namespaceSelector);
        auto own = placed.node.domains(key);
        if (!own) {
          violations.push_back("affinity pod " + name(pod) + " on a node without " + key);
          continue;
        }
        bool anyOther = false;
        for (const auto& other : all) {
          anyOther = anyOther || (other.pod != &pod && matcher.matches(*other.pod));
        }
        if (!anyOther && matcher.matches(pod)) {
          continue;  // first-pod rule
        }
        for (const auto& d : *own) {
          bool found = false;
          for (const auto& other : all) {
            if (other.pod == &pod || !matcher.matches(*other.pod)) {
              continue;
            }
            auto theirs = other.node.domains(key);
            found = found || (theirs && theirs->size() == 1 && theirs->contains(d));
          }
          if (!found) {
            violations.push_back("affinity of " + name(pod) + ": no matching pod in " + key + "=" +
                                 d);
          }
        }
      }
    }
  }
  // --- required anti-affinity, both directions: every owner against every pod it matches ---
  for (const auto& owner : all) {
    const api::Pod& pod = *owner.pod;
    if (!pod.spec.affinity || !pod.spec.affinity->podAntiAffinity) {
      continue;
    }
    for (const auto& term :
         pod.spec.affinity->podAntiAffinity->requiredDuringSchedulingIgnoredDuringExecution) {
      const std::string key(api::normalizeLabelKey(term.topologyKey));
      TermMatcher matcher(input, pod, term.labelSelector, term.matchLabelKeys,
                          term.mismatchLabelKeys, term.namespaces, term.namespaceSelector);
      auto own = owner.node.domains(key);
      for (const auto& other : all) {
        if (other.pod == &pod || (!owner.pending && !other.pending) ||
            !matcher.matches(*other.pod)) {
          continue;  // clashes among pods already running are not the solver's doing
        }
        if (overlaps(own, other.node.domains(key))) {
          violations.push_back("anti-affinity of " + name(pod) + " towards " + name(*other.pod) +
                               " on " + key);
        }
      }
    }
  }
  return violations;
}

}  // namespace karpenter::scheduling::testing
