#pragma once

#include <memory>

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

inline CredentialsProviderPtr fakeCredentials(const FakeEc2& ec2) {
  return makeStaticProvider(
      {ec2.options().accessKeyId, ec2.options().secretAccessKey, "", std::nullopt, "test"});
}

inline RetryPolicy noSleepRetry(int maxAttempts = 5) {
  RetryPolicy retry;
  retry.maxAttempts = maxAttempts;
  retry.sleep = [](std::chrono::milliseconds) {};
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
