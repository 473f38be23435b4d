#include "karpenter/controllers/events.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "karpenter/metrics/registry.hpp"
#include "karpenter/util/time.hpp"

namespace karpenter::controllers {
namespace {

using json = nlohmann::json;
using SteadyTime = std::chrono::steady_clock::time_point;

// How long the destructor keeps writing what is still queued before it gives up on it.
constexpr std::chrono::seconds kDrainOnStop{5};

// client-go names events "<object>.<hex unix nanos>"; a random suffix serves the same purpose.
std::string eventName(const std::string& objectName) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random()));
  return objectName + "." + suffix;
}

std::string wallNow() {
  return formatRfc3339(std::chrono::system_clock::now());
}

metrics::Family<metrics::Counter>& droppedCounter() {
  static auto& family = metrics::defaultRegistry().counter(
      "karpenter_events_dropped_total",
      "Number of Events dropped because the recorder's queue was full.", {});
  return family;
}

// One distinct Event (object + type + reason + message) and what the API server has of it.
struct Entry {
  InvolvedObject object;
  std::string type;
  std::string reason;
  std::string message;
  std::string name;  // the Event object's name, fixed at the first record
  SteadyTime firstSeen;
  std::string firstTimestamp;
  std::string lastTimestamp;
  int64_t count = 0;     // records so far
  bool created = false;  // the Event exists on the server
  bool busy = false;     // queued or being written: new records only raise `count`
};

std::string keyOf(const InvolvedObject& object, const std::string& type, const std::string& reason,
                  const std::string& message) {
  std::string key;
  for (const auto* part :
       {&object.kind, &object.nameSpace, &object.name, &object.uid, &type, &reason, &message}) {
    key += *part;
    key += '\x1f';
  }
  return key;
}

}  // namespace

struct EventRecorder::Impl {
  kube::KubeClient& client;
  Options options;
  std::mutex mutex;
  std::condition_variable wake;     // workers: something queued, or stopping
  std::condition_variable settled;  // flush(): the queue ran dry and nothing is in flight
  std::unordered_map<std::string, Entry> entries;
  std::deque<std::string> queue;  // keys of entries with a write due
  size_t inFlight = 0;
  uint64_t dropped = 0;
  bool stopping = false;
  std::vector<std::thread> workers;

  Impl(kube::KubeClient& c, Options o) : client(c), options(std::move(o)) {
    if (!options.clock) {
      options.clock = [] { return std::chrono::steady_clock::now(); };
    }
  }

  // Called with the lock held.
  void drop(const std::string& reason) {
    ++dropped;
    droppedCounter().with().inc();
    spdlog::debug("event {} dropped: the event queue is full", reason);
  }

  // Forgets idle entries, expired ones first, so the map stays bounded. Forgetting an entry only
  // means its next identical record makes a new Event. Called with the lock held.
  void prune(SteadyTime now) {
    if (entries.size() < options.maxTracked) {
      return;
    }
    for (auto it = entries.begin(); it != entries.end();) {
      const bool expired = now - it->second.firstSeen >= options.dedupWindow;
      it = !it->second.busy && expired ? entries.erase(it) : std::next(it);
    }
    for (auto it = entries.begin(); it != entries.end() && entries.size() >= options.maxTracked;) {
      it = !it->second.busy ? entries.erase(it) : std::next(it);
    }
  }

  void record(const InvolvedObject& object, const std::string& type, const std::string& reason,
              const std::string& message) {
    std::lock_guard lock(mutex);
    const SteadyTime now = options.clock();
    std::string key = keyOf(object, type, reason, message);
    auto it = entries.find(key);
    const bool current = it != entries.end() && it->second.created &&
                         now - it->second.firstSeen < options.dedupWindow;
    if (it != entries.end() && (it->second.busy || current)) {
      Entry& entry = it->second;
      ++entry.count;
      entry.lastTimestamp = wallNow();
      if (!entry.busy) {
        if (queue.size() >= options.queueCapacity) {
          drop(reason);  // the count stays raised; the next identical record carries it
          return;
        }
        entry.busy = true;
        queue.push_back(std::move(key));
        wake.notify_one();
      }
      return;
    }
    if (queue.size() >= options.queueCapacity) {
      drop(reason);
      return;
    }
    if (it != entries.end()) {
      entries.erase(it);  // past the window: a new Event, as client-go makes one
    }
    prune(now);
    const std::string timestamp = wallNow();
    entries[key] = Entry{.object = object,
                         .type = type,
                         .reason = reason,
                         .message = message,
                         .name = eventName(object.name),
                         .firstSeen = now,
                         .firstTimestamp = timestamp,
                         .lastTimestamp = timestamp,
                         .count = 1,
                         .busy = true};
    queue.push_back(std::move(key));
    wake.notify_one();
  }

  static json eventJson(const Entry& entry, const std::string& ns) {
    json event = {
        {"apiVersion", "v1"},
        {"kind", "Event"},
        {"metadata", {{"name", entry.name}, {"namespace", ns}}},
        {"involvedObject",
         {{"apiVersion", entry.object.apiVersion},
          {"kind", entry.object.kind},
          {"name", entry.object.name}}},
        {"type", entry.type},
        {"reason", entry.reason},
        {"message", entry.message},
        {"source", {{"component", "karpenter"}}},
        {"reportingComponent", "karpenter"},
        {"firstTimestamp", entry.firstTimestamp},
        {"lastTimestamp", entry.lastTimestamp},
        {"count", entry.count},
    };
    if (!entry.object.nameSpace.empty()) {
      event["involvedObject"]["namespace"] = entry.object.nameSpace;
    }
    if (!entry.object.uid.empty()) {
      event["involvedObject"]["uid"] = entry.object.uid;
    }
    return event;
  }

  // Writes one Event as it is now: a POST the first time, then a PATCH of count and
  // lastTimestamp. True when the server has it.
  bool write(const Entry& entry) {
    const std::string ns = entry.object.nameSpace.empty() ? "default" : entry.object.nameSpace;
    if (!entry.created) {
      auto created = client.create({.resource = "events", .nameSpace = ns}, eventJson(entry, ns));
      if (!created) {
        spdlog::debug("event {} for {} {}: {}", entry.reason, entry.object.kind, entry.object.name,
                      created.error().message);
      }
      return static_cast<bool>(created);
    }
    auto patched = client.patch({.resource = "events", .nameSpace = ns, .name = entry.name},
                                kube::PatchType::kMerge,
                                {{"count", entry.count}, {"lastTimestamp", entry.lastTimestamp}});
    if (!patched) {
      spdlog::debug("event {} for {} {} (count {}): {}", entry.reason, entry.object.kind,
                    entry.object.name, entry.count, patched.error().message);
    }
    return static_cast<bool>(patched);
  }

  void work() {
    std::unique_lock lock(mutex);
    while (true) {
      wake.wait(lock, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) {
        return;  // stopping, and nothing left
      }
      std::string key = std::move(queue.front());
      queue.pop_front();
      ++inFlight;
      const Entry snapshot = entries.at(key);  // busy entries are never pruned
      lock.unlock();
      const bool written = write(snapshot);
      lock.lock();
      --inFlight;
      Entry& entry = entries.at(key);
      if (!written) {
        // Nothing to aggregate into: the next identical record starts a new Event.
        entries.erase(key);
      } else {
        entry.created = true;
        if (entry.count > snapshot.count) {
          queue.push_back(std::move(key));  // records arrived meanwhile: write the new count
        } else {
          entry.busy = false;
        }
      }
      if (queue.empty() && inFlight == 0) {
        settled.notify_all();
      }
    }
  }

  bool flush(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex);
    return settled.wait_for(lock, timeout, [&] { return queue.empty() && inFlight == 0; });
  }

  void stop() {
    flush(kDrainOnStop);
    {
      std::lock_guard lock(mutex);
      stopping = true;
      queue.clear();  // whatever is still queued after the drain is given up
    }
    wake.notify_all();
    for (auto& worker : workers) {
      worker.join();
    }
  }
};

EventRecorder::EventRecorder(kube::KubeClient& client, Options options)
    : impl_(std::make_unique<Impl>(client, std::move(options))) {
  for (int i = 0; i < std::max(1, impl_->options.workers); ++i) {
    impl_->workers.emplace_back([this] { impl_->work(); });
  }
}

EventRecorder::EventRecorder(kube::KubeClient& client) : EventRecorder(client, Options{}) {}

EventRecorder::~EventRecorder() {
  impl_->stop();
}

void EventRecorder::record(const InvolvedObject& object, const std::string& type,
                           const std::string& reason, const std::string& message) {
  impl_->record(object, type, reason, message);
}

bool EventRecorder::flush(std::chrono::milliseconds timeout) {
  return impl_->flush(timeout);
}

uint64_t EventRecorder::dropped() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->dropped;
}

}  // namespace karpenter::controllers
