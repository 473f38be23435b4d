// Strategic merge patch through Store::patch, with cases written after Kubernetes' documented
// semantics (kubectl's "Update API objects in place using kubectl patch" and the strategic
// merge patch design): merge keys per kind, directives, null deletion, CRDs refusing it.
#include <chrono>

#include <gtest/gtest.h>

#include "karpenter/apiserver/store.hpp"

namespace karpenter::apiserver {
namespace {

using nlohmann::json;

const Gvr kPods{"", "v1", "pods"};
const Gvr kNodes{"", "v1", "nodes"};
const Gvr kDaemonSets{"apps", "v1", "daemonsets"};
const Gvr kNodePools{"karpenter.sh", "v1", "nodepools"};

class StrategicMergeTest : public ::testing::Test {
 protected:
  StrategicMergeTest()
      : store_(servedResources(), {.clock = [] {
                 return std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
               }}) {}

  json container(const std::string& name, const std::string& image) {
    return {{"name", name}, {"image", image}};
  }

  // Creates pod "p" with `spec` and returns the result of strategic-merge `patch` on it.
  ApiResult<json> patchPod(json spec, const json& patch, json metadata = json::object()) {
    metadata["name"] = "p";
    EXPECT_TRUE(store_.create(kPods, "default", {{"metadata", metadata}, {"spec", spec}}).ok());
    return store_.patch(kPods, "default", "p", PatchType::kStrategicMerge, patch);
  }

  Store store_;
};

TEST_F(StrategicMergeTest, ContainersMergeByNameWhereAMergePatchWouldReplace) {
  auto patched =
      patchPod({{"containers", {container("a", "a:1"), container("b", "b:1")}}},
               {{"spec", {{"containers", {container("b", "b:2"), container("c", "c:1")}}}}});
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_EQ((*patched)["spec"]["containers"],
            json({container("a", "a:1"), container("b", "b:2"), container("c", "c:1")}));

  auto merge = store_.patch(kPods, "default", "p", PatchType::kMerge,
                            {{"spec", {{"containers", {container("z", "z:1")}}}}});
  ASSERT_TRUE(merge.ok());
  EXPECT_EQ((*merge)["spec"]["containers"], json({container("z", "z:1")}));
}

TEST_F(StrategicMergeTest, NestedListsMergeByTheirOwnKeys) {
  json spec = {{"containers",
                {{{"name", "a"},
                  {"image", "a:1"},
                  {"ports", {{{"containerPort", 80}, {"name", "http"}}}},
                  {"env", {{{"name", "X"}, {"value", "1"}}, {{"name", "Y"}, {"value", "2"}}}}}}}};
  auto patched = patchPod(spec, {{"spec",
                                  {{"containers",
                                    {{{"name", "a"},
                                      {"ports", {{{"containerPort", 443}, {"name", "https"}}}},
                                      {"env", {{{"name", "Y"}, {"value", "3"}}}}}}}}}});
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  const json& a = (*patched)["spec"]["containers"][0];
  EXPECT_EQ(a["image"], "a:1");
  EXPECT_EQ(a["ports"], json({{{"containerPort", 80}, {"name", "http"}},
                              {{"containerPort", 443}, {"name", "https"}}}));
  EXPECT_EQ(a["env"], json({{{"name", "X"}, {"value", "1"}}, {{"name", "Y"}, {"value", "3"}}}));
}

TEST_F(StrategicMergeTest, PatchDeleteAndReplaceDirectivesInLists) {
  auto deleted = patchPod({{"containers", {container("a", "a:1"), container("b", "b:1")}}},
                          {{"spec", {{"containers", {{{"name", "a"}, {"$patch", "delete"}}}}}}});
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_EQ((*deleted)["spec"]["containers"], json({container("b", "b:1")}));

  auto replaced =
      store_.patch(kPods, "default", "p", PatchType::kStrategicMerge,
                   {{"spec", {{"containers", {container("x", "x:1"), {{"$patch", "replace"}}}}}}});
  ASSERT_TRUE(replaced.ok()) << replaced.error().message;
  EXPECT_EQ((*replaced)["spec"]["containers"], json({container("x", "x:1")}));
}

TEST_F(StrategicMergeTest, MapDirectivesAndNullDeleteFields) {
  json metadata = {{"labels", {{"a", "1"}, {"b", "2"}}}, {"annotations", {{"k", "v"}}}};
  json spec = {{"containers", {container("a", "a:1")}}, {"nodeSelector", {{"zone", "z1"}}}};
  auto patched = patchPod(spec,
                          {{"metadata",
                            {{"labels", {{"a", nullptr}, {"c", "3"}}},
                             {"annotations", {{"$patch", "replace"}, {"new", "x"}}}}},
                           {"spec", {{"nodeSelector", {{"$patch", "delete"}}}}}},
                          metadata);
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_EQ((*patched)["metadata"]["labels"], json({{"b", "2"}, {"c", "3"}}));
  EXPECT_EQ((*patched)["metadata"]["annotations"], json({{"new", "x"}}));
  EXPECT_FALSE((*patched)["spec"].contains("nodeSelector"));
}

TEST_F(StrategicMergeTest, FinalizersAreASetAndOwnerReferencesMergeByUid) {
  json metadata = {{"finalizers", {"a", "b"}},
                   {"ownerReferences", {{{"uid", "u1"}, {"kind", "ReplicaSet"}, {"name", "r1"}}}}};
  auto patched = patchPod(
      {{"containers", {container("a", "a:1")}}},
      {{"metadata",
        {{"finalizers", {"c", "a"}},
         {"ownerReferences", {{{"uid", "u1"}, {"name", "r2"}}, {{"uid", "u2"}, {"name", "n"}}}}}}},
      metadata);
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_EQ((*patched)["metadata"]["finalizers"], json({"a", "b", "c"}));
  EXPECT_EQ((*patched)["metadata"]["ownerReferences"],
            json({{{"uid", "u1"}, {"kind", "ReplicaSet"}, {"name", "r2"}},
                  {{"uid", "u2"}, {"name", "n"}}}));

  auto removed =
      store_.patch(kPods, "default", "p", PatchType::kStrategicMerge,
                   {{"metadata", {{"$deleteFromPrimitiveList/finalizers", {"a", "c"}}}}});
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ((*removed)["metadata"]["finalizers"], json({"b"}));
}

TEST_F(StrategicMergeTest, SetElementOrderOrdersTheMergedList) {
  auto patched = patchPod({{"containers", {container("a", "a:1"), container("b", "b:1")}}},
                          {{"spec",
                            {{"$setElementOrder/containers", {{{"name", "b"}}, {{"name", "a"}}}},
                             {"containers", {container("a", "a:2")}}}}});
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_EQ((*patched)["spec"]["containers"], json({container("b", "b:1"), container("a", "a:2")}));
  EXPECT_FALSE((*patched)["spec"].contains("$setElementOrder/containers"));
}

TEST_F(StrategicMergeTest, ServerOnlyElementsKeepTheirPlaceUnderSetElementOrder) {
  auto patched = patchPod(
      {{"containers", {container("a", "a:1"), container("b", "b:1"), container("c", "c:1")}}},
      {{"spec",
        {{"$setElementOrder/containers", {{{"name", "c"}}, {{"name", "a"}}}},
         {"containers", {container("a", "a:2")}}}}});
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  // b was only on the server, between a and c: it stays ahead of c.
  EXPECT_EQ((*patched)["spec"]["containers"],
            json({container("b", "b:1"), container("c", "c:1"), container("a", "a:2")}));
}

TEST_F(StrategicMergeTest, RetainKeysDropsTheOtherVolumeSource) {
  auto patched = patchPod({{"containers", {container("a", "a:1")}},
                           {"volumes", {{{"name", "v"}, {"emptyDir", json::object()}}}}},
                          {{"spec",
                            {{"volumes",
                              {{{"name", "v"},
                                {"hostPath", {{"path", "/x"}}},
                                {"$retainKeys", {"name", "hostPath"}}}}}}}});
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_EQ((*patched)["spec"]["volumes"], json({{{"name", "v"}, {"hostPath", {{"path", "/x"}}}}}));
}

TEST_F(StrategicMergeTest, NodeTaintsReplaceWhileConditionsMergeByType) {
  json node = {
      {"metadata", {{"name", "n"}}},
      {"spec",
       {{"taints",
         {{{"key", "k1"}, {"effect", "NoSchedule"}}, {{"key", "k2"}, {"effect", "NoSchedule"}}}}}},
      {"status",
       {{"conditions",
         {{{"type", "Ready"}, {"status", "False"}},
          {{"type", "MemoryPressure"}, {"status", "False"}}}}}}};
  ASSERT_TRUE(store_.create(kNodes, "", node).ok());
  auto taints = store_.patch(kNodes, "", "n", PatchType::kStrategicMerge,
                             {{"spec", {{"taints", {{{"key", "k3"}, {"effect", "NoExecute"}}}}}}});
  ASSERT_TRUE(taints.ok()) << taints.error().message;
  EXPECT_EQ((*taints)["spec"]["taints"], json({{{"key", "k3"}, {"effect", "NoExecute"}}}));

  auto status =
      store_.patch(kNodes, "", "n", PatchType::kStrategicMerge,
                   {{"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}},
                   Subresource::kStatus);
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ((*status)["status"]["conditions"],
            json({{{"type", "Ready"}, {"status", "True"}},
                  {{"type", "MemoryPressure"}, {"status", "False"}}}));
}

TEST_F(StrategicMergeTest, DaemonSetTemplateContainersMergeByName) {
  json ds = {{"metadata", {{"name", "d"}}},
             {"spec",
              {{"template",
                {{"metadata", {{"labels", {{"app", "d"}}}}},
                 {"spec", {{"containers", {container("a", "a:1"), container("b", "b:1")}}}}}}}}};
  ASSERT_TRUE(store_.create(kDaemonSets, "default", ds).ok());
  auto patched = store_.patch(
      kDaemonSets, "default", "d", PatchType::kStrategicMerge,
      {{"spec", {{"template", {{"spec", {{"containers", {container("a", "a:2")}}}}}}}}});
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_EQ((*patched)["spec"]["template"]["spec"]["containers"],
            json({container("a", "a:2"), container("b", "b:1")}));
  EXPECT_EQ((*patched)["metadata"]["generation"], 2);
}

TEST_F(StrategicMergeTest, ErrorsAreBadRequests) {
  ASSERT_TRUE(store_
                  .create(kPods, "default",
                          {{"metadata", {{"name", "p"}}},
                           {"spec", {{"containers", {container("a", "a:1")}}}}})
                  .ok());
  auto noKey = store_.patch(kPods, "default", "p", PatchType::kStrategicMerge,
                            {{"spec", {{"containers", {{{"image", "x"}}}}}}});
  ASSERT_FALSE(noKey.ok());
  EXPECT_EQ(noKey.error().code, 400);
  EXPECT_NE(noKey.error().message.find("does not contain declared merge key: name"),
            std::string::npos);
  auto unknown = store_.patch(kPods, "default", "p", PatchType::kStrategicMerge,
                              {{"metadata", {{"$patch", "explode"}}}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, 400);
  auto notObject = store_.patch(kPods, "default", "p", PatchType::kStrategicMerge, json::array());
  ASSERT_FALSE(notObject.ok());
  EXPECT_EQ(notObject.error().code, 400);
}

TEST_F(StrategicMergeTest, CustomResourcesRefuseStrategicMergeWith415) {
  ASSERT_TRUE(store_.create(kNodePools, "", {{"metadata", {{"name", "np"}}}}).ok());
  auto refused = store_.patch(kNodePools, "", "np", PatchType::kStrategicMerge,
                              {{"metadata", {{"labels", {{"a", "b"}}}}}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, 415);
  EXPECT_EQ(refused.error().reason, "UnsupportedMediaType");
  EXPECT_EQ(refused.error().message,
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json-patch+json, application/merge-patch+json, "
            "application/apply-patch+yaml");
  EXPECT_TRUE(store_
                  .patch(kNodePools, "", "np", PatchType::kMerge,
                         {{"metadata", {{"labels", {{"a", "b"}}}}}})
                  .ok());
}

}  // namespace
}  // namespace karpenter::apiserver
