#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "karpenter/operator/options.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::op {

// The running product: the HTTPS server (admission webhooks, scheduler extender), the plain
// metrics and health-probe servers, and — on the elected leader only — the controllers. The
// HTTPS server starts first and keeps serving on every replica, leader or not.
//
// Thread safety: start() and stop() from one owning thread.
class Operator final {
 public:
  explicit Operator(OperatorOptions options);
  ~Operator();  // stops with no grace period
  Operator(const Operator&) = delete;
  Operator& operator=(const Operator&) = delete;

  // Called (from the leader-election thread) when the leader lease is lost after having been
  // held — not on stop(). Upstream's controller-runtime exits then so that the Deployment
  // restarts the process, which campaigns afresh; `karpenter controller` does the same. Set
  // before start().
  void onLeadershipLost(std::function<void()> handler);

  // Starts every server (kInvalid/kUnavailable naming the flag or port that failed).
  Result<void> start();
  // Stops accepting, finishes requests in flight for up to the grace period, stops the
  // controllers, releases the leader lease. Idempotent.
  void stop();

  // Bound ports after start() (useful when a port option is 0).
  uint16_t webhookPort() const;
  uint16_t metricsPort() const;
  uint16_t healthProbePort() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace karpenter::op
