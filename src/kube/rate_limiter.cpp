#include "karpenter/kube/rate_limiter.hpp"

#include <algorithm>

namespace karpenter::kube {

TokenBucket::TokenBucket(double qps, int burst, Clock now)
    : qps_(qps),
      burst_(std::max(1, burst)),
      now_(now ? std::move(now) : [] { return std::chrono::steady_clock::now(); }),
      tokens_(burst_),
      last_(now_()) {}

std::chrono::nanoseconds TokenBucket::reserve() {
  if (qps_ <= 0) {
    return std::chrono::nanoseconds(0);
  }
  std::lock_guard lock(mutex_);
  const auto current = now_();
  if (current > last_) {
    const double elapsed = std::chrono::duration<double>(current - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
    last_ = current;
  }
  tokens_ -= 1.0;
  if (tokens_ >= 0) {
    return std::chrono::nanoseconds(0);
  }
  // Negative tokens are requests already promised a future slot; this one waits for its own.
  return std::chrono::nanoseconds(static_cast<int64_t>(-tokens_ / qps_ * 1e9));
}

}  // namespace karpenter::kube
