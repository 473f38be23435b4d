#include "karpenter/kube/retry.hpp"

#include <random>
#include <thread>

namespace karpenter::kube {

Result<void> retryOnConflict(const std::function<Result<void>()>& attempt,
                             const ConflictBackoff& backoff) {
  thread_local std::mt19937 random{std::random_device{}()};
  std::uniform_real_distribution<double> spread(1.0, 1.0 + backoff.jitter);
  Result<void> result = attempt();
  for (int step = 1; step < backoff.steps; ++step) {
    if (result.ok() || result.error().kind != ErrorKind::kConflict) {
      return result;
    }
    const auto wait = std::chrono::nanoseconds(static_cast<int64_t>(
        static_cast<double>(std::chrono::nanoseconds(backoff.duration).count()) * spread(random)));
    if (backoff.sleep) {
      backoff.sleep(wait);
    } else {
      std::this_thread::sleep_for(wait);
    }
    result = attempt();
  }
  return result;
}

}  // namespace karpenter::kube
