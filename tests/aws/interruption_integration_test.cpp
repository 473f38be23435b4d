// The interruption controller end to end: the in-repo apiserver with informers feeding the
// cluster state, the test SQS endpoint over loopback, and EventBridge messages on the queue.

#include <chrono>

#include <gtest/gtest.h>

#include "aws/fake_aws/fake_sqs.hpp"
#include "aws/fake_ec2/fake_clients.hpp"
#include "karpenter/controllers/interruption/controller.hpp"
#include "karpenter/state/state_informers.hpp"
#include "support/test_apiserver.hpp"
#include "support/testdata.hpp"

namespace karpenter::controllers::interruption {
namespace {

using json = nlohmann::json;
using karpenter::testing::eventually;
using namespace std::chrono_literals;

const kube::ResourceRef kNodeClaims{.group = "karpenter.sh", .resource = "nodeclaims"};

class InterruptionIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(apiserver_.ok());
    client_ = apiserver_.client({.qps = 0});
    events_ = std::make_unique<EventRecorder>(*client_);
    queueUrl_ = sqs_.createQueue("karpenter-interruptions");
    sqsClient_ = std::make_unique<aws::SqsClient>(
        aws::SqsClient::Options{.endpoint = sqs_.url(), .signingRegion = "us-east-1"},
        aws::testing::fakeCredentials(sqs_), aws::makeCurlHttpClient(), aws::systemClock());
    informers_ = std::make_unique<state::StateInformers>(
        *client_, state_,
        state::StateInformers::Options{.watchTimeout = 5s, .initialBackoff = 50ms});
    informers_->start();
    ASSERT_TRUE(eventually([&] { return informers_->hasSynced(); }));
  }

  void TearDown() override {
    if (controller_) {
      controller_->stop();
    }
    informers_->stop();
  }

  InterruptionController& controller() {
    if (!controller_) {
      controller_ = std::make_unique<InterruptionController>(
          *sqsClient_, *client_, *events_, state_, offerings_,
          InterruptionController::Options{
              .queueUrl = queueUrl_, .receive = {.waitTime = 1s}, .errorBackoff = 100ms});
    }
    return *controller_;
  }

  // A launched spot NodeClaim on instance `instanceId`, with its providerID in status.
  void createNodeClaim(const std::string& name, const std::string& instanceId) {
    const json nodeClaim = {
        {"apiVersion", "karpenter.sh/v1"},
        {"kind", "NodeClaim"},
        {"metadata",
         {{"name", name},
          {"labels",
           {{"karpenter.sh/nodepool", "default"},
            {"karpenter.sh/capacity-type", "spot"},
            {"node.kubernetes.io/instance-type", "m5.large"},
            {"topology.kubernetes.io/zone", "us-east-2a"}}}}},
        {"spec",
         {{"nodeClassRef",
           {{"group", "karpenter.k8s.aws"}, {"kind", "EC2NodeClass"}, {"name", "default"}}},
          {"requirements", json::array()}}}};
    auto created = client_->create(kNodeClaims, nodeClaim);
    ASSERT_TRUE(created) << created.error().message;
    json withStatus = *created;
    withStatus["status"]["providerID"] = "aws:///us-east-2a/" + instanceId;
    auto updated = client_->updateStatus(kNodeClaims.named(name), withStatus);
    ASSERT_TRUE(updated) << updated.error().message;
    ASSERT_TRUE(eventually([&] {
      auto snapshot = state_.snapshot();
      auto it = snapshot->nodeClaims->find(name);
      return it != snapshot->nodeClaims->end() && !it->second->status.providerID.empty();
    }));
  }

  bool deleting(const std::string& name) {
    auto got = client_->get(kNodeClaims.named(name));
    return !got || got->at("metadata").contains("deletionTimestamp");
  }

  json events() {
    auto page = client_->list({.resource = "events", .nameSpace = "default"}, {});
    return page ? page->items : json::array();
  }

  bool hasEvent(const std::string& reason, const std::string& object) {
    events_->flush(std::chrono::seconds(5));  // Events are written asynchronously
    for (const json& event : events()) {
      if (event.value("reason", "") == reason &&
          event["involvedObject"].value("name", "") == object) {
        return true;
      }
    }
    return false;
  }

  testing::TestApiserver apiserver_;
  std::unique_ptr<kube::HttpKubeClient> client_;
  std::unique_ptr<EventRecorder> events_;
  aws::testing::FakeSqs sqs_;
  std::string queueUrl_;
  std::unique_ptr<aws::SqsClient> sqsClient_;
  state::ClusterState state_;
  std::unique_ptr<state::StateInformers> informers_;
  cloudprovider::UnavailableOfferings offerings_;
  std::unique_ptr<InterruptionController> controller_;
};

TEST_F(InterruptionIntegration, ASpotWarningDeletesTheNodeClaimAndMarksTheOfferingUnavailable) {
  createNodeClaim("spot-1", "i-0123456789");
  createNodeClaim("bystander", "i-0fedcba987");
  const json warning = karpenter::testing::readTestdataJson(
      "interruption/karpenter-design-spot-interruption-warning.json");
  sqs_.send("karpenter-interruptions", warning.dump());
  ASSERT_FALSE(offerings_.isUnavailable("m5.large", "us-east-2a", "spot"));

  controller().start();
  ASSERT_TRUE(eventually([&] { return sqs_.messageCount("karpenter-interruptions") == 0; }));
  EXPECT_TRUE(deleting("spot-1"));
  EXPECT_FALSE(deleting("bystander"));
  EXPECT_TRUE(offerings_.isUnavailable("m5.large", "us-east-2a", "spot"));
  EXPECT_FALSE(offerings_.isUnavailable("m5.large", "us-east-2a", "on-demand"));
  EXPECT_TRUE(eventually([&] { return hasEvent("SpotInterrupted", "spot-1"); }));
  EXPECT_TRUE(hasEvent("TerminatingOnInterruption", "spot-1"));
  EXPECT_FALSE(hasEvent("SpotInterrupted", "bystander"));
}

TEST_F(InterruptionIntegration, RebalanceOnlyRecordsAnEventAndOddMessagesAreDropped) {
  createNodeClaim("spot-2", "i-0123456789");
  json rebalance =
      karpenter::testing::readTestdataJson("interruption/nth-rebalance-recommendation.json");
  rebalance["detail"]["instance-id"] = "i-0123456789";
  sqs_.send("karpenter-interruptions", rebalance.dump());
  sqs_.send("karpenter-interruptions", "{not json");
  sqs_.send("karpenter-interruptions", karpenter::testing::readTestdataJson(
                                           "interruption/nth-asg-terminate-lifecycle-action.json")
                                           .dump());

  auto handled = controller().reconcile();
  ASSERT_TRUE(handled) << handled.error().message;
  EXPECT_EQ(handled->received, 3u);
  EXPECT_EQ(handled->deleted, 3u);
  EXPECT_EQ(handled->nodeClaimsDeleted, 0u);
  EXPECT_EQ(sqs_.messageCount("karpenter-interruptions"), 0u);
  EXPECT_FALSE(deleting("spot-2"));
  EXPECT_TRUE(hasEvent("SpotRebalanceRecommendation", "spot-2"));
}

TEST_F(InterruptionIntegration, AStateChangeToStoppingDeletesOnceAndAFailedReceiveIsAnError) {
  createNodeClaim("od-1", "i-abcd1111");
  json stopping =
      karpenter::testing::readTestdataJson("interruption/nth-instance-state-change.json");
  stopping["detail"]["state"] = "stopping";
  sqs_.send("karpenter-interruptions", stopping.dump());
  sqs_.send("karpenter-interruptions", stopping.dump());
  auto handled = controller().reconcile();
  ASSERT_TRUE(handled) << handled.error().message;
  EXPECT_EQ(handled->deleted, 2u);
  EXPECT_EQ(handled->nodeClaimsDeleted, 1u);  // the second copy finds the first's deletion
  EXPECT_TRUE(deleting("od-1"));
  EXPECT_TRUE(hasEvent("InstanceStopping", "od-1"));

  sqs_.failNextRequests(1);
  auto failed = controller().reconcile();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, ErrorKind::kUnavailable);
}

TEST_F(InterruptionIntegration, StopEndsALongPollInProgress) {
  controller_ = std::make_unique<InterruptionController>(
      *sqsClient_, *client_, *events_, state_, offerings_,
      InterruptionController::Options{.queueUrl = queueUrl_, .receive = {.waitTime = 20s}});
  controller_->start();
  ASSERT_TRUE(eventually([&] { return !sqs_.requests("ReceiveMessage").empty(); }));
  controller_->stop();  // returns (the poll is cancelled) rather than after the 20 s wait
  EXPECT_EQ(sqs_.requests("ReceiveMessage").size(), 1u);
}

}  // namespace
}  // namespace karpenter::controllers::interruption
