#include "karpenter/cli/workload_requests.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/pod.hpp"
#include "karpenter/api/pod_requests.hpp"
#include "karpenter/util/text_table.hpp"

namespace karpenter::cli {
namespace {

bool hasPodTemplate(const std::string& kind) {
  static const std::set<std::string> kKinds = {
      "Deployment", "ReplicaSet", "StatefulSet", "ReplicationController", "Job", "DaemonSet"};
  return kKinds.contains(kind);
}

// The part of any pod-template workload this command reads.
struct WorkloadSpec {
  std::optional<int64_t> replicas;     // Deployment, ReplicaSet, StatefulSet, RC
  std::optional<int64_t> parallelism;  // Job
  api::PodTemplateSpec template_;
};

struct Workload {
  api::ObjectMeta metadata;
  WorkloadSpec spec;
};

KARPENTER_JSON_FIELDS(WorkloadSpec, {
  c("replicas", s.replicas);
  c("parallelism", s.parallelism);
  c("template", s.template_);
})

KARPENTER_JSON_FIELDS(Workload, {
  c("metadata", s.metadata);
  c("spec", s.spec);
})

std::string describeObject(const std::string& kind, const nlohmann::json& manifest) {
  const auto& metadata = manifest.value("metadata", nlohmann::json::object());
  std::string name = metadata.is_object() ? metadata.value("name", "<unnamed>") : "<unnamed>";
  std::string ns = metadata.is_object() ? metadata.value("namespace", "") : "";
  return kind + " " + (ns.empty() ? name : ns + "/" + name);
}

}  // namespace

Result<std::vector<WorkloadRequests>> workloadRequests(
    const std::vector<nlohmann::json>& manifests) {
  std::vector<WorkloadRequests> out;
  for (const auto& manifest : manifests) {
    const std::string kind = manifest.value("kind", "");
    if (kind != "Pod" && !hasPodTemplate(kind)) {
      continue;
    }
    WorkloadRequests workload{.kind = kind};
    api::PodSpec spec;
    if (kind == "Pod") {
      auto pod = api::decodeObject<api::Pod>(manifest, /*keepOriginal=*/false);
      if (!pod) {
        return pod.error().withContext(describeObject(kind, manifest));
      }
      workload.namespace_ = pod->metadata.namespace_;
      workload.name = pod->metadata.name;
      spec = std::move(pod->spec);
    } else {
      auto decoded = api::decodeJson<Workload>(manifest);
      if (!decoded) {
        return decoded.error().withContext(describeObject(kind, manifest));
      }
      const auto& count = kind == "Job" ? decoded->spec.parallelism : decoded->spec.replicas;
      if (count.value_or(1) < 0) {
        return invalidError(std::string("spec.") + (kind == "Job" ? "parallelism" : "replicas") +
                            ": must be a non-negative integer")
            .withContext(describeObject(kind, manifest));
      }
      workload.namespace_ = decoded->metadata.namespace_;
      workload.name = decoded->metadata.name;
      workload.replicas = kind == "DaemonSet" ? 0 : count.value_or(1);  // the API default is 1
      spec = std::move(decoded->spec.template_.spec);
    }
    if (workload.namespace_.empty()) {
      workload.namespace_ = "default";
    }
    workload.perPod = api::podRequests(spec);
    out.push_back(std::move(workload));
  }
  return out;
}

std::string formatRequestsTable(const std::vector<WorkloadRequests>& workloads) {
  // Columns: cpu and memory always, then any other resource some workload asks for.
  std::vector<std::string> resourceNames = {"cpu", "memory"};
  for (const auto& workload : workloads) {
    for (const auto& [name, quantity] : workload.perPod) {
      if (std::find(resourceNames.begin(), resourceNames.end(), name) == resourceNames.end()) {
        resourceNames.push_back(name);
      }
    }
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"KIND", "NAMESPACE", "NAME", "REPLICAS"};
  for (const auto& name : resourceNames) {
    std::string upper = name;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    header.push_back(upper + "/POD");
  }
  for (const auto& name : resourceNames) {
    std::string upper = name;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    header.push_back("TOTAL " + upper);
  }
  rows.push_back(header);
  api::ResourceList total;
  api::ResourceList perNode;  // DaemonSets: paid once on every node
  for (const auto& workload : workloads) {
    std::vector<std::string> row = {
        workload.kind, workload.namespace_, workload.name,
        workload.kind == "DaemonSet" ? "per node" : std::to_string(workload.replicas)};
    api::ResourceList workloadTotal;  // DaemonSets are counted per node, below
    if (workload.kind != "DaemonSet") {
      for (const auto& [name, quantity] : workload.perPod) {
        workloadTotal[name] = quantity * workload.replicas;
      }
    }
    for (const auto& name : resourceNames) {
      auto it = workload.perPod.find(name);
      row.push_back(it == workload.perPod.end() ? "-" : it->second.toString());
    }
    for (const auto& name : resourceNames) {
      auto it = workloadTotal.find(name);
      row.push_back(it == workloadTotal.end() ? "-" : it->second.toString());
    }
    total = api::resources::add(total, workloadTotal);
    if (workload.kind == "DaemonSet") {
      perNode = api::resources::add(perNode, workload.perPod);
    }
    rows.push_back(std::move(row));
  }
  std::vector<std::string> totalRow = {"TOTAL", "", "", ""};
  for (size_t i = 0; i < resourceNames.size(); ++i) {
    totalRow.push_back("");
  }
  for (const auto& name : resourceNames) {
    auto it = total.find(name);
    totalRow.push_back(it == total.end() ? "0" : it->second.toString());
  }
  rows.push_back(std::move(totalRow));

  std::ostringstream out;
  out << alignColumns(rows);
  if (!perNode.empty()) {
    out << "DaemonSet overhead on every node: " << api::resources::toString(perNode) << '\n';
  }
  return out.str();
}

}  // namespace karpenter::cli
