#include <algorithm>
#include <cmath>
#include <limits>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/pod.hpp"
#include "karpenter/api/pod_requests.hpp"
#include "karpenter/extender/decisions.hpp"

namespace karpenter::extender {
namespace {

double share(int64_t used, int64_t allocatable) {
  return static_cast<double>(used) / static_cast<double>(allocatable);
}

// Fraction of the node's allocatable in use once the pod is placed; 0 when it would not fit.
double packing(const NodeFacts& facts, const PodFacts& pod) {
  if (facts.allocatableMilliCpu <= 0 || facts.allocatableMemoryBytes <= 0) {
    return 0;
  }
  const int64_t cpu = facts.requestedMilliCpu + pod.milliCpu;
  const int64_t memory = facts.requestedMemoryBytes + pod.memoryBytes;
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

PodFacts podFacts(const nlohmann::json& pod) {
  PodFacts facts;
  if (const auto metadata = pod.find("metadata"); metadata != pod.end() && metadata->is_object()) {
    if (const auto uid = metadata->find("uid"); uid != metadata->end() && uid->is_string()) {
      facts.uid = uid->get<std::string>();
    }
  }
  auto decoded = api::decodeJson<api::Pod>(pod);
  if (!decoded) {
    return facts;
  }
  const api::ResourceList requests = api::podRequests(decoded->spec);
  if (auto cpu = requests.find("cpu"); cpu != requests.end()) {
    facts.milliCpu = cpu->second.milliValue();
  }
  if (auto memory = requests.find("memory"); memory != requests.end()) {
    facts.memoryBytes = memory->second.value();
  }
  return facts;
}

std::vector<int64_t> priorityScores(const PodFacts& pod, std::span<const std::string_view> names,
                                    const ClusterView& view) {
  const std::optional<std::string> nominated =
      pod.uid.empty() ? std::nullopt : view.nominatedNode(pod.uid);

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

  std::vector<int64_t> scores;
  scores.reserve(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    if (nominated && *nominated == names[i]) {
      scores.push_back(kMaxExtenderPriority);
      continue;
    }
    const NodeFacts* node = facts[i];
    double cheapness = 0.5;
    if (auto price = pricePerVcpu(node)) {
      cheapness = dearest > cheapest ? (dearest - *price) / (dearest - cheapest) : 1.0;
    }
    const double fill = node == nullptr ? 0 : packing(*node, pod);
    int64_t score = std::lround(1 + 5 * fill + 3 * cheapness);
    if (node != nullptr && node->managed) {
      score -= (node->consolidatable ? 2 : 0) + (node->drifted ? 3 : 0) + (node->expiring ? 2 : 0);
    }
    scores.push_back(std::clamp<int64_t>(score, kMinExtenderPriority, kMaxExtenderPriority - 1));
  }
  return scores;
}

HostPriorityList prioritize(const ExtenderArgs& args, const ClusterView& view) {
  const std::vector<std::string> names = args.candidateNames();
  const std::vector<std::string_view> views(names.begin(), names.end());
  const std::vector<int64_t> scores =
      priorityScores(podFacts(nlohmann::json(args.pod)), views, view);
  HostPriorityList priorities;
  priorities.reserve(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    priorities.push_back({names[i], scores[i]});
  }
  return priorities;
}

}  // namespace karpenter::extender
