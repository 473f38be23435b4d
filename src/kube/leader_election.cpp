#include "karpenter/kube/leader_election.hpp"

#include <cstdio>
#include <ctime>
#include <random>

#include <spdlog/spdlog.h>

namespace karpenter::kube {
namespace {

using nlohmann::json;

constexpr double kJitterFactor = 1.2;  // client-go's JitterFactor for acquire retries

int seconds(std::chrono::milliseconds duration) {
  return std::max<int>(1, static_cast<int>((duration.count() + 999) / 1000));
}

}  // namespace

std::string formatMicroTime(std::chrono::system_clock::time_point time) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(micros / 1'000'000);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<long long>(micros % 1'000'000));
  return buffer;
}

Result<void> validate(const LeaderElectionConfig& config) {
  if (config.identity.empty()) {
    return invalidError("leader election: identity must not be empty");
  }
  if (config.retryPeriod.count() <= 0) {
    return invalidError("leader election: retryPeriod must be positive");
  }
  if (config.leaseDuration <= config.renewDeadline) {
    return invalidError("leader election: leaseDuration must be greater than renewDeadline");
  }
  if (static_cast<double>(config.renewDeadline.count()) <=
      kJitterFactor * static_cast<double>(config.retryPeriod.count())) {
    return invalidError("leader election: renewDeadline must be greater than 1.2 × retryPeriod");
  }
  return {};
}

LeaderElector::LeaderElector(KubeClient& client, LeaderElectionConfig config,
                             LeaderCallbacks callbacks, Clock now)
    : client_(client),
      config_(std::move(config)),
      callbacks_(std::move(callbacks)),
      now_(now ? std::move(now) : [] { return std::chrono::system_clock::now(); }) {}

ResourceRef LeaderElector::leaseRef() const {
  return ResourceRef{.group = "coordination.k8s.io",
                     .resource = "leases",
                     .nameSpace = config_.leaseNamespace,
                     .name = config_.leaseName};
}

json LeaderElector::withSpec(json lease, const std::string& holder, int durationSeconds,
                             const std::string& acquireTime, const std::string& renewTime,
                             int transitions) const {
  lease["spec"] = {{"holderIdentity", holder},
                   {"leaseDurationSeconds", durationSeconds},
                   {"acquireTime", acquireTime},
                   {"renewTime", renewTime},
                   {"leaseTransitions", transitions}};
  return lease;
}

void LeaderElector::observe(const json& spec, std::chrono::system_clock::time_point now) {
  if (spec != observedSpec_) {
    observedSpec_ = spec;
    observedTime_ = now;
  }
  const std::string holder = spec.value("holderIdentity", "");
  if (!holder.empty() && holder != reportedLeader_) {
    reportedLeader_ = holder;
    if (holder != config_.identity && callbacks_.onNewLeader) {
      callbacks_.onNewLeader(holder);
    }
  }
}

bool LeaderElector::tryAcquireOrRenew() {
  const auto now = now_();
  const std::string stamp = formatMicroTime(now);
  const int duration = seconds(config_.leaseDuration);
  const ResourceRef ref = leaseRef();

  // 1. Leading with a lease still valid by our clock: renew on the cached object, no GET.
  if (leader_ && cached_ && observedTime_ + config_.leaseDuration > now) {
    const json& spec = (*cached_)["spec"];
    json renewed = withSpec(*cached_, config_.identity, duration, spec.value("acquireTime", stamp),
                            stamp, spec.value("leaseTransitions", 0));
    auto updated = client_.update(ref, renewed);
    if (updated) {
      cached_ = *updated;
      observe((*updated)["spec"], now);
      return true;
    }
    spdlog::debug("leader election: fast renew failed: {}", updated.error().message);
  }

  // 2. Read the lease; create it if there is none.
  auto current = client_.get(ref);
  if (!current) {
    if (current.error().kind != ErrorKind::kNotFound) {
      spdlog::warn("leader election: reading lease {}/{}: {}", config_.leaseNamespace,
                   config_.leaseName, current.error().message);
      return false;
    }
    json lease = withSpec(
        {{"apiVersion", "coordination.k8s.io/v1"},
         {"kind", "Lease"},
         {"metadata", {{"name", config_.leaseName}, {"namespace", config_.leaseNamespace}}}},
        config_.identity, duration, stamp, stamp, 0);
    auto created = client_.create(ref.named(""), lease);
    if (!created) {
      return false;  // someone else created it first (409) or the apiserver failed
    }
    cached_ = *created;
    observe((*created)["spec"], now);
    return true;
  }

  // 3. Someone else holds it and it changed within its duration (by our clock): not ours.
  const json spec = current->value("spec", json::object());
  observe(spec, now);
  const std::string holder = spec.value("holderIdentity", "");
  const auto recordDuration = std::chrono::seconds(spec.value("leaseDurationSeconds", duration));
  if (!holder.empty() && holder != config_.identity && observedTime_ + recordDuration > now) {
    return false;
  }

  // 4. Take it over (or renew it) with an optimistic write on what we read.
  const bool ours = holder == config_.identity;
  const int transitions = spec.value("leaseTransitions", 0) + (ours ? 0 : 1);
  json desired = withSpec(*current, config_.identity, duration,
                          ours ? spec.value("acquireTime", stamp) : stamp, stamp, transitions);
  auto updated = client_.update(ref, desired);
  if (!updated) {
    return false;  // 409: another replica wrote first
  }
  cached_ = *updated;
  observe((*updated)["spec"], now);
  return true;
}

void LeaderElector::release() {
  if (!leader_ || !cached_) {
    return;
  }
  const std::string stamp = formatMicroTime(now_());
  json released =
      withSpec(*cached_, "", 1, stamp, stamp, (*cached_)["spec"].value("leaseTransitions", 0));
  auto updated = client_.update(leaseRef(), released);
  if (!updated) {
    spdlog::warn("leader election: releasing lease: {}", updated.error().message);
    return;
  }
  cached_ = *updated;
}

bool LeaderElector::sleepUnlessStopped(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, duration, [&] { return stopping_.load(); });
  return !stopping_;
}

void LeaderElector::run() {
  std::mt19937 random{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(1.0, 1.0 + kJitterFactor);

  // Acquire.
  while (!stopping_ && !tryAcquireOrRenew()) {
    const auto wait = std::chrono::milliseconds(
        static_cast<int64_t>(static_cast<double>(config_.retryPeriod.count()) * jitter(random)));
    if (!sleepUnlessStopped(wait)) {
      return;
    }
  }
  if (stopping_) {
    return;
  }
  leader_ = true;
  spdlog::info("leader election: {} acquired lease {}/{}", config_.identity, config_.leaseNamespace,
               config_.leaseName);
  if (callbacks_.onStartedLeading) {
    callbacks_.onStartedLeading();
  }

  // Renew until a renewal round misses its deadline or we are asked to stop.
  bool lost = false;
  while (!stopping_ && !lost) {
    if (!sleepUnlessStopped(config_.retryPeriod)) {
      break;
    }
    const auto deadline = std::chrono::steady_clock::now() + config_.renewDeadline;
    bool renewed = false;
    while (!stopping_ && std::chrono::steady_clock::now() < deadline) {
      if (tryAcquireOrRenew()) {
        renewed = true;
        break;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      sleepUnlessStopped(
          std::min(config_.retryPeriod, std::max(left, std::chrono::milliseconds(0))));
    }
    lost = !renewed && !stopping_;
  }
  if (lost) {
    spdlog::error("leader election: {} failed to renew lease {}/{} within {} ms; stopping",
                  config_.identity, config_.leaseNamespace, config_.leaseName,
                  config_.renewDeadline.count());
    leader_ = false;
  } else if (config_.releaseOnCancel) {
    release();
  }
  leader_ = false;
  if (callbacks_.onStoppedLeading) {
    callbacks_.onStoppedLeading();
  }
}

void LeaderElector::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

}  // namespace karpenter::kube
