// Fidelity of the test SSM, IAM and EKS endpoints: the Debian `awscli` (an independent SigV4
// signer, serializer and parser for awsJson1.1, IAM's Query/XML and restJson1) drives each as a
// real client would, and every answer must parse into the values the endpoint holds — errors
// included. Skipped only when `aws` is not installed.

#include <gtest/gtest.h>

#include "aws/fake_aws/aws_cli.hpp"
#include "aws/fake_aws/fake_eks.hpp"
#include "aws/fake_aws/fake_iam.hpp"
#include "aws/fake_aws/fake_ssm.hpp"

namespace karpenter::aws {
namespace {

using testing::AwsCli;
using testing::AwsCliResult;

class AwsCliServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (AwsCli::find().empty()) {
      GTEST_SKIP() << "awscli is not installed (apt-get install -y awscli); the endpoints' "
                      "fidelity against an independent client is not checked";
    }
  }

  // The fakes share one key pair, so one set of credentials signs for all three.
  AwsCliResult run(const std::vector<std::string>& args, const std::string& endpoint) const {
    return AwsCli(endpoint, ssm_.options().accessKeyId, ssm_.options().secretAccessKey).run(args);
  }

  AwsCliResult runOk(const std::vector<std::string>& args, const std::string& endpoint) {
    AwsCliResult result = run(args, endpoint);
    EXPECT_EQ(result.exitCode, 0) << args[1] << " stderr: " << result.err;
    EXPECT_FALSE(result.json.is_discarded()) << args[1] << " printed: " << result.out;
    return result;
  }

  testing::FakeSsm ssm_;
  testing::FakeIam iam_;
  testing::FakeEks eks_;
};

TEST_F(AwsCliServicesTest, SsmGetParameter) {
  const std::string name =
      "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/image_id";
  ssm_.putParameter(name, "ami-0abc", "aws:ec2:image");
  const auto result = runOk({"ssm", "get-parameter", "--name", name}, ssm_.url());
  const auto& parameter = result.json["Parameter"];
  EXPECT_EQ(parameter["Name"], name);
  EXPECT_EQ(parameter["Value"], "ami-0abc");
  EXPECT_EQ(parameter["Type"], "String");
  EXPECT_EQ(parameter["Version"], 1);
  EXPECT_EQ(parameter["DataType"], "aws:ec2:image");
  EXPECT_TRUE(parameter.contains("LastModifiedDate")) << result.out;
  EXPECT_EQ(parameter["ARN"], "arn:aws:ssm:us-east-1::parameter" + name);
  EXPECT_EQ(ssm_.rejectedSignatures(), 0);
}

TEST_F(AwsCliServicesTest, SsmParameterNotFound) {
  const auto result = run({"ssm", "get-parameter", "--name", "/missing"}, ssm_.url());
  EXPECT_NE(result.exitCode, 0);
  EXPECT_NE(result.err.find("ParameterNotFound"), std::string::npos) << result.err;
  EXPECT_EQ(ssm_.rejectedSignatures(), 0);
}

TEST_F(AwsCliServicesTest, IamCreateAndGetInstanceProfile) {
  const auto created = runOk(
      {"iam", "create-instance-profile", "--instance-profile-name", "cluster_42", "--path",
       "/karpenter/", "--tags", "Key=kubernetes.io/cluster/c,Value=owned", "Key=team,Value=a"},
      iam_.url());
  const auto& profile = created.json["InstanceProfile"];
  EXPECT_EQ(profile["InstanceProfileName"], "cluster_42");
  EXPECT_EQ(profile["Path"], "/karpenter/");
  EXPECT_EQ(profile["Arn"], "arn:aws:iam::123456789012:instance-profile/karpenter/cluster_42");
  EXPECT_TRUE(profile.contains("CreateDate"));
  EXPECT_EQ(profile["Roles"], nlohmann::json::array());
  // What awscli sent reached the fake as IAM would read it.
  EXPECT_EQ(iam_.instanceProfiles().at("cluster_42").tags,
            (Tags{{"kubernetes.io/cluster/c", "owned"}, {"team", "a"}}));

  iam_.addRole("KarpenterNodeRole");
  // AddRoleToInstanceProfile answers with metadata only, which awscli prints as nothing.
  const auto added = run({"iam", "add-role-to-instance-profile", "--instance-profile-name",
                          "cluster_42", "--role-name", "KarpenterNodeRole"},
                         iam_.url());
  EXPECT_EQ(added.exitCode, 0) << added.err;
  EXPECT_EQ(added.out, "");
  const auto got =
      runOk({"iam", "get-instance-profile", "--instance-profile-name", "cluster_42"}, iam_.url());
  const auto& read = got.json["InstanceProfile"];
  ASSERT_EQ(read["Roles"].size(), 1u) << got.out;
  EXPECT_EQ(read["Roles"][0]["RoleName"], "KarpenterNodeRole");
  EXPECT_EQ(read["Roles"][0]["Arn"], "arn:aws:iam::123456789012:role/KarpenterNodeRole");
  ASSERT_EQ(read["Tags"].size(), 2u) << got.out;
  EXPECT_EQ(read["Tags"][1]["Key"], "team");
  EXPECT_EQ(iam_.rejectedSignatures(), 0);
}

TEST_F(AwsCliServicesTest, IamErrorsDecode) {
  const auto missing =
      run({"iam", "get-instance-profile", "--instance-profile-name", "nope"}, iam_.url());
  EXPECT_NE(missing.exitCode, 0);
  EXPECT_NE(missing.err.find("NoSuchEntity"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("Instance Profile nope cannot be found."), std::string::npos)
      << missing.err;
  iam_.addInstanceProfile("taken", "");
  const auto exists =
      run({"iam", "create-instance-profile", "--instance-profile-name", "taken"}, iam_.url());
  EXPECT_NE(exists.exitCode, 0);
  EXPECT_NE(exists.err.find("EntityAlreadyExists"), std::string::npos) << exists.err;
}

TEST_F(AwsCliServicesTest, EksDescribeCluster) {
  eks_.addCluster("prod", "1.31", "172.20.0.0/16");
  const auto result = runOk({"eks", "describe-cluster", "--name", "prod"}, eks_.url());
  const auto& cluster = result.json["cluster"];
  const auto want = eks_.cluster("prod");
  EXPECT_EQ(cluster["name"], "prod");
  EXPECT_EQ(cluster["arn"], want["arn"]);
  EXPECT_EQ(cluster["version"], "1.31");
  EXPECT_EQ(cluster["endpoint"], want["endpoint"]);
  EXPECT_EQ(cluster["status"], "ACTIVE");
  EXPECT_EQ(cluster["certificateAuthority"]["data"], want["certificateAuthority"]["data"]);
  EXPECT_EQ(cluster["kubernetesNetworkConfig"]["serviceIpv4Cidr"], "172.20.0.0/16");
  EXPECT_EQ(cluster["resourcesVpcConfig"]["vpcId"], "vpc-test1");
  EXPECT_TRUE(cluster.contains("createdAt"));
  EXPECT_EQ(eks_.rejectedSignatures(), 0);
}

TEST_F(AwsCliServicesTest, EksUnknownCluster) {
  const auto result = run({"eks", "describe-cluster", "--name", "missing"}, eks_.url());
  EXPECT_NE(result.exitCode, 0);
  EXPECT_NE(result.err.find("ResourceNotFoundException"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace karpenter::aws
