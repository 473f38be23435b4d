#include "karpenter/controllers/provisioner.hpp"

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/conditions.hpp"
#include "karpenter/api/well_known.hpp"
#include "karpenter/controllers/events.hpp"
#include "karpenter/metrics/registry.hpp"
#include "karpenter/provisioning/batcher.hpp"
#include "karpenter/provisioning/nodeclaim_builder.hpp"
#include "karpenter/provisioning/pod_filter.hpp"

namespace karpenter::controllers {
namespace {

using Clock = std::chrono::steady_clock;
using state::ClusterSnapshot;
using state::StateNode;

std::string podKey(const api::Pod& pod) {
  return pod.metadata.namespace_ + "/" + pod.metadata.name;
}

InvolvedObject involvedPod(const api::Pod& pod) {
  return {"v1", "Pod", pod.metadata.namespace_, pod.metadata.name, pod.metadata.uid};
}

bool conditionIsFalse(const std::vector<api::Condition>& conditions, std::string_view type) {
  for (const auto& condition : conditions) {
    if (condition.type == type) {
      return condition.status == "False";
    }
  }
  return false;
}

// Whether `target` (a Node or NodeClaim name) is known and going away.
bool targetIsGoingAway(const ClusterSnapshot& snapshot, const std::string& target) {
  if (snapshot.isMarkedForDeletion(target)) {
    return true;
  }
  const StateNode* entry = snapshot.node(target);
  if (entry == nullptr) {
    entry = snapshot.nodeForNodeClaim(target);
  }
  if (entry == nullptr) {
    return false;
  }
  return (entry->node && entry->node->metadata.deletionTimestamp) ||
         (entry->nodeClaim && entry->nodeClaim->metadata.deletionTimestamp);
}

bool targetIsKnown(const ClusterSnapshot& snapshot, const std::string& target) {
  return snapshot.node(target) != nullptr || snapshot.nodeForNodeClaim(target) != nullptr;
}

// What each NodePool already uses: Σ capacity of its launched NodeClaims, and their count.
std::map<std::string, std::pair<api::ResourceList, int64_t>, std::less<>> nodePoolUsage(
    const ClusterSnapshot& snapshot) {
  std::map<std::string, std::pair<api::ResourceList, int64_t>, std::less<>> usage;
  for (const auto& [name, nodeClaim] : *snapshot.nodeClaims) {
    auto pool = nodeClaim->metadata.labels.find(api::kNodePoolLabelKey);
    if (pool == nodeClaim->metadata.labels.end()) {
      continue;
    }
    auto& [resources, nodes] = usage[pool->second];
    resources = api::resources::add(resources, nodeClaim->status.capacity);
    ++nodes;
  }
  return usage;
}

// The largest capacity among a new NodeClaim's instance types: what it may add to its pool.
api::ResourceList largestCapacity(const scheduling::NewNodeClaim& claim) {
  api::ResourceList largest;
  for (const auto* instanceType : claim.instanceTypes) {
    largest = api::resources::max(largest, instanceType->capacity);
  }
  return largest;
}

// The first resource of `limits` that usage + adding exceeds, or "".
std::string exceededLimit(const api::ResourceList& limits, const api::ResourceList& usage,
                          int64_t nodes, const api::ResourceList& adding) {
  for (const auto& [name, limit] : limits) {
    if (name == "nodes") {
      if (nodes + 1 > limit.value()) {
        return "nodes";
      }
      continue;
    }
    api::Quantity total = api::Quantity();
    if (auto it = usage.find(name); it != usage.end()) {
      total = it->second;
    }
    if (auto it = adding.find(name); it != adding.end()) {
      total = total + it->second;
    }
    if (total > limit) {
      return name;
    }
  }
  return "";
}

metrics::Family<metrics::Counter>& nodeClaimsCreated() {
  static auto& family = metrics::defaultRegistry().counter(
      "karpenter_nodeclaims_created_total", "Number of nodeclaims created in total by Karpenter.",
      {"reason", "nodepool", "min_values_relaxed"});
  return family;
}

metrics::Family<metrics::Histogram>& schedulingDuration() {
  static auto& family = metrics::defaultRegistry().histogram(
      "karpenter_provisioner_scheduling_duration_seconds",
      "Duration of scheduling simulations used for deprovisioning and provisioning in seconds.",
      {"controller"});
  return family;
}

}  // namespace

struct Provisioner::Impl {
  kube::KubeClient& client;
  state::ClusterState& state;
  cloudprovider::CloudProvider& cloud;
  Options options;
  std::shared_ptr<EventRecorder> events;
  provisioning::Batcher batcher;
  std::atomic<bool> running{false};
  std::thread loop;
  std::thread watcher;
  // Pods already handed to a pass, with when; failed pods are retried after retryFailedAfter.
  std::mutex seenMutex;
  std::map<std::string, Clock::time_point> seen;  // pod UID → last pass that considered it

  Impl(kube::KubeClient& c, state::ClusterState& s, cloudprovider::CloudProvider& p, Options o)
      : client(c),
        state(s),
        cloud(p),
        options(std::move(o)),
        events(options.events ? options.events : std::make_shared<EventRecorder>(client)),
        batcher(options.batchIdle, options.batchMax) {}

  // A pod's nomination still holds: not expired and its target is not going away. A target the
  // state does not know yet (the NodeClaim was just created) is trusted for a few seconds.
  bool nominationHolds(const ClusterSnapshot& snapshot, const api::Pod& pod,
                       Clock::time_point now) const {
    auto target = snapshot.nominatedTarget(pod.metadata.uid, now);
    if (!target || targetIsGoingAway(snapshot, *target)) {
      return false;
    }
    if (targetIsKnown(snapshot, *target)) {
      return true;
    }
    const auto& nomination = snapshot.nominations->at(pod.metadata.uid);
    return nomination.expiresAt - now > options.nominationTtl - std::chrono::seconds(5);
  }

  // Pods that need a pass: provisionable, not nominated, and new (or failed long enough ago).
  bool hasNewPods(const ClusterSnapshot& snapshot) {
    const auto now = Clock::now();
    std::lock_guard lock(seenMutex);
    for (const auto& [key, pod] : *snapshot.pendingPods) {
      if (!provisioning::isProvisionable(*pod) || nominationHolds(snapshot, *pod, now)) {
        continue;
      }
      auto it = seen.find(pod->metadata.uid);
      if (it == seen.end() || now - it->second >= options.retryFailedAfter) {
        return true;
      }
    }
    return false;
  }

  // The NodePools a pass may use; `skipped` says why each of the others is left out.
  std::vector<scheduling::NodePoolInput> nodePoolInputs(const ClusterSnapshot& snapshot,
                                                        std::vector<std::string>& skipped) {
    const auto usage = nodePoolUsage(snapshot);
    std::vector<scheduling::NodePoolInput> inputs;
    for (const auto& [name, pool] : *snapshot.nodePools) {
      if (pool->metadata.deletionTimestamp) {
        skipped.push_back("nodepool \"" + name + "\" is being deleted");
        continue;
      }
      if (conditionIsFalse(pool->status.conditions, api::kConditionTypeReady)) {
        const api::Condition* ready =
            api::findCondition(pool->status.conditions, api::kConditionTypeReady);
        skipped.push_back("nodepool \"" + name + "\" is not ready (" + ready->reason +
                          (ready->message.empty() ? "" : ": " + ready->message) + ")");
        continue;
      }
      auto instanceTypes = cloud.instanceTypes(*pool);
      if (!instanceTypes) {
        spdlog::warn("provisioner: instance types of nodepool {}: {}", name,
                     instanceTypes.error().message);
        skipped.push_back("nodepool \"" + name +
                          "\": instance types unavailable: " + instanceTypes.error().message);
        continue;
      }
      scheduling::NodePoolInput input{*pool, std::move(instanceTypes).value()};
      if (auto it = usage.find(name); it != usage.end()) {
        input.nodePool.status.resources = it->second.first;
        input.nodePool.status.nodes = it->second.second;
      }
      inputs.push_back(std::move(input));
    }
    return inputs;
  }

  Result<ProvisioningPass> provision() {
    auto snapshot = state.flush();
    if (!snapshot->synced) {
      return Error{ErrorKind::kUnavailable, "the cluster state has not synced yet"};
    }
    const auto now = Clock::now();
    // Nominated pods stay with their targets; the rest are this pass's pods.
    std::map<std::string, std::vector<const api::Pod*>, std::less<>> nominatedTo;
    std::vector<const api::Pod*> pods;
    for (const auto& [key, pod] : *snapshot->pendingPods) {
      if (!provisioning::isProvisionable(*pod)) {
        continue;
      }
      if (nominationHolds(*snapshot, *pod, now)) {
        nominatedTo[*snapshot->nominatedTarget(pod->metadata.uid, now)].push_back(pod.get());
      } else {
        pods.push_back(pod.get());
      }
    }
    ProvisioningPass pass;
    pass.podsConsidered = pods.size();
    {
      std::lock_guard lock(seenMutex);
      for (const auto* pod : pods) {
        seen[pod->metadata.uid] = now;
      }
    }
    if (pods.empty()) {
      return pass;
    }

    scheduling::SchedulerInput input;
    input.options = options.scheduler;
    std::vector<std::string> skipped;
    input.nodePools = nodePoolInputs(*snapshot, skipped);
    for (const auto* entries : {snapshot->nodes.get(), snapshot->inFlight.get()}) {
      for (const auto& [name, entry] : *entries) {
        if (targetIsGoingAway(*snapshot, name) ||
            (entry->nodeClaim && targetIsGoingAway(*snapshot, entry->nodeClaim->metadata.name))) {
          continue;
        }
        auto existing = snapshot->existingNode(*entry);
        for (const std::string& target :
             {entry->name, entry->nodeClaim ? entry->nodeClaim->metadata.name : std::string()}) {
          if (auto it = nominatedTo.find(target); !target.empty() && it != nominatedTo.end()) {
            existing.pods.insert(existing.pods.end(), it->second.begin(), it->second.end());
          }
        }
        input.existingNodes.push_back(std::move(existing));
      }
    }
    for (const auto& [name, daemonSet] : *snapshot->daemonSets) {
      input.daemonSets.push_back(*daemonSet);
    }
    // After existingNodes: their pods' claims count against the nodes' CSI volume limits.
    snapshot->addVolumeInputs(pods, input);

    const auto started = Clock::now();
    const scheduling::Results results = scheduling::solve(input, pods);
    schedulingDuration()
        .with({"provisioner"})
        .observe(std::chrono::duration<double>(Clock::now() - started).count());

    createNodeClaims(*snapshot, input, results, pass);
    for (const auto& placement : results.existingNodes) {
      for (const auto* pod : placement.pods) {
        nominate(*pod, placement.nodeName, "node", pass);
      }
    }
    std::string skippedReasons;
    for (const auto& reason : skipped) {
      skippedReasons += (skippedReasons.empty() ? "" : "; ") + reason;
    }
    for (const auto& error : results.podErrors) {
      // With no usable pool the solver can only say "no nodepools found"; say why instead.
      fail(*error.pod,
           input.nodePools.empty() && !skipped.empty() ? "no usable nodepools: " + skippedReasons
                                                       : error.reason,
           pass);
    }
    return pass;
  }

  void createNodeClaims(const ClusterSnapshot& snapshot, const scheduling::SchedulerInput& input,
                        const scheduling::Results& results, ProvisioningPass& pass) {
    auto usage = nodePoolUsage(snapshot);
    for (const auto& claim : results.newNodeClaims) {
      const scheduling::NodePoolInput* pool = nullptr;
      for (const auto& candidate : input.nodePools) {
        if (candidate.nodePool.metadata.name == claim.nodePoolName) {
          pool = &candidate;
        }
      }
      if (pool == nullptr) {
        continue;  // cannot happen: the solver only opens claims of the pools it was given
      }
      // Limits again, against live usage: another pass or replica may have launched meanwhile.
      auto& [used, nodes] = usage[claim.nodePoolName];
      const auto adding = largestCapacity(claim);
      if (auto over = exceededLimit(pool->nodePool.spec.limits, used, nodes, adding);
          !over.empty()) {
        for (const auto* pod : claim.pods) {
          fail(*pod, "exceeds limits of nodepool \"" + claim.nodePoolName + "\" (" + over + ")",
               pass);
        }
        continue;
      }
      const api::NodeClaim nodeClaim = provisioning::buildNodeClaim(claim, pool->nodePool);
      auto created = client.create({.group = "karpenter.sh", .resource = "nodeclaims"},
                                   api::encodeJson(nodeClaim));
      if (!created) {
        spdlog::error("provisioner: creating a nodeclaim for nodepool {}: {}", claim.nodePoolName,
                      created.error().message);
        for (const auto* pod : claim.pods) {
          fail(*pod, "creating a nodeclaim failed: " + created.error().message, pass);
        }
        continue;
      }
      const std::string name = (*created)["metadata"].value("name", "");
      used = api::resources::add(used, adding);
      ++nodes;
      pass.createdNodeClaims.push_back(name);
      pass.daemonSetOverheads.push_back(claim.daemonSetOverhead);
      nodeClaimsCreated().with({"provisioning", claim.nodePoolName, "false"}).inc();
      spdlog::info("provisioner: created nodeclaim {} (nodepool {}, {} pods, {} instance types)",
                   name, claim.nodePoolName, claim.pods.size(), claim.instanceTypes.size());
      for (const auto* pod : claim.pods) {
        nominate(*pod, name, "nodeclaim", pass);
      }
    }
  }

  void nominate(const api::Pod& pod, const std::string& target, const char* kind,
                ProvisioningPass& pass) {
    state.nominate(pod.metadata.uid, target, options.nominationTtl);
    pass.nominations.emplace_back(podKey(pod), target);
    events->record(involvedPod(pod), "Normal", "Nominated",
                   std::string("Pod should schedule on: ") + kind + "/" + target);
  }

  void fail(const api::Pod& pod, const std::string& reason, ProvisioningPass& pass) {
    pass.podErrors.emplace_back(podKey(pod), reason);
    events->record(involvedPod(pod), "Warning", "FailedScheduling",
                   "Failed to schedule pod, " + reason);
  }

  void run() {
    while (running) {
      if (!batcher.wait(std::chrono::milliseconds(500))) {
        continue;
      }
      auto pass = provision();
      if (!pass) {
        spdlog::warn("provisioner: {}", pass.error().message);
        continue;
      }
      if (options.onPass) {
        options.onPass(*pass);
      }
    }
  }

  // Opens a batch whenever the state shows pods that need a pass.
  void watch() {
    uint64_t lastVersion = 0;
    auto lastCheck = Clock::now();
    while (running) {
      std::this_thread::sleep_for(options.pollInterval);
      auto snapshot = state.snapshot();
      // Re-check on every change, and now and then for failed pods whose retry time came.
      if (!snapshot->synced || (snapshot->version == lastVersion &&
                                Clock::now() - lastCheck < std::chrono::seconds(1))) {
        continue;
      }
      lastVersion = snapshot->version;
      lastCheck = Clock::now();
      if (hasNewPods(*snapshot)) {
        batcher.trigger();
      }
    }
  }
};

Provisioner::Provisioner(kube::KubeClient& client, state::ClusterState& state,
                         cloudprovider::CloudProvider& cloud, Options options)
    : impl_(std::make_unique<Impl>(client, state, cloud, std::move(options))) {}

Provisioner::~Provisioner() {
  stop();
}

void Provisioner::start() {
  if (impl_->running.exchange(true)) {
    return;
  }
  impl_->loop = std::thread([this] { impl_->run(); });
  impl_->watcher = std::thread([this] { impl_->watch(); });
}

void Provisioner::stop() {
  if (!impl_->running.exchange(false)) {
    return;
  }
  impl_->batcher.stop();
  impl_->watcher.join();
  impl_->loop.join();
}

Result<ProvisioningPass> Provisioner::provision() {
  return impl_->provision();
}

}  // namespace karpenter::controllers
