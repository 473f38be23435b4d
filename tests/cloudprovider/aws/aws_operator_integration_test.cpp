// `karpenter controller --cloud-provider aws` against the test apiserver and the test AWS
// endpoints (AWS_ENDPOINT_URL_<SERVICE>, static credentials in the environment): the
// EC2NodeClass controller makes a class Ready with the EKS cluster's Kubernetes version, the
// provisioner launches on EC2 for a pending pod, and an interruption message on the queue
// deletes the NodeClaim of the interrupted instance. A missing queue stops the start.

#include <cstdlib>

#include <gtest/gtest.h>

#include "aws/fake_aws/fake_eks.hpp"
#include "aws/fake_aws/fake_sqs.hpp"
#include "aws/fake_ec2/fake_ec2.hpp"
#include "aws_test_account.hpp"
#include "karpenter/operator/operator.hpp"
#include "server/tls_fixture.hpp"
#include "support/testdata.hpp"

namespace karpenter::op {
namespace {

using controllers::test::json;
using controllers::test::kNodeClaims;
using controllers::test::kNodeClasses;
using controllers::test::kNodePools;
using namespace std::chrono_literals;

constexpr const char* kCluster = "test-cluster";
constexpr const char* kQueue = "karpenter-interruptions";

class AwsOperator : public controllers::test::ControllerLoop {
 protected:
  void SetUp() override {
    ControllerLoop::SetUp();
    if (IsSkipped()) {
      return;
    }
    // The alias's AMIs exist only for 1.29, which only EKS says the cluster runs.
    cloudprovider::aws::testing::seedAccount(account_.ssm, account_.iam, "1.29");
    eks_.addCluster(kCluster, "1.29");
    sqs_.createQueue(kQueue);
    for (const auto& [name, value] :
         account_.environment({{"EKS", eks_.url()}, {"SQS", sqs_.url()}})) {
      ::setenv(name.c_str(), value.c_str(), 1);
    }
  }

  void TearDown() override {
    if (operator_) {
      operator_->stop();
    }
    ControllerLoop::TearDown();
  }

  OperatorOptions options(const std::string& queue) {
    const std::string kubeconfig = apiserver_.kubeconfigFile(dir_.file("kubeconfig"));
    OperatorOptions options;
    options.bindAddress = "127.0.0.1";
    options.webhookPort = options.metricsPort = options.healthProbePort = 0;
    options.disableWebhook = options.disableExtender = true;
    options.kubeconfig = kubeconfig;
    options.leaderElectionNamespace = "default";
    options.leaderElectionName = "karpenter-aws-operator-test";
    options.shutdownGrace = 200ms;
    options.batchIdleDuration = 100ms;
    options.batchMaxDuration = 500ms;
    options.cloudProvider = "aws";
    options.clusterName = kCluster;
    options.clusterEndpoint = "https://test-cluster.example";
    options.isolatedVpc = true;  // the built-in price table: no pricing endpoint
    options.interruptionQueue = queue;
    return options;
  }

  std::string readyOf(const json& object) {
    for (const auto& c :
         object.value("status", json::object()).value("conditions", json::array())) {
      if (c.value("type", "") == "Ready") {
        return c.value("status", "");
      }
    }
    return "";
  }

  karpenter::testing::TempDir dir_;
  cloudprovider::aws::testing::FakeAwsAccount account_;
  karpenter::aws::testing::FakeEks eks_;
  karpenter::aws::testing::FakeSqs sqs_{karpenter::aws::testing::FakeSqs::Options{
      .accessKeyId = account_.ec2.options().accessKeyId,
      .secretAccessKey = account_.ec2.options().secretAccessKey}};
  std::unique_ptr<Operator> operator_;
};

TEST_F(AwsOperator, ReconcilesNodeClassesLaunchesOnEc2AndActsOnInterruptions) {
  operator_ = std::make_unique<Operator>(options(kQueue));
  auto started = operator_->start();
  ASSERT_TRUE(started) << started.error().message;

  create(kNodeClasses, cloudprovider::aws::testing::discoveredNodeClass("default"));
  json stored;
  ASSERT_TRUE(eventually([&] {
    stored = get(kNodeClasses.named("default"));
    return readyOf(stored) == "True";
  })) << stored.dump(2);
  // SSM holds the alias only under the version EKS reports.
  ASSERT_FALSE(stored["status"]["amis"].empty());
  for (const auto& ami : stored["status"]["amis"]) {
    EXPECT_TRUE(ami["id"] == "ami-test1" || ami["id"] == "ami-test2") << ami.dump();
  }

  create(kNodePools, controllers::test::nodePool("general"));
  createPod(controllers::test::pendingPod("web", "500m"));
  std::string providerID;
  std::string nodeClaimName;
  ASSERT_TRUE(eventually([&] {
    for (const auto& nodeClaim : list(kNodeClaims)) {
      providerID = nodeClaim.value("status", json::object()).value("providerID", "");
      nodeClaimName = nodeClaim["metadata"].value("name", "");
    }
    return !providerID.empty();
  })) << "no NodeClaim launched on EC2";
  const std::string instanceId = providerID.substr(providerID.rfind('/') + 1);
  ASSERT_EQ(account_.ec2.instances().size(), 1u);
  EXPECT_EQ(account_.ec2.instances()[0].id, instanceId);

  json warning = karpenter::testing::readTestdataJson(
      "interruption/karpenter-design-spot-interruption-warning.json");
  warning["detail"]["instance-id"] = instanceId;
  // The operator's cluster state may not hold the NodeClaim's providerID yet when the test
  // sees it, and a message about an instance Karpenter does not know is dropped (as upstream):
  // send it again whenever the queue is empty and the NodeClaim still stands.
  auto deleted = [&] {
    const json nodeClaim = get(kNodeClaims.named(nodeClaimName));
    return nodeClaim.is_null() || nodeClaim["metadata"].contains("deletionTimestamp");
  };
  EXPECT_TRUE(eventually([&] {
    if (deleted()) {
      return true;
    }
    if (sqs_.messageCount(kQueue) == 0) {
      sqs_.send(kQueue, warning.dump());
    }
    return false;
  })) << "the interruption did not delete NodeClaim "
      << nodeClaimName;
  EXPECT_TRUE(eventually([&] { return sqs_.messageCount(kQueue) == 0; }));
}

TEST_F(AwsOperator, AMissingInterruptionQueueIsAStartupErrorNamingIt) {
  operator_ = std::make_unique<Operator>(options("no-such-queue"));
  auto started = operator_->start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("no-such-queue"), std::string::npos)
      << started.error().message;
}

}  // namespace
}  // namespace karpenter::op
