#pragma once

// The Kubernetes objects a simulated kubelet writes: its Node, its Lease and the status of a pod
// it runs. Pure functions from the instance and the time to JSON.

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "karpenter/cloudprovider/simulated/simulated_cloud.hpp"

namespace karpenter::cloudprovider::simulated::kubelet {

std::string rfc3339(std::chrono::system_clock::time_point time);
std::string microTime(std::chrono::system_clock::time_point time);

// The Node as the kubelet registers it (metadata, spec and status).
nlohmann::json node(const SimulatedInstance& instance, const std::string& kubeletVersion,
                    std::chrono::system_clock::time_point now);
// Ready/MemoryPressure/DiskPressure/PIDPressure with a fresh heartbeat; transitions at `since`.
nlohmann::json nodeConditions(std::chrono::system_clock::time_point now,
                              std::chrono::system_clock::time_point since);
nlohmann::json lease(const std::string& nodeName, const std::string& nodeUid,
                     int leaseDurationSeconds, std::chrono::system_clock::time_point now);
// The IP of the `index`th pod on the node launched `sequence`th: each node owns a /22 block of
// 100.64.0.0/10 (the range EKS custom networking commonly uses).
std::string podIp(uint64_t sequence, uint64_t index);
// `pod` with status set as a kubelet reports a started pod.
nlohmann::json runningPod(nlohmann::json pod, const std::string& hostIp, const std::string& podIp,
                          std::chrono::system_clock::time_point now);

}  // namespace karpenter::cloudprovider::simulated::kubelet
