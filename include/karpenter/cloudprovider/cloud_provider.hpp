#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "karpenter/api/nodeclaim.hpp"
#include "karpenter/api/nodepool.hpp"
#include "karpenter/scheduling/instance_type.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::cloudprovider {

// A node condition that, held for `tolerationDuration`, makes the node unhealthy and eligible for
// repair (upstream cloudprovider.RepairPolicy; used by the node health controller).
struct RepairPolicy {
  std::string conditionType;    // e.g. "Ready"
  std::string conditionStatus;  // "True" | "False" | "Unknown"
  std::chrono::seconds tolerationDuration{0};
  bool operator==(const RepairPolicy&) const = default;
};

// The one seam between Karpenter's controllers and a cloud (upstream
// pkg/cloudprovider.CloudProvider). Instances are identified by status.providerID. Errors are
// values: kInsufficientCapacity when no offering could be launched (the provisioner retries with
// other types later), kNotFound when the instance does not exist (any more), kInvalid for
// NodeClaims the provider cannot interpret, and kUnavailable for transient failures worth retrying.
//
// Thread safety: every method may be called from any number of threads at once.
class CloudProvider {
 public:
  virtual ~CloudProvider() = default;

  // Launches one instance for `nodeClaim`: the cheapest available offering compatible with its
  // spec.requirements whose allocatable fits spec.resources.requests. An offering that reports
  // insufficient capacity is marked unavailable for 3 minutes and the next one is tried. Returns
  // the NodeClaim with status.providerID/capacity/allocatable set and the instance's labels
  // (instance type, zone, capacity type, arch, os, provider labels) merged over its own.
  virtual Result<api::NodeClaim> create(const api::NodeClaim& nodeClaim) = 0;
  // Terminates the instance named by status.providerID. kNotFound once the instance is gone, so
  // callers loop until they see it.
  virtual Result<void> remove(const api::NodeClaim& nodeClaim) = 0;
  // The instance as a NodeClaim (name from the launch, providerID, labels, capacity); kNotFound.
  virtual Result<api::NodeClaim> get(const std::string& providerID) = 0;
  // Every instance this provider launched and has not yet terminated (garbage collection input).
  virtual Result<std::vector<api::NodeClaim>> list() = 0;
  // The instance types `nodePool` may use, with offerings priced and availability reflecting
  // recent insufficient-capacity errors.
  virtual Result<std::vector<scheduling::InstanceType>> instanceTypes(
      const api::NodePool& nodePool) = 0;
  // A drift reason when the instance no longer matches its provider configuration; "" otherwise.
  virtual Result<std::string> isDrifted(const api::NodeClaim& nodeClaim) = 0;
  // Node conditions after which a node is repaired (replaced).
  virtual std::vector<RepairPolicy> repairPolicies() const = 0;
  // The provider's name, e.g. "aws" or "kwok"; also the scheme of its providerIDs.
  virtual std::string name() const = 0;
  // Whether a controller of this provider reconciles node classes and sets their Ready
  // condition (the AWS provider's EC2NodeClass controller does). When it does, a NodePool's
  // NodeClassReady follows that condition; when not (the simulated cloud), an existing node
  // class counts as ready, as nothing would ever mark it so.
  virtual bool reconcilesNodeClasses() const = 0;
};

using CloudProviderPtr = std::unique_ptr<CloudProvider>;

}  // namespace karpenter::cloudprovider
