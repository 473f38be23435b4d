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

// GetParameter answers kept for a TTL (upstream: 24 h for the public AMI parameters, which
// AWS changes at most with a new AMI release). Errors are not cached, so a parameter that
// appears later is found on the next call. `now` is the only clock.
// Thread safety: get() may be called concurrently.
class SsmParameterCache final {
 public:
  static constexpr std::chrono::hours kDefaultTtl{24};

  SsmParameterCache(
      const SsmClient& client, Clock now,
      std::chrono::seconds ttl = std::chrono::duration_cast<std::chrono::seconds>(kDefaultTtl));

  Result<SsmParameter> get(const std::string& name);
  // Drops every entry (upstream invalidates the alias parameters periodically).
  void clear();

 private:
  struct Entry {
    SsmParameter parameter;
    std::chrono::system_clock::time_point expires;
  };
  const SsmClient& client_;
  Clock now_;
  std::chrono::seconds ttl_;
  std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace karpenter::aws
