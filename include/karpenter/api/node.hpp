#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/meta.hpp"
#include "karpenter/api/quantity.hpp"
#include "karpenter/api/selectors.hpp"

namespace karpenter::api {

// core/v1 Node: the fields Karpenter reads (provider ID, taints, capacity, readiness) or writes
// (taints, unschedulable). Unmodelled fields (images, daemonEndpoints, …) survive through
// Node::original. Plain values: no synchronisation, copy freely.

struct NodeSpec {
  std::string providerID;  // e.g. "aws:///us-west-2a/i-0123456789abcdef0"
  std::vector<Taint> taints;
  bool unschedulable = false;
  std::string podCIDR;
  std::vector<std::string> podCIDRs;
  bool operator==(const NodeSpec&) const = default;
};

struct NodeCondition {
  std::string type;    // Ready, MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable
  std::string status;  // "True", "False", "Unknown"
  std::string reason;
  std::string message;
  std::string lastHeartbeatTime;
  std::string lastTransitionTime;
  bool operator==(const NodeCondition&) const = default;
};

struct NodeSystemInfo {
  std::string machineID;
  std::string systemUUID;
  std::string bootID;
  std::string kernelVersion;
  std::string osImage;
  std::string containerRuntimeVersion;
  std::string kubeletVersion;
  std::string kubeProxyVersion;
  std::string operatingSystem;
  std::string architecture;
  bool operator==(const NodeSystemInfo&) const = default;
};

struct NodeAddress {
  std::string type;  // InternalIP, ExternalIP, Hostname, InternalDNS, ExternalDNS
  std::string address;
  bool operator==(const NodeAddress&) const = default;
};

struct NodeStatus {
  ResourceList capacity;
  ResourceList allocatable;
  std::vector<NodeCondition> conditions;
  NodeSystemInfo nodeInfo;
  std::vector<NodeAddress> addresses;
  bool operator==(const NodeStatus&) const = default;
};

struct Node {
  static constexpr const char* kApiVersion = "v1";
  static constexpr const char* kKind = "Node";
  std::string apiVersion;
  std::string kind;
  ObjectMeta metadata;
  NodeSpec spec;
  NodeStatus status;
  nlohmann::json original;  // the JSON this was decoded from; see codec.hpp
};

void describe(Decoder&, NodeSpec&);
void describe(Encoder&, const NodeSpec&);
void describe(Decoder&, NodeCondition&);
void describe(Encoder&, const NodeCondition&);
void describe(Decoder&, NodeSystemInfo&);
void describe(Encoder&, const NodeSystemInfo&);
void describe(Decoder&, NodeAddress&);
void describe(Encoder&, const NodeAddress&);
void describe(Decoder&, NodeStatus&);
void describe(Encoder&, const NodeStatus&);
void describe(Decoder&, Node&);
void describe(Encoder&, const Node&);

}  // namespace karpenter::api
