#include "karpenter/controllers/nodepool_status.hpp"

#include <map>
#include <mutex>
#include <set>
#include <stop_token>
#include <vector>

#include <spdlog/spdlog.h>

#include "karpenter/admission/defaulting.hpp"
#include "karpenter/admission/nodepool_validation.hpp"
#include "karpenter/api/codec.hpp"
#include "karpenter/api/conditions.hpp"
#include "karpenter/api/well_known.hpp"
#include "karpenter/kube/queue_workers.hpp"
#include "karpenter/metrics/registry.hpp"
#include "karpenter/util/time.hpp"

namespace karpenter::controllers {
namespace {

using json = nlohmann::json;

const kube::ResourceRef kNodePools{.group = "karpenter.sh", .resource = "nodepools"};
constexpr std::string_view kEC2NodeClassGroup = "karpenter.k8s.aws";
constexpr std::string_view kEC2NodeClassKind = "EC2NodeClass";

metrics::Family<metrics::Gauge>& usageGauge() {
  static auto& family = metrics::defaultRegistry().gauge(
      "karpenter_nodepools_usage",
      "The amount of resources that have been provisioned for a nodepool. Labeled by nodepool "
      "name and resource type.",
      {"nodepool", "resource_type"});
  return family;
}

metrics::Family<metrics::Gauge>& limitGauge() {
  static auto& family = metrics::defaultRegistry().gauge(
      "karpenter_nodepools_limit",
      "Limits specified on the nodepool that restrict the quantity of resources provisioned. "
      "Labeled by nodepool name and resource type.",
      {"nodepool", "resource_type"});
  return family;
}

api::Condition condition(std::string_view type, std::string_view status, std::string reason,
                         std::string message, int64_t generation) {
  api::Condition c;
  c.type = type;
  c.status = status;
  c.reason = std::move(reason);
  c.message = std::move(message);
  c.observedGeneration = generation;
  return c;
}

// Σ capacity and count of the pool's launched NodeClaims.
std::pair<api::ResourceList, int64_t> usageOf(const state::ClusterSnapshot& snapshot,
                                              std::string_view pool) {
  api::ResourceList resources;
  int64_t nodes = 0;
  for (const auto& [name, nodeClaim] : *snapshot.nodeClaims) {
    auto label = nodeClaim->metadata.labels.find(api::kNodePoolLabelKey);
    if (label == nodeClaim->metadata.labels.end() || label->second != pool ||
        !api::isConditionTrue(nodeClaim->status.conditions, api::kConditionTypeLaunched)) {
      continue;
    }
    resources = api::resources::add(resources, nodeClaim->status.capacity);
    ++nodes;
  }
  return {std::move(resources), nodes};
}

// Validation judges the pool as the API server stores it: the state keeps the object without
// the CRD defaults a webhook-less store may not have applied, so apply them before validating
// (otherwise a pool would fail for a missing expireAfter the real API server fills in).
api::Condition validation(const api::NodePool& pool) {
  const int64_t generation = pool.metadata.generation;
  auto defaulted =
      api::decodeObject<api::NodePool>(admission::defaultNodePool(api::encodeObject(pool)), false);
  if (!defaulted) {
    return condition(api::kConditionTypeValidationSucceeded, api::kConditionFalse,
                     "NodePoolValidationFailed", defaulted.error().message, generation);
  }
  const auto errors = admission::validateNodePool(*defaulted);
  if (!errors.empty()) {
    return condition(api::kConditionTypeValidationSucceeded, api::kConditionFalse,
                     "NodePoolValidationFailed", errors.aggregate(), generation);
  }
  return condition(api::kConditionTypeValidationSucceeded, api::kConditionTrue,
                   "ValidationSucceeded", "", generation);
}

// Upstream's nodepool readiness controller. Without a node class controller (the simulated
// cloud) nothing would ever set the class's Ready condition, so there an existing class is ready.
api::Condition nodeClassReadiness(const api::NodePool& pool, const state::ClusterSnapshot& snapshot,
                                  bool followReady, int64_t& observedGeneration) {
  const int64_t generation = pool.metadata.generation;
  const auto& ref = pool.spec.template_.spec.nodeClassRef;
  if (ref.group != kEC2NodeClassGroup || ref.kind != kEC2NodeClassKind) {
    return condition(api::kConditionTypeNodeClassReady, api::kConditionFalse,
                     "NodeClassNotSupported",
                     "spec.template.spec.nodeClassRef must name a karpenter.k8s.aws "
                     "EC2NodeClass, not " +
                         ref.group + " " + ref.kind,
                     generation);
  }
  auto nodeClass = snapshot.nodeClasses->find(ref.name);
  if (nodeClass == snapshot.nodeClasses->end()) {
    return condition(api::kConditionTypeNodeClassReady, api::kConditionFalse, "NodeClassNotFound",
                     "EC2NodeClass " + ref.name + " not found; create it or fix " +
                         "spec.template.spec.nodeClassRef.name",
                     generation);
  }
  observedGeneration = nodeClass->second->metadata.generation;
  const api::Condition* ready =
      followReady
          ? api::findCondition(nodeClass->second->status.conditions, api::kConditionTypeReady)
          : nullptr;
  if (followReady && (ready == nullptr || ready->status == api::kConditionUnknown)) {
    return condition(api::kConditionTypeNodeClassReady, api::kConditionUnknown,
                     "NodeClassReadinessUnknown",
                     "EC2NodeClass " + ref.name + " has not been reconciled yet", generation);
  }
  if (followReady && ready->status == api::kConditionFalse) {
    return condition(api::kConditionTypeNodeClassReady, api::kConditionFalse, ready->reason,
                     ready->message, generation);
  }
  return condition(api::kConditionTypeNodeClassReady, api::kConditionTrue, "NodeClassReady", "",
                   generation);
}

api::Condition readiness(const api::Condition& validated, const api::Condition& nodeClass,
                         int64_t generation) {
  for (const auto* dependent : {&validated, &nodeClass}) {
    if (dependent->status != api::kConditionTrue) {
      return condition(api::kConditionTypeReady, dependent->status, dependent->reason,
                       dependent->type + "=" + dependent->status +
                           (dependent->message.empty() ? "" : ": " + dependent->message),
                       generation);
    }
  }
  return condition(api::kConditionTypeReady, api::kConditionTrue, "Ready", "", generation);
}

// The reset half of upstream's nodepool registrationhealth controller: a pool whose spec
// (generation) or node class changed since the condition was judged starts over at Unknown with
// an empty record of outcomes; after a restart the record resumes from the stored condition.
// Only for a pool whose node class is found (upstream ignores the rest).
void resetRegistrationHealth(const api::NodePool& pool, int64_t nodeClassGeneration,
                             RegistrationHealth& health, std::vector<api::Condition>& conditions,
                             std::string_view now) {
  const std::string& uid = pool.metadata.uid;
  const api::Condition* current =
      api::findCondition(pool.status.conditions, api::kConditionTypeNodeRegistrationHealthy);
  if (current != nullptr && health.status(uid) == RegistrationHealth::Status::kUnknown) {
    if (current->status == api::kConditionTrue) {
      health.setStatus(uid, RegistrationHealth::Status::kHealthy);
    } else if (current->status == api::kConditionFalse) {
      health.setStatus(uid, RegistrationHealth::Status::kUnhealthy);
    }
  }
  if (current == nullptr || pool.status.nodeClassObservedGeneration != nodeClassGeneration ||
      current->observedGeneration.value_or(0) != pool.metadata.generation) {
    api::setCondition(conditions,
                      condition(api::kConditionTypeNodeRegistrationHealthy, api::kConditionUnknown,
                                "AwaitingReconciliation", "object is awaiting reconciliation",
                                pool.metadata.generation),
                      now);
    health.setStatus(uid, RegistrationHealth::Status::kUnknown);
  }
}

}  // namespace

struct NodePoolStatus::Impl {
  kube::KubeClient& client;
  state::ClusterState& state;
  Options options;
  std::shared_ptr<RegistrationHealth> registrationHealth;
  // The gauge series set for each pool, so series of resources that went away are removed.
  std::mutex seriesMutex;
  std::map<std::string, std::pair<std::set<std::string>, std::set<std::string>>, std::less<>>
      series;  // pool → (usage resource types, limit resource types)
  // Last: its threads call into the members above, so it stops before they are destroyed.
  kube::QueueWorkers threads;

  Impl(kube::KubeClient& c, state::ClusterState& s, Options o)
      : client(c),
        state(s),
        options(o),
        registrationHealth(options.registrationHealth ? options.registrationHealth
                                                      : std::make_shared<RegistrationHealth>()),
        threads(
            options.workers, "nodepool",
            [this](const std::string& key) { return kube::requeueAfter(reconcile(key)); },
            [this](kube::WorkQueue& queue, std::stop_token stop) { watch(queue, stop); }) {}

  static void setSeries(metrics::Family<metrics::Gauge>& family, const std::string& pool,
                        std::set<std::string>& previous, const api::ResourceList& values,
                        std::optional<int64_t> nodes) {
    std::set<std::string> current;
    for (const auto& [resource, quantity] : values) {
      family.with({pool, resource}).set(quantity.asApproximateFloat64());
      current.insert(resource);
    }
    if (nodes) {
      family.with({pool, "nodes"}).set(static_cast<double>(*nodes));
      current.insert("nodes");
    }
    for (const auto& resource : previous) {
      if (!current.contains(resource)) {
        family.remove({pool, resource});
      }
    }
    previous = std::move(current);
  }

  void updateGauges(const api::NodePool& pool, const api::NodePoolStatus& status) {
    std::lock_guard lock(seriesMutex);
    auto& [usage, limit] = series[pool.metadata.name];
    setSeries(usageGauge(), pool.metadata.name, usage, status.resources, status.nodes);
    setSeries(limitGauge(), pool.metadata.name, limit, pool.spec.limits, std::nullopt);
  }

  void removeGauges(const std::string& name) {
    std::lock_guard lock(seriesMutex);
    auto it = series.find(name);
    if (it == series.end()) {
      return;
    }
    for (const auto& resource : it->second.first) {
      usageGauge().remove({name, resource});
    }
    for (const auto& resource : it->second.second) {
      limitGauge().remove({name, resource});
    }
    series.erase(it);
  }

  Result<void> reconcile(const std::string& name) {
    auto snapshot = state.snapshot();
    if (!snapshot->synced) {
      return Error{ErrorKind::kUnavailable, "the cluster state has not synced yet"};
    }
    auto found = snapshot->nodePools->find(name);
    if (found == snapshot->nodePools->end()) {
      removeGauges(name);
      return {};
    }
    const api::NodePool& pool = *found->second;
    const int64_t generation = pool.metadata.generation;

    api::NodePoolStatus desired = pool.status;
    std::tie(desired.resources, desired.nodes) = usageOf(*snapshot, name);
    const auto validated = validation(pool);
    const auto nodeClass = nodeClassReadiness(pool, *snapshot, options.followNodeClassReady,
                                              desired.nodeClassObservedGeneration);
    const auto now = formatRfc3339(std::chrono::system_clock::now());
    api::setCondition(desired.conditions, validated, now);
    api::setCondition(desired.conditions, nodeClass, now);
    api::setCondition(desired.conditions, readiness(validated, nodeClass, generation), now);
    if (nodeClass.status == api::kConditionTrue) {
      resetRegistrationHealth(pool, desired.nodeClassObservedGeneration, *registrationHealth,
                              desired.conditions, now);
    }
    updateGauges(pool, desired);
    if (desired == pool.status) {
      return {};
    }
    return writeStatus(pool, desired);
  }

  // A merge patch of the whole status, guarded by the resourceVersion the snapshot saw: a stale
  // snapshot gets a Conflict and the reconcile runs again over a newer one.
  Result<void> writeStatus(const api::NodePool& pool, const api::NodePoolStatus& desired) {
    json resources = json::object();
    for (const auto& [resource, quantity] : desired.resources) {
      resources[resource] = quantity.toString();
    }
    // A merge patch merges maps: resources no longer in use must be nulled to disappear.
    for (const auto& [resource, quantity] : pool.status.resources) {
      if (!desired.resources.contains(resource)) {
        resources[resource] = nullptr;
      }
    }
    json patch = {{"metadata", {{"resourceVersion", pool.metadata.resourceVersion}}},
                  {"status",
                   {{"resources", resources},
                    {"nodes", desired.nodes},
                    {"nodeClassObservedGeneration", desired.nodeClassObservedGeneration},
                    {"conditions", api::encodeJsonArray(desired.conditions)}}}};
    kube::ResourceRef ref = kNodePools.named(pool.metadata.name);
    ref.subresource = "status";
    auto patched = client.patch(ref, kube::PatchType::kMerge, patch);
    if (!patched) {
      return patched.error();
    }
    spdlog::debug("nodepool {}: status updated ({} nodes)", pool.metadata.name, desired.nodes);
    return {};
  }

  // Every state change enqueues every NodePool (usage follows NodeClaims, readiness follows
  // EC2NodeClasses), and every pool that disappeared, so its gauges go with it.
  void watch(kube::WorkQueue& queue, std::stop_token stop) {
    std::set<std::string> known;
    state::pollSnapshots(state, options.pollInterval, stop,
                         [&](const state::ClusterSnapshot& snapshot) {
                           std::set<std::string> current;
                           for (const auto& [name, pool] : *snapshot.nodePools) {
                             current.insert(name);
                             queue.add(name);
                           }
                           for (const auto& name : known) {
                             if (!current.contains(name)) {
                               queue.add(name);
                             }
                           }
                           known = std::move(current);
                         });
  }
};

NodePoolStatus::NodePoolStatus(kube::KubeClient& client, state::ClusterState& state,
                               Options options)
    : impl_(std::make_unique<Impl>(client, state, options)) {}

NodePoolStatus::~NodePoolStatus() {
  stop();
}

void NodePoolStatus::start() {
  impl_->threads.start();
}

void NodePoolStatus::stop() {
  impl_->threads.stop();
}

Result<void> NodePoolStatus::reconcile(const std::string& name) {
  return impl_->reconcile(name);
}

}  // namespace karpenter::controllers
