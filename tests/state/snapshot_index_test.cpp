// ClusterSnapshot's hash index: node() and nodeForNodeClaim() answer from it when it was built
// for the snapshot's maps, and from the maps themselves when it was not.
#include <gtest/gtest.h>

#include "karpenter/state/cluster_state.hpp"
#include "karpenter/state/transforms.hpp"
#include "state/state_fixtures.hpp"

namespace karpenter::state {
namespace {

using namespace std::chrono_literals;
using testing::nodeClaimJson;
using testing::nodeJson;

class SnapshotIndexTest : public ::testing::Test {
 protected:
  SnapshotIndexTest() : state_({.publishInterval = 1h, .now = [] { return kNow; }}) {}

  static constexpr std::chrono::steady_clock::time_point kNow{};
  ClusterState state_;
};

TEST_F(SnapshotIndexTest, PublishedSnapshotsAreIndexedByNodeAndNodeClaimName) {
  for (int i = 0; i < 50; ++i) {
    const std::string n = std::to_string(i);
    state_.apply(Change::kUpsert, compactNode(nodeJson("node-" + n, "aws:///a/i-" + n)));
    // Even claims have joined their node; odd ones point at instances with no node yet.
    const std::string providerId = "aws:///a/i-" + std::to_string(i % 2 == 0 ? i : 1000 + i);
    state_.apply(Change::kUpsert, compactNodeClaim(nodeClaimJson("claim-" + n, providerId)));
  }
  auto snapshot = state_.flush();
  ASSERT_NE(snapshot->index, nullptr);
  EXPECT_EQ(snapshot->index->nodes, snapshot->nodes);
  EXPECT_EQ(snapshot->index->byNodeName.size(), 50u);
  EXPECT_EQ(snapshot->index->byNodeClaimName.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    const std::string n = std::to_string(i);
    const StateNode* node = snapshot->node("node-" + n);
    ASSERT_NE(node, nullptr) << n;
    EXPECT_EQ(node, snapshot->nodes->at("node-" + n).get());
    const StateNode* claimed = snapshot->nodeForNodeClaim("claim-" + n);
    ASSERT_NE(claimed, nullptr) << n;
    if (i % 2 == 0) {
      EXPECT_EQ(claimed, node);
    } else {
      EXPECT_TRUE(claimed->inFlight());
      EXPECT_EQ(claimed, snapshot->inFlight->at("claim-" + n).get());
    }
  }
  EXPECT_EQ(snapshot->node("claim-1"), nullptr);  // NodeClaim names are not node names
  EXPECT_EQ(snapshot->node("node-50"), nullptr);
  EXPECT_EQ(snapshot->nodeForNodeClaim("node-0"), nullptr);

  // A later publication re-indexes; the earlier snapshot keeps its own index.
  state_.apply(Change::kDelete, compactNode(nodeJson("node-0", "aws:///a/i-0")));
  auto next = state_.flush();
  EXPECT_EQ(next->node("node-0"), nullptr);
  EXPECT_TRUE(next->nodeForNodeClaim("claim-0")->inFlight());  // its node went away
  EXPECT_NE(snapshot->node("node-0"), nullptr);
}

TEST_F(SnapshotIndexTest, AnIndexBuiltForOtherMapsIsIgnored) {
  state_.apply(Change::kUpsert, compactNode(nodeJson("old", "aws:///a/i-1")));
  state_.apply(Change::kUpsert, compactNodeClaim(nodeClaimJson("claim", "aws:///a/i-1")));
  ClusterSnapshot copy = *state_.flush();
  auto replaced = std::make_shared<ClusterSnapshot::NodeMap>();
  (*replaced)["new"] = copy.nodes->at("old");
  copy.nodes = replaced;  // the index still describes the old map
  EXPECT_EQ(copy.node("old"), nullptr);
  EXPECT_NE(copy.node("new"), nullptr);
  EXPECT_EQ(copy.nodeForNodeClaim("claim"), copy.node("new"));
  copy.reindex();
  EXPECT_EQ(copy.index->nodes, copy.nodes);
  EXPECT_NE(copy.node("new"), nullptr);
  EXPECT_EQ(copy.nodeForNodeClaim("claim"), copy.node("new"));
}

TEST(ClusterSnapshot, EmptyIsIndexed) {
  const ClusterSnapshot empty = ClusterSnapshot::empty();
  ASSERT_NE(empty.index, nullptr);
  EXPECT_EQ(empty.node("x"), nullptr);
  EXPECT_EQ(empty.nodeForNodeClaim("x"), nullptr);
}

}  // namespace
}  // namespace karpenter::state
