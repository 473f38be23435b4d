#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "karpenter/kube/client.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::kube {

struct LeaderElectionConfig {
  std::string identity;  // required; unique per replica (e.g. pod name + random suffix)
  std::string leaseName = "karpenter-leader-election";
  std::string leaseNamespace = "karpenter";
  std::chrono::milliseconds leaseDuration{15'000};
  std::chrono::milliseconds renewDeadline{10'000};
  std::chrono::milliseconds retryPeriod{2'000};
  // On stop() while leading, clear holderIdentity so another replica need not wait out the lease.
  bool releaseOnCancel = true;
};

struct LeaderCallbacks {
  std::function<void()> onStartedLeading;
  // Called at once when leadership is lost (renewDeadline passed without a renewal) or given up
  // on stop(); controllers must stop before it returns.
  std::function<void()> onStoppedLeading;
  std::function<void(const std::string& identity)> onNewLeader;  // another holder observed
};

// Checks client-go's constraints: leaseDuration > renewDeadline > 1.2·retryPeriod > 0, and a
// non-empty identity. kInvalid names the field.
Result<void> validate(const LeaderElectionConfig& config);

// coordination.k8s.io/v1 Lease leader election, client-go's algorithm
// (tools/leaderelection): try to acquire every retryPeriod (jittered ×[1, 2.2)); a lease held
// by someone else is taken only once it has not changed for its leaseDurationSeconds as
// measured by this replica's clock (observedTime), never by comparing clocks across machines;
// writes are optimistic (PUT with the read resourceVersion; 409 = someone else won). The leader
// renews every retryPeriod; if no renewal succeeds within renewDeadline it stops leading at once
// (renewDeadline < leaseDuration, so it stops before anyone else may take over). leaseTransitions
// counts holder changes. The API calls should time out well within renewDeadline (configure the
// client's requestTimeout accordingly).
//
// Thread safety: run() on one thread; stop(), isLeader() from any thread.
class LeaderElector final {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  LeaderElector(KubeClient& client, LeaderElectionConfig config, LeaderCallbacks callbacks,
                Clock now = {});

  // Blocks: acquires, leads (renewing) and returns when leadership is lost or stop() is called
  // (releasing the lease when releaseOnCancel). Like client-go it does not try to lead again:
  // the caller decides (Karpenter exits and restarts).
  void run();
  void stop();
  bool isLeader() const { return leader_; }

  // One acquire-or-renew attempt at the clock's current time; true when we hold the lease.
  // Exposed for tests; run() is the normal entry point.
  bool tryAcquireOrRenew();
  // Gives the lease up if we hold it (holderIdentity "", leaseDurationSeconds 1).
  void release();

 private:
  bool sleepUnlessStopped(std::chrono::milliseconds duration);
  ResourceRef leaseRef() const;
  nlohmann::json withSpec(nlohmann::json lease, const std::string& holder, int durationSeconds,
                          const std::string& acquireTime, const std::string& renewTime,
                          int transitions) const;
  void observe(const nlohmann::json& spec, std::chrono::system_clock::time_point now);

  KubeClient& client_;
  LeaderElectionConfig config_;
  LeaderCallbacks callbacks_;
  Clock now_;
  std::atomic<bool> leader_{false};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  // The last lease we wrote or read, and when we (by our clock) first saw its current content.
  std::optional<nlohmann::json> cached_;
  nlohmann::json observedSpec_;
  std::chrono::system_clock::time_point observedTime_{};
  std::string reportedLeader_;
};

// Formats a time as a Kubernetes MicroTime: "2006-01-02T15:04:05.000000Z".
std::string formatMicroTime(std::chrono::system_clock::time_point time);

}  // namespace karpenter::kube
