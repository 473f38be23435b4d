#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/apiserver/status.hpp"

namespace karpenter::apiserver {

// A parsed field selector (k8s.io/apimachinery/pkg/fields): "f=v", "f==v", "f!=v" terms joined by
// ",", with backslash escapes. Only the fields upstream registers for a resource are accepted
// (metadata.name and metadata.namespace everywhere, plus e.g. spec.nodeName and status.phase on
// pods); anything else is 400 "field label not supported". Immutable; thread-safe to share.
class FieldSelector final {
 public:
  struct Term {
    std::string field;
    bool equals = true;  // false for !=
    std::string value;
  };

  // `resource` is the plural ("pods"), `group` its group ("" for core).
  static ApiResult<FieldSelector> parse(std::string_view text, const std::string& group,
                                        const std::string& resource);

  bool matches(const nlohmann::json& object) const;
  bool empty() const { return terms_.empty(); }

 private:
  std::vector<Term> terms_;
};

}  // namespace karpenter::apiserver
