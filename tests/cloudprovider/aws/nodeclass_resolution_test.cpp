// EC2NodeClass resolution against the test EC2 and SSM endpoints: the alias SSM paths per
// family, AMI selection and ordering, subnet/security-group filters and ordering, the drift hash.

#include <gtest/gtest.h>

#include "aws/fake_aws/fake_ssm.hpp"
#include "aws/fake_ec2/fake_ec2.hpp"
#include "karpenter/cloudprovider/aws/nodeclass_amis.hpp"
#include "karpenter/cloudprovider/aws/nodeclass_hash.hpp"
#include "karpenter/cloudprovider/aws/nodeclass_network.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

using karpenter::aws::Filter;

std::vector<std::string> paths(const std::vector<AliasParameter>& parameters) {
  std::vector<std::string> out;
  for (const auto& p : parameters) {
    out.push_back(p.path);
  }
  return out;
}

TEST(AliasParameters, Al2023LatestAndPinned) {
  auto latest = aliasParameters("al2023@latest", "1.31");
  ASSERT_TRUE(latest) << latest.error().message;
  const std::string base = "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/";
  EXPECT_EQ(paths(*latest), (std::vector<std::string>{base + "x86_64/standard/recommended/image_id",
                                                      base + "x86_64/nvidia/recommended/image_id",
                                                      base + "x86_64/neuron/recommended/image_id",
                                                      base + "arm64/standard/recommended/image_id",
                                                      base + "arm64/nvidia/recommended/image_id"}));
  // standard: amd64, no GPU, no accelerator; nvidia: GPU instances only.
  const auto& standard = (*latest)[0].requirements;
  ASSERT_EQ(standard.size(), 3u);
  EXPECT_EQ(standard[0].key, "kubernetes.io/arch");
  EXPECT_EQ(standard[0].values, std::vector<std::string>{"amd64"});
  EXPECT_EQ(standard[1].op, "DoesNotExist");
  EXPECT_EQ((*latest)[1].requirements[1].key, "karpenter.k8s.aws/instance-gpu-count");
  EXPECT_EQ((*latest)[1].requirements[1].op, "Exists");

  auto pinned = aliasParameters("al2023@v20240807", "1.30");
  ASSERT_TRUE(pinned);
  EXPECT_EQ((*pinned)[0].path,
            "/aws/service/eks/optimized-ami/1.30/amazon-linux-2023/x86_64/standard/"
            "amazon-eks-node-al2023-x86_64-standard-1.30-v20240807/image_id");
}

TEST(AliasParameters, Al2BottlerocketWindows) {
  auto al2 = aliasParameters("al2@latest", "1.29");
  ASSERT_TRUE(al2);
  EXPECT_EQ(paths(*al2),
            (std::vector<std::string>{
                "/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/image_id",
                "/aws/service/eks/optimized-ami/1.29/amazon-linux-2-arm64/recommended/image_id",
                "/aws/service/eks/optimized-ami/1.29/amazon-linux-2-gpu/recommended/image_id"}));
  auto al2New = aliasParameters("al2@latest", "1.33");
  ASSERT_FALSE(al2New);
  EXPECT_EQ(al2New.error().kind, ErrorKind::kInvalid);
  EXPECT_NE(al2New.error().message.find("al2023"), std::string::npos);

  auto bottlerocket = aliasParameters("bottlerocket@v1.20.0", "1.31");
  ASSERT_TRUE(bottlerocket);
  EXPECT_EQ((*bottlerocket)[0].path,
            "/aws/service/bottlerocket/aws-k8s-1.31/x86_64/1.20.0/image_id");
  EXPECT_EQ((*bottlerocket)[1].path,
            "/aws/service/bottlerocket/aws-k8s-1.31-nvidia/x86_64/1.20.0/image_id");

  auto windows = aliasParameters("windows2022@latest", "1.31");
  ASSERT_TRUE(windows);
  ASSERT_EQ(windows->size(), 1u);
  EXPECT_EQ((*windows)[0].path,
            "/aws/service/ami-windows-latest/"
            "Windows_Server-2022-English-Core-EKS_Optimized-1.31/image_id");
  EXPECT_EQ((*windows)[0].requirements[1].key, "kubernetes.io/os");
  EXPECT_FALSE(aliasParameters("windows2019@v1", "1.31"));
}

TEST(AliasParameters, RejectsMalformedAndUnknown) {
  EXPECT_EQ(aliasParameters("al2023", "1.31").error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(aliasParameters("ubuntu@latest", "1.31").error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(aliasParameters("al2023@latest", "").error().kind, ErrorKind::kUnavailable);
}

class ResolutionTest : public ::testing::Test {
 protected:
  ResolutionTest() {
    karpenter::aws::AwsConfig config;
    config.region = "us-east-1";
    config.serviceUrls = {{"ec2", ec2Fake_.url()}, {"ssm", ssmFake_.url()}};
    auto credentials = karpenter::aws::makeStaticProvider({ec2Fake_.options().accessKeyId,
                                                           ec2Fake_.options().secretAccessKey, "",
                                                           std::nullopt, "test"});
    auto http = karpenter::aws::makeCurlHttpClient();
    ec2_ = std::make_unique<karpenter::aws::Ec2Client>(config, credentials, http,
                                                       karpenter::aws::systemClock());
    ssm_ = std::make_unique<karpenter::aws::SsmClient>(config, credentials, http,
                                                       karpenter::aws::systemClock());
    cache_ = std::make_unique<karpenter::aws::SsmParameterCache>(*ssm_, [this] { return now_; });
  }

  std::chrono::system_clock::time_point now_ =
      std::chrono::system_clock::time_point(std::chrono::hours(480000));  // 2024-10
  karpenter::aws::testing::FakeEc2 ec2Fake_;
  karpenter::aws::testing::FakeSsm ssmFake_;
  std::unique_ptr<karpenter::aws::Ec2Client> ec2_;
  std::unique_ptr<karpenter::aws::SsmClient> ssm_;
  std::unique_ptr<karpenter::aws::SsmParameterCache> cache_;
};

TEST_F(ResolutionTest, AliasThroughSsmSkipsUnpublishedVariants) {
  const std::string base = "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/";
  ssmFake_.putParameter(base + "x86_64/standard/recommended/image_id", "ami-test1");
  ssmFake_.putParameter(base + "arm64/standard/recommended/image_id", "ami-test2");
  api::AMISelectorTerm term;
  term.alias = "al2023@latest";
  auto amis = resolveAmis(*ec2_, *cache_, {term}, "1.31", now_);
  ASSERT_TRUE(amis) << amis.error().message;
  ASSERT_EQ(amis->size(), 2u);
  EXPECT_EQ((*amis)[0].id, "ami-test1");
  EXPECT_EQ((*amis)[0].name, "amazon-eks-node-al2023-x86_64-standard-1.31-v20240101");
  EXPECT_FALSE((*amis)[0].deprecated);
  EXPECT_EQ((*amis)[0].requirements[0].values, std::vector<std::string>{"amd64"});
  EXPECT_EQ((*amis)[1].id, "ami-test2");
  EXPECT_EQ((*amis)[1].requirements[0].values, std::vector<std::string>{"arm64"});
  // Five variants asked for; the three unpublished ones were skipped, not fatal.
  EXPECT_EQ(ssmFake_.requestedNames().size(), 5u);
  // A second resolution within 24 h is served from the cache.
  ASSERT_TRUE(resolveAmis(*ec2_, *cache_, {term}, "1.31", now_));
  EXPECT_EQ(ssmFake_.requestedNames().size(), 5u + 3u) << "misses are not cached";
}

TEST_F(ResolutionTest, NameTagAndSsmParameterTerms) {
  api::AMISelectorTerm byName;
  byName.name = "amazon-eks-node-al2023-arm64-*";
  auto named = resolveAmis(*ec2_, *cache_, {byName}, "", now_);
  ASSERT_TRUE(named) << named.error().message;
  ASSERT_EQ(named->size(), 1u);
  EXPECT_EQ((*named)[0].id, "ami-test2");
  // Name terms default to owners self + amazon, and only available images.
  const auto sent = ec2Fake_.requests("DescribeImages").back();
  EXPECT_EQ(sent.at("Owner.1"), "self");
  EXPECT_EQ(sent.at("Owner.2"), "amazon");

  api::AMISelectorTerm byTag;
  byTag.tags = {{"karpenter.sh/discovery", "*"}};
  auto tagged = resolveAmis(*ec2_, *cache_, {byTag}, "", now_);
  ASSERT_TRUE(tagged);
  EXPECT_EQ(tagged->size(), 2u);

  ssmFake_.putParameter("/my/ami", "ami-test1");
  api::AMISelectorTerm bySsm;
  bySsm.ssmParameter = "/my/ami";
  auto fromSsm = resolveAmis(*ec2_, *cache_, {bySsm}, "", now_);
  ASSERT_TRUE(fromSsm) << fromSsm.error().message;
  ASSERT_EQ(fromSsm->size(), 1u);
  EXPECT_EQ((*fromSsm)[0].id, "ami-test1");
  EXPECT_EQ((*fromSsm)[0].requirements.size(), 1u);

  api::AMISelectorTerm missing;
  missing.ssmParameter = "/not/there";
  EXPECT_EQ(resolveAmis(*ec2_, *cache_, {missing}, "", now_).error().kind, ErrorKind::kNotFound);

  api::AMISelectorTerm none;
  none.name = "no-such-image";
  auto empty = resolveAmis(*ec2_, *cache_, {none}, "", now_);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST_F(ResolutionTest, SubnetsMostFreeIpsFirstAndTermsOred) {
  api::SubnetSelectorTerm byId;
  byId.id = "subnet-test3";
  api::SubnetSelectorTerm byTag;
  byTag.tags = {{"Name", "test-subnet-2"}};
  auto subnets = resolveSubnets(*ec2_, {byId, byTag});
  ASSERT_TRUE(subnets) << subnets.error().message;
  ASSERT_EQ(subnets->size(), 2u);
  EXPECT_EQ((*subnets)[0].id, "subnet-test2");  // 240 free IPs before 230
  EXPECT_EQ((*subnets)[1].id, "subnet-test3");
  EXPECT_EQ((*subnets)[1].zoneID, "tstz1-az3");

  api::SubnetSelectorTerm any;
  any.tags = {{"karpenter.sh/discovery", "*"}};
  EXPECT_EQ(subnetFilters(any)[0].name, "tag-key");
  EXPECT_EQ(resolveSubnets(*ec2_, {any})->size(), ec2Fake_.zones().size());
}

TEST_F(ResolutionTest, SecurityGroupsByNameIdAndTags) {
  api::SecurityGroupSelectorTerm byName;
  byName.name = "test-group-2";
  api::SecurityGroupSelectorTerm byId;
  byId.id = "sg-test1";
  auto groups = resolveSecurityGroups(*ec2_, {byName, byId});
  ASSERT_TRUE(groups) << groups.error().message;
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].id, "sg-test1");
  EXPECT_EQ((*groups)[1].name, "test-group-2");
  EXPECT_EQ(securityGroupFilters(byName)[0].name, "group-name");
}

TEST(NodeClassHash, StableAndIgnoresSelectorTerms) {
  api::EC2NodeClassSpec spec;
  spec.role = "R";
  spec.tags = {{"a", "b"}};
  const std::string hash = nodeClassHash(spec);
  EXPECT_EQ(hash, nodeClassHash(spec));
  api::EC2NodeClassSpec moved = spec;
  moved.subnetSelectorTerms.push_back({{{"k", "v"}}, ""});
  moved.amiSelectorTerms.push_back({"al2023@latest", {}, "", "", "", ""});
  EXPECT_EQ(nodeClassHash(moved), hash) << "selector drift is judged from status, not the hash";
  api::EC2NodeClassSpec changed = spec;
  changed.tags["a"] = "c";
  EXPECT_NE(nodeClassHash(changed), hash);
  changed = spec;
  changed.userData = "echo hi";
  EXPECT_NE(nodeClassHash(changed), hash);
  EXPECT_EQ(fnv1a64(""), 14695981039346656037ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
