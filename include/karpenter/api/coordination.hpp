#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/meta.hpp"
#include "karpenter/api/object_reference.hpp"

namespace karpenter::api {

// coordination.k8s.io/v1 Lease (leader election) and core/v1 Event (what Karpenter tells users).
// Timestamps stay in wire form: Lease times are MicroTime ("2024-01-02T03:04:05.123456Z"), Event
// first/lastTimestamp are RFC 3339 and eventTime is MicroTime. Plain values: copy freely.

struct LeaseSpec {
  // All optional upstream: an empty holderIdentity ("") is a released lease, absent is unheld.
  std::optional<std::string> holderIdentity;
  std::optional<int> leaseDurationSeconds;
  std::optional<std::string> acquireTime;
  std::optional<std::string> renewTime;
  std::optional<int> leaseTransitions;
  bool operator==(const LeaseSpec&) const = default;
};

struct Lease {
  static constexpr const char* kApiVersion = "coordination.k8s.io/v1";
  static constexpr const char* kKind = "Lease";
  std::string apiVersion;
  std::string kind;
  ObjectMeta metadata;
  LeaseSpec spec;
  nlohmann::json original;
};

struct EventSource {
  std::string component;
  std::string host;
  bool operator==(const EventSource&) const = default;
};

struct Event {
  static constexpr const char* kApiVersion = "v1";
  static constexpr const char* kKind = "Event";
  std::string apiVersion;
  std::string kind;
  ObjectMeta metadata;
  ObjectReference involvedObject;
  std::string reason;
  std::string message;
  std::string type;  // "Normal" or "Warning"
  EventSource source;
  int count = 0;
  std::string firstTimestamp;
  std::string lastTimestamp;
  std::string eventTime;
  std::string reportingComponent;
  std::string reportingInstance;
  std::string action;
  nlohmann::json original;
};

void describe(Decoder&, LeaseSpec&);
void describe(Encoder&, const LeaseSpec&);
void describe(Decoder&, Lease&);
void describe(Encoder&, const Lease&);
void describe(Decoder&, EventSource&);
void describe(Encoder&, const EventSource&);
void describe(Decoder&, Event&);
void describe(Encoder&, const Event&);

}  // namespace karpenter::api
