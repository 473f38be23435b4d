#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "karpenter/util/result.hpp"

namespace karpenter::controllers::interruption {

// What an EventBridge message on the interruption queue means for Karpenter (upstream
// pkg/controllers/interruption/messages). The names are upstream's metric and reason labels.
enum class Kind {
  kNoOp,                            // a message Karpenter does not act on
  kSpotInterrupted,                 // EC2 Spot Instance Interruption Warning
  kRebalanceRecommendation,         // EC2 Instance Rebalance Recommendation
  kScheduledChange,                 // AWS Health Event: EC2 scheduledChange
  kInstanceStopped,                 // state-change: stopping, stopped
  kInstanceTerminated,              // state-change: shutting-down, terminated
  kCapacityReservationInterrupted,  // EC2 Capacity Reservation Instance Interruption Warning
};

// "no_op", "spot_interrupted", "rebalance_recommendation", "scheduled_change",
// "instance_stopped", "instance_terminated", "capacity_reservation_interrupted".
const char* kindName(Kind kind);

struct Message {
  Kind kind = Kind::kNoOp;
  // The envelope: {version, id, detail-type, source, account, time, region, resources, detail}.
  std::string id;
  std::string source;
  std::string detailType;
  std::optional<std::chrono::system_clock::time_point> time;  // when the event happened
  // The EC2 instances the message is about (detail.instance-id, or a health event's
  // affectedEntities[].entityValue).
  std::vector<std::string> instanceIds;
  std::string state;  // state-change: detail.state
};

// Parses one message body. Dispatch is on (version "0", source, detail-type); a kind's detail
// that does not concern Karpenter (a state other than stopping/stopped/shutting-down/
// terminated, a health event for another service or category) and every unknown combination
// are kNoOp. An empty body is kNoOp. kInvalid, naming what is wrong, when the body is not a
// JSON object, the envelope fields have the wrong types, or a known kind lacks its instance IDs.
// Pure.
Result<Message> parseMessage(std::string_view body);

// "i-0123" from "aws:///us-west-2a/i-0123" (also "aws:///i-0123"); "" when `providerID` is not
// an AWS provider ID.
std::string instanceIdFromProviderId(std::string_view providerID);

}  // namespace karpenter::controllers::interruption
