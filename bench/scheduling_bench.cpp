// Upstream's scheduling benchmark scenario (karpenter-behaviour.md §9,
// scheduling_benchmark_test.go): 400 synthetic instance types fake-it-i with cpu i+1,
// memory 2(i+1)Gi, pods 10(i+1), price 0.1×cpu + 0.1×GiB, offered on-demand and spot in three
// zones; pods with seeded random requests (seed 42, cpu 100–1500m, memory 100–4096Mi).
//
// Only the first kind of upstream's five-way pod mix (generic pods) is generated: zone/hostname
// spread, self zone affinity and self hostname anti-affinity need the topology engine, which the
// solver does not have yet (it rejects such pods instead of placing them wrongly).
//
// Counters: pods_per_sec (pods solved per wall second) and nodes (NodeClaims created).
// Run: build/bench/bench_scheduling --benchmark_min_time=0.1s
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "karpenter/api/well_known.hpp"
#include "karpenter/scheduling/scheduler.hpp"

namespace {

using karpenter::api::Quantity;
namespace api = karpenter::api;
namespace sched = karpenter::scheduling;

constexpr int kInstanceTypeCount = 400;
const std::vector<std::string> kZones = {"test-zone-1", "test-zone-2", "test-zone-3"};

sched::InstanceType fakeInstanceType(int i) {
  sched::InstanceType type;
  type.name = "fake-it-" + std::to_string(i);
  const int64_t cpu = i + 1;
  const int64_t memoryGi = 2 * (i + 1);
  const double price = 0.1 * static_cast<double>(cpu) + 0.1 * static_cast<double>(memoryGi);
  type.requirements.add(sched::Requirement::in(api::kLabelInstanceType, {type.name}));
  type.requirements.add(sched::Requirement::in(api::kLabelArch, {"amd64"}));
  type.requirements.add(sched::Requirement::in(api::kLabelOs, {"linux"}));
  type.requirements.add(sched::Requirement::in(api::kLabelTopologyZone, kZones));
  type.requirements.add(sched::Requirement::in(api::kCapacityTypeLabelKey, {"on-demand", "spot"}));
  for (const auto& zone : kZones) {
    for (const char* capacityType : {"on-demand", "spot"}) {
      sched::Offering offering;
      offering.requirements.add(sched::Requirement::in(api::kLabelTopologyZone, {zone}));
      offering.requirements.add(sched::Requirement::in(api::kCapacityTypeLabelKey, {capacityType}));
      offering.price = price;
      type.offerings.push_back(offering);
    }
  }
  type.capacity["cpu"] = Quantity::fromInt(cpu);
  type.capacity["memory"] = Quantity::fromInt(memoryGi << 30, Quantity::Format::kBinarySI);
  type.capacity["pods"] = Quantity::fromInt(10 * (i + 1));
  return type;
}

std::vector<api::Pod> randomPods(int count) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> cpu(100, 1500);
  std::uniform_int_distribution<int> memory(100, 4096);
  std::vector<api::Pod> pods;
  pods.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    api::Pod pod;
    pod.metadata.name = "pod-" + std::to_string(i);
    pod.metadata.namespace_ = "default";
    pod.metadata.uid = "uid-" + std::to_string(i);
    pod.metadata.creationTimestamp = "2024-01-01T00:00:00Z";
    api::Container container;
    container.name = "main";
    container.resources.requests["cpu"] = Quantity::fromMilli(cpu(rng));
    container.resources.requests["memory"] =
        Quantity::mustParse(std::to_string(memory(rng)) + "Mi");
    pod.spec.containers.push_back(container);
    pods.push_back(std::move(pod));
  }
  return pods;
}

void BM_Scheduling(benchmark::State& state) {
  const int podCount = static_cast<int>(state.range(0));
  sched::SchedulerInput input;
  sched::NodePoolInput pool;
  pool.nodePool.metadata.name = "default";
  for (int i = 0; i < kInstanceTypeCount; ++i) {
    pool.instanceTypes.push_back(fakeInstanceType(i));
  }
  input.nodePools.push_back(std::move(pool));
  const auto pods = randomPods(podCount);
  std::vector<const api::Pod*> pointers;
  for (const auto& pod : pods) {
    pointers.push_back(&pod);
  }
  size_t nodes = 0;
  size_t errors = 0;
  for (auto _ : state) {
    auto results = sched::solve(input, pointers);
    nodes = results.newNodeClaims.size();
    errors = results.podErrors.size();
    benchmark::DoNotOptimize(results);
  }
  if (errors != 0) {
    state.SkipWithError("pods failed to schedule");
  }
  state.counters["pods_per_sec"] = benchmark::Counter(
      static_cast<double>(podCount), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["nodes"] = static_cast<double>(nodes);
}
BENCHMARK(BM_Scheduling)
    ->Arg(1)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(5000)
    ->Arg(20000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
