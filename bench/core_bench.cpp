// Micro-benchmarks of the core model's hot operations: quantity parsing and arithmetic (every
// resource comparison the scheduler makes) and requirement intersection/compatibility (every
// pod × instance-type check). Run: build/bench/bench_core
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "karpenter/api/quantity.hpp"
#include "karpenter/scheduling/requirements.hpp"

namespace {

using karpenter::api::Quantity;
using karpenter::scheduling::Requirement;
using karpenter::scheduling::Requirements;

const std::vector<std::string> kQuantityTexts = {"100m",  "1500m", "2",    "512Mi", "1Gi",
                                                 "1.5Gi", "3.75G", "110",  "8Ki",   "0.25",
                                                 "1e3",   "250M",  "16Gi", "4000m", "96"};

void BM_QuantityParse(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    auto parsed = Quantity::parse(kQuantityTexts[i++ % kQuantityTexts.size()]);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QuantityParse);

void BM_QuantityToString(benchmark::State& state) {
  std::vector<Quantity> quantities;
  for (const auto& text : kQuantityTexts) {
    quantities.push_back(Quantity::mustParse(text));
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(quantities[i++ % quantities.size()].toString());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QuantityToString);

void BM_QuantityAddCompare(benchmark::State& state) {
  const Quantity request = Quantity::mustParse("250m");
  const Quantity allocatable = Quantity::mustParse("3920m");
  for (auto _ : state) {
    Quantity used;
    int fitted = 0;
    while (used + request <= allocatable) {
      used += request;
      ++fitted;
    }
    benchmark::DoNotOptimize(fitted);
  }
  state.SetItemsProcessed(state.iterations() * 15);
}
BENCHMARK(BM_QuantityAddCompare);

// A NodePool's requirements against an instance type's, as the scheduler checks each candidate.
Requirements nodePoolRequirements() {
  Requirements requirements;
  requirements.add(Requirement::in("karpenter.sh/capacity-type", {"on-demand", "spot"}));
  requirements.add(Requirement::in("kubernetes.io/arch", {"amd64", "arm64"}));
  requirements.add(Requirement::in("karpenter.k8s.aws/instance-category", {"c", "m", "r"}));
  requirements.add(Requirement::gt("karpenter.k8s.aws/instance-generation", 5));
  requirements.add(
      Requirement::in("topology.kubernetes.io/zone", {"us-west-2a", "us-west-2b", "us-west-2c"}));
  return requirements;
}

Requirements instanceTypeRequirements() {
  Requirements requirements;
  requirements.add(Requirement::in("karpenter.sh/capacity-type", {"on-demand", "spot"}));
  requirements.add(Requirement::in("kubernetes.io/arch", {"arm64"}));
  requirements.add(Requirement::in("kubernetes.io/os", {"linux"}));
  requirements.add(Requirement::in("karpenter.k8s.aws/instance-category", {"m"}));
  requirements.add(Requirement::in("karpenter.k8s.aws/instance-generation", {"7"}));
  requirements.add(Requirement::in("karpenter.k8s.aws/instance-family", {"m7g"}));
  requirements.add(Requirement::in("node.kubernetes.io/instance-type", {"m7g.2xlarge"}));
  requirements.add(Requirement::in("topology.kubernetes.io/zone",
                                   {"us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"}));
  return requirements;
}

void BM_RequirementIntersection(benchmark::State& state) {
  const Requirement zones =
      Requirement::in("topology.kubernetes.io/zone", {"us-west-2a", "us-west-2b", "us-west-2c"});
  const Requirement notZone = Requirement::notIn("topology.kubernetes.io/zone", {"us-west-2b"});
  for (auto _ : state) {
    benchmark::DoNotOptimize(zones.intersection(notZone));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RequirementIntersection);

void BM_RequirementsIntersects(benchmark::State& state) {
  const Requirements pool = nodePoolRequirements();
  const Requirements instanceType = instanceTypeRequirements();
  for (auto _ : state) {
    benchmark::DoNotOptimize(pool.intersects(instanceType).ok());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RequirementsIntersects);

void BM_RequirementsIsCompatible(benchmark::State& state) {
  const Requirements pool = nodePoolRequirements();
  const Requirements instanceType = instanceTypeRequirements();
  for (auto _ : state) {
    benchmark::DoNotOptimize(instanceType.isCompatible(pool, true));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RequirementsIsCompatible);

void BM_RequirementsAddMerge(benchmark::State& state) {
  const Requirements pool = nodePoolRequirements();
  const Requirements instanceType = instanceTypeRequirements();
  for (auto _ : state) {
    Requirements merged = pool;
    merged.add(instanceType);
    benchmark::DoNotOptimize(merged);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RequirementsAddMerge);

}  // namespace
