#include "karpenter/simulation/workload_pods.hpp"

#include <string>

namespace karpenter::simulation {
namespace {

std::string describe(const nlohmann::json& manifest) {
  const auto& metadata = manifest.contains("metadata") && manifest["metadata"].is_object()
                             ? manifest["metadata"]
                             : nlohmann::json::object();
  const std::string name = metadata.value("name", "<unnamed>");
  const std::string ns = metadata.value("namespace", "");
  return manifest.value("kind", "<no kind>") + " " + (ns.empty() ? name : ns + "/" + name);
}

// spec.replicas / spec.parallelism: absent means 1, as the API defaults it.
Result<int64_t> replicasOf(const nlohmann::json& manifest, const char* field) {
  const auto& spec = manifest["spec"];
  if (!spec.contains(field) || spec[field].is_null()) {
    return int64_t{1};
  }
  if (!spec[field].is_number_integer() || spec[field].get<int64_t>() < 0) {
    return invalidError(describe(manifest) + ": spec." + field +
                        ": must be a non-negative integer, got " + spec[field].dump());
  }
  return spec[field].get<int64_t>();
}

}  // namespace

nlohmann::json unschedulableStatus() {
  return {{"phase", "Pending"},
          {"conditions", nlohmann::json::array({{{"type", "PodScheduled"},
                                                 {"status", "False"},
                                                 {"reason", "Unschedulable"},
                                                 {"message", "0/0 nodes are available"}}})}};
}

Result<std::vector<nlohmann::json>> workloadPods(const std::vector<nlohmann::json>& manifests) {
  std::vector<nlohmann::json> pods;
  for (const auto& manifest : manifests) {
    const std::string kind = manifest.value("kind", "");
    if (kind == "Pod") {
      nlohmann::json pod = manifest;
      const bool bound = pod.contains("spec") && pod["spec"].value("nodeName", "") != "";
      if (!bound && !pod.contains("status")) {
        pod["status"] = unschedulableStatus();
      }
      pods.push_back(std::move(pod));
      continue;
    }
    const bool replicated = kind == "Deployment" || kind == "ReplicaSet" || kind == "StatefulSet" ||
                            kind == "ReplicationController";
    if (!replicated && kind != "Job") {
      continue;
    }
    if (!manifest.contains("spec") || !manifest["spec"].is_object() ||
        !manifest["spec"].contains("template") || !manifest["spec"]["template"].is_object()) {
      return invalidError(describe(manifest) + ": spec.template: required");
    }
    auto count = replicasOf(manifest, replicated ? "replicas" : "parallelism");
    if (!count) {
      return count.error();
    }
    const nlohmann::json workloadMeta = manifest.value("metadata", nlohmann::json::object());
    const std::string name = workloadMeta.is_object() ? workloadMeta.value("name", "") : "";
    if (name.empty()) {
      return invalidError(describe(manifest) + ": metadata.name: required");
    }
    const nlohmann::json& podTemplate = manifest["spec"]["template"];
    for (int64_t ordinal = 0; ordinal < *count; ++ordinal) {
      nlohmann::json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
      pod["metadata"] = podTemplate.value("metadata", nlohmann::json::object());
      pod["metadata"]["name"] = name + "-" + std::to_string(ordinal);
      pod["metadata"]["namespace"] = workloadMeta.value("namespace", "default");
      nlohmann::json owner = {{"apiVersion", manifest.value("apiVersion", "")},
                              {"kind", kind},
                              {"name", name},
                              {"controller", true},
                              {"blockOwnerDeletion", true}};
      if (workloadMeta.contains("uid")) {
        owner["uid"] = workloadMeta["uid"];
      }
      pod["metadata"]["ownerReferences"] = nlohmann::json::array({owner});
      pod["spec"] = podTemplate.value("spec", nlohmann::json::object());
      pod["status"] = unschedulableStatus();
      pods.push_back(std::move(pod));
    }
  }
  return pods;
}

}  // namespace karpenter::simulation
