#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "karpenter/cloudprovider/cloud_provider.hpp"
#include "karpenter/cloudprovider/simulated/catalog.hpp"
#include "karpenter/cloudprovider/unavailable_offerings.hpp"

namespace karpenter::cloudprovider::simulated {

// Selects offerings for fault injection; an empty field matches any value, so {.zone =
// "us-east-1a"} is a whole zone and {.instanceType = "m5.large", .zone = "us-east-1a",
// .capacityType = "spot"} one pool.
struct PoolSelector {
  std::string instanceType;
  std::string zone;
  std::string capacityType;
  bool matches(std::string_view type, std::string_view zone, std::string_view capacityType) const;
};

// A snapshot of one running simulated instance (what a kubelet on it would know).
struct SimulatedInstance {
  uint64_t sequence = 0;   // launch order, from 0
  std::string id;          // "i-" + 17 hex digits
  std::string providerID;  // "kwok://<zone>/<id>"
  std::string nodeName;    // the private DNS name: "ip-10-0-1-23.ec2.internal"
  std::string privateIp;   // from the zone's subnet, 10.0.<64·zone index + n/256>.<n%256>
  std::string instanceType;
  std::string zone;
  std::string capacityType;
  double price = 0;
  std::chrono::system_clock::time_point launchTime;
  // How long after launch the kubelet registers its Node; nullopt = never.
  std::optional<std::chrono::milliseconds> registrationDelay;
  // The NodeClaim as create() returned it (labels, taints, startupTaints, capacity, allocatable).
  api::NodeClaim nodeClaim;
};

// The simulated cloud (upstream's kwok provider, over the EC2 catalog): instances live in memory,
// create() picks the cheapest compatible offering and returns at once (after `launchDelay`), and
// the KubeletSimulator turns instances into Nodes after their registration delay. Named "kwok";
// providerIDs are kwok://<zone>/<instance-id>.
//
// Faults are injected per pool (insufficient capacity), per call (create/delete errors) and per
// instance (slow or no registration). Like EC2, insufficient capacity is only discovered by
// trying: instanceTypes() shows a pool unavailable after a create() hit it, for 3 minutes.
//
// Thread-safe: every method may be called concurrently.
class SimulatedCloud final : public CloudProvider {
 public:
  struct Options {
    Catalog catalog = Catalog::builtin();
    NodeSettings nodeSettings;
    Clock clock;  // empty = system_clock
    // How long create() blocks, as CreateFleet takes a moment; waited out with `sleep`.
    std::chrono::milliseconds launchDelay{0};
    // Default registration delay of new instances (kubelet boot + join).
    std::chrono::milliseconds registrationDelay{500};
    std::function<void(std::chrono::milliseconds)> sleep;  // empty = this_thread::sleep_for
    uint64_t seed = 1;  // instance IDs are pseudo-random but reproducible
  };

  explicit SimulatedCloud(Options options);
  ~SimulatedCloud() override;

  // CloudProvider
  Result<api::NodeClaim> create(const api::NodeClaim& nodeClaim) override;
  Result<void> remove(const api::NodeClaim& nodeClaim) override;
  Result<api::NodeClaim> get(const std::string& providerID) override;
  Result<std::vector<api::NodeClaim>> list() override;
  Result<std::vector<scheduling::InstanceType>> instanceTypes(
      const api::NodePool& nodePool) override;
  Result<std::string> isDrifted(const api::NodeClaim& nodeClaim) override;
  // Ready False or Unknown for 10 minutes, as upstream's kwok provider.
  std::vector<RepairPolicy> repairPolicies() const override;
  std::string name() const override { return "kwok"; }
  bool reconcilesNodeClasses() const override { return false; }

  // --- Faults ---
  // Launches into a matching pool fail with insufficient capacity until cleared.
  void injectInsufficientCapacity(PoolSelector pool);
  void clearInsufficientCapacity();
  // The next `count` create()/remove() calls fail with `error` (and launch/terminate nothing).
  void failNextCreates(Error error, int count = 1);
  void failNextDeletes(Error error, int count = 1);
  // Registration delay for instances launched from now on; nullopt = they never register.
  void setRegistrationDelay(std::optional<std::chrono::milliseconds> delay);
  // Changes one running instance's registration delay; kNotFound for an unknown providerID.
  Result<void> setInstanceRegistrationDelay(const std::string& providerID,
                                            std::optional<std::chrono::milliseconds> delay);
  // isDrifted() reports `reason` for the instance ("" clears it).
  void setDrifted(const std::string& providerID, std::string reason);

  // --- Observation ---
  std::vector<SimulatedInstance> instances() const;
  // Changes whenever an instance is launched, terminated or modified.
  uint64_t generation() const;
  const Catalog& catalog() const;
  // The insufficient-capacity marks create() leaves; tests may inspect or clear them.
  UnavailableOfferings& unavailableOfferings();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace karpenter::cloudprovider::simulated
