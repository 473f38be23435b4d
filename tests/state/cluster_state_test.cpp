#include "karpenter/state/cluster_state.hpp"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "karpenter/state/cluster_view.hpp"
#include "karpenter/state/transforms.hpp"
#include "state/state_fixtures.hpp"

namespace karpenter::state {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::csiNodeJson;
using testing::daemonSetPodJson;
using testing::nodeClaimJson;
using testing::nodeJson;
using testing::podJson;

class ClusterStateTest : public ::testing::Test {
 protected:
  // Publication happens only on flush(), so every snapshot below is exact and deterministic.
  ClusterStateTest() : state_({.publishInterval = 1h, .now = [this] { return now_; }}) {}

  void pod(Change change, const json& object) { state_.apply(change, compactPod(object)); }
  void node(Change change, const json& object) { state_.apply(change, compactNode(object)); }
  void claim(Change change, const json& object) { state_.apply(change, compactNodeClaim(object)); }

  std::chrono::steady_clock::time_point now_{};
  ClusterState state_;
};

std::vector<std::string> podNames(const StateNode& entry) {
  std::vector<std::string> names;
  for (const auto& pod : entry.pods) {
    names.push_back(pod->metadata.name);
  }
  return names;
}

TEST_F(ClusterStateTest, PodsBoundPerNodeWithRequestsAndDaemonSetOverhead) {
  node(Change::kUpsert, nodeJson("n1", "aws:///a/i-1"));
  node(Change::kUpsert, nodeJson("n2", "aws:///a/i-2"));
  pod(Change::kUpsert, podJson("a", "n1", "500m", "1Gi"));
  pod(Change::kUpsert, podJson("b", "n1", "250m", "512Mi"));
  pod(Change::kUpsert, daemonSetPodJson("agent-n1", "n1"));
  pod(Change::kUpsert, podJson("c", "n2", "1", "2Gi"));
  auto snapshot = state_.flush();
  const StateNode* n1 = snapshot->node("n1");
  ASSERT_NE(n1, nullptr);
  EXPECT_EQ(podNames(*n1), (std::vector<std::string>{"a", "b", "agent-n1"}));
  EXPECT_EQ(n1->requested.at("cpu").milliValue(), 850);
  EXPECT_EQ(n1->requested.at("memory").value(), (1536 + 128) * 1024 * 1024);
  EXPECT_EQ(n1->daemonSetPods, 1u);
  EXPECT_EQ(n1->daemonSetRequested.at("cpu").milliValue(), 100);
  EXPECT_EQ(snapshot->node("n2")->requested.at("cpu").milliValue(), 1000);
  EXPECT_FALSE(n1->managed());
}

TEST_F(ClusterStateTest, PendingPodsMoveToTheirNodeWhenBoundAndTerminalPodsAreNotCounted) {
  node(Change::kUpsert, nodeJson("n1", "aws:///a/i-1"));
  pod(Change::kUpsert, podJson("p", ""));
  auto before = state_.flush();
  EXPECT_EQ(before->pendingPods->size(), 1u);
  EXPECT_TRUE(before->pendingPods->contains("default/p"));
  EXPECT_TRUE(before->node("n1")->pods.empty());

  pod(Change::kUpsert, podJson("p", "n1"));
  auto bound = state_.flush();
  EXPECT_TRUE(bound->pendingPods->empty());
  EXPECT_EQ(podNames(*bound->node("n1")), std::vector<std::string>{"p"});

  json done = podJson("p", "n1");
  done["status"]["phase"] = "Succeeded";
  pod(Change::kUpsert, done);
  auto finished = state_.flush();
  EXPECT_TRUE(finished->node("n1")->pods.empty());
  EXPECT_TRUE(finished->node("n1")->requested.empty());

  pod(Change::kUpsert, podJson("q", "n1"));
  pod(Change::kDelete, podJson("q", "n1"));
  EXPECT_TRUE(state_.flush()->node("n1")->pods.empty());
  // The earlier snapshots are immutable.
  EXPECT_EQ(before->pendingPods->size(), 1u);
  EXPECT_EQ(bound->node("n1")->pods.size(), 1u);
}

TEST_F(ClusterStateTest, PodsBoundBeforeTheirNodeAppearsAreJoinedWhenItDoes) {
  pod(Change::kUpsert, podJson("early", "late-node"));
  EXPECT_EQ(state_.flush()->node("late-node"), nullptr);
  node(Change::kUpsert, nodeJson("late-node", "aws:///a/i-9"));
  auto snapshot = state_.flush();
  ASSERT_NE(snapshot->node("late-node"), nullptr);
  EXPECT_EQ(podNames(*snapshot->node("late-node")), std::vector<std::string>{"early"});
}

TEST_F(ClusterStateTest, NodeClaimsJoinNodesByProviderIdElseByNodeNameAndOthersAreInFlight) {
  claim(Change::kUpsert, nodeClaimJson("claim-a", "aws:///a/i-1"));
  claim(Change::kUpsert, nodeClaimJson("claim-b", "", "n2"));
  claim(Change::kUpsert, nodeClaimJson("claim-c", "aws:///a/i-3"));
  auto launched = state_.flush();
  EXPECT_EQ(launched->inFlight->size(), 3u);
  ASSERT_NE(launched->nodeForNodeClaim("claim-c"), nullptr);
  EXPECT_TRUE(launched->nodeForNodeClaim("claim-c")->inFlight());

  node(Change::kUpsert, nodeJson("n1", "aws:///a/i-1"));
  node(Change::kUpsert, nodeJson("n2", "aws:///a/i-2"));
  auto joined = state_.flush();
  ASSERT_NE(joined->node("n1")->nodeClaim, nullptr);
  EXPECT_EQ(joined->node("n1")->nodeClaim->metadata.name, "claim-a");
  ASSERT_NE(joined->node("n2")->nodeClaim, nullptr);
  EXPECT_EQ(joined->node("n2")->nodeClaim->metadata.name, "claim-b");
  EXPECT_EQ(joined->inFlight->size(), 1u);
  EXPECT_TRUE(joined->inFlight->contains("claim-c"));
  EXPECT_EQ(joined->nodeForNodeClaim("claim-a"), joined->node("n1"));
  EXPECT_EQ(joined->nodeClaims->size(), 3u);

  // A NodeClaim update reaches the joined node's entry; deleting it unmanages the node.
  json drifted = nodeClaimJson("claim-a", "aws:///a/i-1");
  drifted["status"]["conditions"] = {{{"type", "Drifted"}, {"status", "True"}}};
  claim(Change::kUpsert, drifted);
  EXPECT_TRUE(state_.flush()->node("n1")->facts.drifted);
  claim(Change::kDelete, drifted);
  EXPECT_FALSE(state_.flush()->node("n1")->managed());
}

TEST_F(ClusterStateTest, PublishingSharesEveryUnchangedEntry) {
  for (int i = 0; i < 20; ++i) {
    node(Change::kUpsert, nodeJson("n" + std::to_string(i), "p" + std::to_string(i)));
  }
  pod(Change::kUpsert, podJson("pending", ""));
  auto first = state_.flush();
  pod(Change::kUpsert, podJson("x", "n7"));
  auto second = state_.flush();
  EXPECT_GT(second->version, first->version);
  for (int i = 0; i < 20; ++i) {
    const std::string name = "n" + std::to_string(i);
    if (i == 7) {
      EXPECT_NE(second->node(name), first->node(name));
    } else {
      EXPECT_EQ(second->node(name), first->node(name)) << name << " was rebuilt needlessly";
    }
  }
  EXPECT_EQ(second->pendingPods, first->pendingPods);
  EXPECT_EQ(second->nodePools, first->nodePools);
  EXPECT_EQ(second->inFlight, first->inFlight);
}

TEST_F(ClusterStateTest, SnapshotChangesOnlyWhenPublished) {
  auto before = state_.snapshot();
  node(Change::kUpsert, nodeJson("n1", "p1"));
  EXPECT_EQ(state_.snapshot(), before) << "publishInterval is 1h: nothing published yet";
  auto flushed = state_.flush();
  EXPECT_NE(flushed, before);
  EXPECT_EQ(state_.snapshot(), flushed);
  EXPECT_EQ(state_.flush(), flushed) << "nothing changed: nothing to publish";
}

TEST(ClusterStateBatchingTest, BackgroundPublisherPublishesWithoutFlush) {
  ClusterState state({.publishInterval = 5ms});
  state.apply(Change::kUpsert, compactNode(nodeJson("n1", "p1")));
  for (int i = 0; i < 2000 && state.snapshot()->node("n1") == nullptr; ++i) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_NE(state.snapshot()->node("n1"), nullptr);
}

TEST(ClusterStateBatchingTest, ZeroIntervalPublishesOnEveryApply) {
  ClusterState state({.publishInterval = 0ms});
  state.apply(Change::kUpsert, compactNode(nodeJson("n1", "p1")));
  EXPECT_NE(state.snapshot()->node("n1"), nullptr);
}

TEST_F(ClusterStateTest, NominationsExpireAndMarksCanBeUndone) {
  state_.nominate("uid-1", "claim-a", 10s);
  state_.markForDeletion("n1");
  auto snapshot = state_.flush();
  EXPECT_EQ(snapshot->nominatedTarget("uid-1", now_), "claim-a");
  EXPECT_EQ(snapshot->nominatedTarget("uid-1", now_ + 10s), std::nullopt);
  EXPECT_EQ(snapshot->nominatedTarget("uid-2", now_), std::nullopt);
  EXPECT_TRUE(snapshot->isMarkedForDeletion("n1"));
  now_ += 11s;
  state_.unmarkForDeletion("n1");
  auto later = state_.flush();
  EXPECT_TRUE(later->nominations->empty()) << "expired nominations are pruned on publish";
  EXPECT_FALSE(later->isMarkedForDeletion("n1"));
  EXPECT_TRUE(snapshot->isMarkedForDeletion("n1"));
}

TEST_F(ClusterStateTest, SyncedFlagIsPublished) {
  EXPECT_FALSE(state_.flush()->synced);
  state_.setSynced(true);
  EXPECT_TRUE(state_.flush()->synced);
}

TEST_F(ClusterStateTest, ClusterViewReportsNodeFactsAndNominations) {
  json managed = nodeJson("n1", "aws:///a/i-1", "4", "16Gi");
  managed["metadata"]["labels"]["eks-node-viewer/instance-price"] = "0.192";
  managed["spec"]["taints"] = {{{"key", "karpenter.sh/disrupted"}, {"effect", "NoSchedule"}}};
  node(Change::kUpsert, managed);
  json nodeClaim = nodeClaimJson("claim-a", "aws:///a/i-1");
  nodeClaim["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  nodeClaim["status"]["conditions"] = {{{"type", "Consolidatable"}, {"status", "True"}},
                                       {{"type", "Drifted"}, {"status", "False"}}};
  claim(Change::kUpsert, nodeClaim);
  json deleting = nodeJson("n2", "other://2");
  deleting["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  node(Change::kUpsert, deleting);
  pod(Change::kUpsert, podJson("a", "n1", "1500m", "2Gi"));
  state_.nominate("uid-pending", "n2", 5s);

  SnapshotClusterView view(state_.flush(), now_);
  const extender::NodeFacts* n1 = view.node("n1");
  ASSERT_NE(n1, nullptr);
  EXPECT_TRUE(n1->managed);
  EXPECT_TRUE(n1->disruptedTaint);
  EXPECT_FALSE(n1->deleting);
  EXPECT_TRUE(n1->nodeClaimDeleting);
  EXPECT_TRUE(n1->consolidatable);
  EXPECT_FALSE(n1->drifted);
  EXPECT_DOUBLE_EQ(n1->pricePerHour, 0.192);
  EXPECT_EQ(n1->allocatableMilliCpu, 4000);
  EXPECT_EQ(n1->allocatableMemoryBytes, int64_t{16} << 30);
  EXPECT_EQ(n1->requestedMilliCpu, 1500);
  EXPECT_EQ(n1->requestedMemoryBytes, int64_t{2} << 30);
  const extender::NodeFacts* n2 = view.node("n2");
  ASSERT_NE(n2, nullptr);
  EXPECT_FALSE(n2->managed);
  EXPECT_TRUE(n2->deleting);
  EXPECT_DOUBLE_EQ(n2->pricePerHour, 0);
  EXPECT_EQ(view.node("unknown"), nullptr);
  EXPECT_EQ(view.nominatedNode("uid-pending"), "n2");
  EXPECT_EQ(SnapshotClusterView(state_.snapshot(), now_ + 5s).nominatedNode("uid-pending"),
            std::nullopt);
}

// The provisioner nominates pods to NodeClaims; kube-scheduler asks the extender about nodes.
TEST_F(ClusterStateTest, ANominationToANodeClaimResolvesToTheNodeThatRegisteredForIt) {
  claim(Change::kUpsert, nodeClaimJson("claim-a", "aws:///a/i-1"));
  state_.nominate("uid-1", "claim-a", 10s);
  // In flight: no node yet, so the nomination names the NodeClaim.
  EXPECT_EQ(SnapshotClusterView(state_.flush(), now_).nominatedNode("uid-1"), "claim-a");
  node(Change::kUpsert, nodeJson("ip-10-0-0-1.ec2.internal", "aws:///a/i-1"));
  EXPECT_EQ(SnapshotClusterView(state_.flush(), now_).nominatedNode("uid-1"),
            "ip-10-0-0-1.ec2.internal");
}

TEST_F(ClusterStateTest, ExistingNodeForTheSolver) {
  json labelled = nodeJson("n1", "aws:///a/i-1");
  labelled["metadata"]["labels"]["karpenter.sh/nodepool"] = "default";
  labelled["metadata"]["labels"]["karpenter.sh/initialized"] = "true";
  node(Change::kUpsert, labelled);
  pod(Change::kUpsert, podJson("a", "n1"));
  json inFlight = nodeClaimJson("claim-z", "");
  inFlight["spec"]["taints"] = {{{"key", "dedicated"}, {"value", "x"}, {"effect", "NoSchedule"}}};
  inFlight["spec"]["startupTaints"] = {{{"key", "startup"}, {"effect", "NoSchedule"}}};
  claim(Change::kUpsert, inFlight);
  auto snapshot = state_.flush();

  auto existing = snapshot->existingNode(*snapshot->node("n1"));
  EXPECT_EQ(existing.name, "n1");
  EXPECT_TRUE(existing.initialized);
  ASSERT_EQ(existing.pods.size(), 1u);
  EXPECT_EQ(existing.pods[0]->metadata.name, "a");
  EXPECT_EQ(existing.allocatable.at("cpu").milliValue(), 4000);

  auto flying = snapshot->existingNode(*snapshot->inFlight->at("claim-z"));
  EXPECT_EQ(flying.name, "claim-z");
  EXPECT_FALSE(flying.initialized);
  ASSERT_EQ(flying.taints.size(), 1u) << "startup taints are not for pods to tolerate";
  EXPECT_EQ(flying.taints[0].key, "dedicated");
  EXPECT_EQ(flying.labels.at("karpenter.sh/nodepool"), "default");
  EXPECT_EQ(flying.allocatable.at("cpu").milliValue(), 2000);
}

TEST_F(ClusterStateTest, CsiNodeLimitsReachTheSnapshotAndGoAwayWithTheCsiNode) {
  const json drivers = {{{"name", "ebs.csi.aws.com"},
                         {"nodeID", "i-1"},
                         {"topologyKeys", {"topology.ebs.csi.aws.com/zone"}},
                         {"allocatable", {{"count", 25}}}},
                        {{"name", "efs.csi.aws.com"}, {"nodeID", "i-1"}}};
  // A CSINode seen before its Node is kept and applied when the Node appears.
  state_.apply(Change::kUpsert, compactCSINode(csiNodeJson("n1", drivers)));
  EXPECT_EQ(state_.flush()->node("n1"), nullptr);
  node(Change::kUpsert, nodeJson("n1", "aws:///a/i-1"));
  node(Change::kUpsert, nodeJson("n2", "aws:///a/i-2"));
  auto snapshot = state_.flush();
  const VolumeLimits expected{{"ebs.csi.aws.com", 25}};
  ASSERT_NE(snapshot->node("n1")->volumeLimits, nullptr);
  EXPECT_EQ(*snapshot->node("n1")->volumeLimits, expected) << "drivers without a count: no limit";
  EXPECT_EQ(snapshot->existingNode(*snapshot->node("n1")).volumeLimits, expected);
  EXPECT_EQ(snapshot->node("n2")->volumeLimits, nullptr);
  EXPECT_TRUE(snapshot->existingNode(*snapshot->node("n2")).volumeLimits.empty());

  // An update replaces the limits; the unchanged node keeps its shared entry.
  json raised = drivers;
  raised[0]["allocatable"]["count"] = 39;
  state_.apply(Change::kUpsert, compactCSINode(csiNodeJson("n1", raised)));
  auto updated = state_.flush();
  EXPECT_EQ(updated->node("n1")->volumeLimits->at("ebs.csi.aws.com"), 39);
  EXPECT_EQ(updated->nodes->at("n2"), snapshot->nodes->at("n2"));
  raised[0]["nodeID"] = "i-1-renamed";
  state_.apply(Change::kUpsert, compactCSINode(csiNodeJson("n1", raised)));
  EXPECT_EQ(state_.flush(), updated) << "same limits: nothing to publish";

  state_.apply(Change::kDelete, compactCSINode(csiNodeJson("n1", raised)));
  auto deleted = state_.flush();
  EXPECT_EQ(deleted->node("n1")->volumeLimits, nullptr);
  EXPECT_TRUE(deleted->existingNode(*deleted->node("n1")).volumeLimits.empty());
  EXPECT_EQ(updated->node("n1")->volumeLimits->at("ebs.csi.aws.com"), 39)
      << "published snapshots are immutable";
}

TEST_F(ClusterStateTest, VolumeInputsHoldWhatThePodsMountAndEveryStorageClass) {
  node(Change::kUpsert, nodeJson("n1", "aws:///a/i-1"));
  json bound = podJson("bound", "n1");
  bound["spec"]["volumes"] = {{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "a"}}}}};
  pod(Change::kUpsert, bound);
  json pending = podJson("pending", "");
  pending["spec"]["volumes"] = {
      {{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "b"}}}},
      {{"name", "scratch"},
       {"ephemeral", {{"volumeClaimTemplate", {{"spec", {{"storageClassName", "gp3"}}}}}}}}};
  pod(Change::kUpsert, pending);
  auto claim = [](const std::string& name, const std::string& volume) {
    json out = {{"apiVersion", "v1"},
                {"kind", "PersistentVolumeClaim"},
                {"metadata", {{"name", name}, {"namespace", "default"}}},
                {"spec", {{"storageClassName", "gp3"}}}};
    if (!volume.empty()) {
      out["spec"]["volumeName"] = volume;
    }
    return out;
  };
  for (const auto& [name, volume] : std::vector<std::pair<std::string, std::string>>{
           {"a", "pv-a"}, {"b", ""}, {"pending-scratch", ""}, {"unrelated", "pv-unrelated"}}) {
    state_.apply(Change::kUpsert, compactPersistentVolumeClaim(claim(name, volume)));
  }
  for (const std::string name : {"pv-a", "pv-unrelated"}) {
    json pv = {{"apiVersion", "v1"},
               {"kind", "PersistentVolume"},
               {"metadata", {{"name", name}}},
               {"spec", {{"csi", {{"driver", "ebs.csi.aws.com"}, {"volumeHandle", name}}}}}};
    state_.apply(Change::kUpsert, compactPersistentVolume(pv));
  }
  json gp3 = {{"apiVersion", "storage.k8s.io/v1"},
              {"kind", "StorageClass"},
              {"metadata", {{"name", "gp3"}}},
              {"provisioner", "ebs.csi.aws.com"}};
  state_.apply(Change::kUpsert, compactStorageClass(gp3));
  auto snapshot = state_.flush();

  scheduling::SchedulerInput input;
  input.existingNodes.push_back(snapshot->existingNode(*snapshot->node("n1")));
  snapshot->addVolumeInputs({snapshot->pendingPods->at("default/pending").get()}, input);
  std::vector<std::string> claims;
  for (const auto& c : input.persistentVolumeClaims) {
    claims.push_back(c.metadata.name);
  }
  EXPECT_EQ(claims, (std::vector<std::string>{"a", "b", "pending-scratch"}));
  ASSERT_EQ(input.persistentVolumes.size(), 1u);
  EXPECT_EQ(input.persistentVolumes[0].metadata.name, "pv-a");
  ASSERT_EQ(input.storageClasses.size(), 1u);
  EXPECT_EQ(input.storageClasses[0].provisioner, "ebs.csi.aws.com");
}

TEST(TransformsTest, CompactCsiNodeKeepsOnlyDriverNamesAndCounts) {
  json drivers = {{{"name", "ebs.csi.aws.com"},
                   {"nodeID", "i-1"},
                   {"topologyKeys", {"topology.ebs.csi.aws.com/zone"}},
                   {"allocatable", {{"count", 25}}}},
                  {{"name", "efs.csi.aws.com"}, {"nodeID", "i-1"}}};
  auto csiNode = compactCSINode(csiNodeJson("n1", drivers));
  ASSERT_NE(csiNode, nullptr);
  EXPECT_TRUE(csiNode->original.is_null());
  ASSERT_EQ(csiNode->spec.drivers.size(), 1u);
  EXPECT_EQ(csiNode->spec.drivers[0].name, "ebs.csi.aws.com");
  EXPECT_EQ(csiNode->spec.drivers[0].allocatable->count, 25);
  EXPECT_TRUE(csiNode->spec.drivers[0].nodeID.empty());
  EXPECT_TRUE(csiNode->spec.drivers[0].topologyKeys.empty());
}

TEST(TransformsTest, CompactPodKeepsWhatTheProductReadsAndDropsTheRest) {
  auto pod = compactPod(podJson("a", "n1"));
  ASSERT_NE(pod, nullptr);
  EXPECT_TRUE(pod->original.is_null()) << "no JSON copy (managedFields, env, ...) is kept";
  ASSERT_EQ(pod->status.conditions.size(), 2u);
  EXPECT_EQ(pod->status.conditions[0].type, "PodScheduled");
  EXPECT_EQ(pod->status.conditions[1].type, "Ready");
  EXPECT_EQ(pod->spec.containers.at(0).resources.requests.at("cpu").milliValue(), 500);
  EXPECT_EQ(pod->metadata.uid, "uid-a");
  EXPECT_EQ(pod->spec.nodeName, "n1");
}

TEST(TransformsTest, UndecodableObjectsAreSkipped) {
  json bad = podJson("a", "n1");
  bad["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "lots";
  EXPECT_EQ(compactPod(bad), nullptr);
  ClusterState state({.publishInterval = 0ms});
  state.apply(Change::kUpsert, compactPod(bad));  // a null object is ignored
  EXPECT_TRUE(state.snapshot()->pendingPods->empty());
}

TEST(ClusterStateConcurrencyTest, ReadersSeeConsistentSnapshotsWhileAWriterApplies) {
  ClusterState state({.publishInterval = 1ms});
  for (int i = 0; i < 10; ++i) {
    state.apply(Change::kUpsert, compactNode(nodeJson("n" + std::to_string(i), "p")));
  }
  std::atomic<bool> done{false};
  std::atomic<bool> inconsistent{false};
  std::thread reader([&] {
    uint64_t lastVersion = 0;
    while (!done) {
      auto snapshot = state.snapshot();
      if (snapshot->version < lastVersion) {
        inconsistent = true;
      }
      lastVersion = snapshot->version;
      for (const auto& [name, entry] : *snapshot->nodes) {
        int64_t milli = 0;
        for (const auto& pod : entry->pods) {
          milli += pod->spec.containers[0].resources.requests.at("cpu").milliValue();
        }
        const auto cpu = entry->requested.find("cpu");
        if (milli != (cpu == entry->requested.end() ? 0 : cpu->second.milliValue())) {
          inconsistent = true;  // an entry's pods and sums must come from one moment
        }
      }
    }
  });
  for (int i = 0; i < 2000; ++i) {
    const std::string nodeName = "n" + std::to_string(i % 10);
    state.apply(Change::kUpsert, compactPod(podJson("p" + std::to_string(i % 300), nodeName)));
  }
  done = true;
  reader.join();
  EXPECT_FALSE(inconsistent);
  size_t total = 0;
  for (const auto& [name, entry] : *state.flush()->nodes) {
    total += entry->pods.size();
  }
  EXPECT_EQ(total, 300u);
}

}  // namespace
}  // namespace karpenter::state
