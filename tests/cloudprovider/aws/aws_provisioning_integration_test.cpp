// Provisioning end to end on the AWS provider: the test apiserver, an EC2NodeClass made Ready by
// the EC2NodeClass controller over the test EC2/SSM/IAM endpoints, a NodePool and pending pods
// → provisioner → NodeClaims → AwsCloudProvider (CreateFleet on the test EC2) → kubelets
// registering Nodes with the instances' providerIDs → pods bound by the nomination binder and
// Running. Then: a NodeClaim deleted terminates its instance, and an offering out of capacity
// makes the next launch of its instance type land in another zone.

#include <gtest/gtest.h>

#include "aws/fake_ec2/fake_ec2.hpp"
#include "aws_test_account.hpp"
#include "karpenter/cloudprovider/aws/aws_environment.hpp"
#include "karpenter/cloudprovider/aws/nodeclass_controller.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

using controllers::test::json;
using controllers::test::kNodeClaims;
using controllers::test::kNodeClasses;
using controllers::test::kNodePools;
using namespace std::chrono_literals;

class AwsProvisioning : public controllers::test::ControllerLoop {
 protected:
  void SetUp() override {
    ControllerLoop::SetUp();
    if (IsSkipped()) {
      return;
    }
    testing::seedAccount(account_.ssm, account_.iam, "1.31");
    auto environment =
        AwsEnvironment::create(AwsSettings{.clusterName = "test-cluster",
                                           .clusterEndpoint = "https://test-cluster.example",
                                           .isolatedVpc = true},
                               karpenter::aws::mapEnvironment(account_.environment()));
    ASSERT_TRUE(environment) << environment.error().message;
    environment_ = std::move(*environment);
    awsCloud_ = environment_->cloudProvider([this](const std::string& name) {
      std::shared_ptr<const api::EC2NodeClass> found;
      if (manager_) {
        const auto snapshot = manager_->state().snapshot();
        if (auto it = snapshot->nodeClasses->find(name); it != snapshot->nodeClasses->end()) {
          found = it->second;
        }
      }
      return found;
    });
  }

  void TearDown() override {
    if (nodeClasses_) {
      nodeClasses_->stop();
    }
    ControllerLoop::TearDown();
  }

  // What ControllerLoop::start() does, over the AWS provider, plus the EC2NodeClass controller.
  void startAws() {
    manager_ = std::make_unique<op::ControllerManager>(*client_, *awsCloud_, fastOptions());
    manager_->startState();
    ASSERT_TRUE(manager_->waitForSync(10s));
    EC2NodeClassController::Options options;
    options.clusterName = "test-cluster";
    options.region = "us-east-1";
    options.kubernetesVersion = [] { return Result<std::string>(std::string("1.31")); };
    options.pollInterval = 20ms;
    nodeClasses_ = std::make_unique<EC2NodeClassController>(
        *client_, manager_->state(),
        EC2NodeClassController::Clients{environment_->ec2, environment_->ssm, environment_->iam},
        options);
    nodeClasses_->start();
    manager_->startControllers();
    kubelets_ = std::make_unique<simulated::KubeletSimulator>(
        [this] { return runningInstances(); }, *client_,
        simulated::KubeletSimulator::Options{.tick = 20ms});
    kubelets_->start();
    binder_ = std::make_unique<simulation::NominationBinder>(
        *client_, manager_->state(), simulation::NominationBinder::Options{.pollInterval = 20ms});
    binder_->start();
  }

  static std::string providerIdOf(const karpenter::aws::testing::FakeEc2::FakeInstance& i) {
    return "aws:///" + i.zone + "/" + i.id;
  }

  // The test EC2's live instances as kubelets see them, each with the NodeClaim launched onto it
  // (an instance whose NodeClaim has not recorded its providerID yet waits for the next tick).
  std::vector<simulated::SimulatedInstance> runningInstances() {
    std::map<std::string, api::NodeClaim> byProviderId;
    for (const auto& object : list(kNodeClaims)) {
      auto nodeClaim = api::decodeJson<api::NodeClaim>(object);
      if (nodeClaim && !nodeClaim->status.providerID.empty()) {
        byProviderId[nodeClaim->status.providerID] = *nodeClaim;
      }
    }
    std::vector<simulated::SimulatedInstance> running;
    const auto instances = account_.ec2.instances();
    for (size_t n = 0; n < instances.size(); ++n) {
      const auto& instance = instances[n];
      auto nodeClaim = byProviderId.find(providerIdOf(instance));
      if (instance.state == "shutting-down" || instance.state == "terminated" ||
          nodeClaim == byProviderId.end()) {
        continue;
      }
      simulated::SimulatedInstance s;
      s.sequence = n;
      s.id = instance.id;
      s.providerID = nodeClaim->first;
      s.privateIp = "10.1." + std::to_string(n / 256) + "." + std::to_string(n % 256);
      s.nodeName =
          "ip-10-1-" + std::to_string(n / 256) + "-" + std::to_string(n % 256) + ".ec2.internal";
      s.instanceType = instance.instanceType;
      s.zone = instance.zone;
      s.capacityType = instance.lifecycle;
      s.registrationDelay = 0ms;
      s.nodeClaim = nodeClaim->second;
      running.push_back(std::move(s));
    }
    return running;
  }

  std::optional<karpenter::aws::testing::FakeEc2::FakeInstance> instance(const std::string& id) {
    for (const auto& i : account_.ec2.instances()) {
      if (i.id == id) {
        return i;
      }
    }
    return std::nullopt;
  }

  // NodeClaim name → providerID of every launched NodeClaim.
  std::map<std::string, std::string> launched() {
    std::map<std::string, std::string> out;
    for (const auto& object : list(kNodeClaims)) {
      const std::string id = object.value("status", json::object()).value("providerID", "");
      if (!id.empty()) {
        out[object["metadata"].value("name", "")] = id;
      }
    }
    return out;
  }

  static std::string instanceIdOf(const std::string& providerID) {
    return providerID.substr(providerID.rfind('/') + 1);
  }

  testing::FakeAwsAccount account_;
  std::unique_ptr<AwsEnvironment> environment_;
  std::unique_ptr<AwsCloudProvider> awsCloud_;
  std::unique_ptr<EC2NodeClassController> nodeClasses_;
};

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
