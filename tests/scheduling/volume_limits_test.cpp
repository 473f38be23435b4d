// Volume limits (upstream volumeusage.go): distinct claims per CSI driver against an existing
// node's CSINode allocatable.count and, on a new NodeClaim, every kept type's volumeLimits.
#include <deque>
#include <map>

#include <gtest/gtest.h>

#include "karpenter/scheduling/scheduler.hpp"
#include "scheduling/result_checker.hpp"
#include "scheduling/scheduling_fixtures.hpp"

namespace karpenter::scheduling {
namespace {

using testing::checkResults;
using testing::makeInstanceType;
using testing::makeNodePool;
using testing::makePod;

constexpr const char* kEbs = "ebs.csi.aws.com";

class VolumeLimitsTest : public ::testing::Test {
 protected:
  VolumeLimitsTest() {
    api::StorageClass gp3;
    gp3.metadata.name = "gp3";
    gp3.provisioner = kEbs;
    input_.storageClasses.push_back(gp3);
    api::StorageClass efs;
    efs.metadata.name = "efs";
    efs.provisioner = "efs.csi.aws.com";
    input_.storageClasses.push_back(efs);
  }

  // A claim of `storageClass` (unbound) and a pod mounting it, 100m/128Mi.
  api::Pod& podWithClaims(const std::string& name, const std::vector<std::string>& claims,
                          const std::string& storageClass = "gp3") {
    api::Pod pod = makePod(name, "100m", "128Mi");
    for (const auto& claimName : claims) {
      bool known = false;
      for (const auto& claim : input_.persistentVolumeClaims) {
        known = known || claim.metadata.name == claimName;
      }
      if (!known) {
        api::PersistentVolumeClaim claim;
        claim.metadata.name = claimName;
        claim.metadata.namespace_ = "default";
        claim.spec.storageClassName = storageClass;
        input_.persistentVolumeClaims.push_back(claim);
      }
      api::Volume volume;
      volume.name = claimName;
      volume.persistentVolumeClaim = api::PersistentVolumeClaimVolumeSource{claimName, false};
      pod.spec.volumes.push_back(volume);
    }
    pods_.push_back(pod);
    return pods_.back();
  }

  void addNode(const std::string& name, std::map<std::string, int64_t> limits,
               std::vector<const api::Pod*> bound = {}) {
    ExistingNode node;
    node.name = name;
    node.labels = {{std::string(api::kLabelHostname), name}};
    node.allocatable = {{"cpu", api::Quantity::mustParse("16")},
                        {"memory", api::Quantity::mustParse("64Gi")},
                        {"pods", api::Quantity::mustParse("110")}};
    node.pods = std::move(bound);
    node.volumeLimits = std::move(limits);
    input_.existingNodes.push_back(node);
  }

  Results run() {
    pointers_.clear();
    for (size_t i = pending_; i < pods_.size(); ++i) {
      pointers_.push_back(&pods_[i]);
    }
    auto results = solve(input_, pointers_);
    for (const auto& violation : checkResults(input_, pointers_, results)) {
      ADD_FAILURE() << violation;
    }
    return results;
  }

  size_t podsOn(const Results& results, const std::string& node) {
    for (const auto& placement : results.existingNodes) {
      if (placement.nodeName == node) {
        return placement.pods.size();
      }
    }
    return 0;
  }

  SchedulerInput input_;
  std::deque<api::Pod> pods_;  // stable addresses; the first `pending_` are bound, not pending
  size_t pending_ = 0;
  std::vector<const api::Pod*> pointers_;
};

TEST_F(VolumeLimitsTest, CsiNodeCountsBecomeLimits) {
  api::CSINode csiNode;
  csiNode.metadata.name = "node-1";
  csiNode.spec.drivers.push_back({kEbs, "i-1", {}, api::VolumeNodeResources{25}});
  csiNode.spec.drivers.push_back({"efs.csi.aws.com", "i-1", {}, std::nullopt});
  csiNode.spec.drivers.push_back({"other", "i-1", {}, api::VolumeNodeResources{std::nullopt}});
  EXPECT_EQ(csiVolumeLimits(csiNode), (std::map<std::string, int64_t>{{kEbs, 25}}));
}

TEST_F(VolumeLimitsTest, ExistingNodeTakesNoMoreVolumesThanItsDriverAllows) {
  NodePoolInput pool{makeNodePool("default"), {}};
  pool.instanceTypes.push_back(makeInstanceType("large", 16, 64, 110, 1.0));
  input_.nodePools.push_back(pool);
  const api::Pod& running = podWithClaims("running", {"data-running"});
  pending_ = 1;
  addNode("node-1", {{kEbs, 2}}, {&running});
  for (int i = 0; i < 3; ++i) {
    podWithClaims("p" + std::to_string(i), {"data-" + std::to_string(i)});
  }
  auto results = run();
  EXPECT_EQ(podsOn(results, "node-1"), 1U);  // 1 bound + 1 placed = the limit of 2
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  EXPECT_EQ(results.newNodeClaims[0].pods.size(), 2U);
  EXPECT_TRUE(results.podErrors.empty());
}

TEST_F(VolumeLimitsTest, ASharedClaimIsAttachedOnce) {
  addNode("node-1", {{kEbs, 1}});
  podWithClaims("a", {"shared"});
  podWithClaims("b", {"shared"});
  auto results = run();
  EXPECT_EQ(podsOn(results, "node-1"), 2U);
  EXPECT_TRUE(results.newNodeClaims.empty());
}

TEST_F(VolumeLimitsTest, DriversWithoutALimitAreNotLimited) {
  addNode("node-1", {{kEbs, 1}});
  for (int i = 0; i < 4; ++i) {
    podWithClaims("p" + std::to_string(i), {"share-" + std::to_string(i)}, "efs");
  }
  auto results = run();
  EXPECT_EQ(podsOn(results, "node-1"), 4U);
}

TEST_F(VolumeLimitsTest, ABoundVolumesCsiDriverWinsOverTheClass) {
  api::PersistentVolume pv;
  pv.metadata.name = "pv-1";
  pv.spec.csi = api::CSIPersistentVolumeSource{"efs.csi.aws.com", "fs-1", ""};
  input_.persistentVolumes.push_back(pv);
  addNode("node-1", {{kEbs, 0}});
  podWithClaims("p", {"static"});
  input_.persistentVolumeClaims.back().spec.volumeName = "pv-1";  // class says ebs, PV says efs
  auto results = run();
  EXPECT_EQ(podsOn(results, "node-1"), 1U);
}

TEST_F(VolumeLimitsTest, NewNodeClaimsKeepOnlyTypesThatAttachEveryVolume) {
  NodePoolInput pool{makeNodePool("default"), {}};
  // Alike but for their attach limits, so cost-based sizing does not split the pods.
  pool.instanceTypes.push_back(makeInstanceType("few-volumes", 4, 16, 110, 0.2));
  pool.instanceTypes.back().volumeLimits = {{kEbs, 2}};
  pool.instanceTypes.push_back(makeInstanceType("many-volumes", 4, 16, 110, 0.2));
  pool.instanceTypes.back().volumeLimits = {{kEbs, 30}};
  input_.nodePools.push_back(pool);
  for (int i = 0; i < 3; ++i) {
    podWithClaims("p" + std::to_string(i), {"data-" + std::to_string(i)});
  }
  auto results = run();
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  const auto& claim = results.newNodeClaims[0];
  EXPECT_EQ(claim.pods.size(), 3U);
  ASSERT_EQ(claim.instanceTypes.size(), 1U);
  EXPECT_EQ(claim.instanceTypes[0]->name, "many-volumes");
}

TEST_F(VolumeLimitsTest, APodWithMoreVolumesThanAnyTypeAttachesIsReported) {
  NodePoolInput pool{makeNodePool("default"), {}};
  pool.instanceTypes.push_back(makeInstanceType("few-volumes", 4, 16, 110, 0.1));
  pool.instanceTypes.back().volumeLimits = {{kEbs, 2}};
  input_.nodePools.push_back(pool);
  podWithClaims("greedy", {"a", "b", "c"});
  auto results = run();
  ASSERT_EQ(results.podErrors.size(), 1U);
  EXPECT_NE(results.podErrors[0].reason.find("3 ebs.csi.aws.com volumes"), std::string::npos)
      << results.podErrors[0].reason;
}

TEST_F(VolumeLimitsTest, CheckerCatchesAnOverflow) {
  addNode("node-1", {{kEbs, 1}});
  podWithClaims("a", {"one"});
  podWithClaims("b", {"two"});
  pointers_ = {&pods_[0], &pods_[1]};
  Results forged;
  forged.existingNodes.push_back({"node-1", {&pods_[0], &pods_[1]}});
  auto violations = checkResults(input_, pointers_, forged);
  ASSERT_FALSE(violations.empty());
  EXPECT_NE(violations[0].find("attaches 2 volumes, limit 1"), std::string::npos) << violations[0];
}

}  // namespace
}  // namespace karpenter::scheduling
