#include "karpenter/cli/workload_requests.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "karpenter/api/pod.hpp"
#include "karpenter/api/pod_requests.hpp"

namespace karpenter::cli {
namespace {

bool hasPodTemplate(const std::string& kind) {
  static const std::set<std::string> kKinds = {
      "Deployment", "ReplicaSet", "StatefulSet", "ReplicationController", "Job", "DaemonSet"};
  return kKinds.contains(kind);
}

Result<int64_t> replicasOf(const std::string& kind, const nlohmann::json& spec) {
  if (kind == "DaemonSet") {
    return int64_t{0};
  }
  const char* field = kind == "Job" ? "parallelism" : "replicas";
  auto it = spec.find(field);
  if (it == spec.end() || it->is_null()) {
    return int64_t{1};  // the API default for every one of these kinds
  }
  if (!it->is_number_integer() || it->get<int64_t>() < 0) {
    return invalidError(std::string("spec.") + field + ": must be a non-negative integer");
  }
  return it->get<int64_t>();
}

std::string describeObject(const std::string& kind, const nlohmann::json& manifest) {
  const auto& metadata = manifest.value("metadata", nlohmann::json::object());
  std::string name = metadata.value("name", "<unnamed>");
  std::string ns = metadata.value("namespace", "");
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
      const nlohmann::json workloadSpec = manifest.value("spec", nlohmann::json::object());
      auto replicas = replicasOf(kind, workloadSpec);
      auto template_ = api::decodeJson<api::PodTemplateSpec>(
          workloadSpec.value("template", nlohmann::json::object()));
      if (!replicas || !template_) {
        Error error = !replicas ? replicas.error() : template_.error().withContext("spec.template");
        return error.withContext(describeObject(kind, manifest));
      }
      auto metadata =
          api::decodeJson<api::ObjectMeta>(manifest.value("metadata", nlohmann::json::object()));
      if (!metadata) {
        return metadata.error().withContext(describeObject(kind, manifest));
      }
      workload.namespace_ = metadata->namespace_;
      workload.name = metadata->name;
      workload.replicas = *replicas;
      spec = std::move(template_->spec);
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
    api::ResourceList workloadTotal;
    for (const auto& [name, quantity] : workload.perPod) {
      workloadTotal[name] = quantity * workload.replicas;
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

  std::vector<size_t> widths(header.size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::ostringstream out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line += std::string(widths[i] - row[i].size() + 2, ' ');
      }
    }
    out << line << '\n';
  }
  if (!perNode.empty()) {
    out << "DaemonSet overhead on every node: " << api::resources::toString(perNode) << '\n';
  }
  return out.str();
}

}  // namespace karpenter::cli
