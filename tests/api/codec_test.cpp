#include "karpenter/api/codec.hpp"

#include <gtest/gtest.h>

#include "karpenter/api/meta.hpp"

namespace karpenter::api {
namespace {

using nlohmann::json;

TEST(Codec, DecodesNestedStructs) {
  auto meta = decodeJson<ObjectMeta>(json::parse(R"({
    "name": "web-1", "namespace": "default", "generation": 3,
    "labels": {"app": "web"}, "finalizers": ["karpenter.sh/termination"],
    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web",
                         "uid": "u1", "controller": true}]
  })"));
  ASSERT_TRUE(meta.ok()) << meta.error().message;
  EXPECT_EQ(meta->name, "web-1");
  EXPECT_EQ(meta->namespace_, "default");
  EXPECT_EQ(meta->generation, 3);
  EXPECT_EQ(meta->labels.at("app"), "web");
  ASSERT_EQ(meta->ownerReferences.size(), 1u);
  EXPECT_EQ(meta->ownerReferences[0].controller, true);
  EXPECT_FALSE(meta->deletionTimestamp.has_value());
}

TEST(Codec, ErrorNamesThePathOfTheBadField) {
  auto bad = decodeJson<NodeAffinity>(json::parse(R"({
    "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
      {"matchExpressions": [{"key": "a", "operator": "In", "values": ["x"]}]},
      {"matchExpressions": [{"key": "b", "operator": "In", "values": ["x", 7]}]}
    ]}
  })"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(bad.error().message,
            "requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1]"
            ".matchExpressions[0].values[1]: expected a string, got an integer");
}

TEST(Codec, ErrorForWrongShapes) {
  auto notObject = decodeJson<ObjectMeta>(json::parse(R"({"labels": ["a"]})"));
  ASSERT_FALSE(notObject.ok());
  EXPECT_EQ(notObject.error().message, "labels: expected an object, got an array");
  auto fraction = decodeJson<ObjectMeta>(json::parse(R"({"generation": 1.5})"));
  ASSERT_FALSE(fraction.ok());
  EXPECT_EQ(fraction.error().message, "generation: expected an integer, got a number");
  auto wholeFloat = decodeJson<ObjectMeta>(json::parse(R"({"generation": 2.0})"));
  ASSERT_TRUE(wholeFloat.ok());
  EXPECT_EQ(wholeFloat->generation, 2);
  auto top = decodeJson<ObjectMeta>(json::parse("[]"));
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.error().message, "expected an object, got an array");
}

TEST(Codec, RoundTripKeepsUnmodelledFields) {
  json original = json::parse(R"({
    "name": "n", "managedFields": [{"manager": "kubectl"}], "labels": {},
    "ownerReferences": [{"kind": "ReplicaSet", "name": "x", "extra": {"deep": [1, 2]}}]
  })");
  auto meta = decodeJson<ObjectMeta>(original);
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(encodeJson(*meta, &original), original);
}

TEST(Codec, EncodingReflectsChanges) {
  json original = json::parse(R"({"name": "n", "labels": {"a": "1", "b": "2"}, "uid": "u",
                                  "ownerReferences": [{"name": "x", "extra": true}]})");
  auto meta = decodeJson<ObjectMeta>(original);
  ASSERT_TRUE(meta.ok());
  meta->labels.erase("a");  // removed map entries must not come back from the original
  meta->uid.clear();        // cleared fields are dropped
  meta->ownerReferences[0].controller = true;
  json out = encodeJson(*meta, &original);
  EXPECT_EQ(out, json::parse(R"({"name": "n", "labels": {"b": "2"},
                                 "ownerReferences": [{"name": "x", "extra": true,
                                                      "controller": true}]})"));
  // A different identity is a different element: nothing of the old one carries over.
  meta->ownerReferences[0].name = "y";
  EXPECT_EQ(encodeJson(*meta, &original)["ownerReferences"],
            json::parse(R"([{"name": "y", "controller": true}])"));
}

TEST(Codec, AddedOrRemovedElementsKeepTheOthersOriginalFields) {
  json original = json::parse(R"({"ownerReferences": [
      {"name": "a", "uid": "1", "extra": "keep-a"},
      {"name": "b", "uid": "2", "extra": "keep-b"}]})");
  auto meta = decodeJson<ObjectMeta>(original);
  ASSERT_TRUE(meta.ok());
  meta->ownerReferences.erase(meta->ownerReferences.begin());
  meta->ownerReferences.push_back(OwnerReference{.name = "c", .uid = "3"});
  EXPECT_EQ(encodeJson(*meta, &original), json::parse(R"({"ownerReferences": [
      {"name": "b", "uid": "2", "extra": "keep-b"}, {"name": "c", "uid": "3"}]})"));
}

TEST(Codec, EncodesWithoutOriginalLikeOmitEmpty) {
  Toleration toleration{
      .key = "k", .op = "Exists", .value = "", .effect = "NoSchedule", .tolerationSeconds = 0};
  EXPECT_EQ(encodeJson(toleration),
            json::parse(R"({"key": "k", "operator": "Exists", "effect": "NoSchedule",
                            "tolerationSeconds": 0})"));
}

TEST(Codec, QuantitiesKeepTheirSpellingUnlessChanged) {
  json original = json::parse(R"({"requests": {"cpu": 2, "memory": " 1Gi", "pods": "110"}})");
  auto list = decodeJson<std::map<std::string, ResourceList>>(original);
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_EQ(encodeJson(*list, &original), original);
  (*list)["requests"]["cpu"] = Quantity::mustParse("2500m");
  EXPECT_EQ(encodeJson(*list, &original)["requests"]["cpu"], "2500m");
  EXPECT_EQ(encodeJson(*list, &original)["requests"]["memory"], " 1Gi");
}

TEST(Codec, ParseJsonReportsSyntaxErrors) {
  auto bad = parseJson("{\"a\": }");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("invalid JSON at byte 7"), std::string::npos)
      << bad.error().message;
}

}  // namespace
}  // namespace karpenter::api
