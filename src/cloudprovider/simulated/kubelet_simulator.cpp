#include "karpenter/cloudprovider/simulated/kubelet_simulator.hpp"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "karpenter/api/well_known.hpp"
#include "kubelet_objects.hpp"

namespace karpenter::cloudprovider::simulated {

using nlohmann::json;
using TimePoint = std::chrono::system_clock::time_point;

namespace {

const kube::ResourceRef kNodes{.resource = "nodes"};
const kube::ResourceRef kPods{.resource = "pods"};
const kube::ResourceRef kLeases{
    .group = "coordination.k8s.io", .resource = "leases", .nameSpace = "kube-node-lease"};
const kube::ResourceRef kNamespaces{.resource = "namespaces"};
constexpr int kConflictRetries = 5;

// What the simulator remembers about a Node it registered.
struct NodeState {
  std::string providerID;
  std::string name;
  std::string uid;
  std::string ip;
  uint64_t sequence = 0;
  uint64_t podsStarted = 0;
  TimePoint registeredAt;
  TimePoint leaseRenewedAt;
  TimePoint statusReportedAt;
  std::vector<api::Taint> startupTaints;  // still to remove, when removal is enabled
};

}  // namespace

struct KubeletSimulator::State {
  State(InstanceSource i, kube::KubeClient& k, Options o)
      : instances(std::move(i)), client(k), options(std::move(o)) {}

  TimePoint now() const {
    return options.clock ? options.clock() : std::chrono::system_clock::now();
  }

  InstanceSource instances;
  kube::KubeClient& client;
  Options options;

  mutable std::mutex mutex;  // guards nodes, stopping
  std::condition_variable wake;
  std::map<std::string, NodeState> nodes;  // by providerID
  bool stopping = false;
  bool namespaceReady = false;
  std::thread instanceThread;
  std::thread podThread;

  bool ensureLeaseNamespace();
  void registerNode(const SimulatedInstance& instance, TimePoint now);
  void maintain(NodeState& node, TimePoint now);
  void removeNode(const NodeState& node);
  void removeStartupTaints(NodeState& node);
  // Reports the pod Running when it is on one of our nodes and not yet started.
  void startPod(const json& pod);
  void watchPods();
};

bool KubeletSimulator::State::ensureLeaseNamespace() {
  if (namespaceReady) {
    return true;
  }
  auto created = client.create(
      kNamespaces,
      {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kLeases.nameSpace}}}});
  if (!created.ok() && created.error().kind != ErrorKind::kConflict) {
    spdlog::warn("kubelet simulator: creating namespace {}: {}", kLeases.nameSpace,
                 created.error().message);
    return false;
  }
  namespaceReady = true;
  return true;
}

void KubeletSimulator::State::registerNode(const SimulatedInstance& instance, TimePoint now) {
  if (!ensureLeaseNamespace()) {
    return;
  }
  json desired = kubelet::node(instance, options.kubeletVersion, now);
  auto created = client.create(kNodes, desired);
  json current;
  if (created.ok()) {
    current = std::move(*created);
  } else if (created.error().kind == ErrorKind::kConflict) {
    // Registered before (a restart of the simulator): adopt the existing Node.
    auto existing = client.get(kNodes.named(instance.nodeName));
    if (!existing.ok()) {
      spdlog::warn("kubelet simulator: reading node {}: {}", instance.nodeName,
                   existing.error().message);
      return;
    }
    current = std::move(*existing);
  } else {
    spdlog::warn("kubelet simulator: registering node {}: {}", instance.nodeName,
                 created.error().message);
    return;
  }
  // The API server may drop status on create; the kubelet reports it right after anyway.
  current["status"] = desired["status"];
  auto reported = client.updateStatus(kNodes.named(instance.nodeName), current);
  if (!reported.ok()) {
    spdlog::warn("kubelet simulator: reporting status of node {}: {}", instance.nodeName,
                 reported.error().message);
  }
  NodeState node;
  node.providerID = instance.providerID;
  node.name = instance.nodeName;
  node.uid = current["metadata"].value("uid", "");
  node.ip = instance.privateIp;
  node.sequence = instance.sequence;
  node.registeredAt = now;
  node.statusReportedAt = now;
  node.startupTaints = instance.nodeClaim.spec.startupTaints;
  auto lease = client.create(
      kLeases, kubelet::lease(node.name, node.uid, options.leaseDurationSeconds, now));
  if (lease.ok() || lease.error().kind == ErrorKind::kConflict) {
    node.leaseRenewedAt = lease.ok() ? now : TimePoint{};  // an old lease is renewed next tick
  } else {
    spdlog::warn("kubelet simulator: creating lease {}: {}", node.name, lease.error().message);
  }
  {
    std::lock_guard lock(mutex);
    nodes.emplace(node.providerID, node);
  }
  spdlog::debug("kubelet simulator: registered node {} ({})", node.name, node.providerID);
  // Pods bound before the pod watch saw the node (or bound by name in advance).
  auto bound = client.list(kPods, {.fieldSelector = "spec.nodeName=" + node.name});
  if (bound.ok()) {
    for (const auto& pod : bound->items) {
      startPod(pod);
    }
  }
}

void KubeletSimulator::State::maintain(NodeState& node, TimePoint now) {
  if (now - node.leaseRenewedAt >= options.leaseRenewInterval) {
    auto renewed = client.patch(kLeases.named(node.name), kube::PatchType::kMerge,
                                {{"spec",
                                  {{"holderIdentity", node.name},
                                   {"leaseDurationSeconds", options.leaseDurationSeconds},
                                   {"renewTime", kubelet::microTime(now)}}}});
    if (!renewed.ok() && renewed.error().kind == ErrorKind::kNotFound) {
      renewed = client.create(
          kLeases, kubelet::lease(node.name, node.uid, options.leaseDurationSeconds, now));
    }
    if (renewed.ok()) {
      node.leaseRenewedAt = now;
    } else {
      spdlog::warn("kubelet simulator: renewing lease {}: {}", node.name, renewed.error().message);
    }
  }
  if (now - node.statusReportedAt >= options.nodeStatusInterval) {
    kube::ResourceRef status = kNodes.named(node.name);
    status.subresource = "status";
    auto reported = client.patch(
        status, kube::PatchType::kMerge,
        {{"status", {{"conditions", kubelet::nodeConditions(now, node.registeredAt)}}}});
    if (reported.ok()) {
      node.statusReportedAt = now;
    } else {
      spdlog::warn("kubelet simulator: heartbeat of node {}: {}", node.name,
                   reported.error().message);
    }
  }
  if (!node.startupTaints.empty() && options.startupTaintRemovalDelay &&
      now - node.registeredAt >= *options.startupTaintRemovalDelay) {
    removeStartupTaints(node);
  }
}

void KubeletSimulator::State::removeStartupTaints(NodeState& node) {
  for (int attempt = 0; attempt < kConflictRetries; ++attempt) {
    auto current = client.get(kNodes.named(node.name));
    if (!current.ok()) {
      spdlog::warn("kubelet simulator: reading node {}: {}", node.name, current.error().message);
      return;
    }
    json& taints = (*current)["spec"]["taints"];
    if (taints.is_array()) {
      json kept = json::array();
      for (const auto& t : taints) {
        const bool startup = std::any_of(
            node.startupTaints.begin(), node.startupTaints.end(), [&](const api::Taint& s) {
              return s.key == t.value("key", "") && s.effect == t.value("effect", "");
            });
        if (!startup) {
          kept.push_back(t);
        }
      }
      taints = kept;
    }
    auto updated = client.update(kNodes.named(node.name), *current);
    if (updated.ok()) {
      node.startupTaints.clear();
      return;
    }
    if (updated.error().kind != ErrorKind::kConflict) {
      spdlog::warn("kubelet simulator: removing startup taints of {}: {}", node.name,
                   updated.error().message);
      return;
    }
  }
}

void KubeletSimulator::State::removeNode(const NodeState& node) {
  auto removed = client.remove(kNodes.named(node.name), {});
  if (!removed.ok() && removed.error().kind != ErrorKind::kNotFound) {
    spdlog::warn("kubelet simulator: deleting node {}: {}", node.name, removed.error().message);
  }
  auto lease = client.remove(kLeases.named(node.name), {});
  if (!lease.ok() && lease.error().kind != ErrorKind::kNotFound) {
    spdlog::warn("kubelet simulator: deleting lease {}: {}", node.name, lease.error().message);
  }
  spdlog::debug("kubelet simulator: instance {} gone, node {} deleted", node.providerID, node.name);
}

void KubeletSimulator::State::startPod(const json& pod) {
  const std::string nodeName = pod["spec"].value("nodeName", "");
  const std::string phase = pod.contains("status") ? pod["status"].value("phase", "") : "";
  if (nodeName.empty() || phase == "Running" || phase == "Succeeded" || phase == "Failed" ||
      (pod["metadata"].contains("deletionTimestamp") &&
       !pod["metadata"]["deletionTimestamp"].is_null())) {
    return;
  }
  std::string hostIp;
  std::string ip;
  {
    std::lock_guard lock(mutex);
    auto it = std::find_if(nodes.begin(), nodes.end(),
                           [&](const auto& entry) { return entry.second.name == nodeName; });
    if (it == nodes.end()) {
      return;
    }
    hostIp = it->second.ip;
    ip = pod["spec"].value("hostNetwork", false)
             ? hostIp
             : kubelet::podIp(it->second.sequence, it->second.podsStarted++);
  }
  kube::ResourceRef ref = kPods.named(pod["metadata"].value("name", ""));
  ref.nameSpace = pod["metadata"].value("namespace", "default");
  json current = pod;
  for (int attempt = 0; attempt < kConflictRetries; ++attempt) {
    auto updated = client.updateStatus(ref, kubelet::runningPod(current, hostIp, ip, now()));
    if (updated.ok() || updated.error().kind == ErrorKind::kNotFound) {
      return;
    }
    if (updated.error().kind != ErrorKind::kConflict) {
      spdlog::warn("kubelet simulator: starting pod {}/{}: {}", ref.nameSpace, ref.name,
                   updated.error().message);
      return;
    }
    auto fresh = client.get(ref);
    if (!fresh.ok()) {
      return;
    }
    current = std::move(*fresh);
    if (current.contains("status") && current["status"].value("phase", "") == "Running") {
      return;
    }
  }
}

void KubeletSimulator::State::watchPods() {
  const std::string selector = "spec.nodeName!=";
  std::string resourceVersion;
  auto stopped = [this] {
    std::lock_guard lock(mutex);
    return stopping;
  };
  while (!stopped()) {
    if (resourceVersion.empty()) {
      kube::ListOptions list{.fieldSelector = selector, .limit = 500};
      bool ok = true;
      do {
        auto page = client.list(kPods, list);
        if (!page.ok()) {
          spdlog::warn("kubelet simulator: listing pods: {}", page.error().message);
          ok = false;
          break;
        }
        for (const auto& pod : page->items) {
          startPod(pod);
        }
        list.continueToken = page->continueToken;
        resourceVersion = page->resourceVersion;
      } while (!list.continueToken.empty());
      if (!ok) {
        resourceVersion.clear();
        std::unique_lock lock(mutex);
        wake.wait_for(lock, options.tick, [this] { return stopping; });
        continue;
      }
    }
    auto watched = client.watch(kPods,
                                {.fieldSelector = selector,
                                 .resourceVersion = resourceVersion,
                                 .timeoutSeconds = options.podWatchTimeout.count()},
                                [&](const kube::WatchEvent& event) {
                                  const std::string rv =
                                      event.object["metadata"].value("resourceVersion", "");
                                  if (!rv.empty()) {
                                    resourceVersion = rv;
                                  }
                                  if (event.type == "ADDED" || event.type == "MODIFIED") {
                                    startPod(event.object);
                                  }
                                  return !stopped();
                                });
    if (!watched.ok()) {
      if (watched.error().kind != ErrorKind::kGone) {
        spdlog::warn("kubelet simulator: watching pods: {}", watched.error().message);
        std::unique_lock lock(mutex);
        wake.wait_for(lock, options.tick, [this] { return stopping; });
      }
      resourceVersion.clear();
    }
  }
}

KubeletSimulator::KubeletSimulator(SimulatedCloud& cloud, kube::KubeClient& client, Options options)
    : KubeletSimulator([&cloud] { return cloud.instances(); }, client, std::move(options)) {}

KubeletSimulator::KubeletSimulator(InstanceSource instances, kube::KubeClient& client,
                                   Options options)
    : state_(std::make_unique<State>(std::move(instances), client, std::move(options))) {}

KubeletSimulator::~KubeletSimulator() {
  stop();
}

void KubeletSimulator::start() {
  std::lock_guard lock(state_->mutex);
  if (state_->instanceThread.joinable()) {
    return;
  }
  state_->stopping = false;
  state_->instanceThread = std::thread([this] {
    std::unique_lock lock(state_->mutex);
    while (!state_->stopping) {
      lock.unlock();
      syncOnce();
      lock.lock();
      state_->wake.wait_for(lock, state_->options.tick, [this] { return state_->stopping; });
    }
  });
  state_->podThread = std::thread([this] { state_->watchPods(); });
}

void KubeletSimulator::stop() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  if (state_->instanceThread.joinable()) {
    state_->instanceThread.join();
  }
  if (state_->podThread.joinable()) {
    state_->podThread.join();
  }
}

void KubeletSimulator::syncOnce() {
  State& s = *state_;
  const TimePoint now = s.now();
  const auto instances = s.instances();
  std::set<std::string> running;
  std::vector<NodeState> gone;
  std::vector<NodeState> registered;
  {
    std::lock_guard lock(s.mutex);
    for (const auto& instance : instances) {
      running.insert(instance.providerID);
    }
    for (auto it = s.nodes.begin(); it != s.nodes.end();) {
      if (!running.contains(it->first)) {
        gone.push_back(it->second);
        it = s.nodes.erase(it);
      } else {
        registered.push_back(it->second);
        ++it;
      }
    }
  }
  for (const auto& node : gone) {
    s.removeNode(node);
  }
  for (auto& node : registered) {
    s.maintain(node, now);
    std::lock_guard lock(s.mutex);
    if (auto it = s.nodes.find(node.providerID); it != s.nodes.end()) {
      // Keep the pod counter the pod thread may have advanced meanwhile.
      node.podsStarted = it->second.podsStarted;
      it->second = node;
    }
  }
  for (const auto& instance : instances) {
    bool known = false;
    {
      std::lock_guard lock(s.mutex);
      known = s.nodes.contains(instance.providerID);
    }
    if (!known && instance.registrationDelay &&
        now >= instance.launchTime + *instance.registrationDelay) {
      s.registerNode(instance, now);
    }
  }
}

std::vector<std::string> KubeletSimulator::nodeNames() const {
  std::lock_guard lock(state_->mutex);
  std::vector<std::string> names;
  for (const auto& [id, node] : state_->nodes) {
    names.push_back(node.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace karpenter::cloudprovider::simulated
