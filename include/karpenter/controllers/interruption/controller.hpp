#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "karpenter/aws/sqs_client.hpp"
#include "karpenter/cloudprovider/unavailable_offerings.hpp"
#include "karpenter/controllers/events.hpp"
#include "karpenter/kube/client.hpp"
#include "karpenter/state/cluster_state.hpp"

namespace karpenter::controllers::interruption {

// The interruption controller (upstream karpenter-provider-aws pkg/controllers/interruption):
// a singleton loop that long-polls the interruption queue and acts on what EventBridge put there
// (messages.hpp), up to `parallelism` messages of one receive at a time:
//  - the NodeClaim is found by the instance ID in its status.providerID (aws:///<zone>/<id>),
//    its Node by spec.providerID, both in the cluster state; instances Karpenter does not own
//    are ignored;
//  - spot interruption, scheduled change, stopping/stopped, shutting-down/terminated and
//    capacity-reservation interruption cordon and drain: the NodeClaim is deleted (unless it is
//    already being deleted) and the NodeClaim lifecycle drains and terminates it;
//    karpenter_nodeclaims_disrupted_total{reason=<kind>} counts each deletion;
//  - a spot interruption also marks (spot, instance type, zone) unavailable for 3 minutes, so the
//    replacement is launched elsewhere; a capacity-reservation interruption marks the
//    reservation (label karpenter.k8s.aws/capacity-reservation-id) unavailable through
//    Options::markReservationUnavailable;
//  - a rebalance recommendation only records an Event;
//  - Events (upstream's reasons) go to the NodeClaim and its Node;
//  - a message is deleted once handled, also when it is unknown (no-op) or unparsable (logged);
//    one whose handling failed stays and is received again after its visibility timeout.
// Metrics: karpenter_interruption_received_messages_total{message_type},
// karpenter_interruption_deleted_messages_total,
// karpenter_interruption_message_queue_duration_seconds. Thread safety: start()/stop() from the
// owner; reconcile() not concurrently with the loop.
class InterruptionController final {
 public:
  struct Options {
    std::string queueUrl;  // from SqsClient::getQueueUrl(--interruption-queue)
    aws::SqsReceiveOptions receive;
    size_t parallelism = 10;
    // Wait after a failed receive (the queue or the network is down) before the next one.
    std::chrono::milliseconds errorBackoff{5000};
    // How often the loop checks whether the cluster state has synced before its first receive.
    std::chrono::milliseconds syncPollInterval{100};
    // Wall clock for the queue-duration metric; system_clock when empty.
    std::function<std::chrono::system_clock::time_point()> clock;
    // Called with a reservation ID on a capacity-reservation interruption; optional.
    std::function<void(const std::string& reservationId)> markReservationUnavailable;
  };

  InterruptionController(const aws::SqsClient& sqs, kube::KubeClient& client, EventRecorder& events,
                         state::ClusterState& state,
                         cloudprovider::UnavailableOfferings& unavailableOfferings,
                         Options options);
  ~InterruptionController();  // stops
  InterruptionController(const InterruptionController&) = delete;
  InterruptionController& operator=(const InterruptionController&) = delete;

  // Starts the loop; stop() ends a long poll in progress within about a second.
  void start();
  void stop();

  struct Handled {
    size_t received = 0;
    size_t deleted = 0;            // messages deleted from the queue
    size_t nodeClaimsDeleted = 0;  // NodeClaims this pass deleted
  };
  // One receive (waiting up to options.receive.waitTime) and the handling of what arrived.
  // An error means the receive failed; handling failures are logged and leave their message.
  Result<Handled> reconcile();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace karpenter::controllers::interruption
