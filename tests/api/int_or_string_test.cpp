// scaledValue() against apimachinery intstr GetScaledValueFromIntOrPercent
// (staging/src/k8s.io/apimachinery/pkg/util/intstr/intstr_test.go TestGetValueFromIntOrPercent,
// all cases), plus the JSON shapes the codec can hand us.
#include "karpenter/api/int_or_string.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace karpenter::api {
namespace {

using nlohmann::json;

struct ScaledCase {
  json input;
  int total;
  bool roundUp;
  std::optional<int> expected;  // nullopt: an error
};

TEST(IntOrString, ScaledValueTable) {
  const std::vector<ScaledCase> cases = {
      // Upstream TestGetValueFromIntOrPercent.
      {123, 0, false, 123},
      {"90%", 100, true, 90},
      {"90%", 95, true, 86},
      {"90%", 95, false, 85},
      {"%", 0, false, std::nullopt},
      {"90#", 0, false, std::nullopt},
      {"#%", 0, false, std::nullopt},
      // A plain number in a string is not a percentage.
      {"10", 100, false, std::nullopt},
      // Integers ignore total and rounding.
      {0, 10, true, 0},
      {-3, 10, false, -3},
      // Percentages: rounding direction, zero and over 100 %.
      {"0%", 7, true, 0},
      {"1%", 7, true, 1},
      {"1%", 7, false, 0},
      {"50%", 5, true, 3},
      {"50%", 5, false, 2},
      {"100%", 7, false, 7},
      {"150%", 10, false, 15},
      {"+10%", 50, false, 5},  // strconv.Atoi accepts a sign
      {"-10%", 50, true, -5},
      {"1.5%", 100, false, std::nullopt},
      {" 5%", 100, false, std::nullopt},
      {"", 100, false, std::nullopt},
      // Other JSON types.
      {json(), 10, false, std::nullopt},
      {true, 10, false, std::nullopt},
      {1.5, 10, false, std::nullopt},
      {json::array(), 10, false, std::nullopt},
      {4294967296LL, 10, false, std::nullopt},  // beyond int32
  };
  for (const ScaledCase& c : cases) {
    auto got = scaledValue(c.input, c.total, c.roundUp);
    const std::string label = c.input.dump() + " of " + std::to_string(c.total) +
                              (c.roundUp ? " rounding up" : " rounding down");
    if (c.expected) {
      ASSERT_TRUE(got.ok()) << label << ": " << got.error().message;
      EXPECT_EQ(*got, *c.expected) << label;
    } else {
      ASSERT_FALSE(got.ok()) << label << " gave " << *got;
      EXPECT_EQ(got.error().kind, ErrorKind::kInvalid) << label;
    }
  }
}

TEST(IntOrString, ErrorsSayWhatIsWrong) {
  EXPECT_EQ(scaledValue(json(), 1, false).error().message, "nil value for IntOrString");
  EXPECT_THAT(scaledValue("10", 1, false).error().message,
              ::testing::HasSubstr("is not a percentage"));
  EXPECT_THAT(scaledValue("x%", 1, false).error().message, ::testing::HasSubstr("\"x%\""));
}

TEST(IntOrString, AcceptedShapes) {
  EXPECT_TRUE(isIntOrString(3));
  EXPECT_TRUE(isIntOrString("25%"));
  EXPECT_TRUE(isIntOrString("anything"));  // the type is legal; scaledValue judges the content
  EXPECT_FALSE(isIntOrString(json()));
  EXPECT_FALSE(isIntOrString(2.5));
  EXPECT_FALSE(isIntOrString(false));
  EXPECT_FALSE(isIntOrString(json::object()));
  EXPECT_FALSE(isIntOrString(2147483648LL));
  EXPECT_TRUE(isIntOrString(-2147483648LL));
}

}  // namespace
}  // namespace karpenter::api
