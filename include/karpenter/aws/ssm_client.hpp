#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "karpenter/aws/config.hpp"
#include "karpenter/aws/json_client.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::aws {

// One SSM parameter as GetParameter returns it.
struct SsmParameter {
  std::string name;
  std::string value;
  std::string type;  // String | StringList | SecureString
  int64_t version = 0;
  std::string dataType;  // "text", or "aws:ec2:image" for AMI parameters
};

// SSM over awsJson1.1 (X-Amz-Target: AmazonSSM.<Op>, signing name "ssm").
// Errors: ParameterNotFound ⇒ kNotFound; throttling and 5xx were already retried.
// Thread safety: calls may be made concurrently.
class SsmClient final {
 public:
  SsmClient(const AwsConfig& config, CredentialsProviderPtr credentials, HttpClientPtr http,
            Clock clock, RetryPolicy retry = {});

  Result<SsmParameter> getParameter(const std::string& name) const;

 private:
  JsonClient json_;
};

// How long an answer may be kept depends on what the parameter names (upstream
// pkg/providers/ssm and its invalidation controller; aws-ec2.md §2.2).
enum class SsmEntryKind {
  kFixed,   // one AMI release (an alias with a pinned version): kept for the TTL (24 h)
  kLatest,  // an alias's recommended/latest parameter, which AWS repoints at each EKS-optimized
            // AMI release: also dropped at every invalidation (every 30 minutes)
  kCustom,  // a user's amiSelectorTerms[].ssmParameter: kept 5 minutes
};

// GetParameter answers kept per SsmEntryKind. Errors are not cached, so a parameter that
// appears later is found on the next call. `now` is the only clock: the 30-minute invalidation
// runs on the first get() at or after each tick (ticks every kInvalidationInterval from
// construction), so no timer thread and no sleeping tests.
// Thread safety: get() may be called concurrently.
class SsmParameterCache final {
 public:
  static constexpr std::chrono::hours kDefaultTtl{24};
  static constexpr std::chrono::minutes kCustomTtl{5};
  static constexpr std::chrono::minutes kInvalidationInterval{30};

  SsmParameterCache(
      const SsmClient& client, Clock now,
      std::chrono::seconds ttl = std::chrono::duration_cast<std::chrono::seconds>(kDefaultTtl));

  Result<SsmParameter> get(const std::string& name, SsmEntryKind kind = SsmEntryKind::kFixed);
  // Drops every entry.
  void clear();

 private:
  struct Entry {
    SsmParameter parameter;
    std::chrono::system_clock::time_point expires;
    SsmEntryKind kind = SsmEntryKind::kFixed;
  };
  // Drops the kLatest entries once per elapsed tick. Under mutex_.
  void invalidateIfDue(std::chrono::system_clock::time_point now);

  const SsmClient& client_;
  Clock now_;
  std::chrono::seconds ttl_;
  std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::chrono::system_clock::time_point nextInvalidation_;
};

}  // namespace karpenter::aws
