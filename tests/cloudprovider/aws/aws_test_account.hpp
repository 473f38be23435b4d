#pragma once

// The AWS account the provider's loop tests run against: what the test SSM and IAM must hold
// for an EC2NodeClass of `discoveredNodeClass` to become Ready (the test EC2 tags its subnets
// and security groups karpenter.sh/discovery=test).

#include <string>
#include <utility>
#include <vector>

#include "aws/fake_aws/fake_iam.hpp"
#include "aws/fake_aws/fake_ssm.hpp"
#include "aws/fake_ec2/fake_clients.hpp"
#include "aws/fake_ec2/fake_ec2.hpp"
#include "controllers/controller_fixture.hpp"

namespace karpenter::cloudprovider::aws::testing {

inline constexpr const char* kNodeRole = "KarpenterNodeRole-test";

// The al2023 alias's SSM parameters for Kubernetes `version` (ami-test1 x86_64, ami-test2
// arm64) and the node role.
inline void seedAccount(karpenter::aws::testing::FakeSsm& ssm,
                        karpenter::aws::testing::FakeIam& iam, const std::string& version) {
  const std::string prefix = "/aws/service/eks/optimized-ami/" + version + "/amazon-linux-2023/";
  ssm.putParameter(prefix + "x86_64/standard/recommended/image_id", "ami-test1", "aws:ec2:image");
  ssm.putParameter(prefix + "arm64/standard/recommended/image_id", "ami-test2", "aws:ec2:image");
  iam.addRole(kNodeRole);
}

// The test EC2, SSM and IAM endpoints of one account in us-east-1; all accept EC2's key pair.
struct FakeAwsAccount {
  karpenter::aws::testing::FakeEc2 ec2;
  karpenter::aws::testing::FakeSsm ssm;
  karpenter::aws::testing::FakeIam iam;

  // What the product reads from the process environment to reach this account: the region,
  // the key pair and AWS_ENDPOINT_URL_<SERVICE> for EC2, SSM, IAM and `moreEndpoints`
  // (SERVICE, url).
  std::vector<std::pair<std::string, std::string>> environment(
      const std::vector<std::pair<std::string, std::string>>& moreEndpoints = {}) const {
    std::vector<std::pair<std::string, std::string>> env = {
        {"AWS_REGION", "us-east-1"},
        {"AWS_ACCESS_KEY_ID", ec2.options().accessKeyId},
        {"AWS_SECRET_ACCESS_KEY", ec2.options().secretAccessKey},
        {"AWS_ENDPOINT_URL_EC2", ec2.url()},
        {"AWS_ENDPOINT_URL_SSM", ssm.url()},
        {"AWS_ENDPOINT_URL_IAM", iam.url()}};
    for (const auto& [service, url] : moreEndpoints) {
      env.emplace_back("AWS_ENDPOINT_URL_" + service, url);
    }
    return env;
  }

  // An AwsConfig that sends EC2, SSM and IAM here.
  karpenter::aws::AwsConfig config() const {
    karpenter::aws::AwsConfig config;
    config.region = "us-east-1";
    config.serviceUrls = {{"ec2", ec2.url()}, {"ssm", ssm.url()}, {"iam", iam.url()}};
    return config;
  }
};

// An EC2NodeClass selecting the test subnets and security groups of `discovery`.
inline nlohmann::json discoveredNodeClass(const std::string& name,
                                          const std::string& discovery = "test") {
  nlohmann::json object = controllers::test::ec2NodeClass(name);
  object["spec"]["role"] = kNodeRole;
  object["spec"]["subnetSelectorTerms"] =
      nlohmann::json::array({{{"tags", {{"karpenter.sh/discovery", discovery}}}}});
  object["spec"]["securityGroupSelectorTerms"] =
      nlohmann::json::array({{{"tags", {{"karpenter.sh/discovery", "test"}}}}});
  return object;
}

}  // namespace karpenter::cloudprovider::aws::testing
