// Ported from kubernetes-sigs/karpenter pkg/scheduling/requirement_test.go (as data):
//   - "should intersect sets for existing requirement without minValues and new requirement
//     without minValues" (the full 14x14 table, with Gt/Lt canonicalised to Gte N+1 / Lte N-1 as
//     current upstream does, so exclusive bounds print as ">=N+1" / "<=N-1");
//   - representative rows of the minValues intersection tables;
//   - "Has", "Operator", "Len", "Any" (our any() is deterministic: smallest allowed integer),
//     "String" and "NodeSelectorRequirements Conversion" (Gt N converts to Gte N+1 as upstream).
#include "karpenter/scheduling/requirement.hpp"

#include <array>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "karpenter/scheduling/requirements.hpp"

namespace karpenter::scheduling {
namespace {

Requirement make(std::string_view op, std::vector<std::string> values,
                 std::optional<int> minValues = std::nullopt) {
  auto r = Requirement::create("key", op, values, minValues);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return *r;
}

// The upstream fixtures, in the column order of the intersection table.
const std::vector<std::pair<std::string, Requirement>>& fixtures() {
  static const std::vector<std::pair<std::string, Requirement>> kFixtures = {
      {"exists", make("Exists", {})},      {"doesNotExist", make("DoesNotExist", {})},
      {"inA", make("In", {"A"})},          {"inB", make("In", {"B"})},
      {"inAB", make("In", {"A", "B"})},    {"notInA", make("NotIn", {"A"})},
      {"in1", make("In", {"1"})},          {"in9", make("In", {"9"})},
      {"in19", make("In", {"1", "9"})},    {"notIn12", make("NotIn", {"1", "2"})},
      {"greaterThan1", make("Gt", {"1"})}, {"greaterThan9", make("Gt", {"9"})},
      {"lessThan1", make("Lt", {"1"})},    {"lessThan9", make("Lt", {"9"})},
  };
  return kFixtures;
}

const Requirement& fixture(const std::string& name) {
  for (const auto& [n, r] : fixtures()) {
    if (n == name) {
      return r;
    }
  }
  ADD_FAILURE() << "no fixture " << name;
  return fixtures().front().second;
}

// Expected results: a fixture name, or the toString() of a result no fixture equals.
constexpr std::array<std::array<const char*, 14>, 14> kIntersections = {{
    {"exists", "doesNotExist", "inA", "inB", "inAB", "notInA", "in1", "in9", "in19", "notIn12",
     "greaterThan1", "greaterThan9", "lessThan1", "lessThan9"},
    {"doesNotExist", "doesNotExist", "doesNotExist", "doesNotExist", "doesNotExist", "doesNotExist",
     "doesNotExist", "doesNotExist", "doesNotExist", "doesNotExist", "doesNotExist", "doesNotExist",
     "doesNotExist", "doesNotExist"},
    {"inA", "doesNotExist", "inA", "doesNotExist", "inA", "doesNotExist", "doesNotExist",
     "doesNotExist", "doesNotExist", "inA", "doesNotExist", "doesNotExist", "doesNotExist",
     "doesNotExist"},
    {"inB", "doesNotExist", "doesNotExist", "inB", "inB", "inB", "doesNotExist", "doesNotExist",
     "doesNotExist", "inB", "doesNotExist", "doesNotExist", "doesNotExist", "doesNotExist"},
    {"inAB", "doesNotExist", "inA", "inB", "inAB", "inB", "doesNotExist", "doesNotExist",
     "doesNotExist", "inAB", "doesNotExist", "doesNotExist", "doesNotExist", "doesNotExist"},
    {"notInA", "doesNotExist", "doesNotExist", "inB", "inB", "notInA", "in1", "in9", "in19",
     "key NotIn [1 2 A]", "greaterThan1", "greaterThan9", "lessThan1", "lessThan9"},
    {"in1", "doesNotExist", "doesNotExist", "doesNotExist", "doesNotExist", "in1", "in1",
     "doesNotExist", "in1", "doesNotExist", "doesNotExist", "doesNotExist", "doesNotExist", "in1"},
    {"in9", "doesNotExist", "doesNotExist", "doesNotExist", "doesNotExist", "in9", "doesNotExist",
     "in9", "in9", "in9", "in9", "doesNotExist", "doesNotExist", "doesNotExist"},
    {"in19", "doesNotExist", "doesNotExist", "doesNotExist", "doesNotExist", "in19", "in1", "in9",
     "in19", "in9", "in9", "doesNotExist", "doesNotExist", "in1"},
    {"notIn12", "doesNotExist", "inA", "inB", "inAB", "key NotIn [1 2 A]", "doesNotExist", "in9",
     "in9", "notIn12", "key NotIn [2] >=2", "greaterThan9", "lessThan1", "key NotIn [1 2] <=8"},
    {"greaterThan1", "doesNotExist", "doesNotExist", "doesNotExist", "doesNotExist", "greaterThan1",
     "doesNotExist", "in9", "in9", "key NotIn [2] >=2", "greaterThan1", "greaterThan9",
     "doesNotExist", "key Exists >=2 <=8"},
    {"greaterThan9", "doesNotExist", "doesNotExist", "doesNotExist", "doesNotExist", "greaterThan9",
     "doesNotExist", "doesNotExist", "doesNotExist", "greaterThan9", "greaterThan9", "greaterThan9",
     "doesNotExist", "doesNotExist"},
    {"lessThan1", "doesNotExist", "doesNotExist", "doesNotExist", "doesNotExist", "lessThan1",
     "doesNotExist", "doesNotExist", "doesNotExist", "lessThan1", "doesNotExist", "doesNotExist",
     "lessThan1", "lessThan1"},
    {"lessThan9", "doesNotExist", "doesNotExist", "doesNotExist", "doesNotExist", "lessThan9",
     "in1", "doesNotExist", "in1", "key NotIn [1 2] <=8", "key Exists >=2 <=8", "doesNotExist",
     "lessThan1", "lessThan9"},
}};

TEST(Requirement, IntersectionTable) {
  const auto& all = fixtures();
  for (size_t i = 0; i < all.size(); ++i) {
    for (size_t j = 0; j < all.size(); ++j) {
      std::string expected = kIntersections[i][j];
      Requirement got = all[i].second.intersection(all[j].second);
      SCOPED_TRACE(all[i].first + " ∩ " + all[j].first);
      if (expected.starts_with("key ")) {
        EXPECT_EQ(got.toString(), expected);
      } else {
        EXPECT_EQ(got, fixture(expected)) << got.toString();
      }
    }
  }
}

TEST(Requirement, IntersectsAgreesWithIntersection) {
  for (const auto& [a, lhs] : fixtures()) {
    for (const auto& [b, rhs] : fixtures()) {
      EXPECT_EQ(lhs.intersects(rhs), lhs.intersection(rhs).len() > 0) << a << " ∩ " << b;
      EXPECT_EQ(lhs.intersects(rhs), rhs.intersects(lhs)) << a << " ∩ " << b;
    }
  }
}

TEST(Requirement, IntersectionWithMinValuesKeepsTheLarger) {
  struct Case {
    Requirement lhs;
    Requirement rhs;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {make("Exists", {}, 1), fixture("inAB"), "key In [A B] minValues 1"},
      {make("Exists", {}, 1), fixture("doesNotExist"), "key DoesNotExist minValues 1"},
      {make("Exists", {}, 1), fixture("notIn12"), "key NotIn [1 2] minValues 1"},
      {make("Lt", {"9"}, 1), make("In", {"A", "B"}, 2), "key DoesNotExist minValues 2"},
      {make("Lt", {"9"}, 1), make("In", {"1", "9"}, 2), "key In [1] minValues 2"},
      {make("Lt", {"9"}, 1), make("NotIn", {"1", "2"}, 2), "key NotIn [1 2] <=8 minValues 2"},
      {make("Lt", {"9"}, 1), make("Gt", {"1"}, 1), "key Exists >=2 <=8 minValues 1"},
      {make("Gt", {"9"}, 1), make("Lt", {"1"}, 3), "key DoesNotExist minValues 3"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.lhs.intersection(c.rhs).toString(), c.expected);
    EXPECT_EQ(c.rhs.intersection(c.lhs).toString(), c.expected);
  }
}

TEST(Requirement, Has) {
  const std::vector<std::string> probes = {"A", "B", "1", "2", "9"};
  // Rows follow fixtures(); columns follow probes.
  const std::map<std::string, std::string> expected = {
      {"exists", "YYYYY"},    {"doesNotExist", "NNNNN"}, {"inA", "YNNNN"},
      {"inB", "NYNNN"},       {"inAB", "YYNNN"},         {"notInA", "NYYYY"},
      {"in1", "NNYNN"},       {"in9", "NNNNY"},          {"in19", "NNYNY"},
      {"notIn12", "YYNNY"},   {"greaterThan1", "NNNYY"}, {"greaterThan9", "NNNNN"},
      {"lessThan1", "NNNNN"}, {"lessThan9", "NNYYN"},
  };
  for (const auto& [name, r] : fixtures()) {
    for (size_t i = 0; i < probes.size(); ++i) {
      EXPECT_EQ(r.has(probes[i]), expected.at(name)[i] == 'Y') << name << " has " << probes[i];
    }
  }
}

TEST(Requirement, OperatorLenAnyAndString) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  struct Row {
    Operator op;
    int64_t len;
    std::string any;
    std::string text;
  };
  const std::map<std::string, Row> expected = {
      {"exists", {Operator::kExists, kMax, "0", "key Exists"}},
      {"doesNotExist", {Operator::kDoesNotExist, 0, "", "key DoesNotExist"}},
      {"inA", {Operator::kIn, 1, "A", "key In [A]"}},
      {"inB", {Operator::kIn, 1, "B", "key In [B]"}},
      {"inAB", {Operator::kIn, 2, "A", "key In [A B]"}},
      {"notInA", {Operator::kNotIn, kMax - 1, "0", "key NotIn [A]"}},
      {"in1", {Operator::kIn, 1, "1", "key In [1]"}},
      {"in9", {Operator::kIn, 1, "9", "key In [9]"}},
      {"in19", {Operator::kIn, 2, "1", "key In [1 9]"}},
      {"notIn12", {Operator::kNotIn, kMax - 2, "0", "key NotIn [1 2]"}},
      {"greaterThan1", {Operator::kExists, kMax, "2", "key Exists >=2"}},
      {"greaterThan9", {Operator::kExists, kMax, "10", "key Exists >=10"}},
      {"lessThan1", {Operator::kExists, kMax, "0", "key Exists <=0"}},
      {"lessThan9", {Operator::kExists, kMax, "0", "key Exists <=8"}},
  };
  for (const auto& [name, r] : fixtures()) {
    const Row& row = expected.at(name);
    EXPECT_EQ(r.op(), row.op) << name;
    EXPECT_EQ(r.len(), row.len) << name;
    EXPECT_EQ(r.any(), row.any) << name;
    EXPECT_EQ(r.toString(), row.text) << name;
    if (!row.any.empty()) {
      EXPECT_TRUE(r.has(r.any())) << name;
    }
  }
  EXPECT_EQ(fixture("greaterThan1").intersection(fixture("lessThan9")).toString(),
            "key Exists >=2 <=8");
  EXPECT_EQ(fixture("greaterThan9").intersection(fixture("lessThan1")).toString(),
            "key DoesNotExist");
}

TEST(Requirement, AnySkipsExcludedValuesAndHonoursNegativeBounds) {
  EXPECT_EQ(make("NotIn", {"0", "1", "3"}).any(), "2");
  EXPECT_EQ(make("Lt", {"-4"}).any(), "-5");
  EXPECT_EQ(make("Gte", {"5"}).intersection(make("NotIn", {"5", "6"})).any(), "7");
  Requirement nothingLeft = make("Gte", {"5"}).intersection(make("Lte", {"5"}));
  EXPECT_EQ(nothingLeft.intersection(make("NotIn", {"5"})).any(), "");
}

TEST(Requirement, StringElidesLongValueLists) {
  EXPECT_EQ(make("In", {"g", "f", "e", "d", "c", "b", "a"}).toString(),
            "key In [a b c d e and 2 others]");
}

TEST(Requirement, NodeSelectorRequirementConversion) {
  using NSR = api::NodeSelectorRequirement;
  const std::map<std::string, std::vector<NSR>> expected = {
      {"exists", {NSR{"key", "Exists", {}, {}}}},
      {"doesNotExist", {NSR{"key", "DoesNotExist", {}, {}}}},
      {"inA", {NSR{"key", "In", {"A"}, {}}}},
      {"inB", {NSR{"key", "In", {"B"}, {}}}},
      {"inAB", {NSR{"key", "In", {"A", "B"}, {}}}},
      {"notInA", {NSR{"key", "NotIn", {"A"}, {}}}},
      {"in1", {NSR{"key", "In", {"1"}, {}}}},
      {"in9", {NSR{"key", "In", {"9"}, {}}}},
      {"in19", {NSR{"key", "In", {"1", "9"}, {}}}},
      {"notIn12", {NSR{"key", "NotIn", {"1", "2"}, {}}}},
      {"greaterThan1", {NSR{"key", "Gte", {"2"}, {}}}},
      {"greaterThan9", {NSR{"key", "Gte", {"10"}, {}}}},
      {"lessThan1", {NSR{"key", "Lte", {"0"}, {}}}},
      {"lessThan9", {NSR{"key", "Lte", {"8"}, {}}}},
  };
  for (const auto& [name, r] : fixtures()) {
    EXPECT_EQ(r.toNodeSelectorRequirements(), expected.at(name)) << name;
  }
  EXPECT_EQ(make("In", {"A"}, 1).toNodeSelectorRequirements(),
            (std::vector<NSR>{NSR{"key", "In", {"A"}, 1}}));
}

TEST(Requirement, ConversionRoundTripsEveryIntersection) {
  for (const auto& [a, lhs] : fixtures()) {
    for (const auto& [b, rhs] : fixtures()) {
      Requirement original = lhs.intersection(rhs);
      auto back = Requirements::fromNodeSelectorRequirements(original.toNodeSelectorRequirements());
      ASSERT_TRUE(back.ok()) << back.error().message;
      EXPECT_EQ(back->get("key"), original) << a << " ∩ " << b << ": " << original.toString();
    }
  }
}

TEST(Requirement, EachOperator) {
  EXPECT_TRUE(make("In", {"a"}).has("a"));
  EXPECT_FALSE(make("NotIn", {"a"}).has("a"));
  EXPECT_TRUE(make("Exists", {}).has("anything"));
  EXPECT_FALSE(make("DoesNotExist", {}).has(""));
  EXPECT_TRUE(make("Gt", {"4"}).has("5"));
  EXPECT_FALSE(make("Gt", {"4"}).has("4"));
  EXPECT_TRUE(make("Lt", {"4"}).has("3"));
  EXPECT_FALSE(make("Lt", {"4"}).has("4"));
  EXPECT_TRUE(make("Gte", {"4"}).has("4"));
  EXPECT_FALSE(make("Gte", {"4"}).has("3"));
  EXPECT_TRUE(make("Lte", {"4"}).has("4"));
  EXPECT_FALSE(make("Lte", {"4"}).has("5"));
  EXPECT_FALSE(make("Gte", {"4"}).has("five"));
  // Gt N is Gte N+1 and Lt N is Lte N-1.
  EXPECT_EQ(make("Gt", {"4"}), make("Gte", {"5"}));
  EXPECT_EQ(make("Lt", {"4"}), make("Lte", {"3"}));
  EXPECT_EQ(make("Gte", {"3"}).intersection(make("Lte", {"3"})).toString(), "key Exists >=3 <=3");
  EXPECT_EQ(make("Gt", {"3"}).intersection(make("Lt", {"4"})).toString(), "key DoesNotExist");
  EXPECT_EQ(make("Gt", {std::to_string(std::numeric_limits<int64_t>::max())}).op(),
            Operator::kDoesNotExist);
  EXPECT_EQ(make("Lt", {std::to_string(std::numeric_limits<int64_t>::min())}).op(),
            Operator::kDoesNotExist);
  // Values are sorted and deduplicated.
  EXPECT_EQ(make("In", {"b", "a", "b"}).values(), (std::vector<std::string>{"a", "b"}));
}

TEST(Requirement, InvalidInputIsAnError) {
  struct Case {
    std::string op;
    std::vector<std::string> values;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"Foo", {"a"}, "requirement key: unsupported operator \"Foo\""},
      {"In", {}, "requirement key In: values must be non-empty"},
      {"NotIn", {}, "requirement key NotIn: values must be non-empty"},
      {"Exists", {"a"}, "requirement key Exists: values must be empty"},
      {"DoesNotExist", {"a"}, "requirement key DoesNotExist: values must be empty"},
      {"Gt", {"1", "2"}, "requirement key Gt: must have a single integer value"},
      {"Lt", {}, "requirement key Lt: must have a single integer value"},
      {"Gte", {"1.5"}, "requirement key Gte: value \"1.5\" is not an integer"},
      {"Lte", {"ten"}, "requirement key Lte: value \"ten\" is not an integer"},
  };
  for (const auto& c : cases) {
    auto r = Requirement::create("key", c.op, c.values);
    ASSERT_FALSE(r.ok()) << c.op;
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalid);
    EXPECT_EQ(r.error().message, c.message);
  }
}

TEST(Requirement, NormalisesAliasedKeys) {
  EXPECT_EQ(Requirement::in("beta.kubernetes.io/arch", {"arm64"}).key(), "kubernetes.io/arch");
  EXPECT_EQ(make("In", {"x"}).key(), "key");
  auto r = Requirement::create("failure-domain.beta.kubernetes.io/zone", "In", {"a"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->key(), "topology.kubernetes.io/zone");
}

TEST(Requirement, ParseInt64) {
  EXPECT_EQ(parseInt64("42"), 42);
  EXPECT_EQ(parseInt64("-7"), -7);
  EXPECT_EQ(parseInt64("0204"), 204);
  EXPECT_FALSE(parseInt64(""));
  EXPECT_FALSE(parseInt64("4a"));
  EXPECT_FALSE(parseInt64("99999999999999999999"));
}

}  // namespace
}  // namespace karpenter::scheduling
