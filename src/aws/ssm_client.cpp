#include "karpenter/aws/ssm_client.hpp"

namespace karpenter::aws {

SsmClient::SsmClient(const AwsConfig& config, CredentialsProviderPtr credentials,
                     HttpClientPtr http, Clock clock, RetryPolicy retry)
    : json_(JsonClient::Options{.endpoint = config.endpointFor("ssm"),
                                .service = "ssm",
                                .signingRegion = config.signingRegionFor("ssm"),
                                .retry = std::move(retry)},
            std::move(credentials), std::move(http), std::move(clock)) {}

Result<SsmParameter> SsmClient::getParameter(const std::string& name) const {
  auto reply = json_.callTarget("AmazonSSM.GetParameter", {{"Name", name}});
  if (!reply) {
    return reply.error();
  }
  const auto found = reply->find("Parameter");
  if (found == reply->end() || !found->is_object()) {
    return Error{ErrorKind::kUnavailable,
                 "ssm GetParameter " + name + ": the reply has no Parameter: " + reply->dump()};
  }
  SsmParameter parameter;
  parameter.name = found->value("Name", name);
  parameter.value = found->value("Value", "");
  parameter.type = found->value("Type", "");
  parameter.version = found->value("Version", int64_t{0});
  parameter.dataType = found->value("DataType", "");
  return parameter;
}

SsmParameterCache::SsmParameterCache(const SsmClient& client, Clock now, std::chrono::seconds ttl)
    : client_(client),
      now_(std::move(now)),
      ttl_(ttl),
      nextInvalidation_(now_() + kInvalidationInterval) {}

void SsmParameterCache::invalidateIfDue(std::chrono::system_clock::time_point now) {
  if (now < nextInvalidation_) {
    return;
  }
  while (nextInvalidation_ <= now) {
    nextInvalidation_ += kInvalidationInterval;
  }
  std::erase_if(entries_,
                [](const auto& entry) { return entry.second.kind == SsmEntryKind::kLatest; });
}

Result<SsmParameter> SsmParameterCache::get(const std::string& name, SsmEntryKind kind) {
  {
    std::lock_guard lock(mutex_);
    const auto now = now_();
    invalidateIfDue(now);
    auto it = entries_.find(name);
    if (it != entries_.end() && now < it->second.expires) {
      return it->second.parameter;
    }
  }
  // Not under the lock: a slow SSM call must not hold up readers of other parameters.
  auto fetched = client_.getParameter(name);
  if (!fetched) {
    return fetched.error();
  }
  const std::chrono::seconds ttl =
      kind == SsmEntryKind::kCustom ? std::chrono::seconds(kCustomTtl) : ttl_;
  std::lock_guard lock(mutex_);
  entries_[name] = Entry{*fetched, now_() + ttl, kind};
  return fetched;
}

void SsmParameterCache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

}  // namespace karpenter::aws
