// Cluster-state memory and watch throughput (issue 4). Objects go through the same path the
// informers use: JSON → state transform (compact typed object) → ClusterState::apply, with an
// informer-like cache (key → object, resourceVersion) holding the same pointers. No HTTP.
//   BM_LoadClusterState: 5,000 nodes and 150,000 pods (30 per node), RSS afterwards.
//   BM_PodModifiedEvents/<publish every N events>: parse a watch event line, transform, apply,
//   publish a snapshot every N events (1 = after every event).
#include <fstream>
#include <string>
#include <unordered_map>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "karpenter/state/cluster_state.hpp"
#include "karpenter/state/transforms.hpp"

namespace {

using nlohmann::json;
using namespace karpenter::state;

constexpr int kNodes = 5000;
constexpr int kPodsPerNode = 30;

// VmRSS / VmHWM from /proc/self/status, in MiB.
double procStatusMiB(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::stod(line.substr(field.size() + 1)) / 1024.0;  // kB → MiB
    }
  }
  return 0;
}

json nodeJson(int i) {
  const std::string name = "ip-10-0-" + std::to_string(i / 250) + "-" + std::to_string(i % 250) +
                           ".us-west-2.compute.internal";
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata",
           {{"name", name},
            {"uid", "node-uid-" + std::to_string(i)},
            {"resourceVersion", std::to_string(1000 + i)},
            {"creationTimestamp", "2024-05-01T10:00:00Z"},
            {"labels",
             {{"kubernetes.io/hostname", name},
              {"kubernetes.io/arch", "amd64"},
              {"kubernetes.io/os", "linux"},
              {"node.kubernetes.io/instance-type", "m5.2xlarge"},
              {"topology.kubernetes.io/zone", "us-west-2a"},
              {"topology.kubernetes.io/region", "us-west-2"},
              {"karpenter.sh/nodepool", "default"},
              {"karpenter.sh/capacity-type", "on-demand"},
              {"karpenter.sh/initialized", "true"},
              {"karpenter.sh/registered", "true"}}},
            {"managedFields",
             {{{"manager", "kubelet"},
               {"operation", "Update"},
               {"fieldsV1", {{"f:status", {{"f:conditions", json::object()}}}}}}}}}},
          {"spec", {{"providerID", "aws:///us-west-2a/i-" + std::to_string(100000 + i)}}},
          {"status",
           {{"capacity", {{"cpu", "8"}, {"memory", "32Gi"}, {"pods", "110"}}},
            {"allocatable", {{"cpu", "7910m"}, {"memory", "31Gi"}, {"pods", "110"}}},
            {"conditions",
             {{{"type", "Ready"},
               {"status", "True"},
               {"reason", "KubeletReady"},
               {"lastHeartbeatTime", "2024-05-01T10:10:00Z"},
               {"lastTransitionTime", "2024-05-01T10:01:00Z"}}}},
            {"nodeInfo", {{"kubeletVersion", "v1.30.0"}, {"architecture", "amd64"}}}}}};
}

// A Deployment-owned pod with two containers, requests/limits, env, tolerations and a status as
// the kubelet reports it.
json podJson(int i, const std::string& nodeName, int generation = 1) {
  const std::string app = "app-" + std::to_string(i % 500);
  const std::string name = app + "-7d9f8c6b5-" + std::to_string(i);
  auto container = [&](const std::string& cname, const std::string& cpu, const std::string& mem) {
    return json{
        {"name", cname},
        {"image", "123456789012.dkr.ecr.us-west-2.amazonaws.com/" + app + ":v1.2.3"},
        {"ports", {{{"containerPort", 8080}, {"protocol", "TCP"}}}},
        {"env",
         {{{"name", "LOG_LEVEL"}, {"value", "info"}},
          {{"name", "POD_NAME"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}},
          {{"name", "REGION"}, {"value", "us-west-2"}}}},
        {"resources",
         {{"requests", {{"cpu", cpu}, {"memory", mem}}}, {"limits", {{"memory", mem}}}}},
        {"volumeMounts",
         {{{"name", "kube-api-access"},
           {"mountPath", "/var/run/secrets/kubernetes.io/serviceaccount"},
           {"readOnly", true}}}}};
  };
  auto condition = [](const std::string& type) {
    return json{{"type", type}, {"status", "True"}, {"lastTransitionTime", "2024-05-01T10:05:00Z"}};
  };
  return {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", name},
        {"namespace", "team-" + std::to_string(i % 40)},
        {"uid", "5f0c1e2a-0000-4000-8000-" + std::to_string(100000000000LL + i)},
        {"resourceVersion", std::to_string(100000 + i * 3 + generation)},
        {"creationTimestamp", "2024-05-01T10:04:00Z"},
        {"generateName", app + "-7d9f8c6b5-"},
        {"labels",
         {{"app", app}, {"pod-template-hash", "7d9f8c6b5"}, {"team", std::to_string(i % 40)}}},
        {"annotations", {{"generation", std::to_string(generation)}}},
        {"ownerReferences",
         {{{"apiVersion", "apps/v1"},
           {"kind", "ReplicaSet"},
           {"name", app + "-7d9f8c6b5"},
           {"uid", "rs-uid-" + std::to_string(i % 500)},
           {"controller", true},
           {"blockOwnerDeletion", true}}}},
        {"managedFields",
         {{{"manager", "kube-controller-manager"},
           {"operation", "Update"},
           {"apiVersion", "v1"},
           {"fieldsType", "FieldsV1"},
           {"fieldsV1", {{"f:metadata", {{"f:labels", json::object()}}}}}},
          {{"manager", "kubelet"},
           {"operation", "Update"},
           {"subresource", "status"},
           {"fieldsV1", {{"f:status", {{"f:conditions", json::object()}}}}}}}}}},
      {"spec",
       {{"nodeName", nodeName},
        {"containers", {container("app", "250m", "512Mi"), container("sidecar", "50m", "64Mi")}},
        {"tolerations",
         {{{"key", "node.kubernetes.io/not-ready"},
           {"operator", "Exists"},
           {"effect", "NoExecute"},
           {"tolerationSeconds", 300}},
          {{"key", "node.kubernetes.io/unreachable"},
           {"operator", "Exists"},
           {"effect", "NoExecute"},
           {"tolerationSeconds", 300}}}},
        {"volumes", {{{"name", "kube-api-access"}, {"projected", {{"defaultMode", 420}}}}}},
        {"restartPolicy", "Always"},
        {"schedulerName", "default-scheduler"},
        {"serviceAccountName", "default"},
        {"priority", 0},
        {"terminationGracePeriodSeconds", 30}}},
      {"status",
       {{"phase", "Running"},
        {"hostIP", "10.0.0.1"},
        {"podIP", "10.1.0." + std::to_string(i % 250)},
        {"startTime", "2024-05-01T10:05:00Z"},
        {"qosClass", "Burstable"},
        {"conditions",
         {condition("PodReadyToStartContainers"), condition("Initialized"), condition("Ready"),
          condition("ContainersReady"), condition("PodScheduled")}},
        {"containerStatuses",
         {{{"name", "app"},
           {"ready", true},
           {"restartCount", 0},
           {"image", app + ":v1.2.3"},
           {"imageID", "sha256:abcdef"},
           {"containerID", "containerd://0123456789abcdef"},
           {"started", true},
           {"state", {{"running", {{"startedAt", "2024-05-01T10:05:10Z"}}}}}}}}}}};
}

std::string nodeName(int podIndex) {
  const int n = podIndex / kPodsPerNode;
  return "ip-10-0-" + std::to_string(n / 250) + "-" + std::to_string(n % 250) +
         ".us-west-2.compute.internal";
}

// What an informer keeps per object besides the shared object itself.
struct CacheEntry {
  std::shared_ptr<const void> object;
  std::string resourceVersion;
};

void BM_LoadClusterState(benchmark::State& bench) {
  for (auto _ : bench) {
    const double before = procStatusMiB("VmRSS");
    auto state = std::make_unique<ClusterState>(
        ClusterState::Options{.publishInterval = std::chrono::hours(1)});
    std::unordered_map<std::string, CacheEntry> nodeCache, podCache;
    for (int i = 0; i < kNodes; ++i) {
      json object = nodeJson(i);
      auto node = compactNode(object);
      nodeCache[node->metadata.name] = {node, node->metadata.resourceVersion};
      state->apply(Change::kUpsert, node);
    }
    for (int i = 0; i < kNodes * kPodsPerNode; ++i) {
      json object = podJson(i, nodeName(i));
      auto pod = compactPod(object);
      podCache[pod->metadata.namespace_ + "/" + pod->metadata.name] = {
          pod, pod->metadata.resourceVersion};
      state->apply(Change::kUpsert, pod);
      if (i % 10'000 == 0) {
        state->flush();
      }
    }
    auto snapshot = state->flush();
    size_t pods = 0;
    for (const auto& [name, entry] : *snapshot->nodes) {
      pods += entry->pods.size();
    }
    if (pods != static_cast<size_t>(kNodes * kPodsPerNode)) {
      bench.SkipWithError("not every pod landed on its node");
    }
    bench.counters["rss_MiB"] = procStatusMiB("VmRSS");
    bench.counters["hwm_MiB"] = procStatusMiB("VmHWM");
    bench.counters["rss_delta_MiB"] = procStatusMiB("VmRSS") - before;
    bench.counters["nodes"] = static_cast<double>(snapshot->nodes->size());
    bench.counters["pods"] = static_cast<double>(pods);
  }
}
BENCHMARK(BM_LoadClusterState)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_PodModifiedEvents(benchmark::State& bench) {
  const int publishEvery = static_cast<int>(bench.range(0));
  ClusterState state({.publishInterval = std::chrono::hours(1)});
  for (int i = 0; i < kNodes; ++i) {
    state.apply(Change::kUpsert, compactNode(nodeJson(i)));
  }
  constexpr int kPods = kNodes * kPodsPerNode;
  for (int i = 0; i < kPods; ++i) {
    state.apply(Change::kUpsert, compactPod(podJson(i, nodeName(i))));
  }
  state.flush();
  // Event lines as a watch delivers them, prepared up front (the apiserver's serialisation is
  // not ours to measure): MODIFIED events for pods spread over every node.
  std::vector<std::string> lines;
  for (int i = 0; i < 2000; ++i) {
    const int pod = (i * 7919) % kPods;
    lines.push_back(
        json{{"type", "MODIFIED"}, {"object", podJson(pod, nodeName(pod), 2 + i)}}.dump());
  }
  size_t next = 0;
  int64_t events = 0;
  for (auto _ : bench) {
    const json event = json::parse(lines[next]);
    next = (next + 1) % lines.size();
    state.apply(Change::kUpsert, compactPod(event["object"]));
    if (++events % publishEvery == 0) {
      benchmark::DoNotOptimize(state.flush());
    }
  }
  bench.SetItemsProcessed(events);
}
BENCHMARK(BM_PodModifiedEvents)->Arg(1)->Arg(100)->Unit(benchmark::kMicrosecond);

}  // namespace
