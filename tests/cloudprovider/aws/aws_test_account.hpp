#pragma once

// The AWS account the provider's loop tests run against: what the test SSM and IAM must hold
// for an EC2NodeClass of `discoveredNodeClass` to become Ready (the test EC2 tags its subnets
// and security groups karpenter.sh/discovery=test).

#include <string>

#include "aws/fake_aws/fake_iam.hpp"
#include "aws/fake_aws/fake_ssm.hpp"
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
