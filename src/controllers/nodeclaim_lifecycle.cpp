#include "karpenter/controllers/nodeclaim_lifecycle.hpp"

#include <stop_token>
#include <vector>

#include <spdlog/spdlog.h>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/conditions.hpp"
#include "karpenter/api/well_known.hpp"
#include "karpenter/controllers/events.hpp"
#include "karpenter/controllers/registration_health.hpp"
#include "karpenter/kube/queue_workers.hpp"
#include "karpenter/metrics/registry.hpp"
#include "karpenter/provisioning/pod_filter.hpp"
#include "karpenter/util/time.hpp"

namespace karpenter::controllers {
namespace {

using std::chrono::milliseconds;
using json = nlohmann::json;

const kube::ResourceRef kNodeClaims{.group = "karpenter.sh", .resource = "nodeclaims"};
const kube::ResourceRef kNodes{.resource = "nodes"};

// Taints a kubelet or cloud controller sets while a node is coming up (upstream
// ephemeral taints): their presence means the node is not initialized yet.
bool isEphemeralTaint(const api::Taint& taint) {
  return taint.key == "node.kubernetes.io/not-ready" ||
         taint.key == "node.kubernetes.io/unreachable" ||
         taint.key == "node.cloudprovider.kubernetes.io/uninitialized" ||
         taint.key == api::kUnregisteredTaintKey;
}

bool sameTaint(const api::Taint& a, const api::Taint& b) {
  return a.key == b.key && a.effect == b.effect;
}

bool nodeIsReady(const api::Node& node) {
  for (const auto& condition : node.status.conditions) {
    if (condition.type == "Ready") {
      return condition.status == "True";
    }
  }
  return false;
}

std::string now() {
  return formatRfc3339(std::chrono::system_clock::now());
}

api::Condition condition(std::string_view type, std::string_view status, std::string reason = "",
                         std::string message = "") {
  api::Condition c;
  c.type = type;
  c.status = status;
  c.reason = std::move(reason);
  c.message = std::move(message);
  return c;
}

milliseconds remaining(const std::string& createdAt, std::chrono::seconds ttl) {
  auto created = parseRfc3339(createdAt);
  if (!created) {
    return milliseconds(0);
  }
  return std::chrono::duration_cast<milliseconds>(*created + ttl -
                                                  std::chrono::system_clock::now());
}

metrics::Family<metrics::Counter>& nodeClaimsTerminated() {
  static auto& family =
      metrics::defaultRegistry().counter("karpenter_nodeclaims_terminated_total",
                                         "Number of nodeclaims terminated in total by Karpenter.",
                                         {"nodepool", "capacity_type", "zone"});
  return family;
}

metrics::Family<metrics::Counter>& nodesCreated() {
  static auto& family = metrics::defaultRegistry().counter(
      "karpenter_nodes_created_total", "Number of nodes created in total by Karpenter.",
      {"nodepool"});
  return family;
}

metrics::Family<metrics::Counter>& nodesTerminated() {
  static auto& family = metrics::defaultRegistry().counter(
      "karpenter_nodes_terminated_total", "Number of nodes terminated in total by Karpenter.",
      {"nodepool"});
  return family;
}

std::string label(const api::NodeClaim& nodeClaim, std::string_view key) {
  auto it = nodeClaim.metadata.labels.find(key);
  return it == nodeClaim.metadata.labels.end() ? "" : it->second;
}

}  // namespace

struct NodeClaimLifecycle::Impl {
  kube::KubeClient& client;
  state::ClusterState& state;
  cloudprovider::CloudProvider& cloud;
  Options options;
  std::shared_ptr<EventRecorder> events;
  std::shared_ptr<RegistrationHealth> registrationHealth;
  // Last: its threads call into the members above, so it stops before they are destroyed.
  kube::QueueWorkers threads;

  Impl(kube::KubeClient& c, state::ClusterState& s, cloudprovider::CloudProvider& p, Options o)
      : client(c),
        state(s),
        cloud(p),
        options(o),
        events(options.events ? options.events : std::make_shared<EventRecorder>(client)),
        registrationHealth(options.registrationHealth ? options.registrationHealth
                                                      : std::make_shared<RegistrationHealth>()),
        threads(
            options.workers, "nodeclaim",
            [this](const std::string& key) { return kube::requeueAfter(reconcile(key)); },
            [this](kube::WorkQueue& queue, std::stop_token stop) { watch(queue, stop); }) {}

  // Liveness: the NodeClaim timed out; the pool's registration health learns of it first
  // (upstream does the same, so a failed status write retries before the evidence is deleted).
  Result<milliseconds> timedOut(const api::NodeClaim& nodeClaim, const std::string& why) {
    if (auto recorded = recordRegistrationOutcome(client, *registrationHealth, nodeClaim, false);
        !recorded) {
      return recorded.error();
    }
    auto removed = remove(nodeClaim.metadata.name, why);
    return removed ? Result<milliseconds>(milliseconds(0)) : removed.error();
  }

  Result<void> patchStatus(const std::string& name, json body) {
    kube::ResourceRef status = kNodeClaims.named(name);
    status.subresource = "status";
    auto patched = client.patch(status, kube::PatchType::kMerge, {{"status", std::move(body)}});
    return patched ? Result<void>() : Result<void>(patched.error());
  }

  Result<void> remove(const std::string& name, const std::string& why) {
    spdlog::info("nodeclaim {}: deleting: {}", name, why);
    auto removed = client.remove(kNodeClaims.named(name), {});
    if (!removed && removed.error().kind != ErrorKind::kNotFound) {
      return removed.error();
    }
    return {};
  }

  // The Node registered for this NodeClaim, from the state (joined by providerID).
  std::shared_ptr<const api::Node> nodeOf(const api::NodeClaim& nodeClaim) {
    auto snapshot = state.snapshot();
    const state::StateNode* entry = snapshot->nodeForNodeClaim(nodeClaim.metadata.name);
    if (entry == nullptr || entry->node == nullptr ||
        entry->node->spec.providerID != nodeClaim.status.providerID) {
      return nullptr;
    }
    return entry->node;
  }

  Result<milliseconds> launch(api::NodeClaim& nodeClaim) {
    auto launched = cloud.create(nodeClaim);
    if (!launched) {
      if (launched.error().kind == ErrorKind::kInsufficientCapacity) {
        events->record(
            {"karpenter.sh/v1", "NodeClaim", "", nodeClaim.metadata.name, nodeClaim.metadata.uid},
            "Warning", "InsufficientCapacityError",
            "NodeClaim " + nodeClaim.metadata.name + " event: creating nodeclaim, " +
                launched.error().message);
        auto removed = remove(nodeClaim.metadata.name, launched.error().message);
        return removed ? Result<milliseconds>(milliseconds(0)) : removed.error();
      }
      return launched.error();
    }
    // Labels first (main resource), then the status: a crash between the two leaves a
    // NodeClaim whose instance garbage collection finds by providerID-less NodeClaim name.
    json labels = json::object();
    for (const auto& [key, value] : launched->metadata.labels) {
      labels[key] = value;
    }
    auto patched = client.patch(kNodeClaims.named(nodeClaim.metadata.name), kube::PatchType::kMerge,
                                {{"metadata", {{"labels", labels}}}});
    if (!patched) {
      return patched.error();
    }
    auto conditions = nodeClaim.status.conditions;
    api::setCondition(conditions, condition(api::kConditionTypeLaunched, api::kConditionTrue),
                      now());
    api::setCondition(
        conditions,
        condition(api::kConditionTypeRegistered, api::kConditionUnknown, "AwaitingRegistration"),
        now());
    json status = {{"providerID", launched->status.providerID},
                   {"capacity", api::encodeJson(launched->status.capacity)},
                   {"allocatable", api::encodeJson(launched->status.allocatable)},
                   {"conditions", api::encodeJsonArray(conditions)}};
    if (!launched->status.imageID.empty()) {
      status["imageID"] = launched->status.imageID;
    }
    if (auto done = patchStatus(nodeClaim.metadata.name, status); !done) {
      return done.error();
    }
    spdlog::info("nodeclaim {}: launched {} ({})", nodeClaim.metadata.name,
                 launched->status.providerID, label(*launched, api::kLabelInstanceType));
    return remaining(nodeClaim.metadata.creationTimestamp, options.registrationTtl);
  }

  Result<milliseconds> registerNode(api::NodeClaim& nodeClaim, const api::Node& node) {
    json labels = json::object();
    for (const auto& [key, value] : nodeClaim.metadata.labels) {
      labels[key] = value;
    }
    labels[std::string(api::kNodeRegisteredLabelKey)] = "true";
    // Taints: the NodeClaim's and its startup taints are synced once, at registration; the
    // unregistered taint goes.
    std::vector<api::Taint> taints;
    for (const auto& taint : node.spec.taints) {
      if (taint.key != api::kUnregisteredTaintKey) {
        taints.push_back(taint);
      }
    }
    for (const auto* list : {&nodeClaim.spec.taints, &nodeClaim.spec.startupTaints}) {
      for (const auto& taint : *list) {
        if (std::none_of(taints.begin(), taints.end(),
                         [&](const api::Taint& t) { return sameTaint(t, taint); })) {
          taints.push_back(taint);
        }
      }
    }
    auto patched = client.patch(
        kNodes.named(node.metadata.name), kube::PatchType::kMerge,
        {{"metadata", {{"labels", labels}}}, {"spec", {{"taints", api::encodeJsonArray(taints)}}}});
    if (!patched) {
      return patched.error();
    }
    if (auto recorded = recordRegistrationOutcome(client, *registrationHealth, nodeClaim, true);
        !recorded) {
      return recorded.error();
    }
    auto conditions = nodeClaim.status.conditions;
    api::setCondition(conditions, condition(api::kConditionTypeRegistered, api::kConditionTrue),
                      now());
    api::setCondition(
        conditions,
        condition(api::kConditionTypeInitialized, api::kConditionUnknown, "AwaitingInitialization"),
        now());
    if (auto done = patchStatus(
            nodeClaim.metadata.name,
            {{"nodeName", node.metadata.name}, {"conditions", api::encodeJsonArray(conditions)}});
        !done) {
      return done.error();
    }
    nodesCreated().with({label(nodeClaim, api::kNodePoolLabelKey)}).inc();
    spdlog::info("nodeclaim {}: registered node {}", nodeClaim.metadata.name, node.metadata.name);
    return milliseconds(0);
  }

  // Why the node is not initialized yet, or "".
  static std::string notInitializedReason(const api::NodeClaim& nodeClaim, const api::Node& node) {
    if (!nodeIsReady(node)) {
      return "node is not Ready";
    }
    for (const auto& taint : node.spec.taints) {
      if (isEphemeralTaint(taint)) {
        return "ephemeral taint " + taint.key + " is present";
      }
      for (const auto& startup : nodeClaim.spec.startupTaints) {
        if (sameTaint(taint, startup)) {
          return "startup taint " + taint.key + " is present";
        }
      }
    }
    for (const auto& [resource, quantity] : nodeClaim.spec.resources.requests) {
      const bool extended = resource.find('/') != std::string::npos;
      if (extended && !quantity.isZero()) {
        auto it = node.status.allocatable.find(resource);
        if (it == node.status.allocatable.end() || it->second.isZero()) {
          return "requested resource " + resource + " is not registered";
        }
      }
    }
    return "";
  }

  Result<milliseconds> initialize(api::NodeClaim& nodeClaim, const api::Node& node) {
    if (!notInitializedReason(nodeClaim, node).empty()) {
      return milliseconds(0);  // the next Node change brings us back
    }
    auto patched = client.patch(
        kNodes.named(node.metadata.name), kube::PatchType::kMerge,
        {{"metadata", {{"labels", {{std::string(api::kNodeInitializedLabelKey), "true"}}}}}});
    if (!patched) {
      return patched.error();
    }
    auto conditions = nodeClaim.status.conditions;
    api::setCondition(conditions, condition(api::kConditionTypeInitialized, api::kConditionTrue),
                      now());
    api::setCondition(conditions, condition(api::kConditionTypeReady, api::kConditionTrue), now());
    if (auto done = patchStatus(nodeClaim.metadata.name,
                                {{"conditions", api::encodeJsonArray(conditions)}});
        !done) {
      return done.error();
    }
    spdlog::info("nodeclaim {}: initialized", nodeClaim.metadata.name);
    return milliseconds(0);
  }

  // Evicts what must leave the node; true when nothing is left to wait for.
  bool drain(const api::Node& node) {
    auto snapshot = state.snapshot();
    const state::StateNode* entry = snapshot->node(node.metadata.name);
    if (entry == nullptr) {
      return true;
    }
    bool drained = true;
    for (const auto& pod : entry->pods) {
      if (provisioning::isOwnedByDaemonSet(*pod) || pod->metadata.deletionTimestamp) {
        if (pod->metadata.deletionTimestamp) {
          drained = false;  // terminating: wait for it to go
        }
        continue;
      }
      json eviction = {
          {"apiVersion", "policy/v1"},
          {"kind", "Eviction"},
          {"metadata", {{"name", pod->metadata.name}, {"namespace", pod->metadata.namespace_}}}};
      auto evicted = client.create({.resource = "pods",
                                    .nameSpace = pod->metadata.namespace_,
                                    .name = pod->metadata.name,
                                    .subresource = "eviction"},
                                   eviction);
      if (!evicted && evicted.error().kind != ErrorKind::kNotFound) {
        // 429: a PodDisruptionBudget does not allow it now; anything else: try again too.
        spdlog::info("node {}: evicting {}/{}: {}", node.metadata.name, pod->metadata.namespace_,
                     pod->metadata.name, evicted.error().message);
      }
      drained = false;
    }
    return drained;
  }

  Result<milliseconds> finalize(api::NodeClaim& nodeClaim) {
    const auto& finalizers = nodeClaim.metadata.finalizers;
    if (std::find(finalizers.begin(), finalizers.end(), api::kTerminationFinalizer) ==
        finalizers.end()) {
      return milliseconds(0);
    }
    if (auto node = nodeOf(nodeClaim)) {
      const bool tainted =
          std::any_of(node->spec.taints.begin(), node->spec.taints.end(),
                      [](const api::Taint& t) { return t.key == api::kDisruptedTaintKey; });
      if (!tainted) {
        auto taints = node->spec.taints;
        taints.push_back(api::Taint{.key = std::string(api::kDisruptedTaintKey),
                                    .effect = std::string(api::kDisruptedTaintEffect)});
        auto patched = client.patch(kNodes.named(node->metadata.name), kube::PatchType::kMerge,
                                    {{"spec", {{"taints", api::encodeJsonArray(taints)}}}});
        if (!patched) {
          return patched.error();
        }
      }
      if (!drain(*node)) {
        return options.retryInterval;
      }
    }
    if (!nodeClaim.status.providerID.empty()) {
      auto removed = cloud.remove(nodeClaim);
      if (removed) {
        return options.retryInterval;  // terminating; come back until the cloud says NotFound
      }
      if (removed.error().kind != ErrorKind::kNotFound) {
        return removed.error();
      }
      if (!nodeClaim.status.nodeName.empty()) {
        auto deleted = client.remove(kNodes.named(nodeClaim.status.nodeName), {});
        if (!deleted && deleted.error().kind != ErrorKind::kNotFound) {
          return deleted.error();
        }
        if (deleted) {
          nodesTerminated().with({label(nodeClaim, api::kNodePoolLabelKey)}).inc();
        }
      }
    }
    json kept = json::array();
    for (const auto& finalizer : finalizers) {
      if (finalizer != api::kTerminationFinalizer) {
        kept.push_back(finalizer);
      }
    }
    auto patched = client.patch(
        kNodeClaims.named(nodeClaim.metadata.name), kube::PatchType::kMerge,
        {{"metadata",
          {{"finalizers", kept}, {"resourceVersion", nodeClaim.metadata.resourceVersion}}}});
    if (!patched && patched.error().kind != ErrorKind::kNotFound) {
      return patched.error();
    }
    nodeClaimsTerminated()
        .with({label(nodeClaim, api::kNodePoolLabelKey),
               label(nodeClaim, api::kCapacityTypeLabelKey),
               label(nodeClaim, api::kLabelTopologyZone)})
        .inc();
    spdlog::info("nodeclaim {}: terminated", nodeClaim.metadata.name);
    return milliseconds(0);
  }

  Result<milliseconds> reconcile(const std::string& name) {
    auto got = client.get(kNodeClaims.named(name));
    if (!got) {
      return got.error().kind == ErrorKind::kNotFound ? Result<milliseconds>(milliseconds(0))
                                                      : Result<milliseconds>(got.error());
    }
    auto decoded = api::decodeObject<api::NodeClaim>(*got, false);
    if (!decoded) {
      return decoded.error();
    }
    api::NodeClaim& nodeClaim = *decoded;
    if (nodeClaim.metadata.deletionTimestamp) {
      return finalize(nodeClaim);
    }
    auto& finalizers = nodeClaim.metadata.finalizers;
    if (std::find(finalizers.begin(), finalizers.end(), api::kTerminationFinalizer) ==
        finalizers.end()) {
      json list = json::array();
      for (const auto& f : finalizers) {
        list.push_back(f);
      }
      list.push_back(api::kTerminationFinalizer);
      auto patched = client.patch(
          kNodeClaims.named(name), kube::PatchType::kMerge,
          {{"metadata",
            {{"finalizers", list}, {"resourceVersion", nodeClaim.metadata.resourceVersion}}}});
      if (!patched) {
        return patched.error();
      }
      return reconcile(name);
    }
    const auto& conditions = nodeClaim.status.conditions;
    if (!api::isConditionTrue(conditions, api::kConditionTypeLaunched)) {
      if (remaining(nodeClaim.metadata.creationTimestamp, options.launchTtl).count() <= 0) {
        return timedOut(nodeClaim, "not launched within the launch timeout");
      }
      return launch(nodeClaim);
    }
    auto node = nodeOf(nodeClaim);
    if (!api::isConditionTrue(conditions, api::kConditionTypeRegistered)) {
      if (node) {
        return registerNode(nodeClaim, *node);
      }
      const auto left = remaining(nodeClaim.metadata.creationTimestamp, options.registrationTtl);
      if (left.count() <= 0) {
        return timedOut(nodeClaim, "its node did not register within the registration timeout");
      }
      return left;
    }
    if (!api::isConditionTrue(conditions, api::kConditionTypeInitialized) && node) {
      return initialize(nodeClaim, *node);
    }
    return milliseconds(0);
  }

  // Every state change enqueues every NodeClaim: cheap (the queue deduplicates) and it never
  // misses the Node events that registration and initialization wait for.
  void watch(kube::WorkQueue& queue, std::stop_token stop) {
    state::pollSnapshots(state, options.pollInterval, stop,
                         [&](const state::ClusterSnapshot& snapshot) {
                           for (const auto& [name, nodeClaim] : *snapshot.nodeClaims) {
                             queue.add(name);
                           }
                         });
  }
};

NodeClaimLifecycle::NodeClaimLifecycle(kube::KubeClient& client, state::ClusterState& state,
                                       cloudprovider::CloudProvider& cloud, Options options)
    : impl_(std::make_unique<Impl>(client, state, cloud, options)) {}

NodeClaimLifecycle::~NodeClaimLifecycle() {
  stop();
}

void NodeClaimLifecycle::start() {
  impl_->threads.start();
}

void NodeClaimLifecycle::stop() {
  impl_->threads.stop();
}

Result<std::chrono::milliseconds> NodeClaimLifecycle::reconcile(const std::string& name) {
  return impl_->reconcile(name);
}

}  // namespace karpenter::controllers
