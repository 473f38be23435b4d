// Windows2019/2022/2025 bootstrap user data: one <powershell> block running the EKS-optimized
// AMI's Start-EKSBootstrap.ps1 with the cluster, kubelet flags and DNS (upstream
// pkg/providers/amifamily/bootstrap/windows.go), the user's script first.

#include <gtest/gtest.h>

#include "karpenter/cloudprovider/aws/user_data.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

constexpr const char* kBootstrapLine =
    "[string]$EKSBootstrapScriptFile = "
    "\"$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1\"\n";

BootstrapOptions windowsOptions() {
  BootstrapOptions o;
  o.clusterName = "demo";
  o.clusterEndpoint = "https://demo.example";
  o.caBundle = "Q0E=";
  return o;
}

TEST(WindowsUserDataTest, EveryWindowsFamilyRunsStartEksBootstrap) {
  for (const char* family : {"Windows2019", "Windows2022", "Windows2025"}) {
    SCOPED_TRACE(family);
    auto data = bootstrapUserData(family, windowsOptions());
    ASSERT_TRUE(data.ok()) << data.error().message;
    EXPECT_EQ(*data, std::string("<powershell>\n") + kBootstrapLine +
                         "& $EKSBootstrapScriptFile -EKSClusterName 'demo' -APIServerEndpoint "
                         "'https://demo.example' -Base64ClusterCA 'Q0E='\n</powershell>");
  }
}

TEST(WindowsUserDataTest, LabelsTaintsKubeletSettingsAndDns) {
  auto o = windowsOptions();
  o.labels = {{"karpenter.sh/nodepool", "general"},
              {"team", "blue"},
              {"node-role.kubernetes.io/worker", ""}};  // a kubelet may not set this one
  o.taints = {{"dedicated", "gpu", "NoSchedule"}, {"spot", "", "PreferNoSchedule"}};
  o.kubelet.maxPods = 40;
  o.kubelet.clusterDNS = {"10.100.0.10", "10.100.0.11"};
  o.kubelet.kubeReserved = {{"cpu", "100m"}, {"memory", "1Gi"}};
  o.kubelet.evictionHard = {{"memory.available", "5%"}};
  auto data = bootstrapUserData("Windows2022", o);
  ASSERT_TRUE(data.ok()) << data.error().message;
  EXPECT_EQ(*data, std::string("<powershell>\n") + kBootstrapLine +
                       "& $EKSBootstrapScriptFile -EKSClusterName 'demo' -APIServerEndpoint "
                       "'https://demo.example' -Base64ClusterCA 'Q0E=' -KubeletExtraArgs "
                       "'--node-labels=\"karpenter.sh/nodepool=general,team=blue\" "
                       "--register-with-taints=\"dedicated=gpu:NoSchedule,spot:PreferNoSchedule\" "
                       "--max-pods=40 --kube-reserved=cpu=100m,memory=1Gi "
                       "--eviction-hard=memory.available<5%' -DNSClusterIP '10.100.0.10'\n"
                       "</powershell>");
}

TEST(WindowsUserDataTest, TheUsersScriptRunsFirstInTheSameBlock) {
  auto o = windowsOptions();
  o.caBundle.clear();
  o.customUserData = "<powershell>\nWrite-Host \"hello\"\n</powershell>\n";
  auto data = bootstrapUserData("Windows2019", o);
  ASSERT_TRUE(data.ok()) << data.error().message;
  EXPECT_EQ(*data, std::string("<powershell>\nWrite-Host \"hello\"\n") + kBootstrapLine +
                       "& $EKSBootstrapScriptFile -EKSClusterName 'demo' -APIServerEndpoint "
                       "'https://demo.example'\n</powershell>");
}

TEST(WindowsUserDataTest, SingleQuotesInValuesAreDoubled) {
  auto o = windowsOptions();
  o.clusterName = "it's";
  auto data = bootstrapUserData("Windows2022", o);
  ASSERT_TRUE(data.ok());
  EXPECT_NE(data->find("-EKSClusterName 'it''s'"), std::string::npos) << *data;
}

TEST(WindowsUserDataTest, UnknownFamiliesAreStillRefused) {
  auto data = bootstrapUserData("Ubuntu", windowsOptions());
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.error().kind, ErrorKind::kInvalid);
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
