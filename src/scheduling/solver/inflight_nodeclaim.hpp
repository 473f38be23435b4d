#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "host_ports.hpp"
#include "karpenter/api/pod.hpp"
#include "karpenter/scheduling/requirements.hpp"
#include "karpenter/scheduling/resource_vector.hpp"
#include "nodeclaim_template.hpp"
#include "prepared_pod.hpp"
#include "topology.hpp"
#include "volume_usage.hpp"

namespace karpenter::scheduling::solver {

// The hostname the `sequence`th new NodeClaim of a solve stands in with until its node registers
// (upstream's "hostname-placeholder-N"): a hostname domain of its own for topology.
std::string placeholderHostname(size_t sequence);

// A NodeClaim opened during this solve: the pods packed onto it so far and the instance types
// (of its template) that still fit all of them plus their DaemonSet overhead, match its
// requirements and have an available compatible offering. Adding a pod only ever narrows it.
class InFlightNodeClaim final {
 public:
  // `candidates` are the template's candidates admitted by the pool's limits; `hostname` the
  // placeholder that keeps hostname-pinned pods off new NodeClaims.
  InFlightNodeClaim(const NodeClaimTemplate& nodeClaimTemplate,
                    std::vector<const Candidate*> candidates, const std::string& hostname,
                    Topology* topology);

  // Adds `pod` when it fits; otherwise leaves this unchanged and, when `reason` is non-null,
  // describes why (taint, host port, requirements, or "no instance type fits: ...").
  bool tryAdd(const PreparedPod& pod, std::string* reason);

  // A probe that never records placements in the topology (used to tell "over the limits" apart).
  void setDryRun() { dryRun_ = true; }
  // From now on a pod is added only when some type priced at most `capType`'s price still holds
  // every pod (see packingCapType); the instance types kept stay all those that fit, so the
  // NodeClaim still lists pricier ones to fall back on. `capType` must outlive this.
  void capPrice(const Candidate& capType);
  // Whether capPrice was called (the NodeClaim is sized by price, see packing.hpp).
  bool capped() const { return capType_ != nullptr; }
  // The cap type's headroom; only when capped().
  const ResourceVector& capShape() const { return capType_->headroom; }
  // False when some type within the cap could not hold `request` on top of the pods here: the
  // cheap test tryAdd starts with (true does not mean tryAdd will succeed).
  bool mayHold(const ResourceVector& request) const;

  // The price of the cheapest type that holds every pod here (what finalisation launches first).
  double cheapestPrice() const;
  // Whether every pod here could move to another NodeClaim without touching topology counts,
  // host ports or volume usage (no spread, affinity, anti-affinity, host port or volume, and no
  // one's topology selects it): BalancedRepack may re-pack them.
  bool onlyFreePods() const { return onlyFreePods_; }

  const NodeClaimTemplate& nodeClaimTemplate() const { return *template_; }
  const Requirements& requirements() const { return requirements_; }
  const std::vector<const Candidate*>& candidates() const { return candidates_; }
  const std::vector<const api::Pod*>& pods() const { return pods_; }
  const std::vector<const PreparedPod*>& preparedPods() const { return prepared_; }
  const ResourceVector& podRequests() const { return used_; }

 private:
  void refreshMaxHeadroom();
  // Topology::CandidateDomains over candidates_ (cached until they change).
  const std::vector<std::string>& candidateDomains(const std::string& key);

  const NodeClaimTemplate* template_;
  Topology* topology_;
  bool dryRun_ = false;
  double priceCap_ = std::numeric_limits<double>::infinity();
  const Candidate* capType_ = nullptr;
  Requirements requirements_;
  std::vector<const Candidate*> candidates_;
  std::vector<const Candidate*> scratch_;
  ResourceVector used_;
  // Per core resource, the most any remaining candidate within the price cap could still hold: a
  // pod asking for more is rejected without walking the candidates.
  std::array<int64_t, ResourceVector::kCoreCount> maxHeadroom_{};
  std::vector<const api::Pod*> pods_;
  std::vector<const PreparedPod*> prepared_;  // the same pods
  bool onlyFreePods_ = true;
  HostPortUsage hostPorts_;
  VolumeUsage volumes_;
  std::vector<std::pair<std::string, std::vector<std::string>>> domainCache_;
  std::vector<int32_t> pinned_;  // Topology::pinnedDomains of requirements_
};

}  // namespace karpenter::scheduling::solver
