#include "karpenter/simulation/simulator.hpp"

#include <map>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "karpenter/api/conditions.hpp"
#include "karpenter/api/nodeclaim.hpp"
#include "karpenter/api/pod_requests.hpp"
#include "karpenter/api/well_known.hpp"
#include "karpenter/apiserver/server.hpp"
#include "karpenter/apiserver/store.hpp"
#include "karpenter/cloudprovider/simulated/simulated_cloud.hpp"
#include "karpenter/operator/controller_manager.hpp"
#include "karpenter/provisioning/pod_filter.hpp"
#include "karpenter/simulation/workload_pods.hpp"

namespace karpenter::simulation {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// What the provisioner's passes decided, latest pass last.
struct Decisions {
  std::mutex mutex;
  size_t passes = 0;
  Clock::time_point lastPass;
  std::map<std::string, std::string> nominations;               // pod → NodeClaim or Node
  std::map<std::string, std::string> errors;                    // pod → reason
  std::map<std::string, api::ResourceList> daemonSetOverheads;  // NodeClaim → DaemonSet requests
};

// Creates the input objects the test apiserver serves, and the pods of the workloads.
Result<void> load(apiserver::Store& store, const std::vector<json>& manifests) {
  auto pods = workloadPods(manifests);
  if (!pods) {
    return pods.error();
  }
  std::vector<json> objects;
  for (const auto& manifest : manifests) {
    if (manifest.value("kind", "") != "Pod") {
      objects.push_back(manifest);
    }
  }
  objects.insert(objects.end(), pods->begin(), pods->end());
  for (auto object : objects) {
    const apiserver::ResourceInfo* info = nullptr;
    for (const auto& candidate : store.resources()) {
      if (candidate.apiVersion() == object.value("apiVersion", "") &&
          candidate.kind == object.value("kind", "")) {
        info = &candidate;
      }
    }
    if (info == nullptr) {
      continue;  // workloads (expanded above) and kinds Karpenter does not read
    }
    std::string ns;
    if (info->namespaced) {
      ns = object["metadata"].value("namespace", "default");
      object["metadata"]["namespace"] = ns;
    }
    object["metadata"].erase("resourceVersion");
    auto created = store.create({info->group, info->version, info->resource}, ns, object);
    if (!created) {
      return invalidError(info->kind + " " + object["metadata"].value("name", "") + ": " +
                          created.error().message);
    }
  }
  return {};
}

std::string label(const api::NodeClaim& nodeClaim, std::string_view key) {
  auto it = nodeClaim.metadata.labels.find(key);
  return it == nodeClaim.metadata.labels.end() ? "" : it->second;
}

// The price of the offering the instance launched on.
double launchPrice(cloudprovider::CloudProvider& cloud, const state::ClusterSnapshot& snapshot,
                   const api::NodeClaim& nodeClaim) {
  auto pool = snapshot.nodePools->find(label(nodeClaim, api::kNodePoolLabelKey));
  if (pool == snapshot.nodePools->end()) {
    return 0;
  }
  auto types = cloud.instanceTypes(*pool->second);
  if (!types) {
    return 0;
  }
  const std::string type = label(nodeClaim, api::kLabelInstanceType);
  const std::string zone = label(nodeClaim, api::kLabelTopologyZone);
  const std::string capacityType = label(nodeClaim, api::kCapacityTypeLabelKey);
  for (const auto& instanceType : *types) {
    if (instanceType.name != type) {
      continue;
    }
    for (const auto& offering : instanceType.offerings) {
      const auto* z = offering.requirements.find(api::kLabelTopologyZone);
      const auto* c = offering.requirements.find(api::kCapacityTypeLabelKey);
      if (z != nullptr && c != nullptr && z->has(zone) && c->has(capacityType)) {
        return offering.price;
      }
    }
  }
  return 0;
}

Plan buildPlan(cloudprovider::CloudProvider& cloud, const state::ClusterSnapshot& snapshot,
               Decisions& decisions) {
  std::lock_guard lock(decisions.mutex);
  std::map<std::string, std::shared_ptr<const api::Pod>> podsByKey;
  for (const auto& [key, pod] : *snapshot.pendingPods) {
    podsByKey[key] = pod;
  }
  Plan plan;
  std::map<std::string, size_t> claimIndex;
  for (const auto& [name, nodeClaim] : *snapshot.nodeClaims) {
    if (nodeClaim->metadata.deletionTimestamp) {
      continue;
    }
    PlannedNodeClaim claim;
    claim.name = name;
    claim.nodePool = label(*nodeClaim, api::kNodePoolLabelKey);
    claim.instanceType = label(*nodeClaim, api::kLabelInstanceType);
    claim.zone = label(*nodeClaim, api::kLabelTopologyZone);
    claim.capacityType = label(*nodeClaim, api::kCapacityTypeLabelKey);
    claim.pricePerHour = launchPrice(cloud, snapshot, *nodeClaim);
    claim.allocatable = nodeClaim->status.allocatable;
    for (const auto& requirement : nodeClaim->spec.requirements) {
      if (requirement.key == api::kLabelInstanceType && requirement.op == "In") {
        claim.instanceTypeChoices = requirement.values.size();
      }
    }
    // The DaemonSet pods that will run on the node count, as the solver reserved them.
    if (auto overhead = decisions.daemonSetOverheads.find(name);
        overhead != decisions.daemonSetOverheads.end()) {
      claim.daemonSetOverhead = overhead->second;
      claim.requested = overhead->second;
    }
    claimIndex[name] = plan.nodeClaims.size();
    plan.nodeClaims.push_back(std::move(claim));
  }
  std::map<std::string, ExistingNodePlacement> existing;
  for (const auto& [pod, target] : decisions.nominations) {
    if (decisions.errors.contains(pod)) {
      continue;
    }
    if (auto it = claimIndex.find(target); it != claimIndex.end()) {
      auto& claim = plan.nodeClaims[it->second];
      claim.pods.push_back(pod);
      if (auto p = podsByKey.find(pod); p != podsByKey.end()) {
        claim.requested = api::resources::add(claim.requested, api::podRequests(p->second->spec));
      }
    } else if (snapshot.node(target) != nullptr) {
      existing[target].node = target;
      existing[target].pods.push_back(pod);
    }
  }
  for (auto& [name, placement] : existing) {
    plan.existingNodes.push_back(std::move(placement));
  }
  for (const auto& [pod, reason] : decisions.errors) {
    plan.pendingPods.push_back({pod, reason});
  }
  return plan;
}

// Settled: the provisioner has run, has been quiet for a while, every provisionable pod is
// nominated or has failed, and every NodeClaim has launched.
bool settled(const state::ClusterSnapshot& snapshot, Decisions& decisions,
             std::chrono::milliseconds quiet) {
  std::lock_guard lock(decisions.mutex);
  if (decisions.passes == 0 || Clock::now() - decisions.lastPass < quiet) {
    return false;
  }
  for (const auto& [key, pod] : *snapshot.pendingPods) {
    if (provisioning::isProvisionable(*pod) && !decisions.nominations.contains(key) &&
        !decisions.errors.contains(key)) {
      return false;
    }
  }
  for (const auto& [name, nodeClaim] : *snapshot.nodeClaims) {
    if (!nodeClaim->metadata.deletionTimestamp &&
        !api::isConditionTrue(nodeClaim->status.conditions, api::kConditionTypeLaunched)) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<Plan> simulate(const std::vector<json>& manifests, const SimulateOptions& options) {
  apiserver::Store store(apiserver::servedResources(),
                         {.clock = [] { return std::chrono::system_clock::now(); }});
  if (auto loaded = load(store, manifests); !loaded) {
    return loaded.error();
  }
  apiserver::Server server(store, {});
  if (auto started = server.start(); !started) {
    return started.error();
  }
  kube::RestConfig config;
  config.server = "http://127.0.0.1:" + std::to_string(server.port());
  kube::HttpKubeClient client(config, {.qps = 0});

  cloudprovider::simulated::SimulatedCloud::Options cloudOptions;
  if (!options.catalogFile.empty()) {
    auto catalog = cloudprovider::simulated::Catalog::fromFile(
        options.catalogFile, cloudprovider::simulated::Catalog::builtin());
    if (!catalog) {
      return catalog.error();
    }
    cloudOptions.catalog = std::move(catalog).value();
  }
  cloudprovider::simulated::SimulatedCloud cloud(cloudOptions);

  Decisions decisions;
  op::ControllerManager::Options managerOptions;
  managerOptions.informers.watchTimeout = std::chrono::seconds(30);
  managerOptions.provisioner.batchIdle = options.batchIdle;
  managerOptions.provisioner.batchMax = options.batchMax;
  managerOptions.provisioner.pollInterval = std::chrono::milliseconds(20);
  managerOptions.lifecycle.pollInterval = std::chrono::milliseconds(20);
  managerOptions.provisioner.onPass = [&decisions](const controllers::ProvisioningPass& pass) {
    std::lock_guard lock(decisions.mutex);
    ++decisions.passes;
    decisions.lastPass = Clock::now();
    for (const auto& [pod, target] : pass.nominations) {
      decisions.nominations[pod] = target;
      decisions.errors.erase(pod);
    }
    for (const auto& [pod, reason] : pass.podErrors) {
      decisions.errors[pod] = reason;
    }
    for (size_t i = 0; i < pass.createdNodeClaims.size() && i < pass.daemonSetOverheads.size();
         ++i) {
      decisions.daemonSetOverheads[pass.createdNodeClaims[i]] = pass.daemonSetOverheads[i];
    }
  };
  op::ControllerManager manager(client, cloud, managerOptions);
  manager.startState();
  if (!manager.waitForSync(std::chrono::seconds(30))) {
    return Error{ErrorKind::kUnavailable, "the embedded apiserver's informers did not sync"};
  }
  manager.startControllers();
  const auto deadline = Clock::now() + options.timeout;
  const auto quiet = options.batchIdle * 3;
  while (!settled(*manager.state().flush(), decisions, quiet)) {
    if (Clock::now() >= deadline) {
      spdlog::warn("simulate: not settled after {} s; reporting the plan as it stands",
                   options.timeout.count());
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  manager.stopControllers();
  Plan plan = buildPlan(cloud, *manager.state().flush(), decisions);
  manager.stop();
  server.stop();
  return plan;
}

}  // namespace karpenter::simulation
