#include "karpenter/kube/queue_workers.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace karpenter::kube {
namespace {

using namespace std::chrono_literals;

// What the threads of a QueueWorkers did: the keys its workers handled, how often work() and
// watch() were entered, and whether each watch() was handed a queue that was not shut down.
class QueueWorkersRecorder {
 public:
  explicit QueueWorkersRecorder(std::vector<std::string> keysPerRun)
      : keysPerRun_(std::move(keysPerRun)) {}

  QueueWorkers::Work work() {
    return [this](WorkQueue& queue) {
      {
        std::lock_guard lock(mutex_);
        ++workCalls_;
      }
      while (auto key = queue.get()) {
        {
          std::lock_guard lock(mutex_);
          handled_.push_back(*key);
        }
        changed_.notify_all();
        queue.done(*key);
      }
    };
  }

  // Adds this run's keys (suffixed with the run number), then idles until asked to stop.
  QueueWorkers::Watch watch() {
    return [this](WorkQueue& queue, std::stop_token stop) {
      int run = 0;
      {
        std::lock_guard lock(mutex_);
        run = ++watchCalls_;
        watchedFreshQueues_ += queue.shuttingDown() ? 0 : 1;
      }
      for (const auto& key : keysPerRun_) {
        queue.add(key + "-" + std::to_string(run));
      }
      while (!stop.stop_requested()) {
        std::this_thread::sleep_for(1ms);
      }
    };
  }

  // Waits (at most 10 s) until `count` keys were handled; returns them.
  std::multiset<std::string> waitForHandled(size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 10s, [&] { return handled_.size() >= count; });
    return {handled_.begin(), handled_.end()};
  }

  int workCalls() const {
    std::lock_guard lock(mutex_);
    return workCalls_;
  }
  int watchCalls() const {
    std::lock_guard lock(mutex_);
    return watchCalls_;
  }
  int watchedFreshQueues() const {
    std::lock_guard lock(mutex_);
    return watchedFreshQueues_;
  }

 private:
  const std::vector<std::string> keysPerRun_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> handled_;
  int workCalls_ = 0;
  int watchCalls_ = 0;
  int watchedFreshQueues_ = 0;
};

TEST(QueueWorkersTest, KeysTheWatcherAddsReachTheWorkers) {
  QueueWorkersRecorder recorder({"a", "b", "c"});
  QueueWorkers threads(3, recorder.work(), recorder.watch());
  threads.start();
  EXPECT_EQ(recorder.waitForHandled(3), (std::multiset<std::string>{"a-1", "b-1", "c-1"}));
  threads.stop();
  EXPECT_EQ(recorder.workCalls(), 3);
  EXPECT_EQ(recorder.watchCalls(), 1);
}

TEST(QueueWorkersTest, StartAndStopAreIdempotent) {
  QueueWorkersRecorder recorder({"a"});
  QueueWorkers threads(2, recorder.work(), recorder.watch());
  EXPECT_FALSE(threads.running());
  threads.stop();  // never started: nothing to do
  threads.start();
  threads.start();
  EXPECT_TRUE(threads.running());
  recorder.waitForHandled(1);
  threads.stop();
  threads.stop();
  EXPECT_FALSE(threads.running());
  EXPECT_EQ(recorder.workCalls(), 2);
  EXPECT_EQ(recorder.watchCalls(), 1);
  EXPECT_EQ(recorder.waitForHandled(1), (std::multiset<std::string>{"a-1"}));
}

TEST(QueueWorkersTest, RestartGetsAFreshQueue) {
  QueueWorkersRecorder recorder({"a"});
  QueueWorkers threads(1, recorder.work(), recorder.watch());
  threads.start();
  recorder.waitForHandled(1);
  threads.stop();
  threads.start();
  // A reused (shut-down) queue would hand nothing to the worker.
  EXPECT_EQ(recorder.waitForHandled(2), (std::multiset<std::string>{"a-1", "a-2"}));
  threads.stop();
  EXPECT_EQ(recorder.watchedFreshQueues(), 2);
}

TEST(QueueWorkersTest, DestructorStopsTheThreads) {
  QueueWorkersRecorder recorder({"a"});
  {
    QueueWorkers threads(2, recorder.work(), recorder.watch());
    threads.start();
    recorder.waitForHandled(1);
  }  // would hang or terminate (joinable std::thread) if the destructor did not stop
  EXPECT_EQ(recorder.workCalls(), 2);
}

}  // namespace
}  // namespace karpenter::kube
