// The IAM Query client against the test IAM endpoint (tests/aws/fake_aws/fake_iam).

#include "karpenter/aws/iam_client.hpp"

#include <gtest/gtest.h>

#include "aws/fake_aws/fake_iam.hpp"
#include "aws/fake_ec2/fake_clients.hpp"

namespace karpenter::aws {
namespace {

using testing::FakeIam;

class IamClientTest : public ::testing::Test {
 protected:
  IamClient client(const std::string& secret = "", const std::string& region = "eu-west-1") {
    // IAM signs for us-east-1 whatever the region.
    return IamClient(testing::fakeServiceConfig("iam", fake_.url(), region),
                     testing::fakeCredentials(fake_, secret), makeCurlHttpClient(), systemClock(),
                     testing::noSleepRetry());
  }

  static std::string param(const testing::FormParams& params, const std::string& name) {
    auto it = params.find(name);
    return it == params.end() ? "<unset>" : it->second;
  }

  FakeIam fake_;
};

TEST_F(IamClientTest, CreateWithTagsAndPathThenGet) {
  const IamClient iam = client();
  auto created = iam.createInstanceProfile(
      "cluster_123", {{"kubernetes.io/cluster/cluster", "owned"}, {"team", "a b"}}, "/karpenter/");
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->name, "cluster_123");
  EXPECT_EQ(created->path, "/karpenter/");
  EXPECT_EQ(created->arn, "arn:aws:iam::123456789012:instance-profile/karpenter/cluster_123");
  EXPECT_FALSE(created->id.empty());
  const auto sent = fake_.requests("CreateInstanceProfile").at(0);
  EXPECT_EQ(param(sent, "Version"), "2010-05-08");
  EXPECT_EQ(param(sent, "Path"), "/karpenter/");
  EXPECT_EQ(param(sent, "Tags.member.1.Key"), "kubernetes.io/cluster/cluster");
  EXPECT_EQ(param(sent, "Tags.member.2.Value"), "a b");

  auto got = iam.getInstanceProfile("cluster_123");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(got->roles.empty());
  EXPECT_EQ(got->tags, (Tags{{"kubernetes.io/cluster/cluster", "owned"}, {"team", "a b"}}));
  EXPECT_EQ(fake_.rejectedSignatures(), 0);
}

TEST_F(IamClientTest, ErrorsMapToKinds) {
  const IamClient iam = client();
  auto missing = iam.getInstanceProfile("nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(awsErrorCode(missing.error()), "NoSuchEntity");
  EXPECT_FALSE(isRoleNotFound(missing.error()));

  ASSERT_TRUE(iam.createInstanceProfile("p", {}));
  auto again = iam.createInstanceProfile("p", {});
  ASSERT_FALSE(again);
  EXPECT_TRUE(isAlreadyExists(again.error())) << again.error().message;

  auto noRole = iam.addRoleToInstanceProfile("p", "NoSuchRole");
  ASSERT_FALSE(noRole);
  EXPECT_EQ(noRole.error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(isRoleNotFound(noRole.error())) << noRole.error().message;
}

TEST_F(IamClientTest, RolesAreAddedRemovedAndTheProfileDeleted) {
  fake_.addRole("KarpenterNodeRole", "/service/");
  const IamClient iam = client();
  ASSERT_TRUE(iam.createInstanceProfile("p", {}));
  // The role's path is stripped: AddRoleToInstanceProfile takes the bare name.
  auto added = iam.addRoleToInstanceProfile("p", "service/KarpenterNodeRole");
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(param(fake_.requests("AddRoleToInstanceProfile").at(0), "RoleName"),
            "KarpenterNodeRole");
  auto got = iam.getInstanceProfile("p");
  ASSERT_TRUE(got);
  ASSERT_EQ(got->roles.size(), 1u);
  EXPECT_EQ(got->roles[0].name, "KarpenterNodeRole");
  EXPECT_EQ(got->roles[0].arn, "arn:aws:iam::123456789012:role/service/KarpenterNodeRole");

  auto blocked = iam.deleteInstanceProfile("p");
  ASSERT_FALSE(blocked) << "IAM refuses to delete a profile that still has a role";
  EXPECT_EQ(awsErrorCode(blocked.error()), "DeleteConflict");
  ASSERT_TRUE(iam.removeRoleFromInstanceProfile("p", "KarpenterNodeRole"));
  ASSERT_TRUE(iam.deleteInstanceProfile("p"));
  EXPECT_EQ(iam.getInstanceProfile("p").error().kind, ErrorKind::kNotFound);
}

TEST_F(IamClientTest, TagAndGetRole) {
  fake_.addRole("R");
  fake_.addInstanceProfile("p", "R");
  const IamClient iam = client();
  ASSERT_TRUE(iam.tagInstanceProfile("p", {{"k", "v"}}));
  EXPECT_EQ(fake_.instanceProfiles().at("p").tags, (Tags{{"k", "v"}}));
  auto role = iam.getRole("R");
  ASSERT_TRUE(role) << role.error().message;
  EXPECT_EQ(role->name, "R");
  EXPECT_EQ(role->path, "/");
  EXPECT_FALSE(role->id.empty());
  EXPECT_TRUE(isRoleNotFound(iam.getRole("Other").error()));
}

TEST_F(IamClientTest, WrongSecretIsRejected) {
  auto got = client("bad").getInstanceProfile("p");
  ASSERT_FALSE(got);
  EXPECT_EQ(awsErrorCode(got.error()), "SignatureDoesNotMatch");
  EXPECT_EQ(fake_.rejectedSignatures(), 1);
}

TEST(IamNames, RoleNameFromPath) {
  EXPECT_EQ(roleNameFromPath("Role"), "Role");
  EXPECT_EQ(roleNameFromPath("/a/b/Role"), "Role");
  EXPECT_EQ(roleNameFromPath("a/Role"), "Role");
}

}  // namespace
}  // namespace karpenter::aws
