#pragma once

// The controllers' loop over the AWS provider, in one process: the test apiserver, the
// ControllerManager (test timings) over the AwsCloudProvider of an AwsEnvironment pointed at the
// test EC2/SSM/IAM/SQS endpoints, the EC2NodeClass controller, the interruption controller on
// the test queue, kubelets registering Nodes for the test EC2's live instances, and the
// nomination binder (kube-scheduler's part).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/fake_aws/fake_sqs.hpp"
#include "aws/fake_ec2/fake_ec2.hpp"
#include "aws_test_account.hpp"
#include "karpenter/cloudprovider/aws/aws_environment.hpp"
#include "karpenter/cloudprovider/aws/nodeclass_controller.hpp"
#include "karpenter/controllers/interruption/controller.hpp"

namespace karpenter::cloudprovider::aws::testing {

using controllers::test::json;
using controllers::test::kNodeClaims;
using controllers::test::kNodeClasses;
using controllers::test::kNodePools;
using namespace std::chrono_literals;

inline constexpr const char* kLoopClusterName = "test-cluster";
inline constexpr const char* kLoopKubernetesVersion = "1.31";
inline constexpr const char* kLoopInterruptionQueue = "karpenter-interruptions";

class AwsControllerLoop : public controllers::test::ControllerLoop {
 protected:
  using FakeInstance = karpenter::aws::testing::FakeEc2::FakeInstance;

  void SetUp() override {
    ControllerLoop::SetUp();
    if (IsSkipped()) {
      return;
    }
    seedAccount(account_.ssm, account_.iam, kLoopKubernetesVersion);
    queueUrl_ = sqs_.createQueue(kLoopInterruptionQueue);
    auto environment =
        AwsEnvironment::create(AwsSettings{.clusterName = kLoopClusterName,
                                           .clusterEndpoint = "https://test-cluster.example",
                                           .interruptionQueue = kLoopInterruptionQueue,
                                           .isolatedVpc = true},
                               karpenter::aws::mapEnvironment(awsEndpoints()));
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
    if (interruption_) {
      interruption_->stop();
    }
    if (nodeClasses_) {
      nodeClasses_->stop();
    }
    ControllerLoop::TearDown();
    // The manager and kubelets use the provider, which dies with this class's members.
    binder_.reset();
    manager_.reset();
    kubelets_.reset();
  }

  // The SDK environment that points every client at the test endpoints (one key pair).
  std::vector<std::pair<std::string, std::string>> awsEndpoints() const {
    auto environment = account_.environment({{"SQS", sqs_.url()}});
    environment.emplace_back("AWS_EC2_METADATA_DISABLED", "true");
    return environment;
  }

  // What ControllerLoop::start() does, over the AWS provider, plus the EC2NodeClass controller
  // and the interruption controller.
  void startAws(op::ControllerManager::Options options = fastOptions()) {
    manager_ = std::make_unique<op::ControllerManager>(*client_, *awsCloud_, options);
    manager_->startState();
    ASSERT_TRUE(manager_->waitForSync(10s));
    EC2NodeClassController::Options nodeClassOptions;
    nodeClassOptions.clusterName = kLoopClusterName;
    nodeClassOptions.region = "us-east-1";
    nodeClassOptions.kubernetesVersion = [] {
      return Result<std::string>(std::string(kLoopKubernetesVersion));
    };
    nodeClassOptions.pollInterval = 20ms;
    nodeClasses_ = std::make_unique<EC2NodeClassController>(
        *client_, manager_->state(),
        EC2NodeClassController::Clients{environment_->ec2, environment_->ssm, environment_->iam},
        nodeClassOptions);
    nodeClasses_->start();
    interruption_ = std::make_unique<controllers::interruption::InterruptionController>(
        *environment_->sqs, *client_, manager_->events(), manager_->state(),
        *environment_->unavailableOfferings,
        controllers::interruption::InterruptionController::Options{
            .queueUrl = queueUrl_, .receive = {.waitTime = 1s}, .errorBackoff = 100ms});
    interruption_->start();
    manager_->startControllers();
    kubelets_ = std::make_unique<simulated::KubeletSimulator>(
        [this] { return runningInstances(); }, *client_,
        simulated::KubeletSimulator::Options{.tick = 20ms});
    kubelets_->start();
    binder_ = std::make_unique<simulation::NominationBinder>(
        *client_, manager_->state(), simulation::NominationBinder::Options{.pollInterval = 20ms});
    binder_->start();
  }

  static std::string providerIdOf(const FakeInstance& i) { return "aws:///" + i.zone + "/" + i.id; }

  static bool live(const FakeInstance& i) {
    return i.state != "shutting-down" && i.state != "terminated";
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
      if (!live(instance) || nodeClaim == byProviderId.end()) {
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

  std::optional<FakeInstance> instance(const std::string& id) {
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

  FakeAwsAccount account_;
  karpenter::aws::testing::FakeSqs sqs_{karpenter::aws::testing::FakeSqs::Options{
      .accessKeyId = account_.ec2.options().accessKeyId,
      .secretAccessKey = account_.ec2.options().secretAccessKey}};
  std::string queueUrl_;
  std::unique_ptr<AwsEnvironment> environment_;
  std::unique_ptr<AwsCloudProvider> awsCloud_;
  std::unique_ptr<EC2NodeClassController> nodeClasses_;
  std::unique_ptr<controllers::interruption::InterruptionController> interruption_;
};

}  // namespace karpenter::cloudprovider::aws::testing
