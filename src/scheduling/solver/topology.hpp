#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "karpenter/api/label_selector.hpp"
#include "karpenter/api/pod.hpp"
#include "karpenter/scheduling/requirements.hpp"
#include "karpenter/scheduling/scheduler.hpp"
#include "nodeclaim_template.hpp"
#include "prepared_pod.hpp"

namespace karpenter::scheduling::solver {

// The values one topology key takes (its domains), interned to dense ids so that counts are
// vectors. Each domain remembers who offers it — NodePool templates and existing nodes, by their
// requirements and taints — which is what nodeAffinityPolicy / nodeTaintsPolicy=Honor filter on.
struct TopologyKey {
  struct Provider {
    const Requirements* requirements = nullptr;
    const std::vector<api::Taint>* taints = nullptr;
    bool allowUndefinedWellKnown = false;  // templates: well-known keys may stay undefined
  };

  std::string key;
  std::unordered_map<std::string, int32_t> ids;
  std::vector<std::string> values;
  std::vector<std::vector<Provider>> providers;  // per id

  int32_t find(std::string_view value) const;
  int32_t intern(const std::string& value);
  void addProvider(int32_t id, Provider provider);
};

enum class GroupType : uint8_t { kSpread, kAffinity, kAntiAffinity, kInverseAntiAffinity };

// Upstream TopologyGroup: one spread constraint or pod (anti-)affinity term shared by every pod
// that declares the same one, with per-domain counts of the pods it selects. An inverse group
// counts where the *owners* of a required anti-affinity term run, and constrains the pods its
// selector matches (kube-scheduler's symmetry check).
struct TopologyGroup {
  GroupType type = GroupType::kSpread;
  uint32_t key = 0;  // index into Topology's keys
  int maxSkew = 1;
  std::optional<int> minDomains;
  bool allNamespaces = false;
  std::vector<std::string> namespaces;  // sorted
  api::Selector selector;
  // Spread only: nodeAffinityPolicy / nodeTaintsPolicy = Honor, with the owner's required node
  // affinity alternatives and tolerations.
  bool honorAffinity = false;
  std::vector<Requirements> filterTerms;
  bool honorTaints = false;
  std::vector<api::Toleration> tolerations;

  std::vector<int32_t> counts;  // per domain id
  int64_t total = 0;
  std::vector<int8_t> eligible;  // per domain id: -1 unknown, 0/1 (spread min computation)

  bool selects(const api::Pod& pod) const;
  int32_t count(int32_t domain) const {
    return domain >= 0 && static_cast<size_t>(domain) < counts.size() ? counts[domain] : 0;
  }
  void add(int32_t domain);
  // Whether a node with these requirements and taints is one the spread constraint counts.
  bool filterPasses(const Requirements& node, const std::vector<api::Taint>& taints,
                    bool allowUndefinedWellKnown) const;
};

// Upstream topology.go for one solve: builds the groups of every pending pod's constraints (and
// the inverse groups of existing pods' required anti-affinity), counts the pods already running,
// then answers "may this pod go there" for existing nodes (kube-scheduler's filters) and new
// NodeClaims (narrowing their requirements to allowed domains), and records placements.
class Topology final {
 public:
  Topology(const SchedulerInput& input, const std::vector<NodeClaimTemplate>& templates);

  // Builds the groups of every pod, counts existing pods, and links each pod to its groups.
  void prepare(std::vector<PreparedPod>& pods);

  // kube-scheduler's PodTopologySpread / InterPodAffinity filters for existing node `node`
  // (index into SchedulerInput::existingNodes), whose labels are `labels`.
  bool admitsExisting(const PreparedPod& pod, size_t node, const Requirements& labels,
                      const std::vector<api::Taint>& taints, std::string* reason);
  // The values a NodeClaim's remaining instance types offer for a key (sorted, unique): where it
  // may land when its requirements leave the key open.
  using CandidateDomains = std::function<const std::vector<std::string>&(const std::string& key)>;

  // For a NodeClaim whose requirements (with the pod's) are `combined`: appends to `narrowing`
  // the In requirements that pin each constrained key to the domains the pod may use there.
  bool admitsClaim(const PreparedPod& pod, const Requirements& combined,
                   const CandidateDomains& candidateDomains, std::vector<Requirement>& narrowing,
                   std::string* reason);

  // The fast path for NodeClaims: `pinned[k]` is the domain id a NodeClaim's requirements pin
  // topology key k to, or -1. False when a constraint on a pinned key certainly rejects the pod
  // there (the common case of a self anti-affine pod meeting a full NodeClaim); true means
  // "admitsClaim decides". Allocation-free.
  bool mayAdmit(const PreparedPod& pod, const std::vector<int32_t>& pinned);
  // Fills `pinned` for `requirements` (see mayAdmit).
  void pinnedDomains(const Requirements& requirements, std::vector<int32_t>& pinned);

  void recordExisting(const PreparedPod& pod, size_t node, const Requirements& labels,
                      const std::vector<api::Taint>& taints);
  void recordClaim(const PreparedPod& pod, const Requirements& requirements,
                   const CandidateDomains& candidateDomains, const std::vector<api::Taint>& taints);
  // A NodeClaim opened with placeholder `hostname`: a new, empty hostname domain.
  void registerHostname(const std::string& hostname, const Requirements* requirements,
                        const std::vector<api::Taint>* taints);

  bool empty() const { return groups_.empty(); }
  const std::vector<TopologyGroup>& groups() const { return groups_; }

 private:
  uint32_t keyIndex(std::string_view key);
  std::optional<uint32_t> groupFor(const api::Pod& owner, const PreparedPod* prepared,
                                   GroupType type, const api::PodAffinityTerm& term,
                                   std::string* error);
  std::optional<uint32_t> spreadGroupFor(const PreparedPod& owner,
                                         const api::TopologySpreadConstraint& constraint,
                                         std::string* error);
  uint32_t intern(TopologyGroup group, const std::string& identity);
  void buildDomains();
  void countExisting();
  bool eligible(TopologyGroup& group, int32_t domain);
  int32_t minCount(TopologyGroup& group);
  // The domain ids a NodeClaim may take for `key`; nullopt when it will not carry the label.
  std::optional<std::vector<int32_t>> possible(TopologyKey& key, const Requirements& combined,
                                               const CandidateDomains& candidateDomains);
  bool check(const PreparedPod& pod, uint32_t groupIndex, bool inverse,
             const std::vector<int32_t>* claimDomains, int32_t existingDomain, bool existing,
             std::vector<int32_t>* allowed, std::string* reason);

  const SchedulerInput* input_;
  const std::vector<NodeClaimTemplate>* templates_;
  std::vector<TopologyKey> keys_;
  std::vector<TopologyGroup> groups_;
  std::unordered_map<std::string, uint32_t> groupIds_;
  std::vector<Requirements> existingLabels_;           // per existing node
  std::vector<std::vector<int32_t>> existingDomains_;  // per existing node, per key (-1: none)
  std::vector<std::vector<uint32_t>>
      existingInverse_;  // per existing node: inverse groups of its pods
};

}  // namespace karpenter::scheduling::solver
