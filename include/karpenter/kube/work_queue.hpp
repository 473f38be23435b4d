#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace karpenter::kube {

// A controller work queue with client-go's semantics (workqueue.TypedRateLimitingInterface):
//  - a key added while it already waits is queued once;
//  - a key added while it is being processed (between get() and done()) is not handed to a
//    second worker; it is queued again when done() is called;
//  - addAfter() holds a key until its delay has passed (the earliest of several delays wins);
//  - addRateLimited() delays by a per-key exponential backoff, baseDelay·2^failures capped at
//    maxDelay (client-go's ItemExponentialFailureRateLimiter, 5 ms … 1000 s), until forget();
//  - shutdown() wakes every blocked get(), which then returns nullopt.
// Thread safety: every method may be called from any thread.
class WorkQueue final {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  struct Options {
    std::chrono::nanoseconds baseDelay = std::chrono::milliseconds(5);
    std::chrono::nanoseconds maxDelay = std::chrono::seconds(1000);
    // The only source of time for delays; steady_clock when empty. With an injected clock,
    // get() still waits in real time, so tests that step the clock use tryGet().
    Clock now;
  };

  WorkQueue();
  explicit WorkQueue(Options options);
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void add(const std::string& key);
  void addAfter(const std::string& key, std::chrono::nanoseconds delay);
  void addRateLimited(const std::string& key);
  // Clears the key's failure count (call after a successful reconcile).
  void forget(const std::string& key);
  // How many times addRateLimited() was called for the key since the last forget().
  int numRequeues(const std::string& key) const;

  // Blocks until a key is ready or the queue shuts down (nullopt). The caller must call
  // done(key) when it has finished with the key.
  std::optional<std::string> get();
  // Like get() but never blocks: nullopt when nothing is ready now.
  std::optional<std::string> tryGet();
  void done(const std::string& key);

  void shutdown();
  bool shuttingDown() const;
  // Keys ready to be handed out (not counting delayed or in-process keys).
  size_t length() const;
  // Keys waiting for their delay to pass.
  size_t delayedLength() const;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  TimePoint now() const;
  void addLocked(const std::string& key);
  // Moves keys whose delay has passed into the queue; returns the earliest pending ready time.
  std::optional<TimePoint> promoteDueLocked();
  std::optional<std::string> popLocked();

  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::unordered_set<std::string> dirty_;       // queued, not yet handed out
  std::unordered_set<std::string> processing_;  // handed out, done() not yet called
  std::set<std::pair<TimePoint, std::string>> delayed_;
  std::unordered_map<std::string, TimePoint> delayedAt_;
  std::unordered_map<std::string, int> failures_;
  bool shutdown_ = false;
};

}  // namespace karpenter::kube
