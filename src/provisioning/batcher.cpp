#include "karpenter/provisioning/batcher.hpp"

#include <algorithm>

namespace karpenter::provisioning {

Batcher::Batcher(std::chrono::milliseconds idle, std::chrono::milliseconds max)
    : idle_(idle), max_(max) {}

void Batcher::trigger() {
  {
    std::lock_guard lock(mutex_);
    pending_ = true;
    lastTrigger_ = Clock::now();
  }
  changed_.notify_all();
}

void Batcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  changed_.notify_all();
}

bool Batcher::wait(std::chrono::milliseconds pollFor) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, pollFor, [this] { return pending_ || stopped_; }) || stopped_) {
    return false;
  }
  const Clock::time_point opened = Clock::now();
  while (!stopped_) {
    const Clock::time_point closesAt = std::min(lastTrigger_ + idle_, opened + max_);
    if (Clock::now() >= closesAt) {
      break;
    }
    // Woken by a trigger, which moves lastTrigger_ and with it the idle deadline.
    changed_.wait_until(lock, closesAt);
  }
  pending_ = false;
  return !stopped_;
}

}  // namespace karpenter::provisioning
