#include "karpenter/state/cluster_view.hpp"

#include <charconv>

#include "karpenter/api/conditions.hpp"
#include "karpenter/api/well_known.hpp"

namespace karpenter::state {
namespace {

int64_t milliCpu(const api::ResourceList& list) {
  auto it = list.find("cpu");
  return it == list.end() ? 0 : it->second.milliValue();
}

int64_t memoryBytes(const api::ResourceList& list) {
  auto it = list.find("memory");
  return it == list.end() ? 0 : it->second.value();
}

double priceFrom(const api::Labels& labels) {
  auto it = labels.find(kInstancePriceLabelKey);
  if (it == labels.end()) {
    return 0;
  }
  double price = 0;
  const auto& text = it->second;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), price);
  return error == std::errc() && end == text.data() + text.size() && price > 0 ? price : 0;
}

}  // namespace

extender::NodeFacts nodeFacts(const StateNode& entry) {
  extender::NodeFacts facts;
  facts.managed = entry.nodeClaim != nullptr;
  if (entry.node) {
    for (const auto& taint : entry.node->spec.taints) {
      if (taint.key == api::kDisruptedTaintKey && taint.effect == "NoSchedule") {
        facts.disruptedTaint = true;
      }
    }
    facts.deleting = entry.node->metadata.deletionTimestamp.has_value();
    facts.allocatableMilliCpu = milliCpu(entry.node->status.allocatable);
    facts.allocatableMemoryBytes = memoryBytes(entry.node->status.allocatable);
    facts.pricePerHour = priceFrom(entry.node->metadata.labels);
  }
  if (entry.nodeClaim) {
    const auto& conditions = entry.nodeClaim->status.conditions;
    facts.nodeClaimDeleting = entry.nodeClaim->metadata.deletionTimestamp.has_value();
    facts.consolidatable = api::isConditionTrue(conditions, api::kConditionTypeConsolidatable);
    facts.drifted = api::isConditionTrue(conditions, api::kConditionTypeDrifted);
    if (facts.pricePerHour == 0) {
      facts.pricePerHour = priceFrom(entry.nodeClaim->metadata.labels);
    }
    if (!entry.node) {
      facts.allocatableMilliCpu = milliCpu(entry.nodeClaim->status.allocatable);
      facts.allocatableMemoryBytes = memoryBytes(entry.nodeClaim->status.allocatable);
    }
  }
  facts.requestedMilliCpu = milliCpu(entry.requested);
  facts.requestedMemoryBytes = memoryBytes(entry.requested);
  return facts;
}

SnapshotClusterView::SnapshotClusterView(std::shared_ptr<const ClusterSnapshot> snapshot,
                                         std::chrono::steady_clock::time_point now)
    : snapshot_(std::move(snapshot)), now_(now) {}

const extender::NodeFacts* SnapshotClusterView::node(std::string_view name) const {
  const StateNode* entry = snapshot_->node(name);
  return entry == nullptr ? nullptr : &entry->facts;
}

std::optional<std::string> SnapshotClusterView::nominatedNode(std::string_view podUID) const {
  auto target = snapshot_->nominatedTarget(podUID, now_);
  // The provisioner nominates pods to NodeClaims; kube-scheduler asks about the node that
  // registered for it.
  if (target && snapshot_->node(*target) == nullptr) {
    const StateNode* entry = snapshot_->nodeForNodeClaim(*target);
    if (entry != nullptr && entry->node != nullptr) {
      return entry->node->metadata.name;
    }
  }
  return target;
}

}  // namespace karpenter::state
