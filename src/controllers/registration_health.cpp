#include "karpenter/controllers/registration_health.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/conditions.hpp"
#include "karpenter/api/nodepool.hpp"
#include "karpenter/api/well_known.hpp"
#include "karpenter/util/time.hpp"

namespace karpenter::controllers {

// --- RegistrationHealth ---

RegistrationHealth::Status RegistrationHealth::statusOf(const std::deque<bool>& outcomes) {
  if (outcomes.empty()) {
    return Status::kUnknown;
  }
  const auto failures = std::count(outcomes.begin(), outcomes.end(), false);
  // Upstream divides by the buffer's size, not by how many outcomes it holds: one early
  // failure alone does not make a pool unhealthy.
  return static_cast<double>(failures) / kBufferSize >= 0.5 ? Status::kUnhealthy : Status::kHealthy;
}

void RegistrationHealth::push(std::deque<bool>& outcomes, bool registered) {
  outcomes.push_back(registered);
  if (outcomes.size() > kBufferSize) {
    outcomes.pop_front();
  }
}

RegistrationHealth::Status RegistrationHealth::status(const std::string& nodePoolUid) const {
  std::lock_guard lock(mutex_);
  auto it = outcomes_.find(nodePoolUid);
  return it == outcomes_.end() ? Status::kUnknown : statusOf(it->second);
}

RegistrationHealth::Status RegistrationHealth::dryRun(const std::string& nodePoolUid,
                                                      bool registered) const {
  std::lock_guard lock(mutex_);
  auto it = outcomes_.find(nodePoolUid);
  std::deque<bool> copy = it == outcomes_.end() ? std::deque<bool>{} : it->second;
  push(copy, registered);
  return statusOf(copy);
}

void RegistrationHealth::update(const std::string& nodePoolUid, bool registered) {
  std::lock_guard lock(mutex_);
  push(outcomes_[nodePoolUid], registered);
}

void RegistrationHealth::setStatus(const std::string& nodePoolUid, Status status) {
  std::lock_guard lock(mutex_);
  auto& outcomes = outcomes_[nodePoolUid];
  switch (status) {
    case Status::kUnknown:
      outcomes.clear();
      break;
    case Status::kHealthy:
      push(outcomes, true);
      break;
    case Status::kUnhealthy:
      for (size_t i = 0; i < kBufferSize / 2; ++i) {
        push(outcomes, false);
      }
      break;
  }
}

// --- recordRegistrationOutcome ---

namespace {

const kube::ResourceRef kNodePoolResource{.group = "karpenter.sh", .resource = "nodepools"};

bool ownedBy(const api::NodeClaim& nodeClaim, const api::NodePool& pool) {
  return std::any_of(nodeClaim.metadata.ownerReferences.begin(),
                     nodeClaim.metadata.ownerReferences.end(), [&](const api::OwnerReference& o) {
                       return o.kind == api::NodePool::kKind && o.uid == pool.metadata.uid;
                     });
}

// The condition the outcome moves the pool to, or nullopt to leave it.
std::optional<api::Condition> desiredCondition(const api::NodePool& pool,
                                               const api::NodeClaim& nodeClaim, bool registered,
                                               RegistrationHealth::Status after) {
  const api::Condition* current =
      api::findCondition(pool.status.conditions, api::kConditionTypeNodeRegistrationHealthy);
  api::Condition c;
  c.type = api::kConditionTypeNodeRegistrationHealthy;
  c.observedGeneration = pool.metadata.generation;
  if (registered) {
    if (after != RegistrationHealth::Status::kHealthy) {
      return std::nullopt;
    }
    c.status = api::kConditionTrue;
    c.reason = api::kConditionTypeNodeRegistrationHealthy;
  } else {
    if (after != RegistrationHealth::Status::kUnhealthy ||
        (current != nullptr && current->status == api::kConditionFalse)) {
      return std::nullopt;
    }
    c.status = api::kConditionFalse;
    const api::Condition* launched =
        api::findCondition(nodeClaim.status.conditions, api::kConditionTypeLaunched);
    if (launched != nullptr && launched->status == api::kConditionTrue) {
      c.reason = "RegistrationFailed";
      c.message = "Failed to register node";
    } else if (launched != nullptr && !launched->reason.empty()) {
      c.reason = launched->reason;
      c.message = launched->message;
    } else {
      c.reason = "LaunchFailed";
      c.message = "Failed to launch node";
    }
  }
  return c;
}

}  // namespace

Result<void> recordRegistrationOutcome(kube::KubeClient& client, RegistrationHealth& health,
                                       const api::NodeClaim& nodeClaim, bool registered) {
  auto poolName = nodeClaim.metadata.labels.find(api::kNodePoolLabelKey);
  if (poolName == nodeClaim.metadata.labels.end() || poolName->second.empty()) {
    return {};
  }
  auto got = client.get(kNodePoolResource.named(poolName->second));
  if (!got) {
    return got.error().kind == ErrorKind::kNotFound ? Result<void>() : Result<void>(got.error());
  }
  auto pool = api::decodeObject<api::NodePool>(*got, false);
  if (!pool) {
    return pool.error();
  }
  if (!ownedBy(nodeClaim, *pool)) {
    return {};
  }
  const std::string& uid = pool->metadata.uid;
  auto desired = desiredCondition(*pool, nodeClaim, registered, health.dryRun(uid, registered));
  if (desired) {
    auto conditions = pool->status.conditions;
    if (api::setCondition(conditions, *desired, formatRfc3339(std::chrono::system_clock::now()))) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& c : conditions) {
        list.push_back(api::encodeJson(c));
      }
      // The whole list is replaced by a merge patch, so it is guarded by the resourceVersion
      // read above: a concurrent status write makes this a Conflict, retried by the caller.
      kube::ResourceRef ref = kNodePoolResource.named(pool->metadata.name);
      ref.subresource = "status";
      auto patched =
          client.patch(ref, kube::PatchType::kMerge,
                       {{"metadata", {{"resourceVersion", pool->metadata.resourceVersion}}},
                        {"status", {{"conditions", list}}}});
      if (!patched && patched.error().kind != ErrorKind::kNotFound) {
        return patched.error();
      }
      spdlog::info("nodepool {}: {}={} ({})", pool->metadata.name, desired->type, desired->status,
                   desired->reason);
    }
  }
  health.update(uid, registered);
  return {};
}

}  // namespace karpenter::controllers
