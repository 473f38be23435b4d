#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "inflight_nodeclaim.hpp"
#include "karpenter/scheduling/resource_vector.hpp"
#include "nodeclaim_template.hpp"
#include "topology.hpp"

namespace karpenter::scheduling::solver {

// The type whose price a new NodeClaim may grow to (its cap). Upstream fills a NodeClaim until its
// largest compatible type is full and then launches the cheapest type holding what was packed;
// with hundreds of types that is the biggest (and rarely the most cost-efficient) shape. Instead
// the NodeClaim is sized for the demand still to place: among `candidates` (those fitting its
// first pod), the type that would cover `remaining` (cpu, memory, pods; the pods count gives the
// average pod) most cheaply if every NodeClaim took it — price × ⌈max over resources of
// remaining / room⌉, where room is the type's headroom less half an average pod (whole pods
// never fill a node exactly). Rounding up makes a small demand pick the cheapest type holding all
// of it and a large one the best $/resource shape; ties go to the larger type. Null when
// `candidates` is empty.
const Candidate* packingCapType(const std::vector<const Candidate*>& candidates,
                                const ResourceVector& remaining);

// The pass after every pod has been queued. The queue's order (cpu desc, memory desc) hands the
// first NodeClaims the cpu-heavy pods and the last ones the memory-heavy pods, so many end up
// full in one resource and sized (and priced) by a type skewed towards it. This pass takes, per
// template, every capped NodeClaim whose pods are all free (InFlightNodeClaim::onlyFreePods) and
// re-packs those pods from scratch into new NodeClaims, one at a time, each capped by
// packingCapType for the demand still to place and filled alternately from the cpu-heavy and the
// memory-heavy pods (against the template's best shape for the whole demand) by whichever its
// fill lags in, so that it ends full in both. The result replaces the old NodeClaims only when
// its total price is lower. Every pod still goes through InFlightNodeClaim::tryAdd, so no
// scheduling constraint is bypassed; free pods neither read nor change topology counts, host
// ports or volume usage, so moving them leaves every other placement valid.
//
// `claims` is in creation order (the order NodeClaims are reported in); replaced ones are removed
// and the new ones appended. New NodeClaims take placeholder hostnames numbered from
// `hostnameSequence`, which is advanced, and are registered with `topology`. Not thread-safe;
// runs inside one solve.
class BalancedRepack final {
 public:
  BalancedRepack(std::vector<std::unique_ptr<InFlightNodeClaim>>& claims, Topology* topology,
                 size_t& hostnameSequence);
  void run();

 private:
  // Whether re-packing the free NodeClaims of `nodeClaimTemplate` was kept.
  bool repack(const NodeClaimTemplate& nodeClaimTemplate);
  // Opens a NodeClaim in fresh_ for `pod`, capped for `leftover`; false when it does not fit.
  bool openFresh(const PreparedPod& pod, const NodeClaimTemplate& nodeClaimTemplate,
                 const ResourceVector& leftover);
  // Replaces the claims_ marked in `replaced` by fresh_.
  void commit(const std::vector<bool>& replaced);

  std::vector<std::unique_ptr<InFlightNodeClaim>>& claims_;
  Topology* topology_;
  size_t& hostnameSequence_;
  std::vector<std::unique_ptr<InFlightNodeClaim>> fresh_;  // the re-pack's NodeClaims
};

}  // namespace karpenter::scheduling::solver
