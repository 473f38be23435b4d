#include <algorithm>
#include <cmath>
#include <limits>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/pod.hpp"
#include "karpenter/api/pod_requests.hpp"
#include "karpenter/extender/decisions.hpp"

namespace karpenter::extender {
namespace {

struct PodDemand {
  int64_t milliCpu = 0;
  int64_t memoryBytes = 0;
};

PodDemand demandOf(const WireJson& podJson) {
  // One pod per call: converting it to the typed model is cheap next to the node loop.
  auto pod = api::decodeJson<api::Pod>(nlohmann::json::parse(podJson.dump()));
  if (!pod) {
    return {};
  }
  const api::ResourceList requests = api::podRequests(pod->spec);
  PodDemand demand;
  if (auto cpu = requests.find("cpu"); cpu != requests.end()) {
    demand.milliCpu = cpu->second.milliValue();
  }
  if (auto memory = requests.find("memory"); memory != requests.end()) {
    demand.memoryBytes = memory->second.value();
  }
  return demand;
}

double share(int64_t used, int64_t allocatable) {
  return static_cast<double>(used) / static_cast<double>(allocatable);
}

// Fraction of the node's allocatable in use once the pod is placed; 0 when it would not fit.
double packing(const NodeFacts& facts, const PodDemand& demand) {
  if (facts.allocatableMilliCpu <= 0 || facts.allocatableMemoryBytes <= 0) {
    return 0;
  }
  const int64_t cpu = facts.requestedMilliCpu + demand.milliCpu;
  const int64_t memory = facts.requestedMemoryBytes + demand.memoryBytes;
  if (cpu > facts.allocatableMilliCpu || memory > facts.allocatableMemoryBytes) {
    return 0;
  }
  return std::clamp(
      std::max(share(cpu, facts.allocatableMilliCpu), share(memory, facts.allocatableMemoryBytes)),
      0.0, 1.0);
}

std::optional<double> pricePerVcpu(const NodeFacts* facts) {
  if (facts == nullptr || facts->pricePerHour <= 0 || facts->allocatableMilliCpu <= 0) {
    return std::nullopt;
  }
  return facts->pricePerHour * 1000.0 / static_cast<double>(facts->allocatableMilliCpu);
}

}  // namespace

HostPriorityList prioritize(const ExtenderArgs& args, const ClusterView& view) {
  const std::vector<std::string> names = args.candidateNames();
  const std::string uid = args.pod.value("/metadata/uid"_json_pointer, std::string());
  const std::optional<std::string> nominated = uid.empty() ? std::nullopt : view.nominatedNode(uid);
  const PodDemand demand = demandOf(args.pod);

  std::vector<const NodeFacts*> facts;
  facts.reserve(names.size());
  double cheapest = std::numeric_limits<double>::infinity();
  double dearest = 0;
  for (const auto& name : names) {
    facts.push_back(view.node(name));
    if (auto price = pricePerVcpu(facts.back())) {
      cheapest = std::min(cheapest, *price);
      dearest = std::max(dearest, *price);
    }
  }

  HostPriorityList priorities;
  priorities.reserve(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    if (nominated && *nominated == names[i]) {
      priorities.push_back({names[i], kMaxExtenderPriority});
      continue;
    }
    const NodeFacts* node = facts[i];
    double cheapness = 0.5;
    if (auto price = pricePerVcpu(node)) {
      cheapness = dearest > cheapest ? (dearest - *price) / (dearest - cheapest) : 1.0;
    }
    const double fill = node == nullptr ? 0 : packing(*node, demand);
    int64_t score = std::lround(1 + 5 * fill + 3 * cheapness);
    if (node != nullptr && node->managed) {
      score -= (node->consolidatable ? 2 : 0) + (node->drifted ? 3 : 0) + (node->expiring ? 2 : 0);
    }
    priorities.push_back(
        {names[i], std::clamp<int64_t>(score, kMinExtenderPriority, kMaxExtenderPriority - 1)});
  }
  return priorities;
}

}  // namespace karpenter::extender
