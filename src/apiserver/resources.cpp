#include "karpenter/apiserver/resources.hpp"

#include <set>

namespace karpenter::apiserver {

std::vector<ResourceInfo> servedResources() {
  return {
      {"", "v1", "pods", "Pod", true, true, {"po"}},
      {"", "v1", "nodes", "Node", false, true, {"no"}},
      {"", "v1", "namespaces", "Namespace", false, true, {"ns"}},
      {"", "v1", "events", "Event", true, false, {"ev"}},
      {"", "v1", "persistentvolumes", "PersistentVolume", false, true, {"pv"}},
      {"", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, true, {"pvc"}},
      {"apps", "v1", "daemonsets", "DaemonSet", true, true, {"ds"}},
      {"policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, true, {"pdb"}},
      {"storage.k8s.io", "v1", "storageclasses", "StorageClass", false, false, {"sc"}},
      {"storage.k8s.io", "v1", "csinodes", "CSINode", false, false, {}},
      {"coordination.k8s.io", "v1", "leases", "Lease", true, false, {}},
      {"karpenter.sh", "v1", "nodepools", "NodePool", false, true, {}, true},
      {"karpenter.sh", "v1", "nodeclaims", "NodeClaim", false, true, {}, true},
      {"karpenter.k8s.aws", "v1", "ec2nodeclasses", "EC2NodeClass", false, true, {"ec2nc"}, true},
  };
}

nlohmann::json coreApiVersions() {
  // serverAddressByClientCIDRs is required by the schema; clients ignore its content here.
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs",
           nlohmann::json::array({{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", "127.0.0.1"}}})}};
}

nlohmann::json versionInfo() {
  const std::string git = kServedGitVersion;
  const size_t dot = git.find('.');
  const size_t patch = git.find('.', dot + 1);
  return {{"major", git.substr(1, dot - 1)},
          {"minor", git.substr(dot + 1, patch - dot - 1)},
          {"gitVersion", git},
          {"gitCommit", "0000000000000000000000000000000000000000"},
          {"gitTreeState", "clean"},
          {"buildDate", "2024-08-13T07:28:49Z"},
          {"goVersion", "go1.22.5"},
          {"compiler", "gc"},
          {"platform", "linux/amd64"}};
}

nlohmann::json apiGroupList(const std::vector<ResourceInfo>& resources) {
  nlohmann::json groups = nlohmann::json::array();
  std::set<std::string> seen;
  for (const ResourceInfo& info : resources) {
    if (info.group.empty() || !seen.insert(info.group).second) {
      continue;
    }
    const nlohmann::json version = {{"groupVersion", info.apiVersion()}, {"version", info.version}};
    groups.push_back({{"name", info.group},
                      {"versions", nlohmann::json::array({version})},
                      {"preferredVersion", version}});
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

nlohmann::json apiResourceList(const std::vector<ResourceInfo>& resources, const std::string& group,
                               const std::string& version) {
  const nlohmann::json allVerbs = {"create", "delete", "deletecollection", "get",
                                   "list",   "patch",  "update",           "watch"};
  nlohmann::json list = nlohmann::json::array();
  std::string groupVersion;
  for (const ResourceInfo& info : resources) {
    if (info.group != group || info.version != version) {
      continue;
    }
    groupVersion = info.apiVersion();
    nlohmann::json entry = {{"name", info.resource},
                            {"singularName", ""},
                            {"namespaced", info.namespaced},
                            {"kind", info.kind},
                            {"verbs", allVerbs}};
    if (!info.shortNames.empty()) {
      entry["shortNames"] = info.shortNames;
    }
    list.push_back(entry);
    auto sub = [&](const std::string& name, const std::string& kind, nlohmann::json verbs,
                   const std::string& subGroup, const std::string& subVersion) {
      nlohmann::json row = {{"name", info.resource + "/" + name},
                            {"singularName", ""},
                            {"namespaced", info.namespaced},
                            {"kind", kind},
                            {"verbs", std::move(verbs)}};
      if (!subGroup.empty() || !subVersion.empty()) {
        row["group"] = subGroup;
        row["version"] = subVersion;
      }
      list.push_back(std::move(row));
    };
    if (info.hasStatus) {
      sub("status", info.kind, {"get", "patch", "update"}, "", "");
    }
    if (group.empty() && info.resource == "pods") {
      sub("binding", "Binding", {"create"}, "", "");
      sub("eviction", "Eviction", {"create"}, "policy", "v1");
    }
  }
  if (groupVersion.empty()) {
    return nullptr;
  }
  return {{"kind", "APIResourceList"},
          {"apiVersion", "v1"},
          {"groupVersion", groupVersion},
          {"resources", list}};
}

}  // namespace karpenter::apiserver
