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
  // The nominated node is recognised by its facts' address, not by comparing its name with every
  // candidate's; only a nominated node the state does not know needs the name compare.
  const NodeFacts* nominatedFacts = nominated ? view.node(*nominated) : nullptr;

  // Pass 1 reads each node's facts once (5,000 lookups scattered over the snapshot) and keeps
  // the little pass 2 needs once the price range is known.
  struct Candidate {
    bool nominated = false;
    std::optional<double> price;  // per vCPU
    double base = 1;              // 1 + 5·packing
    int64_t penalty = 0;
  };
  std::vector<Candidate> candidates(names.size());
  double cheapest = std::numeric_limits<double>::infinity();
  double dearest = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    const NodeFacts* node = view.node(names[i]);
    Candidate& candidate = candidates[i];
    candidate.nominated = nominatedFacts != nullptr
                              ? node == nominatedFacts
                              : nominated && node == nullptr && *nominated == names[i];
    if (node == nullptr) {
      continue;
    }
    candidate.price = pricePerVcpu(node);
    if (candidate.price) {
      cheapest = std::min(cheapest, *candidate.price);
      dearest = std::max(dearest, *candidate.price);
    }
    candidate.base = 1 + 5 * packing(*node, pod);
    if (node->managed) {
      candidate.penalty =
          (node->consolidatable ? 2 : 0) + (node->drifted ? 3 : 0) + (node->expiring ? 2 : 0);
    }
  }

  std::vector<int64_t> scores;
  scores.reserve(names.size());
  for (const Candidate& candidate : candidates) {
    if (candidate.nominated) {
      scores.push_back(kMaxExtenderPriority);
      continue;
    }
    double cheapness = 0.5;
    if (candidate.price) {
      cheapness = dearest > cheapest ? (dearest - *candidate.price) / (dearest - cheapest) : 1.0;
    }
    const int64_t score = std::lround(candidate.base + 3 * cheapness) - candidate.penalty;
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
