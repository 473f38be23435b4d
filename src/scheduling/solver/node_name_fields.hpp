#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "karpenter/api/selectors.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::scheduling::solver {

// The matchFields of the node-affinity terms a pod is held to, as kube-scheduler evaluates them:
// only metadata.name, with In or NotIn and exactly one value. A new NodeClaim has no name yet and
// will get a fresh one, so it can never satisfy In (a pod pinned by name only fits the existing
// node it names) and always satisfies NotIn.
class NodeNameFields final {
 public:
  // Adds a term's matchFields (ANDed with what is there). Fails with a message naming the field
  // when one is not metadata.name In/NotIn with one value.
  Result<void> add(const std::vector<api::NodeSelectorRequirement>& fields);

  bool admits(std::string_view nodeName) const;
  bool admitsNewNode() const { return !in_.has_value(); }
  bool empty() const { return !in_ && notIn_.empty(); }
  // "metadata.name In [a]" for messages.
  std::string toString() const;

 private:
  std::optional<std::string> in_;  // the one name In allows (two different ones allow none)
  bool inConflict_ = false;
  std::vector<std::string> notIn_;
};

}  // namespace karpenter::scheduling::solver
