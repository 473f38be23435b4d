#include "karpenter/controllers/interruption/messages.hpp"

#include <array>

#include <nlohmann/json.hpp>

#include "karpenter/util/time.hpp"

namespace karpenter::controllers::interruption {
namespace {

using json = nlohmann::json;

constexpr std::string_view kVersion = "0";
constexpr std::string_view kSourceEc2 = "aws.ec2";
constexpr std::string_view kSourceHealth = "aws.health";

// Reads envelope field `name` as a string: absent or null ⇒ "", any other type ⇒ error.
Result<std::string> stringField(const json& object, const char* name, const std::string& path) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    return std::string();
  }
  if (!it->is_string()) {
    return invalidError(path + name + ": must be a string, not " + it->type_name());
  }
  return it->get<std::string>();
}

// detail.instance-id, required for the EC2 kinds.
Result<std::vector<std::string>> detailInstanceId(const json& detail) {
  auto id = stringField(detail, "instance-id", "detail.");
  if (!id) {
    return id.error();
  }
  if (id->empty()) {
    return invalidError("detail.instance-id: required");
  }
  return std::vector<std::string>{*id};
}

Result<Message> parseHealth(Message message, const json& detail) {
  auto service = stringField(detail, "service", "detail.");
  auto category = stringField(detail, "eventTypeCategory", "detail.");
  if (!service || !category) {
    return !service ? service.error() : category.error();
  }
  // Only EC2 scheduled changes (maintenance, retirement) threaten an instance.
  if (*service != "EC2" || *category != "scheduledChange") {
    return message;
  }
  auto entities = detail.find("affectedEntities");
  if (entities == detail.end() || !entities->is_array()) {
    return invalidError("detail.affectedEntities: must be a list");
  }
  for (size_t i = 0; i < entities->size(); ++i) {
    const json& entity = (*entities)[i];
    if (!entity.is_object()) {
      return invalidError("detail.affectedEntities[" + std::to_string(i) + "]: must be an object");
    }
    auto value =
        stringField(entity, "entityValue", "detail.affectedEntities[" + std::to_string(i) + "].");
    if (!value) {
      return value.error();
    }
    if (!value->empty()) {
      message.instanceIds.push_back(*value);
    }
  }
  message.kind = Kind::kScheduledChange;
  return message;
}

Result<Message> parseStateChange(Message message, const json& detail) {
  auto ids = detailInstanceId(detail);
  auto state = stringField(detail, "state", "detail.");
  if (!ids || !state) {
    return !ids ? ids.error() : state.error();
  }
  message.state = *state;
  if (*state == "stopping" || *state == "stopped") {
    message.kind = Kind::kInstanceStopped;
  } else if (*state == "shutting-down" || *state == "terminated") {
    message.kind = Kind::kInstanceTerminated;
  } else {
    return message;  // pending, running: nothing to do
  }
  message.instanceIds = std::move(*ids);
  return message;
}

}  // namespace

const char* kindName(Kind kind) {
  switch (kind) {
    case Kind::kNoOp:
      return "no_op";
    case Kind::kSpotInterrupted:
      return "spot_interrupted";
    case Kind::kRebalanceRecommendation:
      return "rebalance_recommendation";
    case Kind::kScheduledChange:
      return "scheduled_change";
    case Kind::kInstanceStopped:
      return "instance_stopped";
    case Kind::kInstanceTerminated:
      return "instance_terminated";
    case Kind::kCapacityReservationInterrupted:
      return "capacity_reservation_interrupted";
  }
  return "no_op";
}

Result<Message> parseMessage(std::string_view body) {
  Message message;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return message;
  }
  const json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) {
    return invalidError("the message body is not JSON");
  }
  if (!parsed.is_object()) {
    return invalidError(std::string("the message body must be a JSON object, not ") +
                        parsed.type_name());
  }
  std::array<std::string, 5> fields;
  const char* const names[] = {"version", "id", "source", "detail-type", "time"};
  for (size_t i = 0; i < fields.size(); ++i) {
    auto value = stringField(parsed, names[i], "");
    if (!value) {
      return value.error();
    }
    fields[i] = std::move(*value);
  }
  const auto& [version, id, source, detailType, time] = fields;
  message.id = id;
  message.source = source;
  message.detailType = detailType;
  if (!time.empty()) {
    message.time = parseRfc3339(time);
    if (!message.time) {
      return invalidError("time: \"" + time + "\" is not an RFC 3339 time");
    }
  }
  if (version != kVersion) {
    return message;
  }
  auto detailIt = parsed.find("detail");
  const bool known = (source == kSourceHealth && detailType == "AWS Health Event") ||
                     (source == kSourceEc2 &&
                      (detailType == "EC2 Spot Instance Interruption Warning" ||
                       detailType == "EC2 Instance Rebalance Recommendation" ||
                       detailType == "EC2 Instance State-change Notification" ||
                       detailType == "EC2 Capacity Reservation Instance Interruption Warning"));
  if (!known) {
    return message;
  }
  if (detailIt == parsed.end() || !detailIt->is_object()) {
    return invalidError("detail: a \"" + detailType + "\" message needs a detail object");
  }
  const json& detail = *detailIt;
  if (source == kSourceHealth) {
    return parseHealth(std::move(message), detail);
  }
  if (detailType == "EC2 Instance State-change Notification") {
    return parseStateChange(std::move(message), detail);
  }
  auto ids = detailInstanceId(detail);
  if (!ids) {
    return ids.error();
  }
  message.instanceIds = std::move(*ids);
  if (detailType == "EC2 Spot Instance Interruption Warning") {
    message.kind = Kind::kSpotInterrupted;
  } else if (detailType == "EC2 Instance Rebalance Recommendation") {
    message.kind = Kind::kRebalanceRecommendation;
  } else {
    message.kind = Kind::kCapacityReservationInterrupted;
  }
  return message;
}

std::string instanceIdFromProviderId(std::string_view providerID) {
  constexpr std::string_view kPrefix = "aws://";
  if (providerID.substr(0, kPrefix.size()) != kPrefix) {
    return "";
  }
  const std::string_view id = providerID.substr(providerID.rfind('/') + 1);
  return id.substr(0, 2) == "i-" ? std::string(id) : "";
}

}  // namespace karpenter::controllers::interruption
