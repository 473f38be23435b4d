#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/util/result.hpp"

namespace karpenter::extender {

// The kube-scheduler extender wire format (k8s.io/kube-scheduler/extender/v1), byte-compatible with
// Go's encoding/json: PascalCase keys in Go field order, nil slices and maps as `null`, keys
// decoded case-insensitively. Embedded Pods and Nodes are kept as the JSON they arrived as (key
// order included): the extender decides on a typed view but hands nodes back exactly as it got
// them.

using WireJson = nlohmann::ordered_json;

constexpr int64_t kMinExtenderPriority = 0;
constexpr int64_t kMaxExtenderPriority = 10;

struct ExtenderArgs {
  WireJson pod;                   // "Pod"
  std::optional<WireJson> nodes;  // "Nodes": a NodeList (nodeCacheCapable=false)
  std::optional<std::vector<std::string>> nodeNames;  // "NodeNames" (nodeCacheCapable=true)

  // The node names asked about, whichever mode the scheduler is in.
  std::vector<std::string> candidateNames() const;
};

struct ExtenderFilterResult {
  std::optional<WireJson> nodes;  // non-cache mode: the NodeList of nodes that pass
  std::optional<std::vector<std::string>> nodeNames;              // cache mode: names that pass
  std::optional<std::map<std::string, std::string>> failedNodes;  // name → reason
  std::optional<std::map<std::string, std::string>> failedAndUnresolvableNodes;
  std::string error;
};

struct HostPriority {
  std::string host;
  int64_t score = 0;
};
using HostPriorityList = std::vector<HostPriority>;

struct ExtenderBindingArgs {
  std::string podName;
  std::string podNamespace;
  std::string podUID;
  std::string node;
};

struct ExtenderBindingResult {
  std::string error;
};

struct MetaPod {
  std::string uid;  // "UID"
};

struct Victims {
  std::optional<std::vector<WireJson>> pods;
  int64_t numPDBViolations = 0;
};

struct MetaVictims {
  std::optional<std::vector<MetaPod>> pods;
  int64_t numPDBViolations = 0;
};

struct ExtenderPreemptionArgs {
  WireJson pod;
  std::optional<std::map<std::string, Victims>> nodeNameToVictims;
  std::optional<std::map<std::string, MetaVictims>> nodeNameToMetaVictims;
};

struct ExtenderPreemptionResult {
  std::optional<std::map<std::string, MetaVictims>> nodeNameToMetaVictims;
};

// Decoders accept Go's case-insensitive key matching and ignore unknown keys. Errors are kInvalid
// and name the field ("NodeNames[2]: expected a string, got an integer").
Result<ExtenderArgs> decodeExtenderArgs(const WireJson& json);
Result<ExtenderFilterResult> decodeExtenderFilterResult(const WireJson& json);
Result<HostPriorityList> decodeHostPriorityList(const WireJson& json);
Result<HostPriority> decodeHostPriority(const WireJson& json);
Result<ExtenderBindingArgs> decodeExtenderBindingArgs(const WireJson& json);
Result<ExtenderBindingResult> decodeExtenderBindingResult(const WireJson& json);
Result<ExtenderPreemptionArgs> decodeExtenderPreemptionArgs(const WireJson& json);
Result<ExtenderPreemptionResult> decodeExtenderPreemptionResult(const WireJson& json);

// Encoders emit exactly what Go's json.Marshal emits for the same value.
WireJson encode(const ExtenderArgs& value);
WireJson encode(const ExtenderFilterResult& value);
WireJson encode(const HostPriorityList& value);
WireJson encode(const HostPriority& value);
WireJson encode(const ExtenderBindingArgs& value);
WireJson encode(const ExtenderBindingResult& value);
WireJson encode(const ExtenderPreemptionArgs& value);
WireJson encode(const ExtenderPreemptionResult& value);

// The items of a NodeList, or an error naming what is wrong with it.
Result<std::vector<const WireJson*>> nodeListItems(const WireJson& nodeList);

}  // namespace karpenter::extender
