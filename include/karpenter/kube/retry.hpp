#pragma once

#include <chrono>
#include <functional>

#include "karpenter/util/result.hpp"

namespace karpenter::kube {

// client-go's retry.DefaultRetry: 5 attempts, 10 ms apart, ±10% jitter.
struct ConflictBackoff {
  int steps = 5;
  std::chrono::milliseconds duration{10};
  double jitter = 0.1;
  // How the helper waits; std::this_thread::sleep_for when empty.
  std::function<void(std::chrono::nanoseconds)> sleep;
};

// Runs `attempt` (a get-modify-update) until it returns anything other than kConflict, at most
// `backoff.steps` times, and returns its last result. `attempt` must re-read the object each time:
// retrying a write with a stale resourceVersion cannot succeed.
Result<void> retryOnConflict(const std::function<Result<void>()>& attempt,
                             const ConflictBackoff& backoff = {});

}  // namespace karpenter::kube
