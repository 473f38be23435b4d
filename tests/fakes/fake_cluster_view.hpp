#pragma once

#include <map>
#include <string>

#include "karpenter/extender/decisions.hpp"

namespace karpenter::testing {

// A ClusterView backed by plain maps, for extender tests.
class FakeClusterView final : public extender::ClusterView {
 public:
  std::map<std::string, extender::NodeFacts, std::less<>> nodes;
  std::map<std::string, std::string, std::less<>> nominations;  // pod UID → node name

  const extender::NodeFacts* node(std::string_view name) const override {
    auto it = nodes.find(name);
    return it == nodes.end() ? nullptr : &it->second;
  }
  std::optional<std::string> nominatedNode(std::string_view podUID) const override {
    auto it = nominations.find(podUID);
    return it == nominations.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
};

}  // namespace karpenter::testing
