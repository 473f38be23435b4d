// The operator's seam: settings → AwsEnvironment (clients + providers) → CloudProvider, built
// from the environment as `karpenter controller` does, against the test endpoints.

#include "karpenter/cloudprovider/aws/aws_environment.hpp"

#include <gtest/gtest.h>

#include "aws/fake_ec2/fake_clients.hpp"
#include "karpenter/operator/options.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

using karpenter::aws::testing::FakeEc2;
using karpenter::aws::testing::FakePricing;

TEST(OperatorOptions, CloudProviderDefaultsToAwsOnlyWithAClusterName) {
  op::OperatorOptions options;
  EXPECT_EQ(*options.effectiveCloudProvider(), "simulated");
  options.clusterName = "prod";
  EXPECT_EQ(*options.effectiveCloudProvider(), "aws");
  options.cloudProvider = "simulated";
  EXPECT_EQ(*options.effectiveCloudProvider(), "simulated");
  options.cloudProvider = "gce";
  EXPECT_EQ(options.effectiveCloudProvider().error().kind, ErrorKind::kInvalid);
  options.cloudProvider = "aws";
  options.clusterName.clear();
  EXPECT_NE(options.effectiveCloudProvider().error().message.find("CLUSTER_NAME"),
            std::string::npos);
  options.clusterName = "prod";
  options.vmMemoryOverheadPercent = 7.5;
  EXPECT_NE(options.effectiveCloudProvider().error().message.find("VM_MEMORY_OVERHEAD_PERCENT"),
            std::string::npos);
}

TEST(AwsEnvironment, BuildsClientsFromTheEnvironmentAndServesInstanceTypes) {
  FakeEc2 ec2;
  FakePricing pricing;
  auto env =
      karpenter::aws::mapEnvironment({{"AWS_REGION", "us-east-1"},
                                      {"AWS_ACCESS_KEY_ID", ec2.options().accessKeyId},
                                      {"AWS_SECRET_ACCESS_KEY", ec2.options().secretAccessKey},
                                      {"AWS_ENDPOINT_URL_EC2", ec2.url()},
                                      {"AWS_ENDPOINT_URL_PRICING", pricing.url()},
                                      {"AWS_EC2_METADATA_DISABLED", "true"}});
  AwsSettings settings;
  settings.clusterName = "prod";
  settings.reservedENIs = 1;
  auto environment = AwsEnvironment::create(settings, env);
  ASSERT_TRUE(environment.ok()) << environment.error().message;
  api::EC2NodeClass nodeClass;
  nodeClass.metadata.name = "default";
  nodeClass.status.subnets = {{"subnet-test1", "test-zone-1a", "tstz1-az1"}};
  auto provider = (*environment)->cloudProvider([&](const std::string&) {
    return std::make_shared<const api::EC2NodeClass>(nodeClass);
  });
  EXPECT_EQ(provider->name(), "aws");
  api::NodePool pool;
  pool.spec.template_.spec.nodeClassRef.name = "default";
  auto types = provider->instanceTypes(pool);
  ASSERT_TRUE(types.ok()) << types.error().message;
  bool sawM5 = false;
  for (const auto& type : *types) {
    if (type.name == "m5.large") {
      sawM5 = true;
      EXPECT_EQ(type.capacity.at("pods"), api::Quantity::fromInt(20));  // RESERVED_ENIS=1
    }
  }
  EXPECT_TRUE(sawM5);
  EXPECT_FALSE(pricing.requests().empty());  // the Price List API was asked
  EXPECT_EQ(ec2.rejectedSignatures(), 0);

  settings.isolatedVpc = true;
  auto isolated = AwsEnvironment::create(settings, env);
  ASSERT_TRUE(isolated.ok());
  EXPECT_EQ((*isolated)->pricing, nullptr);
}

TEST(AwsEnvironment, MissingClusterNameOrRegionIsNamed) {
  AwsSettings settings;
  auto noName = AwsEnvironment::create(settings, karpenter::aws::mapEnvironment({}));
  ASSERT_FALSE(noName.ok());
  EXPECT_NE(noName.error().message.find("CLUSTER_NAME"), std::string::npos);
  settings.clusterName = "prod";
  auto noRegion = AwsEnvironment::create(
      settings, karpenter::aws::mapEnvironment({{"AWS_CONFIG_FILE", "/nonexistent"},
                                                {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"}}));
  ASSERT_FALSE(noRegion.ok());
  EXPECT_EQ(noRegion.error().kind, ErrorKind::kInvalid);
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
