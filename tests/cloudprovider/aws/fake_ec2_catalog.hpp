#pragma once

// What the AWS provider's offering tests stand on: the test EC2 and pricing endpoints, the
// product's clients for them, and the providers built on those (unavailable offerings, prices,
// instance types), all on a clock the test sets through `now`.

#include <chrono>
#include <memory>

#include "aws/fake_ec2/fake_clients.hpp"
#include "karpenter/cloudprovider/aws/instance_type_provider.hpp"
#include "karpenter/cloudprovider/aws/pricing_provider.hpp"
#include "karpenter/cloudprovider/unavailable_offerings.hpp"

namespace karpenter::cloudprovider::aws::testing {

struct FakeEc2Catalog {
  Clock clock() {
    return [this] { return now; };
  }

  karpenter::aws::testing::FakeEc2 ec2;
  karpenter::aws::testing::FakePricing pricing;
  std::unique_ptr<karpenter::aws::Ec2Client> ec2Client =
      karpenter::aws::testing::fakeEc2Client(ec2);
  std::unique_ptr<karpenter::aws::PricingClient> pricingClient =
      karpenter::aws::testing::fakePricingClient(ec2, pricing);
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  UnavailableOfferings unavailable{clock()};
  PricingProvider pricingProvider{{"us-east-1", clock()}, ec2Client.get(), pricingClient.get()};
  InstanceTypeProvider instanceTypes{
      {"us-east-1", clock()}, ec2Client.get(), &pricingProvider, &unavailable};
};

}  // namespace karpenter::cloudprovider::aws::testing
