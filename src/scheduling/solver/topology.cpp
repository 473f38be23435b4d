#include "topology.hpp"

#include <algorithm>
#include <limits>

#include "karpenter/api/well_known.hpp"
#include "karpenter/scheduling/taints.hpp"

namespace karpenter::scheduling::solver {

namespace {

// An exact, allocation-tolerant identity of requirements (toString elides long value lists).
void appendIdentity(std::string& out, const Requirements& requirements) {
  for (const auto& r : requirements) {
    out += r.key();
    out += r.complement() ? "!" : "=";
    for (const auto& value : r.values()) {
      out += value;
      out += ',';
    }
    if (r.greaterThanOrEqual()) {
      out += ">=" + std::to_string(*r.greaterThanOrEqual());
    }
    if (r.lessThanOrEqual()) {
      out += "<=" + std::to_string(*r.lessThanOrEqual());
    }
    out += ';';
  }
  out += '|';
}

bool terminalOrTerminating(const api::Pod& pod) {
  return pod.status.phase == "Succeeded" || pod.status.phase == "Failed" ||
         pod.metadata.deletionTimestamp.has_value();
}

std::string domainList(const TopologyKey& key, const std::vector<int32_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size() && i < 5; ++i) {
    out += (i == 0 ? "" : " ") + key.values[static_cast<size_t>(ids[i])];
  }
  if (ids.size() > 5) {
    out += " and " + std::to_string(ids.size() - 5) + " others";
  }
  return out + "]";
}

}  // namespace

int32_t TopologyKey::find(std::string_view value) const {
  auto it = ids.find(std::string(value));
  return it == ids.end() ? -1 : it->second;
}

int32_t TopologyKey::intern(const std::string& value) {
  auto [it, inserted] = ids.emplace(value, static_cast<int32_t>(values.size()));
  if (inserted) {
    values.push_back(value);
    providers.emplace_back();
  }
  return it->second;
}

void TopologyKey::addProvider(int32_t id, Provider provider) {
  auto& list = providers[static_cast<size_t>(id)];
  for (const auto& existing : list) {
    if (existing.requirements == provider.requirements && existing.taints == provider.taints) {
      return;
    }
  }
  list.push_back(provider);
}

bool TopologyGroup::selects(const api::Pod& pod) const {
  if (!allNamespaces &&
      !std::binary_search(namespaces.begin(), namespaces.end(), pod.metadata.namespace_)) {
    return false;
  }
  return selector.matches(pod.metadata.labels);
}

void TopologyGroup::add(int32_t domain) {
  if (domain < 0) {
    return;
  }
  if (static_cast<size_t>(domain) >= counts.size()) {
    counts.resize(static_cast<size_t>(domain) + 1, 0);
  }
  ++counts[static_cast<size_t>(domain)];
  ++total;
}

bool TopologyGroup::filterPasses(const Requirements& node, const std::vector<api::Taint>& taints,
                                 bool allowUndefinedWellKnown) const {
  if (honorAffinity && !filterTerms.empty()) {
    bool any = false;
    for (const auto& term : filterTerms) {
      if (node.isCompatible(term, allowUndefinedWellKnown)) {
        any = true;
        break;
      }
    }
    if (!any) {
      return false;
    }
  }
  return !honorTaints || toleratesAll(tolerations, taints, TaintScope::kBlocking).ok();
}

Topology::Topology(const SchedulerInput& input, const std::vector<NodeClaimTemplate>& templates)
    : input_(&input), templates_(&templates) {
  existingLabels_.reserve(input.existingNodes.size());
  for (const auto& node : input.existingNodes) {
    existingLabels_.push_back(Requirements::fromLabels(node.labels));
  }
}

uint32_t Topology::keyIndex(std::string_view key) {
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i].key == key) {
      return static_cast<uint32_t>(i);
    }
  }
  keys_.push_back(TopologyKey{std::string(key), {}, {}, {}});
  return static_cast<uint32_t>(keys_.size() - 1);
}

uint32_t Topology::intern(TopologyGroup group, const std::string& identity) {
  auto [it, inserted] = groupIds_.emplace(identity, static_cast<uint32_t>(groups_.size()));
  if (inserted) {
    groups_.push_back(std::move(group));
  }
  return it->second;
}

std::optional<uint32_t> Topology::groupFor(const api::Pod& owner, const PreparedPod* /*prepared*/,
                                           GroupType type, const api::PodAffinityTerm& term,
                                           std::string* error) {
  if (term.topologyKey.empty()) {
    *error = "pod (anti-)affinity term without a topologyKey";
    return std::nullopt;
  }
  TopologyGroup group;
  group.type = type;
  const std::string key(api::normalizeLabelKey(term.topologyKey));
  group.key = keyIndex(key);
  auto selector = api::fromLabelSelector(term.labelSelector);
  if (!selector) {
    *error = "pod (anti-)affinity labelSelector: " + selector.error().message;
    return std::nullopt;
  }
  group.selector = std::move(selector).value();
  if (!group.selector.isNothing()) {
    for (const auto& [keys, op] :
         {std::pair{&term.matchLabelKeys, api::SelectorOperator::kIn},
          std::pair{&term.mismatchLabelKeys, api::SelectorOperator::kNotIn}}) {
      for (const auto& labelKey : *keys) {
        auto value = owner.metadata.labels.find(labelKey);
        if (value == owner.metadata.labels.end()) {
          continue;
        }
        if (auto requirement = api::makeRequirement(labelKey, op, {value->second})) {
          group.selector.add(std::move(requirement).value());
        }
      }
    }
  }
  std::vector<std::string> namespaces = term.namespaces;
  if (term.namespaceSelector) {
    auto nsSelector = api::fromLabelSelector(*term.namespaceSelector);
    if (!nsSelector) {
      *error = "pod (anti-)affinity namespaceSelector: " + nsSelector.error().message;
      return std::nullopt;
    }
    if (nsSelector->empty()) {
      group.allNamespaces = true;
    } else {
      for (const auto& ns : input_->namespaces) {
        if (nsSelector->matches(ns.labels)) {
          namespaces.push_back(ns.name);
        }
      }
    }
  } else if (namespaces.empty()) {
    namespaces.push_back(owner.metadata.namespace_);
  }
  std::sort(namespaces.begin(), namespaces.end());
  namespaces.erase(std::unique(namespaces.begin(), namespaces.end()), namespaces.end());
  group.namespaces = std::move(namespaces);

  std::string identity = std::to_string(static_cast<int>(type)) + "|" + key + "|";
  identity += group.allNamespaces ? "*" : "";
  for (const auto& ns : group.namespaces) {
    identity += ns + ",";
  }
  identity += group.selector.isNothing() ? "|nothing|" : "|" + group.selector.toString() + "|";
  return intern(std::move(group), identity);
}

std::optional<uint32_t> Topology::spreadGroupFor(const PreparedPod& owner,
                                                 const api::TopologySpreadConstraint& constraint,
                                                 std::string* error) {
  const api::Pod& pod = owner.pod();
  TopologyGroup group;
  group.type = GroupType::kSpread;
  const std::string key(api::normalizeLabelKey(constraint.topologyKey));
  group.key = keyIndex(key);
  group.maxSkew = constraint.maxSkew;
  group.minDomains = constraint.minDomains;
  auto selector = api::fromLabelSelector(constraint.labelSelector);
  if (!selector) {
    *error = "topology spread labelSelector: " + selector.error().message;
    return std::nullopt;
  }
  group.selector = std::move(selector).value();
  if (!group.selector.isNothing()) {
    for (const auto& labelKey : constraint.matchLabelKeys) {
      auto value = pod.metadata.labels.find(labelKey);
      if (value == pod.metadata.labels.end()) {
        continue;
      }
      if (auto requirement =
              api::makeRequirement(labelKey, api::SelectorOperator::kIn, {value->second})) {
        group.selector.add(std::move(requirement).value());
      }
    }
  }
  group.namespaces = {pod.metadata.namespace_};
  group.honorAffinity = constraint.nodeAffinityPolicy.value_or("Honor") != "Ignore";
  group.honorTaints = constraint.nodeTaintsPolicy.value_or("Ignore") == "Honor";
  std::string identity = "s|" + key + "|" + std::to_string(group.maxSkew) + "|" +
                         std::to_string(group.minDomains.value_or(0)) + "|" +
                         pod.metadata.namespace_ + "|" +
                         (group.selector.isNothing() ? "nothing" : group.selector.toString()) + "|";
  if (group.honorAffinity) {
    group.filterTerms = owner.requiredAlternatives();
    identity += "A:";
    for (const auto& term : group.filterTerms) {
      appendIdentity(identity, term);
    }
  }
  if (group.honorTaints) {
    group.tolerations = pod.spec.tolerations;
    identity += "T:";
    for (const auto& t : group.tolerations) {
      identity += t.key + "/" + t.op + "/" + t.value + "/" + t.effect + ";";
    }
  }
  return intern(std::move(group), identity);
}

void Topology::prepare(std::vector<PreparedPod>& pods) {
  for (auto& prepared : pods) {
    if (!prepared.unsupported().empty()) {
      continue;
    }
    const api::Pod& pod = prepared.pod();
    auto& links = prepared.topology();
    std::string error;
    for (const auto& constraint : pod.spec.topologySpreadConstraints) {
      bool anyway = constraint.whenUnsatisfiable == "ScheduleAnyway";
      if (anyway && prepared.ignorePreferences()) {
        continue;
      }
      if (auto g = spreadGroupFor(prepared, constraint, &error)) {
        links.owned.push_back(
            {*g, anyway ? ConstraintKind::kScheduleAnyway : ConstraintKind::kRequired, 0, false});
      }
    }
    if (pod.spec.affinity) {
      const auto& affinity = *pod.spec.affinity;
      for (const auto* terms : {&affinity.podAffinity, &affinity.podAntiAffinity}) {
        if (!*terms) {
          continue;
        }
        const bool anti = terms == &affinity.podAntiAffinity;
        const GroupType type = anti ? GroupType::kAntiAffinity : GroupType::kAffinity;
        for (const auto& term : (*terms)->requiredDuringSchedulingIgnoredDuringExecution) {
          if (auto g = groupFor(pod, &prepared, type, term, &error)) {
            links.owned.push_back({*g, ConstraintKind::kRequired, 0, false});
          }
          if (anti) {
            if (auto g = groupFor(pod, &prepared, GroupType::kInverseAntiAffinity, term, &error)) {
              links.inverseOwned.push_back(*g);
            }
          }
        }
        if (prepared.ignorePreferences()) {
          continue;
        }
        for (const auto& weighted : (*terms)->preferredDuringSchedulingIgnoredDuringExecution) {
          if (auto g = groupFor(pod, &prepared, type, weighted.podAffinityTerm, &error)) {
            links.owned.push_back(
                {*g,
                 anti ? ConstraintKind::kPreferredAntiAffinity : ConstraintKind::kPreferredAffinity,
                 weighted.weight, false});
          }
        }
      }
    }
    if (!error.empty()) {
      prepared.setUnsupported(error);
      links = PodTopology{};
    }
  }
  // Existing pods' required anti-affinity keeps matching pods out of their domains (symmetry).
  existingInverse_.resize(input_->existingNodes.size());
  for (size_t i = 0; i < input_->existingNodes.size(); ++i) {
    for (const auto* pod : input_->existingNodes[i].pods) {
      if (terminalOrTerminating(*pod) || !pod->spec.affinity ||
          !pod->spec.affinity->podAntiAffinity) {
        continue;
      }
      for (const auto& term :
           pod->spec.affinity->podAntiAffinity->requiredDuringSchedulingIgnoredDuringExecution) {
        std::string error;
        if (auto g = groupFor(*pod, nullptr, GroupType::kInverseAntiAffinity, term, &error)) {
          existingInverse_[i].push_back(*g);
        }
      }
    }
  }
  if (groups_.empty()) {
    return;
  }
  buildDomains();
  countExisting();
  for (auto& prepared : pods) {
    if (!prepared.unsupported().empty()) {
      continue;
    }
    auto& links = prepared.topology();
    for (uint32_t g = 0; g < groups_.size(); ++g) {
      if (!groups_[g].selects(prepared.pod())) {
        continue;
      }
      if (groups_[g].type == GroupType::kInverseAntiAffinity) {
        links.inverse.push_back(g);
      } else {
        links.countedBy.push_back(g);
      }
    }
    for (auto& owned : links.owned) {
      owned.selectsSelf =
          std::binary_search(links.countedBy.begin(), links.countedBy.end(), owned.group);
    }
  }
}

void Topology::buildDomains() {
  for (auto& key : keys_) {
    if (key.key == api::kLabelHostname) {
      continue;  // new NodeClaims register their placeholder when they open
    }
    for (const auto& nodeClaimTemplate : *templates_) {
      if (!nodeClaimTemplate.invalid.empty()) {
        continue;
      }
      const Requirement* poolRequirement = nodeClaimTemplate.requirements.find(key.key);
      TopologyKey::Provider provider{&nodeClaimTemplate.requirements, &nodeClaimTemplate.taints,
                                     true};
      for (const auto& candidate : nodeClaimTemplate.candidates) {
        const Requirement* typeRequirement = candidate.type->requirements.find(key.key);
        if (poolRequirement == nullptr && typeRequirement == nullptr) {
          continue;
        }
        Requirement both = poolRequirement == nullptr ? *typeRequirement
                           : typeRequirement == nullptr
                               ? *poolRequirement
                               : poolRequirement->intersection(*typeRequirement);
        if (both.complement()) {
          continue;
        }
        for (const auto& value : both.values()) {
          key.addProvider(key.intern(value), provider);
        }
      }
    }
  }
  existingDomains_.assign(input_->existingNodes.size(), std::vector<int32_t>(keys_.size(), -1));
  for (size_t i = 0; i < input_->existingNodes.size(); ++i) {
    const auto& node = input_->existingNodes[i];
    for (size_t k = 0; k < keys_.size(); ++k) {
      auto label = node.labels.find(keys_[k].key);
      if (label == node.labels.end()) {
        continue;
      }
      int32_t id = keys_[k].intern(label->second);
      keys_[k].addProvider(id, {&existingLabels_[i], &node.taints, false});
      existingDomains_[i][k] = id;
    }
  }
}

void Topology::countExisting() {
  for (size_t i = 0; i < input_->existingNodes.size(); ++i) {
    const auto& node = input_->existingNodes[i];
    const auto& domains = existingDomains_[i];
    for (auto& group : groups_) {
      int32_t domain = domains[group.key];
      if (domain < 0 || group.type == GroupType::kInverseAntiAffinity) {
        continue;
      }
      if (group.type == GroupType::kSpread &&
          !group.filterPasses(existingLabels_[i], node.taints, false)) {
        continue;
      }
      for (const auto* pod : node.pods) {
        if (!terminalOrTerminating(*pod) && group.selects(*pod)) {
          group.add(domain);
        }
      }
    }
    for (uint32_t g : existingInverse_[i]) {
      groups_[g].add(domains[groups_[g].key]);
    }
  }
}

bool Topology::eligible(TopologyGroup& group, int32_t domain) {
  if (static_cast<size_t>(domain) >= group.eligible.size()) {
    group.eligible.resize(keys_[group.key].values.size(), -1);
  }
  int8_t& cached = group.eligible[static_cast<size_t>(domain)];
  if (cached >= 0) {
    return cached == 1;
  }
  const TopologyKey& key = keys_[group.key];
  const std::string& value = key.values[static_cast<size_t>(domain)];
  const auto& providers = key.providers[static_cast<size_t>(domain)];
  bool ok = providers.empty();
  for (const auto& provider : providers) {
    bool affinityOk = !group.honorAffinity || group.filterTerms.empty();
    for (size_t t = 0; !affinityOk && t < group.filterTerms.size(); ++t) {
      const Requirements& term = group.filterTerms[t];
      const Requirement* onKey = term.find(key.key);
      affinityOk = (onKey == nullptr || onKey->has(value)) &&
                   provider.requirements->isCompatible(term, provider.allowUndefinedWellKnown);
    }
    bool taintsOk = !group.honorTaints ||
                    toleratesAll(group.tolerations, *provider.taints, TaintScope::kBlocking).ok();
    if (affinityOk && taintsOk) {
      ok = true;
      break;
    }
  }
  cached = ok ? 1 : 0;
  return ok;
}

int32_t Topology::minCount(TopologyGroup& group) {
  const TopologyKey& key = keys_[group.key];
  // A fresh node is always possible while some NodePool can launch one: its hostname domain
  // holds no pods (upstream domainMinCount).
  if (key.key == api::kLabelHostname && !templates_->empty()) {
    return 0;
  }
  int32_t min = std::numeric_limits<int32_t>::max();
  int eligibleDomains = 0;
  for (int32_t d = 0; d < static_cast<int32_t>(key.values.size()); ++d) {
    if (eligible(group, d)) {
      ++eligibleDomains;
      min = std::min(min, group.count(d));
    }
  }
  if (eligibleDomains == 0 || (group.minDomains && eligibleDomains < *group.minDomains)) {
    return 0;
  }
  return min;
}

bool Topology::admitsExisting(const PreparedPod& pod, size_t node, const Requirements& /*labels*/,
                              const std::vector<api::Taint>& /*taints*/, std::string* reason) {
  const auto& links = pod.topology();
  const auto& domains = existingDomains_[node];
  for (const auto& owned : links.owned) {
    TopologyGroup& group = groups_[owned.group];
    const int32_t domain = domains[group.key];
    const std::string& key = keys_[group.key].key;
    switch (group.type) {
      case GroupType::kSpread: {
        if (domain < 0) {
          if (reason != nullptr) {
            *reason =
                "node(s) didn't match pod topology spread constraints (missing required "
                "label " +
                key + ")";
          }
          return false;
        }
        int32_t count = group.count(domain) + (owned.selectsSelf ? 1 : 0);
        if (count - minCount(group) > group.maxSkew) {
          if (reason != nullptr) {
            *reason = "node(s) didn't match pod topology spread constraints";
          }
          return false;
        }
        break;
      }
      case GroupType::kAffinity:
        if (domain < 0 || (group.count(domain) == 0 && !(group.total == 0 && owned.selectsSelf))) {
          if (reason != nullptr) {
            *reason = "node(s) didn't match pod affinity rules";
          }
          return false;
        }
        break;
      case GroupType::kAntiAffinity:
      case GroupType::kInverseAntiAffinity:
        if (domain >= 0 && group.count(domain) > 0) {
          if (reason != nullptr) {
            *reason = "node(s) didn't match pod anti-affinity rules";
          }
          return false;
        }
        break;
    }
  }
  for (uint32_t g : links.inverse) {
    const int32_t domain = domains[groups_[g].key];
    if (domain >= 0 && groups_[g].count(domain) > 0) {
      if (reason != nullptr) {
        *reason = "node(s) didn't match existing pods anti-affinity rules";
      }
      return false;
    }
  }
  return true;
}

bool Topology::mayAdmit(const PreparedPod& pod, const std::vector<int32_t>& pinned) {
  const auto& links = pod.topology();
  for (const auto& owned : links.owned) {
    TopologyGroup& group = groups_[owned.group];
    const int32_t domain = group.key < pinned.size() ? pinned[group.key] : -1;
    if (domain < 0) {
      continue;
    }
    switch (group.type) {
      case GroupType::kSpread:
        if (group.count(domain) + (owned.selectsSelf ? 1 : 0) - minCount(group) > group.maxSkew) {
          return false;
        }
        break;
      case GroupType::kAffinity:
        if (group.count(domain) == 0 && !(group.total == 0 && owned.selectsSelf)) {
          return false;
        }
        break;
      case GroupType::kAntiAffinity:
      case GroupType::kInverseAntiAffinity:
        if (group.count(domain) > 0) {
          return false;
        }
        break;
    }
  }
  for (uint32_t g : links.inverse) {
    const int32_t domain = groups_[g].key < pinned.size() ? pinned[groups_[g].key] : -1;
    if (domain >= 0 && groups_[g].count(domain) > 0) {
      return false;
    }
  }
  return true;
}

void Topology::pinnedDomains(const Requirements& requirements, std::vector<int32_t>& pinned) {
  pinned.assign(keys_.size(), -1);
  for (size_t k = 0; k < keys_.size(); ++k) {
    const Requirement* requirement = requirements.find(keys_[k].key);
    if (requirement != nullptr && !requirement->complement() && requirement->values().size() == 1) {
      pinned[k] = keys_[k].intern(requirement->values().front());
    }
  }
}

std::optional<std::vector<int32_t>> Topology::possible(TopologyKey& key,
                                                       const Requirements& combined,
                                                       const CandidateDomains& candidateDomains) {
  const Requirement* requirement = combined.find(key.key);
  std::vector<int32_t> out;
  if (requirement != nullptr && !requirement->complement()) {
    if (requirement->values().empty()) {
      return std::nullopt;  // DoesNotExist: the node will not carry the label
    }
    out.reserve(requirement->values().size());
    for (const auto& value : requirement->values()) {
      out.push_back(key.intern(value));
    }
    return out;
  }
  // Open (or only excluded) on the NodeClaim: wherever its instance types may land.
  for (const auto& value : candidateDomains(key.key)) {
    if (requirement == nullptr || requirement->has(value)) {
      out.push_back(key.intern(value));
    }
  }
  if (out.empty()) {
    return std::nullopt;
  }
  return out;
}

bool Topology::admitsClaim(const PreparedPod& pod, const Requirements& combined,
                           const CandidateDomains& candidateDomains,
                           std::vector<Requirement>& narrowing, std::string* reason) {
  const auto& links = pod.topology();
  // Per key: the domains still allowed, as constraints on the same key narrow in turn.
  struct KeyState {
    uint32_t key;
    std::optional<std::vector<int32_t>> allowed;
    size_t initial;
  };
  std::vector<KeyState> states;
  auto stateFor = [&](uint32_t key) -> KeyState& {
    for (auto& state : states) {
      if (state.key == key) {
        return state;
      }
    }
    auto allowed = possible(keys_[key], combined, candidateDomains);
    // An open key always gets pinned (an In requirement), even to all its current domains, so
    // that the NodeClaim records where it may land.
    size_t initial = allowed && combined.find(keys_[key].key) != nullptr &&
                             !combined.find(keys_[key].key)->complement()
                         ? allowed->size()
                         : 0;
    states.push_back({key, std::move(allowed), initial});
    return states.back();
  };
  auto fail = [&](const TopologyGroup& group, const char* what, const KeyState& state) {
    if (reason != nullptr) {
      const TopologyKey& key = keys_[group.key];
      *reason = std::string(what) + " on " + key.key;
      if (group.type == GroupType::kSpread) {
        *reason += " (maxSkew " + std::to_string(group.maxSkew) + ")";
      }
      *reason += state.allowed ? " cannot be met in " + domainList(key, *state.allowed)
                               : ": the node would not have the label";
    }
    return false;
  };
  auto antiAffinity = [&](const TopologyGroup& group, const char* what) {
    KeyState& state = stateFor(group.key);
    if (!state.allowed) {
      return true;  // a node without the label is outside every domain
    }
    if (std::none_of(state.allowed->begin(), state.allowed->end(),
                     [&](int32_t d) { return group.count(d) == 0; })) {
      return fail(group, what, state);
    }
    std::erase_if(*state.allowed, [&](int32_t d) { return group.count(d) > 0; });
    return true;
  };
  for (const auto& owned : links.owned) {
    TopologyGroup& group = groups_[owned.group];
    switch (group.type) {
      case GroupType::kSpread: {
        KeyState& state = stateFor(group.key);
        if (!state.allowed) {
          return fail(group, "topology spread constraint", state);
        }
        const int32_t min = minCount(group);
        const int32_t self = owned.selectsSelf ? 1 : 0;
        int32_t best = -1;
        for (int32_t d : *state.allowed) {
          int32_t count = group.count(d) + self;
          if (count - min <= group.maxSkew && (best < 0 || count < group.count(best) + self)) {
            best = d;
          }
        }
        if (best < 0) {
          return fail(group, "topology spread constraint", state);
        }
        state.allowed = std::vector<int32_t>{best};
        break;
      }
      case GroupType::kAffinity: {
        KeyState& state = stateFor(group.key);
        if (!state.allowed) {
          return fail(group, "pod affinity", state);
        }
        if (group.total == 0) {
          // First-pod rule: a pod that matches its own term may start the series anywhere.
          if (!owned.selectsSelf || state.allowed->empty()) {
            return fail(group, "pod affinity (no matching pod yet)", state);
          }
          state.allowed->resize(1);
          break;
        }
        if (std::none_of(state.allowed->begin(), state.allowed->end(),
                         [&](int32_t d) { return group.count(d) > 0; })) {
          return fail(group, "pod affinity", state);
        }
        std::erase_if(*state.allowed, [&](int32_t d) { return group.count(d) == 0; });
        break;
      }
      case GroupType::kAntiAffinity:
      case GroupType::kInverseAntiAffinity:
        if (!antiAffinity(group, "pod anti-affinity")) {
          return false;
        }
        break;
    }
  }
  for (uint32_t g : links.inverse) {
    if (!antiAffinity(groups_[g], "existing pods' anti-affinity")) {
      return false;
    }
  }
  for (const auto& state : states) {
    if (!state.allowed || state.allowed->size() == state.initial) {
      continue;
    }
    const TopologyKey& key = keys_[state.key];
    std::vector<std::string> values;
    values.reserve(state.allowed->size());
    for (int32_t d : *state.allowed) {
      values.push_back(key.values[static_cast<size_t>(d)]);
    }
    narrowing.push_back(Requirement::in(key.key, std::move(values)));
  }
  return true;
}

void Topology::recordExisting(const PreparedPod& pod, size_t node, const Requirements& labels,
                              const std::vector<api::Taint>& taints) {
  const auto& links = pod.topology();
  const auto& domains = existingDomains_[node];
  for (uint32_t g : links.countedBy) {
    TopologyGroup& group = groups_[g];
    if (group.type == GroupType::kSpread && !group.filterPasses(labels, taints, false)) {
      continue;
    }
    group.add(domains[group.key]);
  }
  for (uint32_t g : links.inverseOwned) {
    groups_[g].add(domains[groups_[g].key]);
  }
}

void Topology::recordClaim(const PreparedPod& pod, const Requirements& requirements,
                           const CandidateDomains& candidateDomains,
                           const std::vector<api::Taint>& taints) {
  const auto& links = pod.topology();
  auto recordAll = [&](TopologyGroup& group, bool onlySingle) {
    TopologyKey& key = keys_[group.key];
    auto domains = possible(key, requirements, candidateDomains);
    if (!domains || (onlySingle && domains->size() != 1)) {
      return;  // the domain is not known yet; upstream records only a committed one
    }
    for (int32_t d : *domains) {
      group.add(d);
    }
  };
  for (uint32_t g : links.countedBy) {
    TopologyGroup& group = groups_[g];
    if (group.type == GroupType::kSpread && !group.filterPasses(requirements, taints, true)) {
      continue;
    }
    // Anti-affinity blocks every domain the pod might end up in; the others need the one it is in.
    recordAll(group, group.type != GroupType::kAntiAffinity);
  }
  for (uint32_t g : links.inverseOwned) {
    recordAll(groups_[g], false);
  }
}

void Topology::registerHostname(const std::string& hostname, const Requirements* requirements,
                                const std::vector<api::Taint>* taints) {
  for (auto& key : keys_) {
    if (key.key == api::kLabelHostname) {
      key.addProvider(key.intern(hostname), {requirements, taints, true});
    }
  }
}

}  // namespace karpenter::scheduling::solver
