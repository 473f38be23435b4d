#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "karpenter/extender/decisions.hpp"

namespace karpenter::extender {

// Node names packed into one buffer: 5,000 names cost two allocations, not 5,000.
class NodeNameList final {
 public:
  void add(std::string_view name);
  size_t size() const { return spans_.size(); }
  std::string_view operator[](size_t i) const {
    return std::string_view(storage_).substr(spans_[i].first, spans_[i].second);
  }
  // Views of every name, valid while this list is alive and unchanged.
  std::vector<std::string_view> views() const;
  void reserveBytes(size_t bytes) { storage_.reserve(bytes); }

 private:
  std::string storage_;
  std::vector<std::pair<uint32_t, uint32_t>> spans_;  // offset, length
};

// ExtenderArgs as the decisions read them, decoded in one streaming pass (Boost.JSON's SAX
// basic_parser) without building a JSON tree: the pod's uid and requests, and NodeNames.
struct ScannedArgs {
  PodFacts pod;
  // The request carries a non-null Nodes (nodeCacheCapable: false). The scan keeps no NodeList:
  // such a request is decoded again with decodeExtenderArgs, which keeps the Node objects as
  // they came (the filter reply returns them).
  bool hasNodes = false;
  std::optional<NodeNameList> nodeNames;  // NodeNames, when not null
};

struct ScanResult {
  enum class Outcome {
    kOk,
    kInvalidJson,  // the body is not one well-formed JSON value; `error` says where and why
    kInvalidArgs,  // JSON, but not ExtenderArgs; `error` names the field like decodeExtenderArgs
  };
  Outcome outcome = Outcome::kOk;
  std::string error;
  ScannedArgs args;
};

// Decodes the body of a filter or prioritize request. Key matching and shape errors agree with
// decodeExtenderArgs (Go's case-insensitive keys, an exact match preferred; unknown keys
// ignored; the same messages for Pod and NodeNames). Pure; safe from any thread.
ScanResult scanExtenderArgs(std::string_view body);

}  // namespace karpenter::extender
