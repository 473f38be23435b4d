#include "karpenter/cloudprovider/aws/aws_environment.hpp"

namespace karpenter::cloudprovider::aws {

Result<std::unique_ptr<AwsEnvironment>> AwsEnvironment::create(AwsSettings settings,
                                                               karpenter::aws::Environment env,
                                                               Clock clock) {
  if (settings.clusterName.empty()) {
    return invalidError("the AWS provider needs --cluster-name (CLUSTER_NAME)");
  }
  auto config = karpenter::aws::loadAwsConfig(env);
  if (!config) {
    return config.error();
  }
  auto awsClock = clock ? karpenter::aws::Clock(clock) : karpenter::aws::systemClock();
  auto environment = std::make_unique<AwsEnvironment>();
  AwsEnvironment& e = *environment;
  e.settings = std::move(settings);
  e.config = std::move(*config);
  e.http = karpenter::aws::makeCurlHttpClient();
  e.credentials = karpenter::aws::makeDefaultCredentialsChain(env, e.config, e.http, awsClock);
  e.ec2 = std::make_shared<karpenter::aws::Ec2Client>(e.config, e.credentials, e.http, awsClock);
  e.ssm = std::make_shared<karpenter::aws::SsmClient>(e.config, e.credentials, e.http, awsClock);
  e.iam = std::make_shared<karpenter::aws::IamClient>(e.config, e.credentials, e.http, awsClock);
  e.eks = std::make_shared<karpenter::aws::EksClient>(e.config, e.credentials, e.http, awsClock);
  if (!e.settings.interruptionQueue.empty()) {
    e.sqs = std::make_unique<karpenter::aws::SqsClient>(
        karpenter::aws::SqsClient::Options{.endpoint = e.config.endpointFor("sqs"),
                                           .signingRegion = e.config.signingRegionFor("sqs")},
        e.credentials, e.http, awsClock);
  }
  if (!e.settings.isolatedVpc) {
    e.pricing =
        std::make_unique<karpenter::aws::PricingClient>(e.config, e.credentials, e.http, awsClock);
  }
  e.unavailableOfferings = std::make_unique<UnavailableOfferings>(clock);
  e.pricingProvider = std::make_unique<PricingProvider>(
      PricingProvider::Options{e.config.region, clock}, e.ec2.get(), e.pricing.get());
  InstanceTypeProvider::Options typeOptions;
  typeOptions.region = e.config.region;
  typeOptions.clock = clock;
  typeOptions.vmMemoryOverheadPercent = e.settings.vmMemoryOverheadPercent;
  typeOptions.reservedENIs = e.settings.reservedENIs;
  e.instanceTypes = std::make_unique<InstanceTypeProvider>(
      typeOptions, e.ec2.get(), e.pricingProvider.get(), e.unavailableOfferings.get());
  e.launchTemplates = std::make_unique<LaunchTemplateProvider>(e.ec2.get());
  e.instances = std::make_unique<InstanceProvider>(
      ClusterSettings{e.settings.clusterName, e.settings.clusterEndpoint,
                      e.settings.clusterCABundle, ""},
      e.ec2.get(), e.launchTemplates.get(), e.unavailableOfferings.get(), clock);
  return environment;
}

std::unique_ptr<AwsCloudProvider> AwsEnvironment::cloudProvider(NodeClassLookup nodeClasses) const {
  return std::make_unique<AwsCloudProvider>(std::move(nodeClasses), instanceTypes.get(),
                                            instances.get());
}

}  // namespace karpenter::cloudprovider::aws
