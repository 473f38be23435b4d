#include "patch_schema.hpp"

#include <map>

namespace karpenter::apiserver {
namespace {

using Table = std::map<std::string, ListRule, std::less<>>;

ListRule byKey(std::string key, bool retainKeys = false) {
  return {ListType::kMap, std::move(key), retainKeys};
}

const ListRule kSetRule{ListType::kSet, "", false};

// metav1.ObjectMeta: finalizers `patchStrategy:"merge"`, ownerReferences by uid.
void addObjectMeta(Table& table, const std::string& prefix) {
  table[prefix + "metadata.finalizers"] = kSetRule;
  table[prefix + "metadata.ownerReferences"] = byKey("uid");
}

// core/v1 Container (containers, initContainers, ephemeralContainers).
void addContainer(Table& table, const std::string& prefix) {
  table[prefix + "ports"] = byKey("containerPort");
  table[prefix + "env"] = byKey("name");
  table[prefix + "volumeMounts"] = byKey("mountPath");
  table[prefix + "volumeDevices"] = byKey("devicePath");
}

// core/v1 PodSpec at `prefix` ("spec." for a Pod, "spec.template.spec." for a DaemonSet).
void addPodSpec(Table& table, const std::string& prefix) {
  for (const char* containers : {"containers", "initContainers", "ephemeralContainers"}) {
    table[prefix + containers] = byKey("name");
    addContainer(table, prefix + containers + ".");
  }
  table[prefix + "volumes"] = byKey("name", true);
  table[prefix + "imagePullSecrets"] = byKey("name");
  table[prefix + "hostAliases"] = byKey("ip");
  table[prefix + "topologySpreadConstraints"] = byKey("topologyKey");
  table[prefix + "schedulingGates"] = byKey("name");
  table[prefix + "resourceClaims"] = byKey("name", true);
}

std::map<std::string, Table, std::less<>> buildTables() {
  std::map<std::string, Table, std::less<>> tables;
  for (const char* kind :
       {"Pod", "Node", "Namespace", "Event", "PersistentVolume", "PersistentVolumeClaim",
        "DaemonSet", "PodDisruptionBudget", "StorageClass", "CSINode", "Lease", "NodePool",
        "NodeClaim", "EC2NodeClass"}) {
    addObjectMeta(tables[kind], "");
  }
  Table& pod = tables["Pod"];
  addPodSpec(pod, "spec.");
  pod["status.conditions"] = byKey("type");
  pod["status.podIPs"] = byKey("ip");
  pod["status.hostIPs"] = byKey("ip");
  pod["status.resourceClaimStatuses"] = byKey("name", true);

  Table& node = tables["Node"];
  node["spec.podCIDRs"] = kSetRule;
  node["status.conditions"] = byKey("type");
  node["status.addresses"] = byKey("type");

  tables["Namespace"]["status.conditions"] = byKey("type");
  tables["PersistentVolumeClaim"]["status.conditions"] = byKey("type");

  Table& daemonSet = tables["DaemonSet"];
  addObjectMeta(daemonSet, "spec.template.");
  addPodSpec(daemonSet, "spec.template.spec.");
  daemonSet["status.conditions"] = byKey("type");

  tables["PodDisruptionBudget"]["status.conditions"] = byKey("type");
  tables["CSINode"]["spec.drivers"] = byKey("name");

  // The Karpenter CRDs' status conditions are x-kubernetes-list-type: map keyed by type; their
  // other lists (requirements, taints, subnetSelectorTerms, ...) are atomic.
  for (const char* kind : {"NodePool", "NodeClaim", "EC2NodeClass"}) {
    tables[kind]["status.conditions"] = byKey("type");
  }
  return tables;
}

}  // namespace

ListRule listRule(std::string_view kind, std::string_view path) {
  static const auto tables = buildTables();
  auto table = tables.find(kind);
  if (table == tables.end()) {
    return {};
  }
  auto rule = table->second.find(path);
  return rule == table->second.end() ? ListRule{} : rule->second;
}

}  // namespace karpenter::apiserver
