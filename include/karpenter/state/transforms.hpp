#pragma once

#include <memory>

#include <nlohmann/json.hpp>

#include "karpenter/api/ec2nodeclass.hpp"
#include "karpenter/api/node.hpp"
#include "karpenter/api/nodeclaim.hpp"
#include "karpenter/api/nodepool.hpp"
#include "karpenter/api/pod.hpp"
#include "karpenter/api/storage.hpp"
#include "karpenter/api/workloads.hpp"

namespace karpenter::state {

// Informer transforms: object JSON → the compact typed object the cluster state keeps. Each
// decodes the modelled fields and drops `original` (so managedFields, images, env and every
// other unmodelled field are not kept); pods also keep only their PodScheduled and Ready
// conditions. Returns null (and logs) when the JSON does not decode. Objects kept this way
// cannot be written back losslessly: controllers re-read an object before they update it.
std::shared_ptr<const api::Pod> compactPod(const nlohmann::json& object);
std::shared_ptr<const api::Node> compactNode(const nlohmann::json& object);
std::shared_ptr<const api::NodeClaim> compactNodeClaim(const nlohmann::json& object);
std::shared_ptr<const api::NodePool> compactNodePool(const nlohmann::json& object);
std::shared_ptr<const api::EC2NodeClass> compactEC2NodeClass(const nlohmann::json& object);
std::shared_ptr<const api::DaemonSet> compactDaemonSet(const nlohmann::json& object);
std::shared_ptr<const api::PodDisruptionBudget> compactPodDisruptionBudget(
    const nlohmann::json& object);
std::shared_ptr<const api::PersistentVolume> compactPersistentVolume(const nlohmann::json& object);
std::shared_ptr<const api::PersistentVolumeClaim> compactPersistentVolumeClaim(
    const nlohmann::json& object);
std::shared_ptr<const api::StorageClass> compactStorageClass(const nlohmann::json& object);
// Keeps only each driver's name and allocatable count (drivers without a count are dropped):
// the volume limits are all the state reads, and there is one CSINode per node.
std::shared_ptr<const api::CSINode> compactCSINode(const nlohmann::json& object);

}  // namespace karpenter::state
