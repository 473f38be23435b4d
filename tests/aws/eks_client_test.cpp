// The EKS restJson1 client against the test EKS endpoint (tests/aws/fake_aws/fake_eks).

#include "karpenter/aws/eks_client.hpp"

#include <gtest/gtest.h>

#include "aws/fake_aws/fake_eks.hpp"
#include "aws/fake_ec2/fake_clients.hpp"

namespace karpenter::aws {
namespace {

using testing::FakeEks;

class EksClientTest : public ::testing::Test {
 protected:
  EksClient client(const std::string& secret = "") {
    return EksClient(testing::fakeServiceConfig("eks", fake_.url()),
                     testing::fakeCredentials(fake_, secret), makeCurlHttpClient(), systemClock(),
                     testing::noSleepRetry());
  }

  FakeEks fake_;
};

TEST_F(EksClientTest, DescribeClusterReadsWhatTheProviderNeeds) {
  fake_.addCluster("prod", "1.31", "172.20.0.0/16");
  auto cluster = client().describeCluster("prod");
  ASSERT_TRUE(cluster) << cluster.error().message;
  const auto want = fake_.cluster("prod");
  EXPECT_EQ(cluster->name, "prod");
  EXPECT_EQ(cluster->arn, want["arn"]);
  EXPECT_EQ(cluster->status, "ACTIVE");
  EXPECT_EQ(cluster->version, "1.31");
  EXPECT_EQ(cluster->endpoint, want["endpoint"]);
  EXPECT_EQ(cluster->caData, want["certificateAuthority"]["data"]);
  EXPECT_EQ(cluster->ipFamily, "ipv4");
  EXPECT_EQ(cluster->serviceIpv4Cidr, "172.20.0.0/16");
  EXPECT_EQ(cluster->serviceIpv6Cidr, "");
  EXPECT_EQ(fake_.rejectedSignatures(), 0);
}

TEST_F(EksClientTest, UnknownClusterIsNotFound) {
  auto cluster = client().describeCluster("missing");
  ASSERT_FALSE(cluster);
  EXPECT_EQ(cluster.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(awsErrorCode(cluster.error()), "ResourceNotFoundException");
  EXPECT_NE(cluster.error().message.find("No cluster found for name: missing."), std::string::npos)
      << cluster.error().message;
}

TEST_F(EksClientTest, EmptyNameIsInvalidWithoutACall) {
  auto cluster = client().describeCluster("");
  ASSERT_FALSE(cluster);
  EXPECT_EQ(cluster.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(fake_.describeCalls(), 0);
}

TEST_F(EksClientTest, WrongSecretIsRejected) {
  fake_.addCluster("prod", "1.31");
  auto cluster = client("bad").describeCluster("prod");
  ASSERT_FALSE(cluster);
  EXPECT_EQ(awsErrorCode(cluster.error()), "InvalidSignatureException");
  EXPECT_EQ(fake_.rejectedSignatures(), 1);
}

}  // namespace
}  // namespace karpenter::aws
