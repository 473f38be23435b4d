#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "karpenter/cloudprovider/simulated/simulated_cloud.hpp"
#include "karpenter/kube/client.hpp"

namespace karpenter::cloudprovider::simulated {

// Makes the simulated cloud's instances behave like kubelets towards a real API server:
//  - registration: once an instance's registration delay has passed, creates its Node, named by
//    the instance's private DNS name (ip-10-0-x-y.ec2.internal, as EKS names nodes), with
//    spec.providerID, the launched NodeClaim's labels plus kubernetes.io/hostname, taints =
//    NodeClaim taints + startupTaints + karpenter.sh/unregistered:NoExecute (as a kubelet that
//    Karpenter's user data starts registers), and status capacity/allocatable, nodeInfo,
//    addresses and a Ready condition;
//  - liveness: renews the node Lease in kube-node-lease (holderIdentity = node name,
//    leaseDurationSeconds 40) every leaseRenewInterval and refreshes the conditions'
//    lastHeartbeatTime every nodeStatusInterval;
//  - pods: reports pods bound to its nodes as Running (phase, conditions, hostIP, podIP from a
//    per-node block of 100.64.0.0/10, startTime, running containerStatuses);
//  - removal: when the instance is gone from the cloud, deletes the Node (as the cloud
//    node-lifecycle controller does) and its Lease. Pods left on it are not its business;
//  - startup taints: optionally removed after a delay, as the daemon owning them would.
// A Node deleted while its instance still runs is not re-registered.
//
// Runs on two threads (instances, pods) between start() and stop(); stop() returns within about
// a tick or podWatchTimeout. The cloud and client must outlive the simulator. Errors talking to
// the API are logged and retried on the next tick.
// (With an InstanceSource the source stands for the cloud.)
class KubeletSimulator final {
 public:
  struct Options {
    Clock clock;  // timestamps and delays; empty = system_clock
    std::chrono::milliseconds tick{100};
    std::chrono::milliseconds leaseRenewInterval{10'000};
    int leaseDurationSeconds = 40;
    std::chrono::milliseconds nodeStatusInterval{60'000};
    // nullopt: startup taints stay until someone else removes them.
    std::optional<std::chrono::milliseconds> startupTaintRemovalDelay;
    // Each pod watch asks the server to end after this long, bounding how long stop() waits.
    std::chrono::seconds podWatchTimeout{1};
    std::string kubeletVersion = "v1.31.0-eks-a737599";
  };

  // The running instances, polled every tick; a kubelet "runs" on each one listed.
  using InstanceSource = std::function<std::vector<SimulatedInstance>()>;

  KubeletSimulator(SimulatedCloud& cloud, kube::KubeClient& client, Options options);
  // Kubelets on another cloud's instances (e.g. the AWS provider's, described as
  // SimulatedInstances with their providerIDs); `instances` is called from the instance thread.
  KubeletSimulator(InstanceSource instances, kube::KubeClient& client, Options options);
  ~KubeletSimulator();  // stop()s
  KubeletSimulator(const KubeletSimulator&) = delete;
  KubeletSimulator& operator=(const KubeletSimulator&) = delete;

  void start();
  void stop();

  // One pass over the instances (register, renew, heartbeat, untaint, remove); what the
  // instance thread runs every tick. Callable without start() for step-by-step tests.
  void syncOnce();
  // Names of the Nodes this simulator registered and has not removed.
  std::vector<std::string> nodeNames() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace karpenter::cloudprovider::simulated
