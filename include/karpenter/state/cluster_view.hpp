#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "karpenter/extender/decisions.hpp"
#include "karpenter/state/snapshot.hpp"

namespace karpenter::state {

// The node label the price is read from when known (KWOK and eks-node-viewer write it; the AWS
// provider will supply prices through the NodeClaim later). Unparseable or absent ⇒ 0.
inline constexpr std::string_view kInstancePriceLabelKey = "eks-node-viewer/instance-price";

// The extender's facts about one entry: managed (has a NodeClaim), the karpenter.sh/disrupted
// NoSchedule taint, Node / NodeClaim deletionTimestamps, Consolidatable/Drifted NodeClaim
// conditions, price (kInstancePriceLabelKey on the Node, else the NodeClaim), allocatable and
// requested cpu/memory. `expiring` is left false: it needs the NodePool's expireAfter and a
// clock, which the disruption controller owns. Pure.
extender::NodeFacts nodeFacts(const StateNode& entry);

// extender::ClusterView over one snapshot. Node facts are computed when an entry is built (so
// this is a lookup); nominations are judged against `now`.
// Thread safety: immutable; safe from any thread.
class SnapshotClusterView final : public extender::ClusterView {
 public:
  SnapshotClusterView(std::shared_ptr<const ClusterSnapshot> snapshot,
                      std::chrono::steady_clock::time_point now);

  // extender::ClusterView
  const extender::NodeFacts* node(std::string_view name) const override;
  std::optional<std::string> nominatedNode(std::string_view podUID) const override;

 private:
  std::shared_ptr<const ClusterSnapshot> snapshot_;
  std::chrono::steady_clock::time_point now_;
};

}  // namespace karpenter::state
