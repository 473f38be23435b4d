#include "kubelet_objects.hpp"

#include <cstdio>
#include <ctime>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/well_known.hpp"

namespace karpenter::cloudprovider::simulated::kubelet {
namespace {

using nlohmann::json;

json resources(const api::ResourceList& list) {
  json out = json::object();
  for (const auto& [name, quantity] : list) {
    out[name] = quantity.toString();
  }
  return out;
}

json taint(const api::Taint& t) {
  json out = {{"key", t.key}, {"effect", t.effect}};
  if (!t.value.empty()) {
    out["value"] = t.value;
  }
  return out;
}

// A stable 32-hex-digit identifier for machineID/systemUUID/bootID, derived from the instance ID.
std::string hexId(const std::string& seed, uint64_t salt) {
  uint64_t a = 1469598103934665603ULL ^ salt;
  uint64_t b = 1099511628211ULL + salt;
  for (char c : seed) {
    a = (a ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    b = (b ^ static_cast<unsigned char>(c)) * 6364136223846793005ULL + 1;
  }
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return buffer;
}

}  // namespace

std::string rfc3339(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string microTime(std::chrono::system_clock::time_point time) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count() %
      1'000'000;
  std::string text = rfc3339(time);
  char fraction[16];
  std::snprintf(fraction, sizeof fraction, ".%06lld", static_cast<long long>(micros));
  text.insert(text.size() - 1, fraction);
  return text;
}

json nodeConditions(std::chrono::system_clock::time_point now,
                    std::chrono::system_clock::time_point since) {
  const std::string heartbeat = rfc3339(now);
  const std::string transition = rfc3339(since);
  auto condition = [&](const char* type, const char* status, const char* reason,
                       const char* message) {
    return json{{"type", type},
                {"status", status},
                {"reason", reason},
                {"message", message},
                {"lastHeartbeatTime", heartbeat},
                {"lastTransitionTime", transition}};
  };
  return json::array({
      condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available"),
      condition("DiskPressure", "False", "KubeletHasNoDiskPressure",
                "kubelet has no disk pressure"),
      condition("PIDPressure", "False", "KubeletHasSufficientPID",
                "kubelet has sufficient PID available"),
      condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
  });
}

json node(const SimulatedInstance& instance, const std::string& kubeletVersion,
          std::chrono::system_clock::time_point now) {
  const api::NodeClaim& claim = instance.nodeClaim;
  json labels = json::object();
  for (const auto& [key, value] : claim.metadata.labels) {
    labels[key] = value;
  }
  labels[std::string(api::kLabelHostname)] = instance.nodeName;
  json taints = json::array();
  for (const auto& t : claim.spec.taints) {
    taints.push_back(taint(t));
  }
  for (const auto& t : claim.spec.startupTaints) {
    taints.push_back(taint(t));
  }
  taints.push_back(taint(
      {std::string(api::kUnregisteredTaintKey), "", std::string(api::kUnregisteredTaintEffect)}));
  const std::string arch = labels.value(std::string(api::kLabelArch), "amd64");
  const std::string uname = arch == "arm64" ? "aarch64" : "x86_64";
  return json{
      {"apiVersion", "v1"},
      {"kind", "Node"},
      {"metadata",
       {{"name", instance.nodeName},
        {"labels", labels},
        {"annotations",
         {{"alpha.kubernetes.io/provided-node-ip", instance.privateIp},
          {"node.alpha.kubernetes.io/ttl", "0"},
          {"volumes.kubernetes.io/controller-managed-attach-detach", "true"}}}}},
      {"spec", {{"providerID", instance.providerID}, {"taints", taints}}},
      {"status",
       {{"capacity", resources(claim.status.capacity)},
        {"allocatable", resources(claim.status.allocatable)},
        {"conditions", nodeConditions(now, now)},
        {"addresses", json::array({{{"type", "InternalIP"}, {"address", instance.privateIp}},
                                   {{"type", "InternalDNS"}, {"address", instance.nodeName}},
                                   {{"type", "Hostname"}, {"address", instance.nodeName}}})},
        {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", 10250}}}}},
        {"nodeInfo",
         {{"machineID", hexId(instance.id, 1)},
          {"systemUUID", hexId(instance.id, 2)},
          {"bootID", hexId(instance.id, 3)},
          {"kernelVersion", "6.1.134-152.225.amzn2023." + uname},
          {"osImage", "Amazon Linux 2023.7.20250512"},
          {"containerRuntimeVersion", "containerd://1.7.27"},
          {"kubeletVersion", kubeletVersion},
          {"kubeProxyVersion", kubeletVersion},
          {"operatingSystem", "linux"},
          {"architecture", arch}}}}},
  };
}

json lease(const std::string& nodeName, const std::string& nodeUid, int leaseDurationSeconds,
           std::chrono::system_clock::time_point now) {
  json metadata = {{"name", nodeName}, {"namespace", "kube-node-lease"}};
  if (!nodeUid.empty()) {
    metadata["ownerReferences"] = json::array(
        {{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", nodeName}, {"uid", nodeUid}}});
  }
  return json{{"apiVersion", "coordination.k8s.io/v1"},
              {"kind", "Lease"},
              {"metadata", metadata},
              {"spec",
               {{"holderIdentity", nodeName},
                {"leaseDurationSeconds", leaseDurationSeconds},
                {"renewTime", microTime(now)}}}};
}

std::string podIp(uint64_t sequence, uint64_t index) {
  const uint32_t base = (100u << 24) | (64u << 16);
  const uint32_t address = base + static_cast<uint32_t>(sequence % 4096) * 1024 + 1 +
                           static_cast<uint32_t>(index % 1022);
  char buffer[20];
  std::snprintf(buffer, sizeof buffer, "%u.%u.%u.%u", address >> 24, (address >> 16) & 255,
                (address >> 8) & 255, address & 255);
  return buffer;
}

json runningPod(json pod, const std::string& hostIp, const std::string& podIp,
                std::chrono::system_clock::time_point now) {
  const std::string at = rfc3339(now);
  json& status = pod["status"];
  if (!status.is_object()) {
    status = json::object();
  }
  std::string scheduledAt = at;
  if (status.contains("conditions") && status["conditions"].is_array()) {
    for (const auto& c : status["conditions"]) {
      if (c.value("type", "") == "PodScheduled" && c.value("status", "") == "True") {
        scheduledAt = c.value("lastTransitionTime", at);
      }
    }
  }
  status["phase"] = "Running";
  status["conditions"] = json::array();
  for (const char* type :
       {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady"}) {
    status["conditions"].push_back(
        {{"type", type}, {"status", "True"}, {"lastTransitionTime", at}});
  }
  status["conditions"].push_back(
      {{"type", "PodScheduled"}, {"status", "True"}, {"lastTransitionTime", scheduledAt}});
  status["hostIP"] = hostIp;
  status["hostIPs"] = json::array({{{"ip", hostIp}}});
  status["podIP"] = podIp;
  status["podIPs"] = json::array({{{"ip", podIp}}});
  status["startTime"] = at;
  status.erase("nominatedNodeName");
  const json& spec = pod["spec"];
  auto containerStatuses = [&](const char* field, bool init) {
    json statuses = json::array();
    if (!spec.contains(field)) {
      return statuses;
    }
    for (const auto& container : spec[field]) {
      const std::string name = container.value("name", "");
      // Sidecars (restartPolicy Always) keep running; other init containers ran to completion.
      const bool sidecar = init && container.value("restartPolicy", "") == "Always";
      json state = init && !sidecar ? json{{"terminated",
                                            {{"exitCode", 0},
                                             {"reason", "Completed"},
                                             {"startedAt", at},
                                             {"finishedAt", at}}}}
                                    : json{{"running", {{"startedAt", at}}}};
      statuses.push_back(
          {{"name", name},
           {"image", container.value("image", "")},
           {"imageID", ""},
           {"containerID", "containerd://" + hexId(pod["metadata"].value("uid", "") + name, 7)},
           {"ready", !init || sidecar},
           {"started", !init || sidecar},
           {"restartCount", 0},
           {"state", state}});
    }
    return statuses;
  };
  status["containerStatuses"] = containerStatuses("containers", false);
  if (spec.contains("initContainers")) {
    status["initContainerStatuses"] = containerStatuses("initContainers", true);
  }
  return pod;
}

}  // namespace karpenter::cloudprovider::simulated::kubelet
