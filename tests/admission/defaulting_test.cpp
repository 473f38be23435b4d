#include "karpenter/admission/defaulting.hpp"

#include <gtest/gtest.h>

#include "karpenter/api/patch.hpp"

namespace karpenter::admission {
namespace {

using nlohmann::json;

json applied(const json& original, const json& defaulted) {
  const auto patch = api::createJsonPatch(original, defaulted);
  auto result = api::applyJsonPatch(original, patch);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? *result : json();
}

TEST(Defaulting, NodePoolFillsMissingFields) {
  const json pool = json::parse(R"({"apiVersion":"karpenter.sh/v1","kind":"NodePool",
    "metadata":{"name":"default"},
    "spec":{"template":{"spec":{"requirements":[],"nodeClassRef":{"name":"x"}}}}})");
  const json defaulted = defaultNodePool(pool);
  EXPECT_EQ(defaulted["spec"]["template"]["spec"]["expireAfter"], "720h");
  EXPECT_EQ(defaulted["spec"]["disruption"],
            json::parse(R"({"consolidationPolicy":"WhenEmptyOrUnderutilized",
              "consolidateAfter":"0s","budgets":[{"nodes":"10%"}]})"));
  EXPECT_EQ(applied(pool, defaulted), defaulted);
  EXPECT_TRUE(api::createJsonPatch(defaulted, defaultNodePool(defaulted)).empty());
}

TEST(Defaulting, NodePoolKeepsPresentValuesAndDefaultsBudgetNodes) {
  const json pool = json::parse(R"({"spec":{"template":{"spec":{"expireAfter":"Never"}},
    "disruption":{"consolidationPolicy":"WhenEmpty","consolidateAfter":"1m",
    "budgets":[{"schedule":"@daily","duration":"1h"},{"nodes":"0"}]}}})");
  const json defaulted = defaultNodePool(pool);
  EXPECT_EQ(defaulted["spec"]["template"]["spec"]["expireAfter"], "Never");
  EXPECT_EQ(defaulted["spec"]["disruption"]["consolidationPolicy"], "WhenEmpty");
  EXPECT_EQ(defaulted["spec"]["disruption"]["consolidateAfter"], "1m");
  EXPECT_EQ(defaulted["spec"]["disruption"]["budgets"][0]["nodes"], "10%");
  EXPECT_EQ(defaulted["spec"]["disruption"]["budgets"][1]["nodes"], "0");
  const auto patch = api::createJsonPatch(pool, defaulted);
  EXPECT_EQ(patch.size(), 1U);
  EXPECT_EQ(applied(pool, defaulted), defaulted);
}

TEST(Defaulting, NodeClaimExpireAfter) {
  const json claim = json::parse(R"({"spec":{"requirements":[]}})");
  EXPECT_EQ(defaultNodeClaim(claim)["spec"]["expireAfter"], "720h");
  EXPECT_EQ(applied(claim, defaultNodeClaim(claim)), defaultNodeClaim(claim));
  const json set = json::parse(R"({"spec":{"expireAfter":"1h"}})");
  EXPECT_TRUE(api::createJsonPatch(set, defaultNodeClaim(set)).empty());
}

TEST(Defaulting, EC2NodeClassMetadataOptions) {
  const json nodeClass = json::parse(R"({"spec":{"role":"r"}})");
  const json defaulted = defaultEC2NodeClass(nodeClass);
  EXPECT_EQ(defaulted["spec"]["metadataOptions"],
            json::parse(R"({"httpEndpoint":"enabled","httpProtocolIPv6":"disabled",
              "httpPutResponseHopLimit":1,"httpTokens":"required"})"));
  EXPECT_EQ(applied(nodeClass, defaulted), defaulted);
  const json partial = json::parse(R"({"spec":{"metadataOptions":{"httpTokens":"optional"}}})");
  const json filled = defaultEC2NodeClass(partial);
  EXPECT_EQ(filled["spec"]["metadataOptions"]["httpTokens"], "optional");
  EXPECT_EQ(filled["spec"]["metadataOptions"]["httpPutResponseHopLimit"], 1);
  EXPECT_TRUE(api::createJsonPatch(filled, defaultEC2NodeClass(filled)).empty());
}

json blockDevicesFor(const std::string& specJson) {
  const json nodeClass = json{{"spec", json::parse(specJson)}};
  const json defaulted = defaultEC2NodeClass(nodeClass);
  EXPECT_EQ(applied(nodeClass, defaulted), defaulted);
  // Defaulting is idempotent: a second pass has nothing to add.
  EXPECT_TRUE(api::createJsonPatch(defaulted, defaultEC2NodeClass(defaulted)).empty());
  return defaulted["spec"].value("blockDeviceMappings", json());
}

TEST(Defaulting, EC2NodeClassBlockDevicesPerFamilyFromAlias) {
  const json al2023 = json::parse(R"([{"deviceName":"/dev/xvda",
    "ebs":{"encrypted":true,"volumeSize":"20Gi","volumeType":"gp3"}}])");
  EXPECT_EQ(blockDevicesFor(R"({"amiSelectorTerms":[{"alias":"al2023@latest"}]})"), al2023);
  EXPECT_EQ(blockDevicesFor(R"({"amiSelectorTerms":[{"alias":"al2@v20240625"}]})"), al2023);
  EXPECT_EQ(blockDevicesFor(R"({"amiSelectorTerms":[{"alias":"bottlerocket@latest"}]})"),
            json::parse(R"([
              {"deviceName":"/dev/xvda","ebs":{"encrypted":true,"volumeSize":"4Gi","volumeType":"gp3"}},
              {"deviceName":"/dev/xvdb","ebs":{"encrypted":true,"volumeSize":"20Gi","volumeType":"gp3"}}])"));
  EXPECT_EQ(blockDevicesFor(R"({"amiSelectorTerms":[{"alias":"windows2022@latest"}]})"),
            json::parse(R"([{"deviceName":"/dev/sda1",
              "ebs":{"encrypted":true,"volumeSize":"50Gi","volumeType":"gp3"}}])"));
}

TEST(Defaulting, EC2NodeClassBlockDevicesAmiFamilyWinsOverAlias) {
  // amiFamily Custom with an alias: the AMI's own mappings, nothing defaulted.
  EXPECT_TRUE(
      blockDevicesFor(R"({"amiFamily":"Custom","amiSelectorTerms":[{"alias":"al2023@latest"}]})")
          .is_null());
  const json devices =
      blockDevicesFor(R"({"amiFamily":"Windows2019","amiSelectorTerms":[{"id":"ami-1"}]})");
  ASSERT_TRUE(devices.is_array());
  EXPECT_EQ(devices[0]["deviceName"], "/dev/sda1");
  // No family at all (invalid, validation reports it): nothing defaulted.
  EXPECT_TRUE(blockDevicesFor(R"({"amiSelectorTerms":[{"id":"ami-1"}]})").is_null());
}

TEST(Defaulting, EC2NodeClassBlockDevicesOnlyWhenAbsent) {
  const json mine = json::parse(R"([{"deviceName":"/dev/xvda","ebs":{"volumeSize":"100Gi"}}])");
  EXPECT_EQ(
      blockDevicesFor(
          R"({"amiFamily":"AL2023","blockDeviceMappings":[{"deviceName":"/dev/xvda","ebs":{"volumeSize":"100Gi"}}]})"),
      mine);
  // An empty list launches with the family defaults upstream, so it is filled in too.
  EXPECT_EQ(blockDevicesFor(R"({"amiFamily":"AL2023","blockDeviceMappings":[]})").size(), 1U);
  EXPECT_EQ(blockDevicesFor(R"({"amiFamily":"AL2023","blockDeviceMappings":null})").size(), 1U);
}

TEST(Defaulting, MalformedInputIsLeftToValidation) {
  const json notObject = json::array();
  EXPECT_EQ(defaultNodePool(notObject), notObject);
  const json badSpec = json::parse(R"({"spec":"oops"})");
  EXPECT_EQ(defaultEC2NodeClass(badSpec), badSpec);
}

}  // namespace
}  // namespace karpenter::admission
