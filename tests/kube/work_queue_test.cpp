#include "karpenter/kube/work_queue.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace karpenter::kube {
namespace {

using namespace std::chrono_literals;

// A clock the test steps by hand.
struct FakeClock {
  std::chrono::steady_clock::time_point time{};
  WorkQueue::Clock fn() {
    return [this] { return time; };
  }
};

TEST(WorkQueueTest, KeyAddedTwiceWhileWaitingIsHandedOutOnce) {
  WorkQueue queue;
  queue.add("a");
  queue.add("b");
  queue.add("a");
  EXPECT_EQ(queue.length(), 2u);
  EXPECT_EQ(queue.tryGet(), "a");
  EXPECT_EQ(queue.tryGet(), "b");
  EXPECT_EQ(queue.tryGet(), std::nullopt);
}

TEST(WorkQueueTest, KeyReaddedWhileProcessingIsQueuedAgainOnlyAfterDone) {
  WorkQueue queue;
  queue.add("a");
  auto key = queue.tryGet();
  ASSERT_EQ(key, "a");
  queue.add("a");
  queue.add("a");
  EXPECT_EQ(queue.tryGet(), std::nullopt) << "a second worker must not get a key in process";
  queue.done("a");
  EXPECT_EQ(queue.tryGet(), "a");
  queue.done("a");
  EXPECT_EQ(queue.tryGet(), std::nullopt);
}

TEST(WorkQueueTest, DoneWithoutReaddDoesNotRequeue) {
  WorkQueue queue;
  queue.add("a");
  ASSERT_EQ(queue.tryGet(), "a");
  queue.done("a");
  EXPECT_EQ(queue.length(), 0u);
}

TEST(WorkQueueTest, AddAfterHoldsTheKeyUntilItsDelayAndEarliestDelayWins) {
  FakeClock clock;
  WorkQueue queue({.now = clock.fn()});
  queue.addAfter("a", 10s);
  queue.addAfter("a", 3s);   // earlier: replaces
  queue.addAfter("a", 20s);  // later: ignored
  EXPECT_EQ(queue.delayedLength(), 1u);
  clock.time += 2s;
  EXPECT_EQ(queue.tryGet(), std::nullopt);
  clock.time += 1s;
  EXPECT_EQ(queue.tryGet(), "a");
  queue.done("a");
  clock.time += 30s;
  EXPECT_EQ(queue.tryGet(), std::nullopt) << "the later delay was dropped, not kept";
}

TEST(WorkQueueTest, DelayedKeyThatIsAlreadyQueuedIsNotDuplicated) {
  FakeClock clock;
  WorkQueue queue({.now = clock.fn()});
  queue.add("a");
  queue.addAfter("a", 1s);
  clock.time += 1s;
  EXPECT_EQ(queue.tryGet(), "a");
  EXPECT_EQ(queue.tryGet(), std::nullopt);
}

TEST(WorkQueueTest, RateLimitedBackoffDoublesFromFiveMillisecondsToTheCapAndForgetResets) {
  FakeClock clock;
  WorkQueue queue({.now = clock.fn()});
  std::chrono::nanoseconds expected = 5ms;
  for (int failure = 0; failure < 30; ++failure) {
    queue.addRateLimited("k");
    EXPECT_EQ(queue.numRequeues("k"), failure + 1);
    clock.time += expected - 1ns;
    ASSERT_EQ(queue.tryGet(), std::nullopt) << "failure " << failure << " came too early";
    clock.time += 1ns;
    ASSERT_EQ(queue.tryGet(), "k")
        << "failure " << failure << " was not ready after " << expected.count() << "ns";
    queue.done("k");
    expected = std::min<std::chrono::nanoseconds>(expected * 2, 1000s);
  }
  EXPECT_EQ(expected, 1000s) << "30 failures reach the 1000 s cap";
  queue.forget("k");
  EXPECT_EQ(queue.numRequeues("k"), 0);
  queue.addRateLimited("k");
  clock.time += 5ms;
  EXPECT_EQ(queue.tryGet(), "k");
}

TEST(WorkQueueTest, BackoffIsPerKey) {
  FakeClock clock;
  WorkQueue queue({.now = clock.fn()});
  for (int i = 0; i < 4; ++i) {
    queue.addRateLimited("slow");
    clock.time += 1s;
    ASSERT_EQ(queue.tryGet(), "slow");
    queue.done("slow");
  }
  queue.addRateLimited("slow");
  queue.addRateLimited("fast");
  clock.time += 5ms;
  EXPECT_EQ(queue.tryGet(), "fast");
  EXPECT_EQ(queue.tryGet(), std::nullopt) << "slow's 5th failure waits 80 ms";
}

TEST(WorkQueueTest, ShutdownWakesABlockedGet) {
  WorkQueue queue;
  auto waiter = std::async(std::launch::async, [&] { return queue.get(); });
  EXPECT_EQ(waiter.wait_for(50ms), std::future_status::timeout);
  queue.shutdown();
  EXPECT_EQ(waiter.get(), std::nullopt);
  EXPECT_TRUE(queue.shuttingDown());
  queue.add("ignored");
  EXPECT_EQ(queue.length(), 0u);
}

TEST(WorkQueueTest, BlockedGetWakesForADelayedKey) {
  WorkQueue queue;
  auto waiter = std::async(std::launch::async, [&] { return queue.get(); });
  queue.addAfter("later", 20ms);
  EXPECT_EQ(waiter.get(), "later");
}

TEST(WorkQueueTest, ConcurrentWorkersNeverHoldTheSameKeyAndEveryAddIsProcessed) {
  WorkQueue queue;
  constexpr int kKeys = 20;
  std::mutex mutex;
  std::set<std::string> held;
  std::atomic<bool> overlap{false};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = queue.get()) {
        {
          std::lock_guard lock(mutex);
          if (!held.insert(*key).second) {
            overlap = true;
          }
        }
        std::this_thread::yield();
        {
          std::lock_guard lock(mutex);
          held.erase(*key);
        }
        ++processed;
        queue.done(*key);
      }
    });
  }
  for (int round = 0; round < 200; ++round) {
    queue.add("key-" + std::to_string(round % kKeys));
  }
  // Each key is processed at least once after its last add; wait until the queue drains.
  for (int i = 0; i < 1000 && (queue.length() > 0 || processed < kKeys); ++i) {
    std::this_thread::sleep_for(5ms);
  }
  queue.shutdown();
  for (auto& worker : workers) {
    worker.join();
  }
  EXPECT_FALSE(overlap);
  EXPECT_GE(processed.load(), kKeys);
  EXPECT_LE(processed.load(), 200);
}

}  // namespace
}  // namespace karpenter::kube
