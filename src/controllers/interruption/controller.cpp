#include "karpenter/controllers/interruption/controller.hpp"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "karpenter/api/well_known.hpp"
#include "karpenter/controllers/events.hpp"
#include "karpenter/controllers/interruption/messages.hpp"
#include "karpenter/metrics/registry.hpp"

namespace karpenter::controllers::interruption {
namespace {

constexpr const char* kCapacityReservationIdLabel = "karpenter.k8s.aws/capacity-reservation-id";

struct Metrics {
  metrics::Family<metrics::Counter>& received = metrics::defaultRegistry().counter(
      "karpenter_interruption_received_messages_total",
      "Count of messages received from the SQS queue. Broken down by message type and whether "
      "the message was actionable.",
      {"message_type"});
  metrics::Family<metrics::Counter>& deleted =
      metrics::defaultRegistry().counter("karpenter_interruption_deleted_messages_total",
                                         "Count of messages deleted from the SQS queue.");
  metrics::Family<metrics::Histogram>& queueDuration = metrics::defaultRegistry().histogram(
      "karpenter_interruption_message_queue_duration_seconds",
      "Amount of time an interruption message is on the queue before it is processed by "
      "karpenter.");
  metrics::Family<metrics::Counter>& disrupted = metrics::defaultRegistry().counter(
      "karpenter_nodeclaims_disrupted_total",
      "Number of nodeclaims disrupted in total by Karpenter. Labeled by reason the nodeclaim was "
      "disrupted and the owning nodepool.",
      {"reason", "nodepool", "capacity_type"});
};

Metrics& interruptionMetrics() {
  static Metrics metrics;
  return metrics;
}

// Upstream's Event for each kind: type, reason, message.
struct EventText {
  const char* type;
  const char* reason;
  const char* message;
};

std::optional<EventText> eventFor(Kind kind) {
  switch (kind) {
    case Kind::kSpotInterrupted:
      return EventText{"Warning", "SpotInterrupted", "Spot interruption warning was triggered"};
    case Kind::kRebalanceRecommendation:
      return EventText{"Normal", "SpotRebalanceRecommendation",
                       "Spot rebalance recommendation was triggered"};
    case Kind::kScheduledChange:
      return EventText{"Warning", "InstanceUnhealthy",
                       "An unhealthy warning was triggered for the instance"};
    case Kind::kInstanceStopped:
      return EventText{"Warning", "InstanceStopping", "Instance is stopping"};
    case Kind::kInstanceTerminated:
      return EventText{"Warning", "InstanceTerminating", "Instance is terminating"};
    case Kind::kCapacityReservationInterrupted:
      return EventText{"Warning", "CapacityReservationInterrupted",
                       "Capacity reservation interruption warning was triggered"};
    case Kind::kNoOp:
      break;
  }
  return std::nullopt;
}

std::string label(const api::Labels& labels, std::string_view key) {
  auto it = labels.find(std::string(key));
  return it == labels.end() ? "" : it->second;
}

InvolvedObject nodeClaimObject(const api::NodeClaim& nodeClaim) {
  return {"karpenter.sh/v1", "NodeClaim", "", nodeClaim.metadata.name, nodeClaim.metadata.uid};
}

InvolvedObject nodeObject(const api::Node& node) {
  return {"v1", "Node", "", node.metadata.name, node.metadata.uid};
}

}  // namespace

struct InterruptionController::Impl {
  const aws::SqsClient& sqs;
  kube::KubeClient& client;
  EventRecorder& events;
  state::ClusterState& state;
  cloudprovider::UnavailableOfferings& unavailableOfferings;
  Options options;
  std::mutex mutex;
  std::condition_variable wake;
  std::atomic<bool> running = false;
  std::atomic<bool> stopping = false;  // ends a long poll in progress
  std::thread loop;

  struct Targets {
    std::map<std::string, state::Ptr<api::NodeClaim>> nodeClaims;  // by instance ID
    std::map<std::string, state::Ptr<api::Node>> nodes;            // by instance ID
  };

  Targets targets() const {
    Targets targets;
    auto snapshot = state.snapshot();
    for (const auto& [name, nodeClaim] : *snapshot->nodeClaims) {
      if (std::string id = instanceIdFromProviderId(nodeClaim->status.providerID); !id.empty()) {
        targets.nodeClaims[id] = nodeClaim;
      }
    }
    for (const auto& [name, entry] : *snapshot->nodes) {
      if (entry->node) {
        if (std::string id = instanceIdFromProviderId(entry->node->spec.providerID); !id.empty()) {
          targets.nodes[id] = entry->node;
        }
      }
    }
    return targets;
  }

  std::chrono::system_clock::time_point now() const {
    return options.clock ? options.clock() : std::chrono::system_clock::now();
  }

  // Time on the queue: from SentTimestamp when SQS gave it, else from the event's own time.
  void observeQueueDuration(const aws::SqsMessage& raw, const Message& message) {
    std::optional<std::chrono::system_clock::time_point> since = message.time;
    if (auto sent = raw.attributes.find("SentTimestamp"); sent != raw.attributes.end()) {
      try {
        since = std::chrono::system_clock::time_point(
            std::chrono::milliseconds(std::stoll(sent->second)));
      } catch (const std::exception&) {
      }
    }
    if (since) {
      interruptionMetrics().queueDuration.with().observe(
          std::chrono::duration<double>(now() - *since).count());
    }
  }

  void publish(const Kind kind, const api::NodeClaim& nodeClaim, const api::Node* node) {
    const auto text = eventFor(kind);
    if (!text) {
      return;
    }
    events.record(nodeClaimObject(nodeClaim), text->type, text->reason, text->message);
    if (node != nullptr) {
      events.record(nodeObject(*node), text->type, text->reason, text->message);
    }
  }

  // CordonAndDrain: deleting the NodeClaim hands it to the lifecycle's termination (taint, drain,
  // terminate). Returns whether this call deleted it.
  Result<bool> cordonAndDrain(const Message& message, const api::NodeClaim& nodeClaim,
                              const api::Node* node) {
    if (nodeClaim.metadata.deletionTimestamp) {
      return false;
    }
    auto removed = client.remove(
        {.group = "karpenter.sh", .resource = "nodeclaims", .name = nodeClaim.metadata.name},
        {.preconditionUid = nodeClaim.metadata.uid.empty()
                                ? std::nullopt
                                : std::optional<std::string>(nodeClaim.metadata.uid)});
    if (!removed) {
      if (removed.error().kind == ErrorKind::kNotFound) {
        return false;
      }
      return removed.error().withContext("deleting nodeclaim " + nodeClaim.metadata.name);
    }
    spdlog::info("interruption: deleting nodeclaim {} ({} for instance {})",
                 nodeClaim.metadata.name, kindName(message.kind),
                 instanceIdFromProviderId(nodeClaim.status.providerID));
    events.record(nodeClaimObject(nodeClaim), "Warning", "TerminatingOnInterruption",
                  "Interruption triggered termination for the NodeClaim");
    if (node != nullptr) {
      events.record(nodeObject(*node), "Warning", "TerminatingOnInterruption",
                    "Interruption triggered termination for the Node");
    }
    interruptionMetrics()
        .disrupted
        .with({kindName(message.kind), label(nodeClaim.metadata.labels, api::kNodePoolLabelKey),
               label(nodeClaim.metadata.labels, api::kCapacityTypeLabelKey)})
        .inc();
    return true;
  }

  // Acts on every NodeClaim the message names. Returns the NodeClaims deleted, or the first
  // failure (the message is then kept for another attempt).
  Result<size_t> act(const Message& message, const Targets& targets) {
    size_t deleted = 0;
    std::optional<Error> failure;
    for (const std::string& instanceId : message.instanceIds) {
      auto found = targets.nodeClaims.find(instanceId);
      if (found == targets.nodeClaims.end()) {
        continue;  // not an instance Karpenter launched (or not yet known)
      }
      const api::NodeClaim& nodeClaim = *found->second;
      auto nodeIt = targets.nodes.find(instanceId);
      const api::Node* node = nodeIt == targets.nodes.end() ? nullptr : nodeIt->second.get();
      publish(message.kind, nodeClaim, node);
      const auto& labels = nodeClaim.metadata.labels;
      if (message.kind == Kind::kSpotInterrupted) {
        const std::string type = label(labels, api::kLabelInstanceType);
        const std::string zone = label(labels, api::kLabelTopologyZone);
        if (!type.empty() && !zone.empty()) {
          unavailableOfferings.markUnavailable(type, zone, api::kCapacityTypeSpot);
        }
      }
      if (message.kind == Kind::kCapacityReservationInterrupted &&
          options.markReservationUnavailable) {
        if (std::string id = label(labels, kCapacityReservationIdLabel); !id.empty()) {
          options.markReservationUnavailable(id);
        }
      }
      if (message.kind == Kind::kRebalanceRecommendation) {
        continue;  // advice only
      }
      auto removed = cordonAndDrain(message, nodeClaim, node);
      if (!removed) {
        failure = failure ? failure : removed.error();
        continue;
      }
      deleted += *removed ? 1 : 0;
    }
    if (failure) {
      return *failure;
    }
    return deleted;
  }

  bool removeMessage(const aws::SqsMessage& raw) {
    auto removed = sqs.deleteMessage(options.queueUrl, raw.receiptHandle);
    if (!removed) {
      spdlog::warn("interruption: deleting message {}: {}", raw.messageId, removed.error().message);
      return false;
    }
    interruptionMetrics().deleted.with().inc();
    return true;
  }

  struct Outcome {
    bool deleted = false;
    size_t nodeClaimsDeleted = 0;
  };

  Outcome handle(const aws::SqsMessage& raw, const Targets& targets) {
    auto message = parseMessage(raw.body);
    if (!message) {
      // A message nobody can read would come back forever: log it and let it go.
      spdlog::error("interruption: dropping unparsable message {}: {}", raw.messageId,
                    message.error().message);
      return {removeMessage(raw), 0};
    }
    interruptionMetrics().received.with({kindName(message->kind)}).inc();
    if (message->kind == Kind::kNoOp) {
      return {removeMessage(raw), 0};
    }
    auto acted = act(*message, targets);
    observeQueueDuration(raw, *message);
    if (!acted) {
      spdlog::warn("interruption: {} message {}: {}; it will be received again",
                   kindName(message->kind), raw.messageId, acted.error().message);
      return {false, 0};
    }
    return {removeMessage(raw), *acted};
  }

  Result<Handled> reconcile() {
    auto received =
        sqs.receiveMessages(options.queueUrl, options.receive, [this] { return stopping.load(); });
    if (!received) {
      return received.error();
    }
    Handled handled;
    handled.received = received->size();
    if (received->empty()) {
      return handled;
    }
    const Targets lookup = targets();
    std::vector<Outcome> outcomes(received->size());
    std::atomic<size_t> next = 0;
    auto work = [&] {
      for (size_t i = next++; i < received->size(); i = next++) {
        outcomes[i] = handle((*received)[i], lookup);
      }
    };
    std::vector<std::thread> workers;
    const size_t count = std::min(std::max<size_t>(options.parallelism, 1), received->size());
    for (size_t i = 1; i < count; ++i) {
      workers.emplace_back(work);
    }
    work();
    for (std::thread& worker : workers) {
      worker.join();
    }
    for (const Outcome& outcome : outcomes) {
      handled.deleted += outcome.deleted ? 1 : 0;
      handled.nodeClaimsDeleted += outcome.nodeClaimsDeleted;
    }
    return handled;
  }

  // Waits up to `delay` unless stopped; false once stopped.
  bool pause(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex);
    wake.wait_for(lock, delay, [this] { return !running.load(); });
    return running.load();
  }

  void run() {
    // Acting before the state has every NodeClaim would drop messages for unknown instances.
    while (running.load() && !state.snapshot()->synced) {
      pause(options.syncPollInterval);
    }
    while (running.load()) {
      auto handled = reconcile();
      if (!handled && running.load()) {
        spdlog::warn("interruption: receiving from {}: {}", options.queueUrl,
                     handled.error().message);
        pause(options.errorBackoff);
      }
    }
  }
};

InterruptionController::InterruptionController(
    const aws::SqsClient& sqs, kube::KubeClient& client, EventRecorder& events,
    state::ClusterState& state, cloudprovider::UnavailableOfferings& unavailableOfferings,
    Options options)
    : impl_(new Impl{sqs, client, events, state, unavailableOfferings, std::move(options)}) {}

InterruptionController::~InterruptionController() {
  stop();
}

void InterruptionController::start() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->running.load()) {
    return;
  }
  impl_->running = true;
  impl_->stopping = false;
  spdlog::info("interruption: watching queue {}", impl_->options.queueUrl);
  impl_->loop = std::thread([this] { impl_->run(); });
}

void InterruptionController::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->running.load()) {
      return;
    }
    impl_->running = false;
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->loop.join();
}

Result<InterruptionController::Handled> InterruptionController::reconcile() {
  return impl_->reconcile();
}

}  // namespace karpenter::controllers::interruption
