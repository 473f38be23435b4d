// The cluster's Kubernetes version for alias AMIs: EKS DescribeCluster (test EKS endpoint), and
// the apiserver's GET /version (the in-repo test apiserver) when EKS is not configured or
// cannot answer; kept 15 minutes on a stepped clock.

#include <gtest/gtest.h>

#include "aws/fake_aws/fake_eks.hpp"
#include "karpenter/apiserver/resources.hpp"
#include "karpenter/cloudprovider/aws/kubernetes_version.hpp"
#include "support/plain_http.hpp"
#include "support/test_apiserver.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

using karpenter::aws::testing::FakeEks;

class KubernetesVersionTest : public ::testing::Test {
 protected:
  KubernetesVersionTest() {
    karpenter::aws::AwsConfig config;
    config.region = "us-east-1";
    config.serviceUrls["eks"] = eks_.url();
    karpenter::aws::RetryPolicy retry;
    retry.maxAttempts = 1;
    eksClient_ = std::make_shared<karpenter::aws::EksClient>(
        config,
        karpenter::aws::makeStaticProvider(
            {eks_.options().accessKeyId, eks_.options().secretAccessKey, "", std::nullopt, "test"}),
        karpenter::aws::makeCurlHttpClient(), karpenter::aws::systemClock(), retry);
  }

  KubernetesVersionProvider provider(bool withEks, bool withApiserver) {
    return KubernetesVersionProvider(
        {withEks ? eksClient_ : nullptr, "demo", withApiserver ? kube_.get() : nullptr},
        [this] { return now_; });
  }
  // The minor version the apiserver under test reports.
  std::string apiserverMinor() {
    auto version = kube_->serverVersion();
    return version ? version->minorVersion() : "";
  }

  FakeEks eks_;
  std::shared_ptr<karpenter::aws::EksClient> eksClient_;
  karpenter::testing::TestApiserver apiserver_;
  std::unique_ptr<kube::HttpKubeClient> kube_ = apiserver_.client();
  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
};

TEST_F(KubernetesVersionTest, TheInRepoApiserverAnswersVersionInTheRealShape) {
  ASSERT_TRUE(apiserver_.ok());
  if (!apiserver_.inRepo()) {
    GTEST_SKIP() << "the shape check needs the in-repo apiserver";
  }
  const std::string server = apiserver_.config().server;
  const auto port = static_cast<uint16_t>(std::stoi(server.substr(server.rfind(':') + 1)));
  const auto reply = karpenter::testing::plainGet(port, "/version");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.contentType.substr(0, 16), "application/json");
  const auto body = nlohmann::json::parse(reply.body);
  for (const char* key : {"major", "minor", "gitVersion", "gitCommit", "gitTreeState", "buildDate",
                          "goVersion", "compiler", "platform"}) {
    ASSERT_TRUE(body.contains(key) && body[key].is_string()) << key;
  }
  EXPECT_EQ(body["gitVersion"], apiserver::kServedGitVersion);
  EXPECT_EQ(body["major"], "1");
  EXPECT_EQ(body["minor"], "31");
  EXPECT_EQ(apiserverMinor(), "1.31");
}

TEST_F(KubernetesVersionTest, EksAnswersFirst) {
  ASSERT_TRUE(apiserver_.ok());
  eks_.addCluster("demo", "1.29");
  auto versions = provider(true, true);
  auto version = versions.get();
  ASSERT_TRUE(version.ok()) << version.error().message;
  EXPECT_EQ(*version, "1.29");
  EXPECT_EQ(versions.source(), "eks");
}

TEST_F(KubernetesVersionTest, ApiserverWhenEksHasNoSuchCluster) {
  ASSERT_TRUE(apiserver_.ok());
  auto versions = provider(true, true);  // the fake EKS knows no cluster "demo"
  auto version = versions.get();
  ASSERT_TRUE(version.ok()) << version.error().message;
  EXPECT_EQ(*version, apiserverMinor());
  EXPECT_FALSE(version->empty());
  EXPECT_EQ(versions.source(), "apiserver");
  EXPECT_EQ(eks_.describeCalls(), 1);
}

TEST_F(KubernetesVersionTest, ApiserverWhenEksIsNotConfigured) {
  ASSERT_TRUE(apiserver_.ok());
  auto versions = provider(false, true);
  auto version = versions.get();
  ASSERT_TRUE(version.ok()) << version.error().message;
  EXPECT_EQ(*version, apiserverMinor());
  EXPECT_EQ(eks_.describeCalls(), 0);
}

TEST_F(KubernetesVersionTest, KeptFifteenMinutesThenAskedAgain) {
  ASSERT_TRUE(apiserver_.ok());
  eks_.addCluster("demo", "1.30");
  auto versions = provider(true, true);
  ASSERT_EQ(*versions.get(), "1.30");
  eks_.addCluster("demo", "1.31");  // the cluster was upgraded
  now_ += KubernetesVersionProvider::kTtl - std::chrono::seconds(1);
  EXPECT_EQ(*versions.get(), "1.30");
  EXPECT_EQ(eks_.describeCalls(), 1);
  now_ += std::chrono::seconds(1);
  EXPECT_EQ(*versions.get(), "1.31");
  EXPECT_EQ(eks_.describeCalls(), 2);
}

TEST_F(KubernetesVersionTest, NoSourceIsAnErrorNamingBoth) {
  auto versions = provider(true, false);
  auto version = versions.get();
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.error().kind, ErrorKind::kUnavailable);
  EXPECT_NE(version.error().message.find("EKS cluster demo"), std::string::npos)
      << version.error().message;
  EXPECT_NE(version.error().message.find("/version"), std::string::npos);
  // Errors are not kept: once EKS knows the cluster, the next call succeeds.
  eks_.addCluster("demo", "1.30");
  EXPECT_EQ(*versions.get(), "1.30");
}

TEST(ServerVersionTest, MinorVersionFromMajorMinorOrGitVersion) {
  EXPECT_EQ((kube::ServerVersion{"1", "31", "v1.31.0", ""}).minorVersion(), "1.31");
  EXPECT_EQ((kube::ServerVersion{"1", "30+", "v1.30.4-eks-a737599", ""}).minorVersion(), "1.30");
  EXPECT_EQ((kube::ServerVersion{"", "", "v1.29.3-eks-adc7111", ""}).minorVersion(), "1.29");
  EXPECT_EQ((kube::ServerVersion{"", "", "v1.28", ""}).minorVersion(), "1.28");
  EXPECT_EQ((kube::ServerVersion{"", "", "unknown", ""}).minorVersion(), "");
  EXPECT_EQ((kube::ServerVersion{"", "", "v1", ""}).minorVersion(), "");
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
