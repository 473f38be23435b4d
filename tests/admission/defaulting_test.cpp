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

TEST(Defaulting, MalformedInputIsLeftToValidation) {
  const json notObject = json::array();
  EXPECT_EQ(defaultNodePool(notObject), notObject);
  const json badSpec = json::parse(R"({"spec":"oops"})");
  EXPECT_EQ(defaultEC2NodeClass(badSpec), badSpec);
}

}  // namespace
}  // namespace karpenter::admission
