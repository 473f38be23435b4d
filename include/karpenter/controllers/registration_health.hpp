#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "karpenter/api/nodeclaim.hpp"
#include "karpenter/kube/client.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::controllers {

// NodeRegistrationHealthy bookkeeping (upstream pkg/state/nodepoolhealth): for each NodePool (by
// UID) the outcomes of its last kBufferSize NodeClaims — registered, or timed out before
// registering. The pool is Unhealthy when at least half of kBufferSize outcomes are failures,
// Healthy when it has any outcome otherwise, Unknown with none. The NodeClaim lifecycle feeds
// it; NodePool status resets it when the pool or its node class changes.
// Thread safety: every method may be called from any thread.
class RegistrationHealth final {
 public:
  enum class Status { kUnknown, kHealthy, kUnhealthy };
  static constexpr size_t kBufferSize = 4;

  Status status(const std::string& nodePoolUid) const;
  // The status the pool would have after one more outcome, without recording it.
  Status dryRun(const std::string& nodePoolUid, bool registered) const;
  void update(const std::string& nodePoolUid, bool registered);
  // Forces a status: Unknown empties the record, Healthy adds a success, Unhealthy adds enough
  // failures (used to resume from the condition a restarted controller finds on the pool).
  void setStatus(const std::string& nodePoolUid, Status status);

 private:
  static Status statusOf(const std::deque<bool>& outcomes);
  static void push(std::deque<bool>& outcomes, bool registered);

  mutable std::mutex mutex_;
  std::map<std::string, std::deque<bool>, std::less<>> outcomes_;
};

// Records one NodeClaim outcome for the NodePool that owns it and, as upstream's lifecycle does,
// moves the pool's NodeRegistrationHealthy condition: to True on a registration that leaves the
// pool Healthy, to False on a failure that makes it Unhealthy (reason RegistrationFailed once
// launched; otherwise the Launched condition's reason and message). The NodePool is read fresh
// and patched under its resourceVersion (kConflict: try again); the outcome is recorded only
// once the condition is written. A NodeClaim not owned by its pool's current UID is ignored.
Result<void> recordRegistrationOutcome(kube::KubeClient& client, RegistrationHealth& health,
                                       const api::NodeClaim& nodeClaim, bool registered);

}  // namespace karpenter::controllers
