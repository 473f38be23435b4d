// Provisioning under a burst (issue 6): N pending pods appear at once; measured is the time from
// the burst to every pod nominated to a created NodeClaim, through the product's real path —
// informers over HTTP from the in-repo apiserver, cluster state, batching, the solver, NodeClaim
// creation over HTTP, and the lifecycle launching them in the simulated cloud. The pods'
// Nominated Events are queued on the recorder; seconds_to_events_written is when the last is
// written.
//   BM_ProvisioningBurst/<pods>: counters seconds_to_nodeclaims, seconds_to_events_written,
//   nodeclaims, pods_per_sec,
//   baseline_MiB (RSS before the burst, informers synced) and hwm_MiB (peak RSS of the whole
//   process, which includes the in-process apiserver holding every pod as JSON — an upper bound
//   on the controller's own memory).
#include <atomic>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "karpenter/apiserver/server.hpp"
#include "karpenter/apiserver/store.hpp"
#include "karpenter/cloudprovider/simulated/simulated_cloud.hpp"
#include "karpenter/operator/controller_manager.hpp"
#include "karpenter/simulation/workload_pods.hpp"

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

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

json nodeClass() {
  return json::parse(R"({"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass",
    "metadata":{"name":"default"},
    "spec":{"amiSelectorTerms":[{"alias":"al2023@latest"}],"role":"KarpenterNodeRole-bench",
      "subnetSelectorTerms":[{"tags":{"karpenter.sh/discovery":"bench"}}],
      "securityGroupSelectorTerms":[{"tags":{"karpenter.sh/discovery":"bench"}}]}})");
}

json nodePool() {
  return json::parse(R"({"apiVersion":"karpenter.sh/v1","kind":"NodePool",
    "metadata":{"name":"general"},
    "spec":{"template":{"spec":{
      "nodeClassRef":{"group":"karpenter.k8s.aws","kind":"EC2NodeClass","name":"default"},
      "requirements":[{"key":"karpenter.k8s.aws/instance-category","operator":"In",
                       "values":["c","m","r"]}]}}}})");
}

// A pod with seeded random requests, as a Deployment's would be (labels, owner, two containers).
json pod(int index, std::mt19937& random) {
  std::uniform_int_distribution<int> milliCpu(100, 2000);
  std::uniform_int_distribution<int> memoryMi(128, 4096);
  const std::string name = "burst-" + std::to_string(index);
  return {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", name},
        {"namespace", "default"},
        {"labels", {{"app", "burst-" + std::to_string(index % 50)}}},
        {"ownerReferences", json::array({{{"apiVersion", "apps/v1"},
                                          {"kind", "ReplicaSet"},
                                          {"name", "burst-" + std::to_string(index % 50)},
                                          {"uid", "rs-" + std::to_string(index % 50)},
                                          {"controller", true}}})}}},
      {"spec",
       {{"containers",
         json::array({{{"name", "app"},
                       {"image", "registry.example/app:1"},
                       {"resources",
                        {{"requests",
                          {{"cpu", std::to_string(milliCpu(random)) + "m"},
                           {"memory", std::to_string(memoryMi(random)) + "Mi"}}}}}},
                      {{"name", "sidecar"},
                       {"image", "registry.example/proxy:1"},
                       {"resources", {{"requests", {{"cpu", "50m"}, {"memory", "64Mi"}}}}}}})}}},
      {"status", karpenter::simulation::unschedulableStatus()}};
}

void BM_ProvisioningBurst(benchmark::State& bench) {
  const int pods = static_cast<int>(bench.range(0));
  for (auto _ : bench) {
    karpenter::apiserver::Store store(karpenter::apiserver::servedResources(),
                                      {.clock = [] { return std::chrono::system_clock::now(); },
                                       .historyWindow = static_cast<size_t>(pods) * 4});
    // The NodePool needs its EC2NodeClass to be Ready, or it gets no capacity.
    (void)store.create({"karpenter.k8s.aws", "v1", "ec2nodeclasses"}, "", nodeClass());
    (void)store.create({"karpenter.sh", "v1", "nodepools"}, "", nodePool());
    karpenter::apiserver::Server server(store, {});
    if (!server.start()) {
      bench.SkipWithError("apiserver did not start");
      return;
    }
    karpenter::kube::RestConfig config;
    config.server = "http://127.0.0.1:" + std::to_string(server.port());
    karpenter::kube::HttpKubeClient client(config, {.qps = 0});
    karpenter::cloudprovider::simulated::SimulatedCloud cloud({});

    std::atomic<size_t> decided{0};
    std::atomic<size_t> nodeClaims{0};
    karpenter::op::ControllerManager::Options options;
    options.provisioner.batchIdle = std::chrono::milliseconds(1000);  // upstream's defaults
    options.provisioner.batchMax = std::chrono::milliseconds(10'000);
    options.provisioner.onPass = [&](const karpenter::controllers::ProvisioningPass& pass) {
      nodeClaims += pass.createdNodeClaims.size();
      decided += pass.nominations.size() + pass.podErrors.size();
    };
    karpenter::op::ControllerManager manager(client, cloud, options);
    manager.startState();
    if (!manager.waitForSync(std::chrono::seconds(30))) {
      bench.SkipWithError("informers did not sync");
      return;
    }
    manager.startControllers();

    std::mt19937 random(42);
    std::vector<json> burst;
    for (int i = 0; i < pods; ++i) {
      burst.push_back(pod(i, random));
    }
    const double rssBefore = procStatusMiB("VmRSS");
    const auto start = Clock::now();
    for (auto& object : burst) {
      (void)store.create({"", "v1", "pods"}, "default", std::move(object));
    }
    while (decided < static_cast<size_t>(pods) && Clock::now() - start < std::chrono::minutes(10)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    // Events are written in the background; how long until the last one is, for comparison
    // with the figures from when each pass posted them one by one.
    (void)manager.events().flush(std::chrono::minutes(5));
    const double eventsSeconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (nodeClaims == 0) {
      bench.SkipWithError("no NodeClaims were created: the measurement would be of errors");
      return;
    }
    bench.SetIterationTime(seconds);
    bench.counters["seconds_to_events_written"] = eventsSeconds;
    bench.counters["seconds_to_nodeclaims"] = seconds;
    bench.counters["nodeclaims"] = static_cast<double>(nodeClaims.load());
    bench.counters["pods_per_sec"] = pods / seconds;
    bench.counters["hwm_MiB"] = procStatusMiB("VmHWM");
    bench.counters["baseline_MiB"] = rssBefore;
    manager.stop();
    server.stop();
  }
}
BENCHMARK(BM_ProvisioningBurst)
    ->Arg(1000)
    ->Arg(10000)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);

}  // namespace
