#include "karpenter/kube/queue_workers.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace karpenter::kube {

QueueWorkers::QueueWorkers(int workers, Work work, Watch watch)
    : workerCount_(std::max(1, workers)), work_(std::move(work)), watch_(std::move(watch)) {}

QueueWorkers::QueueWorkers(int workers, std::string kind, Reconcile reconcile, Watch watch)
    : QueueWorkers(
          workers,
          [kind = std::move(kind), reconcile = std::move(reconcile)](WorkQueue& queue) {
            reconcileKeys(queue, kind, reconcile);
          },
          std::move(watch)) {}

QueueWorkers::~QueueWorkers() {
  stop();
}

void QueueWorkers::start() {
  std::lock_guard lock(mutex_);
  if (watcher_.joinable()) {
    return;
  }
  queue_ = std::make_unique<WorkQueue>();
  WorkQueue& queue = *queue_;
  for (int i = 0; i < workerCount_; ++i) {
    workers_.emplace_back([this, &queue] { work_(queue); });
  }
  watcher_ = std::jthread([this, &queue](std::stop_token stop) { watch_(queue, stop); });
}

void QueueWorkers::stop() {
  std::lock_guard lock(mutex_);
  if (!watcher_.joinable()) {
    return;
  }
  // The watcher first, so no key is added to a queue that is shutting down.
  watcher_.request_stop();
  watcher_.join();
  queue_->shutdown();
  for (auto& worker : workers_) {
    worker.join();
  }
  workers_.clear();
}

bool QueueWorkers::running() const {
  std::lock_guard lock(mutex_);
  return watcher_.joinable();
}

void reconcileKeys(WorkQueue& queue, std::string_view kind,
                   const std::function<RequeueAfter(const std::string& key)>& reconcile) {
  while (auto key = queue.get()) {
    auto result = reconcile(*key);
    if (!result) {
      if (result.error().kind == ErrorKind::kConflict) {
        spdlog::debug("{} {}: {}", kind, *key, result.error().message);
      } else {
        spdlog::warn("{} {}: {}", kind, *key, result.error().message);
      }
      queue.addRateLimited(*key);
    } else {
      queue.forget(*key);
      if (result->count() > 0) {
        queue.addAfter(*key, *result);
      }
    }
    queue.done(*key);
  }
}

}  // namespace karpenter::kube
