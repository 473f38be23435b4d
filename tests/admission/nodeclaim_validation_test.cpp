#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "karpenter/admission/cron.hpp"
#include "karpenter/admission/field_errors.hpp"
#include "karpenter/admission/nodepool_validation.hpp"

namespace karpenter::admission {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

api::NodeClaim validClaim() {
  api::NodeClaim claim;
  claim.spec.requirements = {{"karpenter.sh/nodepool", "In", {"default"}, std::nullopt}};
  claim.spec.nodeClassRef = {"karpenter.k8s.aws", "EC2NodeClass", "default"};
  claim.spec.expireAfter = "720h";
  return claim;
}

TEST(NodeClaimValidation, NodePoolRequirementAllowed) {
  EXPECT_THAT(validateNodeClaim(validClaim()).messages(), IsEmpty());
}

TEST(NodeClaimValidation, SameRequirementRulesAsNodePool) {
  auto claim = validClaim();
  claim.spec.requirements.push_back({"karpenter.sh/other", "In", {}, std::nullopt});
  claim.spec.expireAfter = "2 days";
  EXPECT_THAT(validateNodeClaim(claim).messages(),
              ElementsAre("spec.requirements[1].key: Invalid value: \"karpenter.sh/other\": label "
                          "domain \"karpenter.sh\" is restricted",
                          "spec.requirements[1].values: Invalid value: []: requirements with "
                          "operator 'In' must have a value defined",
                          "spec.expireAfter: Invalid value: \"2 days\": spec.expireAfter in body "
                          "should match '^(([0-9]+(s|m|h))+|Never)$'"));
}

TEST(NodeClaimValidation, TaintsAndDuplicates) {
  auto claim = validClaim();
  claim.spec.taints = {{"a", "", "NoSchedule"}, {"a", "", "NoSchedule"}};
  EXPECT_THAT(validateNodeClaim(claim).messages(),
              ElementsAre("spec.taints[1]: Duplicate value: \"a:NoSchedule\""));
}

TEST(NodeClaimValidation, SpecImmutableOnUpdate) {
  const auto old = validClaim();
  auto updated = old;
  updated.metadata.labels["x"] = "y";
  EXPECT_THAT(validateNodeClaimUpdate(old, updated).messages(), IsEmpty());
  updated.spec.nodeClassRef.name = "other";
  EXPECT_THAT(validateNodeClaimUpdate(old, updated).messages(),
              ElementsAre("spec: Invalid value: \"object\": spec is immutable"));
}

TEST(CronSchedule, AcceptsStandardAndMacros) {
  for (const char* ok :
       {"* * * * *", "0 9 * * mon-fri", "*/15 0-6,22 1 JAN-jun ?", "@yearly", "@annually",
        "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "59 23 31 12 6"}) {
    EXPECT_EQ(checkCronSchedule(ok), std::nullopt) << ok;
  }
}

TEST(CronSchedule, RejectsBadFieldsWithReason) {
  EXPECT_EQ(checkCronSchedule("* * * *"), "expected exactly 5 fields, found 4");
  EXPECT_EQ(checkCronSchedule("@every 5m"), "unrecognized descriptor \"@every 5m\"");
  EXPECT_EQ(checkCronSchedule("60 * * * *"),
            "minute field: values must be between 0 and 59 in \"60\"");
  EXPECT_EQ(checkCronSchedule("* * 0 * *"),
            "day of month field: values must be between 1 and 31 in \"0\"");
  EXPECT_EQ(checkCronSchedule("* * * 13 *"),
            "month field: values must be between 1 and 12 in \"13\"");
  EXPECT_EQ(checkCronSchedule("* * * * 7"),
            "day of week field: values must be between 0 and 6 in \"7\"");
  EXPECT_EQ(checkCronSchedule("*/0 * * * *"),
            "minute field: step must be a positive integer in \"*/0\"");
  EXPECT_EQ(checkCronSchedule("5-1 * * * *"),
            "minute field: range start is after its end in \"5-1\"");
  EXPECT_EQ(checkCronSchedule("x * * * *"), "minute field: cannot parse in \"x\"");
}

TEST(FieldErrors, FormatsLikeApimachinery) {
  FieldErrors errors;
  EXPECT_EQ(errors.aggregate(), "");
  errors.invalidInt("spec.weight", 101, "must be between 1 and 100");
  EXPECT_EQ(errors.aggregate(), "spec.weight: Invalid value: 101: must be between 1 and 100");
  errors.required("spec.x", "");
  errors.invalid("spec.y", "a\"b", "bad");
  EXPECT_EQ(errors.aggregate(),
            "[spec.weight: Invalid value: 101: must be between 1 and 100, spec.x: Required value, "
            "spec.y: Invalid value: \"a\\\"b\": bad]");
  EXPECT_EQ(key(child("metadata", "labels"), "a/b"), "metadata.labels[a/b]");
  EXPECT_EQ(index("spec.taints", 2), "spec.taints[2]");
}

}  // namespace
}  // namespace karpenter::admission
