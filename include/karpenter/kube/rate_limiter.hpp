#pragma once

#include <chrono>
#include <functional>
#include <mutex>

namespace karpenter::kube {

// A token bucket like client-go's default client limiter (flowcontrol.NewTokenBucketRateLimiter):
// `qps` tokens per second refill a bucket of `burst` tokens; each request takes one. reserve()
// never blocks: it takes a token (possibly borrowing against the future) and returns how long the
// caller must wait before sending. Thread safety: all methods may be called from any thread.
class TokenBucket final {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // qps <= 0 disables limiting (reserve() always returns zero). `now` defaults to steady_clock.
  TokenBucket(double qps, int burst, Clock now = {});

  // Takes one token; returns the delay before the caller may proceed (zero when one was ready).
  std::chrono::nanoseconds reserve();

 private:
  double qps_;
  double burst_;
  Clock now_;
  std::mutex mutex_;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace karpenter::kube
