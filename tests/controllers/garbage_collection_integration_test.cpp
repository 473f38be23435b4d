// Garbage collection on the test apiserver and the simulated cloud, driven through collect():
// leaked instances are terminated after the orphan grace, NodeClaims whose instance vanished
// are deleted, and instances that have a NodeClaim are left alone.

#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "controller_fixture.hpp"

namespace karpenter::controllers {
namespace {

using namespace test;

class GarbageCollectionLoop : public ControllerLoop {
 protected:
  // GC's own thread never fires (collect() is called here, never concurrently with it); the
  // orphan grace is short enough to wait out.
  static op::ControllerManager::Options gcOptions() {
    auto options = fastOptions();
    options.garbageCollection.interval = std::chrono::hours(1);
    options.garbageCollection.orphanGrace = 300ms;
    return options;
  }

  // Runs one pod through the whole loop; returns its NodeClaim (launched, registered).
  json launchOne(const std::string& podName) {
    createPod(pendingPod(podName, "500m"));
    EXPECT_TRUE(eventually([&] { return runningPods() >= 1; }));
    for (const auto& nodeClaim : list(kNodeClaims)) {
      return nodeClaim;
    }
    ADD_FAILURE() << "no nodeclaim";
    return json();
  }

  bool cloudHas(const std::string& providerID) {
    const auto instances = cloud_->instances();
    return std::any_of(instances.begin(), instances.end(),
                       [&](const auto& i) { return i.providerID == providerID; });
  }

  // Waits until the state holds every NodeClaim the apiserver has, so collect() judges the
  // cluster as it is rather than a stale snapshot.
  bool stateCaughtUp() {
    return eventually(
        [&] { return manager_->state().flush()->nodeClaims->size() == list(kNodeClaims).size(); });
  }

  // A NodeClaim the cloud can launch (m5.large, on-demand) that is never stored.
  static api::NodeClaim unstoredNodeClaim(const std::string& name) {
    api::NodeClaim nodeClaim;
    nodeClaim.metadata.name = name;
    nodeClaim.spec.requirements = {
        {.key = "node.kubernetes.io/instance-type", .op = "In", .values = {"m5.large"}},
        {.key = "karpenter.sh/capacity-type", .op = "In", .values = {"on-demand"}}};
    return nodeClaim;
  }
};

TEST_F(GarbageCollectionLoop, LeakedInstancesAreTerminatedAfterTheGraceAndOwnedOnesAreNot) {
  create(kNodeClasses, ec2NodeClass("default"));
  create(kNodePools, nodePool("general"));
  start(gcOptions());
  const json owned = launchOne("kept");
  const std::string ownedID = owned["status"].value("providerID", "");
  ASSERT_FALSE(ownedID.empty());

  auto leaked = cloud_->create(unstoredNodeClaim("leaked"));
  ASSERT_TRUE(leaked) << leaked.error().message;
  const std::string leakedID = leaked->status.providerID;
  ASSERT_TRUE(stateCaughtUp());

  // Within the grace a leak is left alone: its NodeClaim may still be being written.
  auto first = manager_->garbageCollection().collect();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->instancesTerminated, 0u);
  EXPECT_TRUE(cloudHas(leakedID));

  std::this_thread::sleep_for(400ms);
  auto second = manager_->garbageCollection().collect();
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->instancesTerminated, 1u);
  EXPECT_EQ(second->nodeClaimsDeleted, 0u);
  EXPECT_FALSE(cloudHas(leakedID));

  // The owned instance survives any number of passes, long past the grace.
  std::this_thread::sleep_for(400ms);
  auto third = manager_->garbageCollection().collect();
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_EQ(third->instancesTerminated, 0u);
  EXPECT_EQ(third->nodeClaimsDeleted, 0u);
  EXPECT_TRUE(cloudHas(ownedID));
  EXPECT_FALSE(get(kNodeClaims.named(owned["metadata"]["name"])).is_null());
  EXPECT_EQ(runningPods(), 1u);
}

// The controller died between CreateFleet and the status update and the NodeClaim was launched
// again: the first instance carries the NodeClaim's name but not the providerID it recorded.
TEST_F(GarbageCollectionLoop, AnInstanceNamedForANodeClaimThatRecordsAnotherIsALeak) {
  create(kNodeClasses, ec2NodeClass("default"));
  create(kNodePools, nodePool("general"));
  start(gcOptions());
  const json owned = launchOne("kept");
  const std::string name = owned["metadata"]["name"];
  const std::string ownedID = owned["status"].value("providerID", "");
  ASSERT_FALSE(ownedID.empty());
  auto remnant = cloud_->create(unstoredNodeClaim(name));
  ASSERT_TRUE(remnant) << remnant.error().message;
  ASSERT_EQ(remnant->metadata.name, name);
  ASSERT_TRUE(stateCaughtUp());

  auto first = manager_->garbageCollection().collect();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->instancesTerminated, 0u);
  std::this_thread::sleep_for(400ms);
  auto second = manager_->garbageCollection().collect();
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->instancesTerminated, 1u);
  EXPECT_FALSE(cloudHas(remnant->status.providerID));
  EXPECT_TRUE(cloudHas(ownedID));
  EXPECT_EQ(runningPods(), 1u);
}

TEST_F(GarbageCollectionLoop, ANodeClaimWhoseInstanceVanishedIsDeleted) {
  create(kNodeClasses, ec2NodeClass("default"));
  create(kNodePools, nodePool("general"));
  start(gcOptions());
  const json nodeClaim = launchOne("victim");
  const std::string name = nodeClaim["metadata"]["name"];
  auto decoded = api::decodeJson<api::NodeClaim>(nodeClaim);
  ASSERT_TRUE(decoded);
  // Behind Karpenter's back (a user in the console, a spot interruption).
  ASSERT_TRUE(cloud_->remove(*decoded));
  ASSERT_FALSE(cloudHas(decoded->status.providerID));
  ASSERT_TRUE(stateCaughtUp());

  auto collected = manager_->garbageCollection().collect();
  ASSERT_TRUE(collected) << collected.error().message;
  EXPECT_EQ(collected->nodeClaimsDeleted, 1u);
  EXPECT_EQ(collected->instancesTerminated, 0u);
  // The lifecycle's finalizer runs and the NodeClaim goes.
  ASSERT_TRUE(eventually([&] { return get(kNodeClaims.named(name)).is_null(); }));
}

}  // namespace
}  // namespace karpenter::controllers
