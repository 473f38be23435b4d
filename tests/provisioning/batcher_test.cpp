#include "karpenter/provisioning/batcher.hpp"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace karpenter::provisioning {
namespace {

using std::chrono::milliseconds;

TEST(Batcher, NothingTriggeredMeansNoBatch) {
  Batcher batcher(milliseconds(10), milliseconds(100));
  EXPECT_FALSE(batcher.wait(milliseconds(20)));
}

TEST(Batcher, ATriggerOpensABatchThatClosesWhenIdle) {
  Batcher batcher(milliseconds(20), milliseconds(10'000));
  batcher.trigger();
  EXPECT_TRUE(batcher.wait(milliseconds(0)));
  // The trigger was consumed: the next wait sees nothing.
  EXPECT_FALSE(batcher.wait(milliseconds(0)));
}

// Triggers arriving faster than the idle window keep the batch open until the max window closes
// it; triggers after that belong to the next batch.
TEST(Batcher, ContinuousTriggersAreCutByTheMaxWindow) {
  Batcher batcher(milliseconds(200), milliseconds(300));
  std::atomic<bool> running{true};
  std::atomic<int> triggers{0};
  batcher.trigger();
  std::thread producer([&] {
    while (running) {
      batcher.trigger();
      ++triggers;
      std::this_thread::sleep_for(milliseconds(5));
    }
  });
  EXPECT_TRUE(batcher.wait(milliseconds(0)));
  const int inFirstBatch = triggers;
  EXPECT_GT(inFirstBatch, 0);
  EXPECT_TRUE(batcher.wait(milliseconds(1000)));  // the producer keeps triggering
  running = false;
  producer.join();
}

TEST(Batcher, StopWakesAWaiter) {
  Batcher batcher(milliseconds(10), milliseconds(100));
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(20));
    batcher.stop();
  });
  EXPECT_FALSE(batcher.wait(milliseconds(60'000)));
  stopper.join();
}

}  // namespace
}  // namespace karpenter::provisioning
