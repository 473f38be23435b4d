#pragma once

#include <memory>
#include <string>

#include "karpenter/aws/config.hpp"
#include "karpenter/aws/ec2_client.hpp"
#include "karpenter/aws/eks_client.hpp"
#include "karpenter/aws/iam_client.hpp"
#include "karpenter/aws/pricing_client.hpp"
#include "karpenter/aws/sqs_client.hpp"
#include "karpenter/aws/ssm_client.hpp"
#include "karpenter/cloudprovider/aws/aws_cloud_provider.hpp"
#include "karpenter/cloudprovider/aws/instance_provider.hpp"
#include "karpenter/cloudprovider/aws/instance_type_provider.hpp"
#include "karpenter/cloudprovider/aws/launch_template_provider.hpp"
#include "karpenter/cloudprovider/aws/pricing_provider.hpp"
#include "karpenter/cloudprovider/unavailable_offerings.hpp"

namespace karpenter::cloudprovider::aws {

// Upstream's AWS settings (CLUSTER_NAME, CLUSTER_ENDPOINT, ...), as `karpenter controller` reads
// them.
struct AwsSettings {
  std::string clusterName;
  std::string clusterEndpoint;
  std::string clusterCABundle;
  double vmMemoryOverheadPercent = 0.075;
  int reservedENIs = 0;
  std::string interruptionQueue;  // INTERRUPTION_QUEUE: the interruption controller's queue
  bool isolatedVpc = false;       // no Price List API: the built-in price table only
};

// Everything the AWS provider is made of, built once by the operator: configuration, the
// service clients (signed with the SDK credentials chain) and the providers over them. The seam
// for the EC2NodeClass reconciler and the interruption controller: they take the clients and
// `unavailableOfferings` from here. Members are created in order and never replaced; the
// object must outlive every provider handed out. Not copyable.
struct AwsEnvironment {
  AwsSettings settings;
  karpenter::aws::AwsConfig config;
  karpenter::aws::CredentialsProviderPtr credentials;
  karpenter::aws::HttpClientPtr http;
  std::shared_ptr<karpenter::aws::Ec2Client> ec2;
  std::unique_ptr<karpenter::aws::PricingClient> pricing;  // null with isolatedVpc
  // For the EC2NodeClass controller (AMI aliases, instance profiles, the cluster's version).
  std::shared_ptr<karpenter::aws::SsmClient> ssm;
  std::shared_ptr<karpenter::aws::IamClient> iam;
  std::shared_ptr<karpenter::aws::EksClient> eks;
  std::unique_ptr<karpenter::aws::SqsClient> sqs;  // null without settings.interruptionQueue
  std::unique_ptr<UnavailableOfferings> unavailableOfferings;
  std::unique_ptr<PricingProvider> pricingProvider;
  std::unique_ptr<InstanceTypeProvider> instanceTypes;
  std::unique_ptr<LaunchTemplateProvider> launchTemplates;
  std::unique_ptr<InstanceProvider> instances;

  // Reads the region and endpoints from `env` (AWS_REGION, AWS_ENDPOINT_URL[_<SERVICE>], ...)
  // and builds every member. kInvalid naming the setting when CLUSTER_NAME or the region is
  // missing.
  static Result<std::unique_ptr<AwsEnvironment>> create(AwsSettings settings,
                                                        karpenter::aws::Environment env,
                                                        Clock clock = {});

  // The CloudProvider over this environment; EC2NodeClasses come from `nodeClasses`.
  std::unique_ptr<AwsCloudProvider> cloudProvider(NodeClassLookup nodeClasses) const;
};

}  // namespace karpenter::cloudprovider::aws
