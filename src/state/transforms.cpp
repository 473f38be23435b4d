#include "karpenter/state/transforms.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "karpenter/api/codec.hpp"

namespace karpenter::state {
namespace {

template <typename T>
std::shared_ptr<T> decodeCompact(const nlohmann::json& object) {
  auto decoded = api::decodeJson<T>(object);
  if (!decoded) {
    const nlohmann::json* meta =
        object.is_object() && object.contains("metadata") ? &object["metadata"] : nullptr;
    spdlog::warn("cluster state: ignoring {} {}: {}", T::kKind,
                 meta != nullptr ? meta->value("name", "?") : "?", decoded.error().message);
    return nullptr;
  }
  auto out = std::make_shared<T>(std::move(*decoded));
  // The original JSON is the bulk of an object's memory and holds nothing the state reads.
  out->original = nullptr;
  return out;
}

}  // namespace

std::shared_ptr<const api::Pod> compactPod(const nlohmann::json& object) {
  auto pod = decodeCompact<api::Pod>(object);
  if (pod) {
    auto& conditions = pod->status.conditions;
    std::erase_if(conditions, [](const api::PodCondition& c) {
      return c.type != "PodScheduled" && c.type != "Ready";
    });
    conditions.shrink_to_fit();
  }
  return pod;
}

std::shared_ptr<const api::Node> compactNode(const nlohmann::json& object) {
  return decodeCompact<api::Node>(object);
}

std::shared_ptr<const api::NodeClaim> compactNodeClaim(const nlohmann::json& object) {
  return decodeCompact<api::NodeClaim>(object);
}

std::shared_ptr<const api::NodePool> compactNodePool(const nlohmann::json& object) {
  return decodeCompact<api::NodePool>(object);
}

std::shared_ptr<const api::EC2NodeClass> compactEC2NodeClass(const nlohmann::json& object) {
  return decodeCompact<api::EC2NodeClass>(object);
}

std::shared_ptr<const api::DaemonSet> compactDaemonSet(const nlohmann::json& object) {
  return decodeCompact<api::DaemonSet>(object);
}

std::shared_ptr<const api::PodDisruptionBudget> compactPodDisruptionBudget(
    const nlohmann::json& object) {
  return decodeCompact<api::PodDisruptionBudget>(object);
}

std::shared_ptr<const api::PersistentVolume> compactPersistentVolume(const nlohmann::json& object) {
  return decodeCompact<api::PersistentVolume>(object);
}

std::shared_ptr<const api::PersistentVolumeClaim> compactPersistentVolumeClaim(
    const nlohmann::json& object) {
  return decodeCompact<api::PersistentVolumeClaim>(object);
}

std::shared_ptr<const api::StorageClass> compactStorageClass(const nlohmann::json& object) {
  return decodeCompact<api::StorageClass>(object);
}

std::shared_ptr<const api::CSINode> compactCSINode(const nlohmann::json& object) {
  auto csiNode = decodeCompact<api::CSINode>(object);
  if (csiNode) {
    auto& drivers = csiNode->spec.drivers;
    std::erase_if(drivers, [](const api::CSINodeDriver& driver) {
      return !driver.allocatable || !driver.allocatable->count;
    });
    for (auto& driver : drivers) {
      driver.nodeID.clear();
      driver.topologyKeys.clear();
      driver.topologyKeys.shrink_to_fit();
    }
    drivers.shrink_to_fit();
  }
  return csiNode;
}

}  // namespace karpenter::state
