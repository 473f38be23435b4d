// Provisioning end to end on the AWS provider: the test apiserver, an EC2NodeClass made Ready by
// the EC2NodeClass controller over the test EC2/SSM/IAM endpoints, a NodePool and pending pods
// → provisioner → NodeClaims → AwsCloudProvider (CreateFleet on the test EC2) → kubelets
// registering Nodes with the instances' providerIDs → pods bound by the nomination binder and
// Running. Then: a NodeClaim deleted terminates its instance, and an offering out of capacity
// makes the next launch of its instance type land in another zone.

#include <gtest/gtest.h>

#include "aws_controller_loop.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

using controllers::test::json;
using controllers::test::kNodeClaims;
using controllers::test::kNodeClasses;
using controllers::test::kNodePools;
using namespace std::chrono_literals;

class AwsProvisioning : public testing::AwsControllerLoop {};

TEST_F(AwsProvisioning, PodsRunOnEc2InstancesTerminationAndCapacityFallback) {
  create(kNodeClasses, testing::discoveredNodeClass("default"));
  create(kNodePools, controllers::test::nodePool("general"));
  startAws();
  createPod(controllers::test::pendingPod("first", "500m"));
  ASSERT_TRUE(eventually([&] { return runningPods() == 1; })) << list(kNodeClaims).dump(2);
  auto first = launched();
  ASSERT_EQ(first.size(), 1u);
  const auto [firstClaim, firstProviderId] = *first.begin();
  const auto firstInstance = instance(instanceIdOf(firstProviderId));
  ASSERT_TRUE(firstInstance);
  EXPECT_EQ(providerIdOf(*firstInstance), firstProviderId);
  EXPECT_EQ(firstInstance->imageId.rfind("ami-test", 0), 0u) << firstInstance->imageId;
  const json pod = get({.resource = "pods", .nameSpace = "default", .name = "first"});
  const json node = get({.resource = "nodes", .name = pod["spec"].value("nodeName", "")});
  EXPECT_EQ(node["spec"].value("providerID", ""), firstProviderId);

  // Deleting the NodeClaim drains its node and terminates the instance on EC2.
  ASSERT_TRUE(client_->remove(kNodeClaims.named(firstClaim), {}));
  ASSERT_TRUE(eventually([&] {
    const auto now = instance(firstInstance->id);
    return !now || now->state == "shutting-down" || now->state == "terminated";
  }));
  ASSERT_TRUE(eventually([&] { return get(kNodeClaims.named(firstClaim)).is_null(); }));

  // The offering the first launch chose is out of capacity: the same instance type is launched
  // in another zone.
  account_.ec2.setInsufficientCapacity(firstInstance->lifecycle, firstInstance->instanceType,
                                       firstInstance->zone);
  json second = controllers::test::pendingPod("second", "500m");
  second["spec"]["nodeSelector"] = {
      {"node.kubernetes.io/instance-type", firstInstance->instanceType}};
  createPod(second);
  ASSERT_TRUE(eventually([&] { return runningPods() == 1 && launched().size() == 1; }))
      << list(kNodeClaims).dump(2);
  const auto secondInstance = instance(instanceIdOf(launched().begin()->second));
  ASSERT_TRUE(secondInstance);
  EXPECT_EQ(secondInstance->instanceType, firstInstance->instanceType);
  EXPECT_NE(secondInstance->zone, firstInstance->zone);
  EXPECT_TRUE(environment_->unavailableOfferings->isUnavailable(
      firstInstance->instanceType, firstInstance->zone, firstInstance->lifecycle));
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
