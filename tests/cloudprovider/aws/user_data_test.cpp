// Bootstrap user data per AMI family, merged with the EC2NodeClass's own.

#include "karpenter/cloudprovider/aws/user_data.hpp"

#include <gtest/gtest.h>

#include "karpenter/api/yaml.hpp"
#include "karpenter/cloudprovider/aws/instance_type_model.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

BootstrapOptions options() {
  BootstrapOptions o;
  o.clusterName = "prod";
  o.clusterEndpoint = "https://ABC.gr7.us-east-1.eks.amazonaws.com";
  o.caBundle = "Q0EtQlVORExF";
  o.clusterCIDR = "10.100.0.0/16";
  o.labels = {{"karpenter.sh/nodepool", "general"},
              {"team", "blue"},
              {"kubernetes.io/not-allowed", "x"},
              {"node.kubernetes.io/instance-type", "m5.large"}};
  o.taints = {{"dedicated", "gpu", "NoSchedule"}};
  o.kubelet.maxPods = 50;
  o.kubelet.clusterDNS = {"10.100.0.10"};
  return o;
}

// The bodies of a MIME document's parts, in order.
std::vector<std::string> partsOf(const std::string& mime) {
  std::vector<std::string> parts;
  size_t pos = mime.find("--//\n");
  while (pos != std::string::npos) {
    const size_t start = mime.find("\n\n", pos) + 2;
    const size_t end = mime.find("\n--//", start);
    parts.push_back(mime.substr(start, end - start));
    pos = mime.find("--//\n", end);
  }
  return parts;
}

TEST(UserData, Al2023NodeConfigFollowsTheUsersParts) {
  auto o = options();
  o.customUserData =
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"BOUNDARY\"\n\n--BOUNDARY\n"
      "Content-Type: text/x-shellscript; charset=\"us-ascii\"\n\n#!/bin/bash\necho hello\n"
      "--BOUNDARY--\n";
  auto data = bootstrapUserData(kAmiFamilyAL2023, o);
  ASSERT_TRUE(data.ok()) << data.error().message;
  const auto parts = partsOf(*data);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], "#!/bin/bash\necho hello");
  auto yaml = api::parseManifests(parts[1], "NodeConfig");
  ASSERT_TRUE(yaml.ok()) << yaml.error().message << "\n" << parts[1];
  const auto& config = yaml->front();
  EXPECT_EQ(config["kind"], "NodeConfig");
  EXPECT_EQ(config["spec"]["cluster"]["name"], "prod");
  EXPECT_EQ(config["spec"]["cluster"]["apiServerEndpoint"], o.clusterEndpoint);
  EXPECT_EQ(config["spec"]["cluster"]["certificateAuthority"], "Q0EtQlVORExF");
  EXPECT_EQ(config["spec"]["cluster"]["cidr"], "10.100.0.0/16");
  EXPECT_EQ(config["spec"]["kubelet"]["config"]["maxPods"], 50);
  EXPECT_EQ(config["spec"]["kubelet"]["config"]["clusterDNS"][0], "10.100.0.10");
  const auto flags = config["spec"]["kubelet"]["flags"];
  EXPECT_EQ(flags[0],
            "--node-labels=karpenter.sh/nodepool=general,node.kubernetes.io/instance-type=m5.large,"
            "team=blue");
  EXPECT_EQ(flags[1], "--register-with-taints=dedicated=gpu:NoSchedule");
}

TEST(UserData, Al2023PlainUserDataIsOnePart) {
  auto o = options();
  o.customUserData = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {}\n";
  auto parts = partsOf(*bootstrapUserData(kAmiFamilyAL2023, o));
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {}");
  o.customUserData = "MIME-Version: 1.0\nContent-Type: multipart/mixed\n\nno boundary";
  EXPECT_EQ(bootstrapUserData(kAmiFamilyAL2023, o).error().kind, ErrorKind::kInvalid);
}

TEST(UserData, BottlerocketKeepsUserSettingsAndKarpentersClusterSettingsWin) {
  auto o = options();
  o.customUserData =
      "[settings.kubernetes]\ncluster-name = \"wrong\"\nimage-gc-high-threshold-percent = 85\n"
      "\n[settings.host-containers.admin]\nenabled = true\n";
  auto data = bootstrapUserData(kAmiFamilyBottlerocket, o);
  ASSERT_TRUE(data.ok()) << data.error().message;
  EXPECT_NE(data->find("cluster-name = \"prod\""), std::string::npos) << *data;
  EXPECT_EQ(data->find("wrong"), std::string::npos);
  EXPECT_NE(data->find("image-gc-high-threshold-percent = 85"), std::string::npos);
  EXPECT_NE(data->find("[settings.host-containers.admin]\nenabled = true"), std::string::npos);
  EXPECT_NE(data->find("max-pods = 50"), std::string::npos);
  EXPECT_NE(
      data->find("[settings.kubernetes.node-labels]\n\"karpenter.sh/nodepool\" = \"general\""),
      std::string::npos);
  EXPECT_NE(data->find("[settings.kubernetes.node-taints]\n\"dedicated\" = [\"gpu:NoSchedule\"]"),
            std::string::npos);
  o.customUserData = "[[settings.bad]]\n";
  EXPECT_EQ(bootstrapUserData(kAmiFamilyBottlerocket, o).error().kind, ErrorKind::kInvalid);
}

TEST(UserData, Al2RunsBootstrapShAfterTheUsersScript) {
  auto o = options();
  o.customUserData = "#!/bin/bash\necho first\n";
  auto parts = partsOf(*bootstrapUserData(kAmiFamilyAL2, o));
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], "#!/bin/bash\necho first");
  EXPECT_NE(parts[1].find("/etc/eks/bootstrap.sh 'prod' --apiserver-endpoint "
                          "'https://ABC.gr7.us-east-1.eks.amazonaws.com' --b64-cluster-ca "
                          "'Q0EtQlVORExF' --dns-cluster-ip '10.100.0.10' --use-max-pods false"),
            std::string::npos)
      << parts[1];
  EXPECT_NE(parts[1].find("--max-pods=50 --node-labels="), std::string::npos);
  EXPECT_EQ(parts[1].find("kubernetes.io/not-allowed"), std::string::npos);
}

TEST(UserData, CustomIsPassedThrough) {
  auto o = options();
  o.customUserData = "anything";
  EXPECT_EQ(*bootstrapUserData(kAmiFamilyCustom, o), "anything");
  EXPECT_FALSE(kubeletMaySetLabel("kubernetes.io/foo"));
  EXPECT_TRUE(kubeletMaySetLabel("kubernetes.io/arch"));
  EXPECT_TRUE(kubeletMaySetLabel("example.com/x"));
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
