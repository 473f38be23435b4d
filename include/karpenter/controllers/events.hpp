#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "karpenter/kube/client.hpp"

namespace karpenter::controllers {

// The object an Event is about (core/v1 ObjectReference fields Events carry).
struct InvolvedObject {
  std::string apiVersion;
  std::string kind;
  std::string nameSpace;  // empty for cluster-scoped objects
  std::string name;
  std::string uid;
};

// Records core/v1 Events ("Normal" or "Warning", source component "karpenter", in the object's
// namespace or "default" for cluster-scoped objects, as client-go does) without making the
// caller wait for the API server.
//
// record() only queues: a small pool of workers posts the Events. Like client-go's
// EventCorrelator, identical Events (same involved object, type, reason and message) within
// `dedupWindow` of the first are aggregated into one Event whose `count` and `lastTimestamp`
// are PATCHed, rather than a new Event each; while one write for an Event is queued or in
// flight, further identical records only raise its count, so a burst of N identical Events
// costs one POST and at most a few PATCHes. When `queueCapacity` distinct Events are already
// waiting, a new one is dropped and counted (karpenter_events_dropped_total and dropped()):
// an Event must never hold up a reconcile. Failures to write are logged, never returned.
//
// Thread safety: record() from any thread; flush() and the destructor from the owner.
class EventRecorder final {
 public:
  struct Options {
    int workers = 4;
    size_t queueCapacity = 10'000;
    std::chrono::milliseconds dedupWindow{10 * 60 * 1000};  // client-go's aggregation window
    size_t maxTracked = 4096;  // distinct Events remembered for dedup (client-go's LRU size)
    // Injected for tests; steady time drives the dedup window.
    std::function<std::chrono::steady_clock::time_point()> clock;
  };

  EventRecorder(kube::KubeClient& client, Options options);
  explicit EventRecorder(kube::KubeClient& client);
  ~EventRecorder();  // writes what is queued, then stops
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  void record(const InvolvedObject& object, const std::string& type, const std::string& reason,
              const std::string& message);
  // Waits until nothing is queued or in flight; false if `timeout` passed first.
  bool flush(std::chrono::milliseconds timeout);
  uint64_t dropped() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace karpenter::controllers
