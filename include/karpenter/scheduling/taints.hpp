#pragma once

#include <span>
#include <string>

#include "karpenter/api/selectors.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::scheduling {

struct TolerationOptions {
  // core/v1 Gt/Lt toleration operators (feature gate TaintTolerationComparisonOperators, off by
  // default upstream): the taint value, parsed as int64, must be greater/less than the
  // toleration's; a parse failure on either side never tolerates.
  bool comparisonOperators = false;
};

// Which taints can block a pod.
enum class TaintScope {
  kBlocking,    // NoSchedule and NoExecute only, as kube-scheduler's TaintToleration filter
  kAllEffects,  // PreferNoSchedule too, as Karpenter does until it relaxes preferences
};

// core/v1 Toleration.ToleratesTaint: a non-empty toleration effect must equal the taint's; a
// non-empty toleration key must equal the taint's (an empty key with Exists tolerates every taint);
// operator "" or Equal compares values, Exists accepts any value, anything else tolerates nothing.
// tolerationSeconds does not matter for matching.
bool toleratesTaint(const api::Toleration& toleration, const api::Taint& taint,
                    TolerationOptions options = {});
bool toleratesAny(std::span<const api::Toleration> tolerations, const api::Taint& taint,
                  TolerationOptions options = {});

// Whether an effect can block scheduling under `scope`.
bool taintBlocks(const api::Taint& taint, TaintScope scope);

// Succeeds when every in-scope taint is tolerated; otherwise an Invalid error naming the first
// untolerated taint like kube-scheduler: "untolerated taint {key: value}".
Result<void> toleratesAll(std::span<const api::Toleration> tolerations,
                          std::span<const api::Taint> taints,
                          TaintScope scope = TaintScope::kBlocking, TolerationOptions options = {});

// core/v1 Taint.ToString: "key=value:Effect", "key:Effect" without a value, "key=value:" without
// an effect, "key" with neither.
std::string toString(const api::Taint& taint);

}  // namespace karpenter::scheduling
