// Strategic merge patch and server-side apply through HttpKubeClient, against the in-repo test
// apiserver or the cluster named by $KUBECONFIG (same assertions; created objects are deleted).
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include "karpenter/kube/client.hpp"
#include "support/test_apiserver.hpp"

namespace karpenter::kube {
namespace {

using nlohmann::json;

const ResourceRef kPods{.resource = "pods", .nameSpace = "default"};
const ResourceRef kLeases{
    .group = "coordination.k8s.io", .resource = "leases", .nameSpace = "default"};

class PatchApplyIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(apiserver_.ok());
    client_ = apiserver_.client();
    name_ = "patch-apply-it-" + std::to_string(::getpid());
  }
  void TearDown() override {
    (void)client_->remove(kPods.named(name_), {.gracePeriodSeconds = 0});
    (void)client_->remove(kLeases.named(name_), {});
  }

  json lease(json spec) const {
    return {{"apiVersion", "coordination.k8s.io/v1"},
            {"kind", "Lease"},
            {"metadata", {{"name", name_}}},
            {"spec", std::move(spec)}};
  }

  static json managerEntry(const json& object, const std::string& manager) {
    for (const json& entry : object["metadata"].value("managedFields", json::array())) {
      if (entry["manager"] == manager && entry["operation"] == "Apply") {
        return entry;
      }
    }
    return nullptr;
  }

  testing::TestApiserver apiserver_;
  std::unique_ptr<HttpKubeClient> client_;
  std::string name_;
};

TEST_F(PatchApplyIntegrationTest, StrategicMergeMergesContainersByName) {
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name_}, {"labels", {{"a", "1"}, {"b", "2"}}}}},
              {"spec",
               {{"nodeSelector", {{"karpenter.test/no-such-node", "true"}}},
                {"containers",
                 {{{"name", "one"}, {"image", "registry.k8s.io/pause:3.9"}},
                  {{"name", "two"}, {"image", "registry.k8s.io/pause:3.9"}}}}}}};
  ASSERT_TRUE(client_->create(kPods, pod).ok());
  auto patched = client_->patch(
      kPods.named(name_), PatchType::kStrategicMerge,
      {{"metadata", {{"labels", {{"a", nullptr}}}}},
       {"spec", {{"containers", {{{"name", "two"}, {"image", "registry.k8s.io/pause:3.10"}}}}}}});
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  const json& containers = (*patched)["spec"]["containers"];
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[0]["name"], "one");
  EXPECT_EQ(containers[0]["image"], "registry.k8s.io/pause:3.9");
  EXPECT_EQ(containers[1]["image"], "registry.k8s.io/pause:3.10");
  EXPECT_EQ((*patched)["metadata"]["labels"], json({{"b", "2"}}));
}

TEST_F(PatchApplyIntegrationTest, ApplyCreatesConflictsForcesAndPrunes) {
  auto created = client_->apply(kLeases.named(name_),
                                lease({{"holderIdentity", "a"}, {"leaseDurationSeconds", 15}}),
                                {.fieldManager = "karpenter-it-a"});
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ((*created)["spec"]["holderIdentity"], "a");
  EXPECT_EQ(managerEntry(*created, "karpenter-it-a")["fieldsV1"]["f:spec"],
            json::parse(R"({"f:holderIdentity":{},"f:leaseDurationSeconds":{}})"));

  auto conflict = client_->apply(kLeases.named(name_), lease({{"holderIdentity", "b"}}),
                                 {.fieldManager = "karpenter-it-b"});
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().kind, ErrorKind::kConflict);
  EXPECT_NE(conflict.error().message.find("conflict with \"karpenter-it-a\""), std::string::npos)
      << conflict.error().message;
  EXPECT_NE(conflict.error().message.find(".spec.holderIdentity"), std::string::npos)
      << conflict.error().message;

  auto forced = client_->apply(kLeases.named(name_), lease({{"holderIdentity", "b"}}),
                               {.fieldManager = "karpenter-it-b", .force = true});
  ASSERT_TRUE(forced.ok()) << forced.error().message;
  EXPECT_EQ((*forced)["spec"]["holderIdentity"], "b");

  // karpenter-it-a no longer applies leaseDurationSeconds, which only it owned: it goes.
  auto pruned = client_->apply(kLeases.named(name_), lease(json::object()),
                               {.fieldManager = "karpenter-it-a"});
  ASSERT_TRUE(pruned.ok()) << pruned.error().message;
  EXPECT_FALSE((*pruned)["spec"].contains("leaseDurationSeconds"));
  EXPECT_EQ((*pruned)["spec"]["holderIdentity"], "b");

  auto noManager = client_->apply(kLeases.named(name_), lease({}), {});
  ASSERT_FALSE(noManager.ok());
  EXPECT_EQ(noManager.error().kind, ErrorKind::kInvalid);
}

TEST_F(PatchApplyIntegrationTest, CustomResourcesRefuseStrategicMerge) {
  if (!apiserver_.inRepo()) {
    GTEST_SKIP() << "needs the Karpenter CRDs installed; covered in-repo";
  }
  const ResourceRef nodePools{.group = "karpenter.sh", .resource = "nodepools"};
  ASSERT_TRUE(client_->create(nodePools, {{"metadata", {{"name", name_}}}}).ok());
  auto refused = client_->patch(nodePools.named(name_), PatchType::kStrategicMerge,
                                {{"metadata", {{"labels", {{"a", "b"}}}}}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::kInvalid);
  EXPECT_NE(refused.error().message.find("HTTP 415 UnsupportedMediaType"), std::string::npos)
      << refused.error().message;
  (void)client_->remove(nodePools.named(name_), {});
}

}  // namespace
}  // namespace karpenter::kube
