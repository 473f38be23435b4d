#include "node_name_fields.hpp"

#include <algorithm>

namespace karpenter::scheduling::solver {

namespace {

constexpr std::string_view kNameField = "metadata.name";

}  // namespace

Result<void> NodeNameFields::add(const std::vector<api::NodeSelectorRequirement>& fields) {
  for (const auto& field : fields) {
    if (field.key != kNameField) {
      return Error{ErrorKind::kInvalid, "node affinity matchFields: key \"" + field.key +
                                            "\" is not supported, only metadata.name"};
    }
    if (field.op != "In" && field.op != "NotIn") {
      return Error{ErrorKind::kInvalid, "node affinity matchFields: operator \"" + field.op +
                                            "\" is not supported for metadata.name, only In "
                                            "and NotIn"};
    }
    if (field.values.size() != 1) {
      return Error{ErrorKind::kInvalid, "node affinity matchFields: metadata.name " + field.op +
                                            " must have exactly one value, not " +
                                            std::to_string(field.values.size())};
    }
    const std::string& name = field.values.front();
    if (field.op == "NotIn") {
      notIn_.push_back(name);
    } else if (!in_) {
      in_ = name;
    } else if (*in_ != name) {
      inConflict_ = true;
    }
  }
  return {};
}

bool NodeNameFields::admits(std::string_view nodeName) const {
  if (in_ && (inConflict_ || *in_ != nodeName)) {
    return false;
  }
  return std::find(notIn_.begin(), notIn_.end(), nodeName) == notIn_.end();
}

std::string NodeNameFields::toString() const {
  std::string out;
  if (in_) {
    out = "metadata.name In [" + *in_ + "]";
    if (inConflict_) {
      out += " and another name";
    }
  }
  for (const auto& name : notIn_) {
    out += (out.empty() ? "" : ", ") + std::string("metadata.name NotIn [") + name + "]";
  }
  return out;
}

}  // namespace karpenter::scheduling::solver
