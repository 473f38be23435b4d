// Parsing of the EventBridge messages on the interruption queue: every public sample in
// testdata/interruption, the kinds the samples lack (derived from them by changing the one field
// that selects the kind), and malformed or unknown messages.

#include <gtest/gtest.h>

#include "karpenter/controllers/interruption/messages.hpp"
#include "karpenter/util/time.hpp"
#include "support/testdata.hpp"

namespace karpenter::controllers::interruption {
namespace {

using json = nlohmann::json;

json sample(const std::string& name) {
  return karpenter::testing::readTestdataJson("interruption/" + name);
}

Message parsed(const json& body) {
  auto message = parseMessage(body.dump());
  EXPECT_TRUE(message) << message.error().message;
  return message ? *message : Message{};
}

TEST(InterruptionMessages, SpotInterruptionWarningFromTheKarpenterDesign) {
  const Message message = parsed(sample("karpenter-design-spot-interruption-warning.json"));
  EXPECT_EQ(message.kind, Kind::kSpotInterrupted);
  EXPECT_STREQ(kindName(message.kind), "spot_interrupted");
  EXPECT_EQ(message.instanceIds, std::vector<std::string>{"i-0123456789"});
  EXPECT_EQ(message.id, "1e5527d7-bb36-4607-3370-4164db56a40e");
  ASSERT_TRUE(message.time);
  EXPECT_EQ(*message.time, *parseRfc3339("2022-08-11T14:00:00Z"));
}

TEST(InterruptionMessages, SpotInterruptionWarningFromNth) {
  const json body = sample("nth-spot-interruption-warning.json");
  const Message message = parsed(body);
  EXPECT_EQ(message.kind, Kind::kSpotInterrupted);
  EXPECT_EQ(message.instanceIds,
            std::vector<std::string>{body["detail"]["instance-id"].get<std::string>()});
}

TEST(InterruptionMessages, RebalanceRecommendation) {
  const json body = sample("nth-rebalance-recommendation.json");
  const Message message = parsed(body);
  EXPECT_EQ(message.kind, Kind::kRebalanceRecommendation);
  EXPECT_STREQ(kindName(message.kind), "rebalance_recommendation");
  EXPECT_EQ(message.instanceIds,
            std::vector<std::string>{body["detail"]["instance-id"].get<std::string>()});
}

TEST(InterruptionMessages, HealthScheduledChangeNamesTheAffectedEntities) {
  const Message message = parsed(sample("nth-health-scheduled-change.json"));
  EXPECT_EQ(message.kind, Kind::kScheduledChange);
  EXPECT_STREQ(kindName(message.kind), "scheduled_change");
  EXPECT_EQ(message.instanceIds, std::vector<std::string>{"i-12345678"});
}

TEST(InterruptionMessages, HealthEventsForOtherServicesOrCategoriesAreNoOps) {
  json body = sample("nth-health-scheduled-change.json");
  body["detail"]["service"] = "RDS";
  EXPECT_EQ(parsed(body).kind, Kind::kNoOp);
  body = sample("nth-health-scheduled-change.json");
  body["detail"]["eventTypeCategory"] = "issue";
  EXPECT_EQ(parsed(body).kind, Kind::kNoOp);
}

TEST(InterruptionMessages, StateChangePendingIsANoOp) {
  const Message message = parsed(sample("nth-instance-state-change.json"));
  EXPECT_EQ(message.kind, Kind::kNoOp);
  EXPECT_EQ(message.state, "pending");
  EXPECT_TRUE(message.instanceIds.empty());
}

TEST(InterruptionMessages, StateChangeStoppingAndTerminatingStates) {
  const std::pair<const char*, Kind> cases[] = {{"stopping", Kind::kInstanceStopped},
                                                {"stopped", Kind::kInstanceStopped},
                                                {"shutting-down", Kind::kInstanceTerminated},
                                                {"terminated", Kind::kInstanceTerminated},
                                                {"running", Kind::kNoOp}};
  for (const auto& [state, kind] : cases) {
    json body = sample("nth-instance-state-change.json");
    body["detail"]["state"] = state;
    const Message message = parsed(body);
    EXPECT_EQ(message.kind, kind) << state;
    if (kind != Kind::kNoOp) {
      EXPECT_EQ(message.instanceIds, std::vector<std::string>{"i-abcd1111"}) << state;
    }
  }
  EXPECT_STREQ(kindName(Kind::kInstanceStopped), "instance_stopped");
  EXPECT_STREQ(kindName(Kind::kInstanceTerminated), "instance_terminated");
}

TEST(InterruptionMessages, CapacityReservationInterruption) {
  // No public sample exists; the spot warning with the capacity-reservation detail-type has
  // the same detail shape (instance-id, instance-action).
  json body = sample("karpenter-design-spot-interruption-warning.json");
  body["detail-type"] = "EC2 Capacity Reservation Instance Interruption Warning";
  const Message message = parsed(body);
  EXPECT_EQ(message.kind, Kind::kCapacityReservationInterrupted);
  EXPECT_STREQ(kindName(message.kind), "capacity_reservation_interrupted");
  EXPECT_EQ(message.instanceIds, std::vector<std::string>{"i-0123456789"});
}

TEST(InterruptionMessages, AutoScalingLifecycleActionsAreNoOps) {
  const Message message = parsed(sample("nth-asg-terminate-lifecycle-action.json"));
  EXPECT_EQ(message.kind, Kind::kNoOp);
  EXPECT_STREQ(kindName(message.kind), "no_op");
  EXPECT_EQ(message.source, "aws.autoscaling");
}

TEST(InterruptionMessages, UnknownVersionsSourcesAndDetailTypesAreNoOps) {
  json body = sample("karpenter-design-spot-interruption-warning.json");
  body["version"] = "1";
  EXPECT_EQ(parsed(body).kind, Kind::kNoOp);
  body = sample("karpenter-design-spot-interruption-warning.json");
  body["source"] = "aws.s3";
  EXPECT_EQ(parsed(body).kind, Kind::kNoOp);
  body = sample("karpenter-design-spot-interruption-warning.json");
  body["detail-type"] = "EC2 Fleet Spot Instance Request Error";
  EXPECT_EQ(parsed(body).kind, Kind::kNoOp);
  EXPECT_EQ(parsed(json::object()).kind, Kind::kNoOp);
  auto empty = parseMessage("  ");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->kind, Kind::kNoOp);
}

TEST(InterruptionMessages, MalformedMessagesAreErrorsNamingTheProblem) {
  const std::pair<std::string, std::string> cases[] = {
      {"{not json", "not JSON"},
      {"[1,2]", "must be a JSON object"},
      {R"({"version":0,"source":"aws.ec2"})", "version: must be a string"},
      {R"({"version":"0","time":"yesterday"})", "time:"},
      {R"({"version":"0","source":"aws.ec2","detail-type":"EC2 Spot Instance Interruption Warning"})",
       "detail:"},
      {R"({"version":"0","source":"aws.ec2","detail-type":"EC2 Spot Instance Interruption Warning","detail":{}})",
       "detail.instance-id: required"},
      {R"({"version":"0","source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","detail":{"instance-id":7,"state":"stopped"}})",
       "detail.instance-id: must be a string"},
      {R"({"version":"0","source":"aws.health","detail-type":"AWS Health Event","detail":{"service":"EC2","eventTypeCategory":"scheduledChange"}})",
       "detail.affectedEntities"},
  };
  for (const auto& [body, expected] : cases) {
    auto message = parseMessage(body);
    ASSERT_FALSE(message) << body;
    EXPECT_EQ(message.error().kind, ErrorKind::kInvalid) << body;
    EXPECT_NE(message.error().message.find(expected), std::string::npos)
        << body << " → " << message.error().message;
  }
}

TEST(InterruptionMessages, InstanceIdsComeFromAwsProviderIds) {
  EXPECT_EQ(instanceIdFromProviderId("aws:///us-west-2a/i-0123456789abcdef0"),
            "i-0123456789abcdef0");
  EXPECT_EQ(instanceIdFromProviderId("aws:///i-0abc"), "i-0abc");
  EXPECT_EQ(instanceIdFromProviderId("kind://docker/kind/node"), "");
  EXPECT_EQ(instanceIdFromProviderId("aws:///us-west-2a/"), "");
  EXPECT_EQ(instanceIdFromProviderId(""), "");
}

}  // namespace
}  // namespace karpenter::controllers::interruption
