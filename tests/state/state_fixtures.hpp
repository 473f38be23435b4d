#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace karpenter::testing {

// Kubernetes JSON for the cluster-state tests, shaped like what an apiserver returns.
inline nlohmann::json nodeJson(const std::string& name, const std::string& providerId,
                               const std::string& cpu = "4", const std::string& memory = "16Gi") {
  return {
      {"apiVersion", "v1"},
      {"kind", "Node"},
      {"metadata",
       {{"name", name},
        {"resourceVersion", "1"},
        {"labels", {{"kubernetes.io/hostname", name}}},
        {"managedFields",
         {{{"manager", "kubelet"}, {"operation", "Update"}, {"fieldsV1", {{"f:status", {}}}}}}}}},
      {"spec", {{"providerID", providerId}}},
      {"status",
       {{"allocatable", {{"cpu", cpu}, {"memory", memory}, {"pods", "110"}}},
        {"capacity", {{"cpu", cpu}, {"memory", memory}, {"pods", "110"}}}}}};
}

inline nlohmann::json nodeClaimJson(const std::string& name, const std::string& providerId,
                                    const std::string& nodeName = "") {
  nlohmann::json claim = {
      {"apiVersion", "karpenter.sh/v1"},
      {"kind", "NodeClaim"},
      {"metadata", {{"name", name}, {"labels", {{"karpenter.sh/nodepool", "default"}}}}},
      {"spec",
       {{"requirements",
         {{{"key", "karpenter.sh/nodepool"}, {"operator", "In"}, {"values", {"default"}}}}},
        {"nodeClassRef",
         {{"group", "karpenter.k8s.aws"}, {"kind", "EC2NodeClass"}, {"name", "default"}}}}},
      {"status", {{"allocatable", {{"cpu", "2"}, {"memory", "8Gi"}}}}}};
  if (!providerId.empty()) {
    claim["status"]["providerID"] = providerId;
  }
  if (!nodeName.empty()) {
    claim["status"]["nodeName"] = nodeName;
  }
  return claim;
}

inline nlohmann::json podJson(const std::string& name, const std::string& nodeName,
                              const std::string& cpu = "500m", const std::string& memory = "1Gi",
                              const std::string& ns = "default") {
  nlohmann::json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", name},
        {"namespace", ns},
        {"uid", "uid-" + name},
        {"labels", {{"app", "web"}}},
        {"managedFields", {{{"manager", "kube-controller-manager"}, {"operation", "Update"}}}}}},
      {"spec",
       {{"containers",
         {{{"name", "app"},
           {"image", "registry.k8s.io/pause:3.9"},
           {"env", {{{"name", "A"}, {"value", "1"}}}},
           {"resources", {{"requests", {{"cpu", cpu}, {"memory", memory}}}}}}}}}},
      {"status",
       {{"phase", nodeName.empty() ? "Pending" : "Running"},
        {"conditions",
         {{{"type", "PodScheduled"}, {"status", nodeName.empty() ? "False" : "True"}},
          {{"type", "Initialized"}, {"status", "True"}},
          {{"type", "ContainersReady"}, {"status", "True"}},
          {{"type", "Ready"}, {"status", "True"}}}}}}};
  if (!nodeName.empty()) {
    pod["spec"]["nodeName"] = nodeName;
  }
  return pod;
}

inline nlohmann::json daemonSetPodJson(const std::string& name, const std::string& nodeName) {
  nlohmann::json pod = podJson(name, nodeName, "100m", "128Mi", "kube-system");
  pod["metadata"]["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                                         {"kind", "DaemonSet"},
                                         {"name", "agent"},
                                         {"uid", "ds-uid"},
                                         {"controller", true}}};
  return pod;
}

// A CSINode (storage.k8s.io/v1) named after its node, with `drivers` as spec.drivers.
inline nlohmann::json csiNodeJson(const std::string& name, const nlohmann::json& drivers) {
  return {{"apiVersion", "storage.k8s.io/v1"},
          {"kind", "CSINode"},
          {"metadata", {{"name", name}}},
          {"spec", {{"drivers", drivers}}}};
}

}  // namespace karpenter::testing
