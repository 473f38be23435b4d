// The asynchronous Event recorder against the test apiserver: every distinct Event arrives
// whatever order the workers write in, identical Events aggregate into one with a count, and a
// full queue drops (and counts) instead of blocking the caller.

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include <gtest/gtest.h>

#include "karpenter/controllers/events.hpp"
#include "support/test_apiserver.hpp"

namespace karpenter::controllers {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const kube::ResourceRef kEvents{.resource = "events", .nameSpace = "default"};

InvolvedObject pod(const std::string& name) {
  return {"v1", "Pod", "default", name, "uid-" + name};
}

// Passes every call to the real client, except that Event writes wait at a gate the test opens:
// the workers can be held busy while the test fills the queue.
class GatedClient final : public kube::KubeClient {
 public:
  explicit GatedClient(kube::KubeClient& inner) : inner_(inner) {}

  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    opened_.notify_all();
  }
  int waiting() const { return waiting_.load(); }

  Result<json> get(const kube::ResourceRef& ref) override { return inner_.get(ref); }
  Result<kube::ListPage> list(const kube::ResourceRef& ref,
                              const kube::ListOptions& options) override {
    return inner_.list(ref, options);
  }
  Result<json> create(const kube::ResourceRef& ref, const json& object) override {
    gate();
    return inner_.create(ref, object);
  }
  Result<json> update(const kube::ResourceRef& ref, const json& object) override {
    return inner_.update(ref, object);
  }
  Result<json> updateStatus(const kube::ResourceRef& ref, const json& object) override {
    return inner_.updateStatus(ref, object);
  }
  Result<json> patch(const kube::ResourceRef& ref, kube::PatchType type,
                     const json& body) override {
    gate();
    return inner_.patch(ref, type, body);
  }
  Result<json> apply(const kube::ResourceRef& ref, const json& object,
                     const kube::ApplyOptions& options) override {
    return inner_.apply(ref, object, options);
  }
  Result<void> remove(const kube::ResourceRef& ref, const kube::DeleteOptions& options) override {
    return inner_.remove(ref, options);
  }
  Result<void> watch(const kube::ResourceRef& ref, const kube::WatchOptions& options,
                     const kube::WatchHandler& handler) override {
    return inner_.watch(ref, options, handler);
  }

 private:
  void gate() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    opened_.wait(lock, [&] { return open_; });
    --waiting_;
  }

  kube::KubeClient& inner_;
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
  std::atomic<int> waiting_{0};
};

class EventRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(apiserver_.ok());
    client_ = apiserver_.client({.qps = 0});
  }

  json events() {
    auto page = client_->list(kEvents, {});
    return page ? page->items : json::array();
  }

  testing::TestApiserver apiserver_;
  std::unique_ptr<kube::HttpKubeClient> client_;
};

TEST_F(EventRecorderTest, EveryDistinctEventArrivesWhateverTheWritingOrder) {
  EventRecorder recorder(*client_, {.workers = 4});
  std::set<std::string> expected;
  for (int i = 0; i < 60; ++i) {
    const std::string name = "web-" + std::to_string(i);
    recorder.record(pod(name), "Normal", "Nominated",
                    "Pod should schedule on: nodeclaim/nc-" + std::to_string(i % 7));
    expected.insert(name);
  }
  ASSERT_TRUE(recorder.flush(30s));
  std::map<std::string, json> byPod;
  for (const auto& event : events()) {
    byPod[event["involvedObject"].value("name", "")] = event;
  }
  ASSERT_EQ(byPod.size(), expected.size());
  for (const auto& name : expected) {
    const json& event = byPod.at(name);
    EXPECT_EQ(event.value("reason", ""), "Nominated");
    EXPECT_EQ(event.value("type", ""), "Normal");
    EXPECT_EQ(event.value("count", 0), 1);
    EXPECT_EQ(event["involvedObject"].value("uid", ""), "uid-" + name);
    EXPECT_EQ(event["source"].value("component", ""), "karpenter");
    const int i = std::stoi(name.substr(4));
    EXPECT_EQ(event.value("message", ""),
              "Pod should schedule on: nodeclaim/nc-" + std::to_string(i % 7));
  }
  EXPECT_EQ(recorder.dropped(), 0u);
}

TEST_F(EventRecorderTest, IdenticalEventsAggregateIntoOneWithACount) {
  EventRecorder recorder(*client_, {.workers = 3});
  for (int i = 0; i < 25; ++i) {
    recorder.record(pod("stuck"), "Warning", "FailedScheduling", "Failed to schedule pod, no fit");
  }
  // A different message is a different Event.
  recorder.record(pod("stuck"), "Warning", "FailedScheduling", "Failed to schedule pod, limits");
  ASSERT_TRUE(recorder.flush(30s));
  // More of the same after the first write reached the server: a PATCH of the count.
  for (int i = 0; i < 5; ++i) {
    recorder.record(pod("stuck"), "Warning", "FailedScheduling", "Failed to schedule pod, no fit");
  }
  ASSERT_TRUE(recorder.flush(30s));

  std::map<std::string, int64_t> counts;
  for (const auto& event : events()) {
    counts[event.value("message", "")] += event.value("count", int64_t{0});
    EXPECT_EQ(event["involvedObject"].value("name", ""), "stuck");
  }
  ASSERT_EQ(events().size(), 2u) << events().dump();
  EXPECT_EQ(counts["Failed to schedule pod, no fit"], 30);
  EXPECT_EQ(counts["Failed to schedule pod, limits"], 1);
}

TEST_F(EventRecorderTest, PastTheWindowAnIdenticalEventIsANewOne) {
  std::atomic<int64_t> seconds{0};
  const auto origin = std::chrono::steady_clock::now();
  EventRecorder recorder(*client_, {.workers = 1, .dedupWindow = 60s, .clock = [&] {
                                      return origin + std::chrono::seconds(seconds);
                                    }});
  recorder.record(pod("p"), "Normal", "Nominated", "same");
  ASSERT_TRUE(recorder.flush(30s));
  seconds = 59;
  recorder.record(pod("p"), "Normal", "Nominated", "same");
  ASSERT_TRUE(recorder.flush(30s));
  ASSERT_EQ(events().size(), 1u);
  EXPECT_EQ(events()[0].value("count", 0), 2);
  seconds = 61;
  recorder.record(pod("p"), "Normal", "Nominated", "same");
  ASSERT_TRUE(recorder.flush(30s));
  EXPECT_EQ(events().size(), 2u);
}

TEST_F(EventRecorderTest, AFullQueueDropsAndCountsWithoutBlocking) {
  GatedClient gated(*client_);
  EventRecorder recorder(gated, {.workers = 2, .queueCapacity = 5});
  // Two Events occupy the two workers at the gate...
  recorder.record(pod("a"), "Normal", "Nominated", "1");
  recorder.record(pod("b"), "Normal", "Nominated", "1");
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (gated.waiting() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(gated.waiting(), 2);
  // ...five more fill the queue; the rest are dropped, and record() returns regardless.
  for (int i = 0; i < 12; ++i) {
    recorder.record(pod("q" + std::to_string(i)), "Normal", "Nominated", "1");
  }
  EXPECT_EQ(recorder.dropped(), 7u);
  // Identical records of a queued Event only raise its count: nothing more is dropped.
  recorder.record(pod("q0"), "Normal", "Nominated", "1");
  EXPECT_EQ(recorder.dropped(), 7u);

  gated.open();
  ASSERT_TRUE(recorder.flush(30s));
  std::set<std::string> written;
  for (const auto& event : events()) {
    written.insert(event["involvedObject"].value("name", ""));
    if (event["involvedObject"].value("name", "") == "q0") {
      EXPECT_EQ(event.value("count", 0), 2);
    }
  }
  EXPECT_EQ(written, (std::set<std::string>{"a", "b", "q0", "q1", "q2", "q3", "q4"}));
}

}  // namespace
}  // namespace karpenter::controllers
