#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fake_ec2.hpp"
#include "fake_pricing.hpp"
#include "karpenter/aws/ec2_client.hpp"
#include "karpenter/aws/pricing_client.hpp"

namespace karpenter::aws::testing {

// Clients of the product pointed at the test endpoints, signing with their key pair; retries
// do not sleep.
inline AwsConfig fakeConfig(const FakeEc2& ec2, const FakePricing* pricing = nullptr) {
  AwsConfig config;
  config.region = ec2.options().region;
  config.serviceUrls["ec2"] = ec2.url();
  if (pricing != nullptr) {
    config.serviceUrls["pricing"] = pricing->url();
  }
  return config;
}

// An AwsConfig in `region` that sends `service` to `url` (a test endpoint).
inline AwsConfig fakeServiceConfig(const std::string& service, const std::string& url,
                                   const std::string& region = "us-east-1") {
  AwsConfig config;
  config.region = region;
  config.serviceUrls[service] = url;
  return config;
}

// The key pair a test endpoint (FakeEc2, FakeSsm, FakeIam, FakeEks, FakeSqs, ...) accepts;
// a non-empty `secret` replaces its secret key, for requests it must refuse.
template <typename FakeEndpoint>
CredentialsProviderPtr fakeCredentials(const FakeEndpoint& fake, const std::string& secret = "") {
  return makeStaticProvider({fake.options().accessKeyId,
                             secret.empty() ? fake.options().secretAccessKey : secret, "",
                             std::nullopt, "test"});
}

inline RetryPolicy noSleepRetry(int maxAttempts = 5) {
  RetryPolicy retry;
  retry.maxAttempts = maxAttempts;
  retry.sleep = [](std::chrono::milliseconds) {};
  return retry;
}

// Retries that do not sleep but note each delay in `sleeps` (which must outlive the client).
inline RetryPolicy recordingRetry(std::vector<std::chrono::milliseconds>& sleeps,
                                  int maxAttempts = 5) {
  RetryPolicy retry;
  retry.maxAttempts = maxAttempts;
  retry.sleep = [&sleeps](std::chrono::milliseconds delay) { sleeps.push_back(delay); };
  return retry;
}

inline std::unique_ptr<Ec2Client> fakeEc2Client(const FakeEc2& ec2, Clock clock = systemClock()) {
  return std::make_unique<Ec2Client>(fakeConfig(ec2), fakeCredentials(ec2), makeCurlHttpClient(),
                                     std::move(clock), noSleepRetry());
}

inline std::unique_ptr<PricingClient> fakePricingClient(const FakeEc2& ec2,
                                                        const FakePricing& pricing,
                                                        int maxAttempts = 5) {
  return std::make_unique<PricingClient>(fakeConfig(ec2, &pricing), fakeCredentials(ec2),
                                         makeCurlHttpClient(), systemClock(),
                                         noSleepRetry(maxAttempts));
}

}  // namespace karpenter::aws::testing
