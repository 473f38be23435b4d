#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/simulation/plan.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::simulation {

struct SimulateOptions {
  std::string catalogFile;  // replaces or extends the simulated cloud's built-in catalog
  // A guard against a run that never settles (a bug); the plan is reported as it stands.
  std::chrono::seconds timeout{120};
  std::chrono::milliseconds batchIdle{100};
  std::chrono::milliseconds batchMax{1000};
};

// Runs Karpenter on `manifests` (as `kubectl get -o yaml` prints them) and reports the plan.
// Not a separate code path: an embedded test apiserver on 127.0.0.1 is loaded with the objects
// (workloads expanded into the Pending pods their controllers would create), and the product's
// own informers, cluster state, provisioner and NodeClaim lifecycle run against it with the
// simulated cloud, until every pod is nominated or has failed and every NodeClaim has launched.
Result<Plan> simulate(const std::vector<nlohmann::json>& manifests, const SimulateOptions& options);

}  // namespace karpenter::simulation
