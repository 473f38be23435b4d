#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace karpenter::provisioning {

// Groups provisioning triggers (new pending pods) into batches like upstream's batcher: a batch
// opens at the first trigger and closes once no trigger arrived for `idle` (the window restarts
// with every trigger) or `max` after it opened, whichever is first (BATCH_IDLE_DURATION,
// BATCH_MAX_DURATION). Larger batches give the solver more pods to pack together.
//
// Thread safety: trigger() and stop() from any thread; wait() from the one provisioning thread.
class Batcher final {
 public:
  Batcher(std::chrono::milliseconds idle, std::chrono::milliseconds max);

  void trigger();
  // Waits up to `pollFor` for a first trigger, then for the batch to close. True when a batch
  // closed; false when nothing was triggered in time or stop() was called.
  bool wait(std::chrono::milliseconds pollFor);
  // Wakes wait() for good.
  void stop();

 private:
  using Clock = std::chrono::steady_clock;
  const std::chrono::milliseconds idle_;
  const std::chrono::milliseconds max_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool pending_ = false;  // a trigger not yet consumed by wait()
  Clock::time_point lastTrigger_;
  bool stopped_ = false;
};

}  // namespace karpenter::provisioning
