#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "karpenter/kube/work_queue.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::kube {

// What one reconcile tells the queue: an error (the key is retried with the queue's backoff) or
// after how long to reconcile the key again (zero: only when it is added again).
using RequeueAfter = Result<std::chrono::nanoseconds>;

// A reconcile's result as the queue takes it: its error, or its delay (none for Result<void>).
template <typename Rep, typename Period>
RequeueAfter requeueAfter(const Result<std::chrono::duration<Rep, Period>>& result) {
  return result ? RequeueAfter(*result) : RequeueAfter(result.error());
}
inline RequeueAfter requeueAfter(const Result<void>& result) {
  return result ? RequeueAfter(std::chrono::nanoseconds(0)) : RequeueAfter(result.error());
}

// A worker's loop (QueueWorkers::Work): takes keys until the queue shuts down and reconciles
// each. An error is logged as "<kind> <key>: <message>" (a Conflict at debug level: the retry
// over newer state settles it) and the key is requeued rate-limited; a success forgets the key's
// failures and requeues it after the returned delay when that is positive.
void reconcileKeys(WorkQueue& queue, std::string_view kind,
                   const std::function<RequeueAfter(const std::string& key)>& reconcile);

// The threads of a queue-driven controller: `workers` threads running work(queue) and one
// watcher thread running watch(queue, stop) that feeds the queue until `stop` is requested.
//  - start() is idempotent and creates a fresh WorkQueue each time: a shut-down queue cannot be
//    reopened, so a controller that is stopped and started again gets a new one.
//  - stop() is idempotent: it asks the watcher to stop and joins it (so nothing is added any
//    more), shuts the queue down (every blocked get() returns nullopt) and joins the workers.
//    The destructor stops.
// work() must return once queue.get() returns nullopt; watch() must return soon after
// stop.stop_requested() becomes true.
// Thread safety: start() and stop() may be called from any thread; they serialize.
class QueueWorkers final {
 public:
  using Work = std::function<void(WorkQueue& queue)>;
  using Watch = std::function<void(WorkQueue& queue, std::stop_token stop)>;
  using Reconcile = std::function<RequeueAfter(const std::string& key)>;

  QueueWorkers(int workers, Work work, Watch watch);
  // The usual controller: each worker runs reconcileKeys(queue, kind, reconcile).
  QueueWorkers(int workers, std::string kind, Reconcile reconcile, Watch watch);
  ~QueueWorkers();
  QueueWorkers(const QueueWorkers&) = delete;
  QueueWorkers& operator=(const QueueWorkers&) = delete;

  void start();
  void stop();
  bool running() const;

 private:
  const int workerCount_;
  const Work work_;
  const Watch watch_;
  mutable std::mutex mutex_;
  std::unique_ptr<WorkQueue> queue_;  // null until the first start()
  std::vector<std::thread> workers_;
  std::jthread watcher_;
};

}  // namespace karpenter::kube
