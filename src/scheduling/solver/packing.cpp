#include "packing.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

namespace karpenter::scheduling::solver {

const Candidate* packingCapType(const std::vector<const Candidate*>& candidates,
                                const ResourceVector& remaining) {
  constexpr std::array<size_t, 3> kPacked = {ResourceVector::kCpu, ResourceVector::kMemory,
                                             ResourceVector::kPods};
  const double podCount = static_cast<double>(remaining.core(ResourceVector::kPods)) / 1000.0;
  double bestCost = std::numeric_limits<double>::infinity();
  const Candidate* cap = nullptr;
  for (const auto* candidate : candidates) {
    double nodes = 1;
    for (size_t resource : kPacked) {
      const auto wanted = static_cast<double>(remaining.core(resource));
      double room = static_cast<double>(candidate->headroom.core(resource));
      // Whole pods leave a node short of full, on average by half a pod: without this, small
      // types (which round the demand more finely) win on paper and lose when packed.
      if (resource != ResourceVector::kPods && podCount > 0) {
        room -= wanted / podCount / 2;
      }
      if (wanted > 0 && room > 0) {
        nodes = std::max(nodes, std::ceil(wanted / room));
      }
    }
    const double cost = candidate->price * nodes;
    // On a tie the larger (pricier) type: fewer, bigger NodeClaims pack with less waste.
    if (cap == nullptr || cost < bestCost || (cost == bestCost && candidate->price > cap->price)) {
      bestCost = cost;
      cap = candidate;
    }
  }
  return cap;
}

namespace {

// Whether `request` asks more of cpu than of memory, each relative to `shape`.
bool leansToCpuFor(const ResourceVector& request, const ResourceVector& shape) {
  return static_cast<double>(request.core(ResourceVector::kCpu)) *
             static_cast<double>(shape.core(ResourceVector::kMemory)) >=
         static_cast<double>(request.core(ResourceVector::kMemory)) *
             static_cast<double>(shape.core(ResourceVector::kCpu));
}

// Pods of one lean, largest first, taken one by one.
class RepackQueue final {
 public:
  explicit RepackQueue(std::vector<const PreparedPod*> pods)
      : pods_(std::move(pods)), taken_(pods_.size(), false) {}

  // The first pod not yet taken, or null.
  const PreparedPod* front() {
    while (front_ < pods_.size() && taken_[front_]) {
      ++front_;
    }
    return front_ < pods_.size() ? pods_[front_] : nullptr;
  }
  void takeFront() { taken_[front_] = true; }
  // Adds to `claim` the first pod not yet taken that it accepts; that pod, or null.
  const PreparedPod* takeFirstAccepted(InFlightNodeClaim& claim) {
    for (size_t i = front_; i < pods_.size(); ++i) {
      if (!taken_[i] && claim.mayHold(pods_[i]->requests()) && claim.tryAdd(*pods_[i], nullptr)) {
        taken_[i] = true;
        return pods_[i];
      }
    }
    return nullptr;
  }

 private:
  std::vector<const PreparedPod*> pods_;
  std::vector<bool> taken_;
  size_t front_ = 0;
};

// Whether `claim`'s memory fill (of its cap type) is at least its cpu fill.
bool memoryFillAhead(const InFlightNodeClaim& claim) {
  const ResourceVector& used = claim.podRequests();
  const ResourceVector& shape = claim.capShape();
  return static_cast<double>(used.core(ResourceVector::kMemory)) *
             static_cast<double>(shape.core(ResourceVector::kCpu)) >=
         static_cast<double>(used.core(ResourceVector::kCpu)) *
             static_cast<double>(shape.core(ResourceVector::kMemory));
}

}  // namespace

BalancedRepack::BalancedRepack(std::vector<std::unique_ptr<InFlightNodeClaim>>& claims,
                               Topology* topology, size_t& hostnameSequence)
    : claims_(claims), topology_(topology), hostnameSequence_(hostnameSequence) {}

void BalancedRepack::run() {
  std::vector<const NodeClaimTemplate*> templates;
  for (const auto& claim : claims_) {
    if (claim->capped() && claim->onlyFreePods() &&
        std::find(templates.begin(), templates.end(), &claim->nodeClaimTemplate()) ==
            templates.end()) {
      templates.push_back(&claim->nodeClaimTemplate());
    }
  }
  for (const auto* nodeClaimTemplate : templates) {
    repack(*nodeClaimTemplate);
  }
}

bool BalancedRepack::repack(const NodeClaimTemplate& nodeClaimTemplate) {
  std::vector<bool> replaced(claims_.size(), false);
  std::vector<const PreparedPod*> pods;
  ResourceVector leftover;
  double before = 0;
  for (size_t i = 0; i < claims_.size(); ++i) {
    const InFlightNodeClaim& claim = *claims_[i];
    if (claim.capped() && claim.onlyFreePods() &&
        &claim.nodeClaimTemplate() == &nodeClaimTemplate) {
      replaced[i] = true;
      before += claim.cheapestPrice();
      for (const auto* pod : claim.preparedPods()) {
        pods.push_back(pod);
        leftover += pod->requests();
      }
    }
  }
  if (pods.size() < 2) {
    return false;
  }
  // Leans are judged against the shape that covers the whole demand best.
  const Candidate* shape = packingCapType(nodeClaimTemplate.allCandidates(), leftover);
  if (shape == nullptr) {
    return false;
  }
  std::vector<const PreparedPod*> cpuHeavy;
  std::vector<const PreparedPod*> memoryHeavy;
  for (const auto* pod : pods) {
    (leansToCpuFor(pod->requests(), shape->headroom) ? cpuHeavy : memoryHeavy).push_back(pod);
  }
  // Largest first in the resource each leans to (queue order settles the rest).
  std::sort(cpuHeavy.begin(), cpuHeavy.end(),
            [](const PreparedPod* a, const PreparedPod* b) { return queueBefore(*a, *b); });
  std::sort(memoryHeavy.begin(), memoryHeavy.end(), [](const PreparedPod* a, const PreparedPod* b) {
    const int64_t x = a->requests().core(ResourceVector::kMemory);
    const int64_t y = b->requests().core(ResourceVector::kMemory);
    return x != y ? x > y : queueBefore(*a, *b);
  });
  RepackQueue cpuQueue(std::move(cpuHeavy));
  RepackQueue memoryQueue(std::move(memoryHeavy));
  fresh_.clear();
  for (size_t placed = 0; placed < pods.size();) {
    RepackQueue& opener = cpuQueue.front() != nullptr ? cpuQueue : memoryQueue;
    const PreparedPod* first = opener.front();
    if (!openFresh(*first, nodeClaimTemplate, leftover)) {
      fresh_.clear();
      return false;
    }
    opener.takeFront();
    leftover -= first->requests();
    ++placed;
    InFlightNodeClaim& claim = *fresh_.back();
    for (;;) {
      // The pod that evens the fill out, else any pod that still fits.
      RepackQueue& preferred = memoryFillAhead(claim) ? cpuQueue : memoryQueue;
      RepackQueue& other = &preferred == &cpuQueue ? memoryQueue : cpuQueue;
      const PreparedPod* added = preferred.takeFirstAccepted(claim);
      if (added == nullptr) {
        added = other.takeFirstAccepted(claim);
      }
      if (added == nullptr) {
        break;
      }
      leftover -= added->requests();
      ++placed;
    }
  }
  double after = 0;
  for (const auto& claim : fresh_) {
    after += claim->cheapestPrice();
  }
  if (after >= before - 1e-9) {
    fresh_.clear();
    return false;
  }
  commit(replaced);
  return true;
}

bool BalancedRepack::openFresh(const PreparedPod& pod, const NodeClaimTemplate& nodeClaimTemplate,
                               const ResourceVector& leftover) {
  // Numbered as if kept: commit registers the same names in the same order.
  auto claim = std::make_unique<InFlightNodeClaim>(
      nodeClaimTemplate, nodeClaimTemplate.allCandidates(),
      placeholderHostname(hostnameSequence_ + fresh_.size()), topology_);
  if (!claim->tryAdd(pod, nullptr)) {
    return false;
  }
  const Candidate* capType = packingCapType(claim->candidates(), leftover);
  if (capType == nullptr) {
    return false;
  }
  claim->capPrice(*capType);
  fresh_.push_back(std::move(claim));
  return true;
}

void BalancedRepack::commit(const std::vector<bool>& replaced) {
  for (auto& claim : fresh_) {
    topology_->registerHostname(placeholderHostname(hostnameSequence_++),
                                &claim->nodeClaimTemplate().requirements,
                                &claim->nodeClaimTemplate().taints);
  }
  std::vector<std::unique_ptr<InFlightNodeClaim>> kept;
  kept.reserve(claims_.size() + fresh_.size());
  for (size_t i = 0; i < claims_.size(); ++i) {
    if (!replaced[i]) {
      kept.push_back(std::move(claims_[i]));
    }
  }
  for (auto& claim : fresh_) {
    kept.push_back(std::move(claim));
  }
  claims_ = std::move(kept);
  fresh_.clear();
}

}  // namespace karpenter::scheduling::solver
