#include "karpenter/kube/work_queue.hpp"

#include <algorithm>

namespace karpenter::kube {

WorkQueue::WorkQueue() : WorkQueue(Options{}) {}

WorkQueue::WorkQueue(Options options) : options_(std::move(options)) {}

WorkQueue::TimePoint WorkQueue::now() const {
  return options_.now ? options_.now() : std::chrono::steady_clock::now();
}

void WorkQueue::add(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    addLocked(key);
  }
  cv_.notify_one();
}

void WorkQueue::addLocked(const std::string& key) {
  if (shutdown_ || dirty_.contains(key)) {
    return;
  }
  dirty_.insert(key);
  if (processing_.contains(key)) {
    return;  // done() queues it again, so no two workers ever hold the same key
  }
  queue_.push_back(key);
}

void WorkQueue::addAfter(const std::string& key, std::chrono::nanoseconds delay) {
  if (delay.count() <= 0) {
    add(key);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (shutdown_) {
      return;
    }
    const TimePoint readyAt = now() + std::chrono::duration_cast<std::chrono::nanoseconds>(delay);
    auto it = delayedAt_.find(key);
    if (it != delayedAt_.end()) {
      if (it->second <= readyAt) {
        return;  // already due sooner
      }
      delayed_.erase({it->second, key});
    }
    delayedAt_[key] = readyAt;
    delayed_.emplace(readyAt, key);
  }
  // A waiting get() may need to wake earlier than it planned.
  cv_.notify_all();
}

void WorkQueue::addRateLimited(const std::string& key) {
  std::chrono::nanoseconds delay;
  {
    std::lock_guard lock(mutex_);
    const int exponent = failures_[key]++;
    // 2^exponent overflows long before it matters; anything past 2^40·base is beyond the cap.
    const double factor = static_cast<double>(int64_t{1} << std::min(exponent, 40));
    const double nanos = static_cast<double>(options_.baseDelay.count()) * factor;
    delay = nanos >= static_cast<double>(options_.maxDelay.count())
                ? options_.maxDelay
                : std::chrono::nanoseconds(static_cast<int64_t>(nanos));
  }
  addAfter(key, delay);
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

int WorkQueue::numRequeues(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

std::optional<WorkQueue::TimePoint> WorkQueue::promoteDueLocked() {
  const TimePoint current = now();
  while (!delayed_.empty() && delayed_.begin()->first <= current) {
    std::string key = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    delayedAt_.erase(key);
    addLocked(key);
  }
  if (delayed_.empty()) {
    return std::nullopt;
  }
  return delayed_.begin()->first;
}

std::optional<std::string> WorkQueue::popLocked() {
  if (queue_.empty()) {
    return std::nullopt;
  }
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mutex_);
  while (true) {
    const auto nextReady = promoteDueLocked();
    if (auto key = popLocked()) {
      return key;
    }
    if (shutdown_) {
      return std::nullopt;
    }
    if (nextReady) {
      cv_.wait_for(lock, *nextReady - now());
    } else {
      cv_.wait(lock);
    }
  }
}

std::optional<std::string> WorkQueue::tryGet() {
  std::lock_guard lock(mutex_);
  promoteDueLocked();
  return popLocked();
}

void WorkQueue::done(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    processing_.erase(key);
    if (!dirty_.contains(key)) {
      return;
    }
    queue_.push_back(key);
  }
  cv_.notify_one();
}

void WorkQueue::shutdown() {
  {
    std::lock_guard lock(mutex_);
    shutdown_ = true;
    delayed_.clear();
    delayedAt_.clear();
  }
  cv_.notify_all();
}

bool WorkQueue::shuttingDown() const {
  std::lock_guard lock(mutex_);
  return shutdown_;
}

size_t WorkQueue::length() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

size_t WorkQueue::delayedLength() const {
  std::lock_guard lock(mutex_);
  return delayed_.size();
}

}  // namespace karpenter::kube
