#include "karpenter/api/conditions.hpp"

#include <gtest/gtest.h>

#include "karpenter/api/nodeclaim.hpp"

namespace karpenter::api {
namespace {

Condition make(std::string_view type, std::string_view status, std::string reason = "",
               std::string message = "") {
  Condition condition;
  condition.type = std::string(type);
  condition.status = std::string(status);
  condition.reason = std::move(reason);
  condition.message = std::move(message);
  return condition;
}

constexpr std::string_view kT0 = "2024-05-01T10:00:00Z";
constexpr std::string_view kT1 = "2024-05-01T10:05:00Z";
constexpr std::string_view kT2 = "2024-05-01T10:09:00Z";

TEST(Conditions, FindAndIsTrue) {
  std::vector<Condition> conditions{make(kConditionTypeLaunched, kConditionTrue),
                                    make(kConditionTypeRegistered, kConditionFalse),
                                    make(kConditionTypeInitialized, kConditionUnknown)};
  ASSERT_NE(findCondition(conditions, "Registered"), nullptr);
  EXPECT_EQ(findCondition(conditions, "Registered")->status, "False");
  EXPECT_EQ(findCondition(conditions, "Drifted"), nullptr);
  EXPECT_EQ(findCondition({}, "Launched"), nullptr);
  EXPECT_TRUE(isConditionTrue(conditions, kConditionTypeLaunched));
  EXPECT_FALSE(isConditionTrue(conditions, kConditionTypeRegistered));
  EXPECT_FALSE(isConditionTrue(conditions, kConditionTypeInitialized));
  EXPECT_FALSE(isConditionTrue(conditions, kConditionTypeDrifted));
}

TEST(Conditions, SetAddsNewConditionStampedNow) {
  std::vector<Condition> conditions;
  Condition desired = make(kConditionTypeLaunched, kConditionTrue, "Launched");
  desired.lastTransitionTime = "1999-01-01T00:00:00Z";  // ignored: the helper owns the time
  desired.observedGeneration = 2;
  EXPECT_TRUE(setCondition(conditions, desired, kT0));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].lastTransitionTime, kT0);
  EXPECT_EQ(conditions[0].reason, "Launched");
  EXPECT_EQ(conditions[0].observedGeneration, 2);
}

TEST(Conditions, SameStatusKeepsTransitionTime) {
  std::vector<Condition> conditions;
  ASSERT_TRUE(setCondition(conditions, make("Drifted", kConditionTrue, "AMIDrift", "a"), kT0));
  // Identical content: nothing changes.
  EXPECT_FALSE(setCondition(conditions, make("Drifted", kConditionTrue, "AMIDrift", "a"), kT1));
  EXPECT_EQ(conditions[0].lastTransitionTime, kT0);
  // New reason/message, same status: updated, but the transition time stays.
  EXPECT_TRUE(setCondition(conditions, make("Drifted", kConditionTrue, "SubnetDrift", "b"), kT1));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].reason, "SubnetDrift");
  EXPECT_EQ(conditions[0].message, "b");
  EXPECT_EQ(conditions[0].lastTransitionTime, kT0);
}

TEST(Conditions, StatusFlipStampsNow) {
  std::vector<Condition> conditions{make("Other", kConditionTrue),
                                    make(kConditionTypeConsolidatable, kConditionFalse)};
  conditions[1].lastTransitionTime = std::string(kT0);
  EXPECT_TRUE(setCondition(conditions, make(kConditionTypeConsolidatable, kConditionTrue), kT1));
  EXPECT_EQ(conditions[1].status, "True");
  EXPECT_EQ(conditions[1].lastTransitionTime, kT1);
  EXPECT_TRUE(setCondition(conditions, make(kConditionTypeConsolidatable, kConditionFalse), kT2));
  EXPECT_EQ(conditions[1].lastTransitionTime, kT2);
  EXPECT_EQ(conditions.size(), 2u);
  EXPECT_EQ(conditions[0].type, "Other");
}

TEST(Conditions, Clear) {
  std::vector<Condition> conditions{make("A", kConditionTrue), make("B", kConditionTrue)};
  EXPECT_TRUE(clearCondition(conditions, "A"));
  EXPECT_FALSE(clearCondition(conditions, "A"));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].type, "B");
}

}  // namespace
}  // namespace karpenter::api
