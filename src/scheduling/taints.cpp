#include "karpenter/scheduling/taints.hpp"

#include <algorithm>

#include "karpenter/api/well_known.hpp"
#include "karpenter/scheduling/requirement.hpp"

namespace karpenter::scheduling {

bool toleratesTaint(const api::Toleration& toleration, const api::Taint& taint,
                    TolerationOptions options) {
  if (!toleration.effect.empty() && toleration.effect != taint.effect) {
    return false;
  }
  if (!toleration.key.empty() && toleration.key != taint.key) {
    return false;
  }
  if (toleration.op.empty() || toleration.op == "Equal") {
    return toleration.value == taint.value;
  }
  if (toleration.op == "Exists") {
    return true;
  }
  if (options.comparisonOperators && (toleration.op == "Gt" || toleration.op == "Lt")) {
    auto threshold = parseInt64(toleration.value);
    auto actual = parseInt64(taint.value);
    if (!threshold || !actual) {
      return false;
    }
    return toleration.op == "Gt" ? *actual > *threshold : *actual < *threshold;
  }
  return false;
}

bool toleratesAny(std::span<const api::Toleration> tolerations, const api::Taint& taint,
                  TolerationOptions options) {
  return std::any_of(tolerations.begin(), tolerations.end(),
                     [&](const api::Toleration& t) { return toleratesTaint(t, taint, options); });
}

bool taintBlocks(const api::Taint& taint, TaintScope scope) {
  if (taint.effect == api::kTaintEffectNoSchedule || taint.effect == api::kTaintEffectNoExecute) {
    return true;
  }
  return scope == TaintScope::kAllEffects;
}

Result<void> toleratesAll(std::span<const api::Toleration> tolerations,
                          std::span<const api::Taint> taints, TaintScope scope,
                          TolerationOptions options) {
  for (const auto& taint : taints) {
    if (taintBlocks(taint, scope) && !toleratesAny(tolerations, taint, options)) {
      return invalidError("untolerated taint {" + taint.key + ": " + taint.value + "}");
    }
  }
  return {};
}

std::string toString(const api::Taint& taint) {
  std::string out = taint.key;
  if (!taint.value.empty()) {
    out += "=" + taint.value;
    if (taint.effect.empty()) {
      return out + ":";
    }
  }
  if (!taint.effect.empty()) {
    out += ":" + taint.effect;
  }
  return out;
}

}  // namespace karpenter::scheduling
