#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace karpenter::apiserver {

// One REST resource the test apiserver serves (a row of upstream's discovery APIResourceList).
struct ResourceInfo {
  std::string group;     // "" for core
  std::string version;   // "v1"
  std::string resource;  // plural, lower case: "pods"
  std::string kind;      // "Pod"
  bool namespaced = true;
  bool hasStatus = true;  // serves the /status subresource; main-resource writes keep .status
  std::vector<std::string> shortNames;
  // A CustomResourceDefinition's resource: no strategic merge patch (415), as upstream.
  bool custom = false;

  // "v1" or "apps/v1", as objects spell apiVersion.
  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
};

// The resources Karpenter reads and writes: core pods, nodes, namespaces, events,
// persistentvolumes, persistentvolumeclaims; apps/v1 daemonsets; policy/v1
// poddisruptionbudgets; storage.k8s.io/v1 storageclasses, csinodes; coordination.k8s.io/v1 leases;
// karpenter.sh/v1 nodepools, nodeclaims; karpenter.k8s.aws/v1 ec2nodeclasses.
std::vector<ResourceInfo> servedResources();

// Discovery documents (k8s.io/apimachinery/pkg/apis/meta/v1 APIVersions, APIGroupList,
// APIResourceList) for `resources`. Subresources pods/status, pods/eviction and pods/binding are
// listed where served. Pure functions.
nlohmann::json coreApiVersions();
nlohmann::json apiGroupList(const std::vector<ResourceInfo>& resources);
nlohmann::json apiResourceList(const std::vector<ResourceInfo>& resources, const std::string& group,
                               const std::string& version);

// The Kubernetes release the test apiserver answers GET /version for.
inline constexpr const char* kServedGitVersion = "v1.31.0";
// GET /version (k8s.io/apimachinery/pkg/version Info: major, minor, gitVersion, gitCommit,
// gitTreeState, buildDate, goVersion, compiler, platform) for kServedGitVersion.
nlohmann::json versionInfo();

}  // namespace karpenter::apiserver
