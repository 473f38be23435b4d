// Spot first, on-demand when spot is out of capacity, through the whole loop on the AWS provider:
// a NodePool that allows both capacity types launches a pending pod as spot; when every spot pool
// of the pod's instance type answers InsufficientInstanceCapacity, the failed NodeClaim goes, the
// spot offerings are marked unavailable, and the pod runs on an on-demand instance of that type.

#include <algorithm>

#include <gtest/gtest.h>

#include "aws_controller_loop.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

using controllers::test::json;
using controllers::test::kNodeClaims;
using controllers::test::kNodePools;
using namespace std::chrono_literals;

class AwsSpotFallback : public testing::AwsControllerLoop {
 protected:
  static json spotAndOnDemandPool() {
    json pool = controllers::test::nodePool("mixed");
    pool["spec"]["template"]["spec"]["requirements"][0]["values"] = {"spot", "on-demand"};
    return pool;
  }

  static json podOn(const std::string& name, const std::string& instanceType) {
    // 1.5 vCPU: an m5.large (2 vCPU) holds one such pod, so each pod needs its own instance.
    json pod = controllers::test::pendingPod(name, "1500m");
    pod["spec"]["nodeSelector"] = {{"node.kubernetes.io/instance-type", instanceType}};
    return pod;
  }

  // The DefaultTargetCapacityType of every CreateFleet the test EC2 has seen, in order.
  std::vector<std::string> fleetCapacityTypes() const {
    std::vector<std::string> out;
    for (const auto& fleet : account_.ec2.requests("CreateFleet")) {
      auto it = fleet.find("TargetCapacitySpecification.DefaultTargetCapacityType");
      out.push_back(it == fleet.end() ? "" : it->second);
    }
    return out;
  }
};

TEST_F(AwsSpotFallback, SpotIsTriedFirstAndOnDemandRunsThePodWhenSpotIsOutOfCapacity) {
  create(controllers::test::kNodeClasses, testing::discoveredNodeClass("default"));
  create(kNodePools, spotAndOnDemandPool());
  startAws();

  // With capacity everywhere, the pod runs on spot.
  createPod(podOn("first", "m5.large"));
  ASSERT_TRUE(eventually([&] { return runningPods() == 1; })) << list(kNodeClaims).dump(2);
  const auto firstInstance = instance(instanceIdOf(launched().begin()->second));
  ASSERT_TRUE(firstInstance);
  EXPECT_EQ(firstInstance->lifecycle, "spot");
  ASSERT_EQ(fleetCapacityTypes(), std::vector<std::string>{"spot"});

  // Every spot pool of m5.large is out of capacity: the next pod's spot fleet fails, and it runs
  // on on-demand m5.large.
  for (const auto& zone : account_.ec2.zones()) {
    account_.ec2.setInsufficientCapacity("spot", "m5.large", zone);
  }
  createPod(podOn("second", "m5.large"));
  ASSERT_TRUE(eventually([&] { return runningPods() == 2; }, 60s)) << list(kNodeClaims).dump(2);
  std::optional<FakeInstance> onDemand;
  for (const auto& i : account_.ec2.instances()) {
    if (i.id != firstInstance->id && live(i)) {
      onDemand = i;
    }
  }
  ASSERT_TRUE(onDemand);
  EXPECT_EQ(onDemand->lifecycle, "on-demand");
  EXPECT_EQ(onDemand->instanceType, "m5.large");
  const auto types = fleetCapacityTypes();
  ASSERT_GE(types.size(), 3u);
  EXPECT_EQ(types[1], "spot") << "the second launch tries spot first";
  EXPECT_EQ(types.back(), "on-demand");
  for (const auto& zone : account_.ec2.zones()) {
    EXPECT_TRUE(environment_->unavailableOfferings->isUnavailable("m5.large", zone, "spot"))
        << zone;
  }
  // Only the one spot instance and the one on-demand instance exist: nothing was leaked.
  const auto instances = account_.ec2.instances();
  EXPECT_EQ(std::count_if(instances.begin(), instances.end(), live), 2);
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
