#pragma once

#include <vector>

#include "karpenter/scheduling/resource_vector.hpp"
#include "nodeclaim_template.hpp"

namespace karpenter::scheduling::solver {

// The price a new NodeClaim may grow to (its cap). Upstream fills a NodeClaim until its largest
// compatible type is full and then launches the cheapest type holding what was packed; with
// hundreds of types that is the biggest (and rarely the most cost-efficient) shape. Instead the
// NodeClaim is sized for the demand still to place: among `candidates` (those fitting its first
// pod), the type that would cover `remaining` (cpu, memory, pods; the pods count gives the
// average pod) most cheaply if every NodeClaim took it — price × ⌈max over resources of
// remaining / room⌉, where room is the type's headroom less half an average pod (whole pods
// never fill a node exactly) — and the cap is its price. Rounding up makes a small demand pick
// the cheapest type holding all of it and a large one the best $/resource shape; ties go to the
// larger type.
double packingPriceCap(const std::vector<const Candidate*>& candidates,
                       const ResourceVector& remaining);

}  // namespace karpenter::scheduling::solver
