// NodeNameTable, the flat hash table behind the snapshot's node index.
#include "karpenter/state/node_name_table.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "karpenter/state/snapshot.hpp"

namespace karpenter::state {
namespace {

std::string fleetName(int i) {
  return "ip-10-0-" + std::to_string(i / 250) + "-" + std::to_string(i % 250) +
         ".us-west-2.compute.internal";
}

TEST(NodeNameTable, EmptyFindsNothing) {
  const NodeNameTable table;
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.find(""), nullptr);
  EXPECT_EQ(table.find("node"), nullptr);
}

TEST(NodeNameTable, FindsEveryNameAndNothingElseWhileGrowing) {
  // No reserve(): the table grows (and rehashes) many times on the way to 5,000 names.
  std::vector<StateNode> entries(5000);
  NodeNameTable table;
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(table.insert(fleetName(i), &entries[i])) << i;
  }
  EXPECT_EQ(table.size(), 5000u);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(table.find(fleetName(i)), &entries[i]) << fleetName(i);
  }
  for (int i = 5000; i < 10000; ++i) {
    ASSERT_EQ(table.find(fleetName(i)), nullptr) << fleetName(i);
  }
  // Prefixes, extensions and a changed last byte of a known name are other names.
  const std::string known = fleetName(42);
  EXPECT_EQ(table.find(known.substr(0, known.size() - 1)), nullptr);
  EXPECT_EQ(table.find(known + "x"), nullptr);
  EXPECT_EQ(table.find(known.substr(0, known.size() - 1) + "m"), nullptr);
  EXPECT_EQ(table.find(""), nullptr);
}

TEST(NodeNameTable, TheFirstEntryOfANameWins) {
  StateNode first;
  StateNode second;
  NodeNameTable table;
  table.reserve(2);
  EXPECT_TRUE(table.insert("claim", &first));
  EXPECT_FALSE(table.insert("claim", &second));
  EXPECT_TRUE(table.insert("", &second));  // the empty name is a name like any other
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.find("claim"), &first);
  EXPECT_EQ(table.find(""), &second);
}

TEST(NodeNameTable, KeysAreCopiedNotReferenced) {
  StateNode entry;
  NodeNameTable table;
  std::string name = "node-a";
  table.insert(name, &entry);
  name = "node-b";  // the caller's buffer changes after the insert
  EXPECT_EQ(table.find("node-a"), &entry);
  EXPECT_EQ(table.find("node-b"), nullptr);
}

}  // namespace
}  // namespace karpenter::state
