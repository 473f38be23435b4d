// Replays every section of kube/label-selector-cases.json (apimachinery pkg/labels
// selector_test.go tables), then fromLabelSelector and engine properties.
//
// Skipped cases: none.

#include "karpenter/api/label_selector.hpp"

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/testdata.hpp"

// Counts heap allocations so a test can hold matches() to its no-allocation contract.
namespace {
std::atomic<long> gAllocations{0};
}  // namespace

void* operator new(std::size_t size) {
  ++gAllocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
// Kept out of line: inlined into callers, GCC pairs the free() with their `new` and warns.
[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t /*size*/) noexcept {
  std::free(p);
}

namespace karpenter::api {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Json = nlohmann::json;

const Json& cases() {
  static const Json kCases = karpenter::testing::readTestdataJson("kube/label-selector-cases.json");
  return kCases;
}

Labels labelsFrom(const Json& object) {
  Labels labels;
  for (const auto& [key, value] : object.items()) {
    labels.emplace(key, value.get<std::string>());
  }
  return labels;
}

std::vector<std::string> stringsFrom(const Json& array) {
  return array.get<std::vector<std::string>>();
}

// Builds the requirements of a case with makeRequirement, in the given order; a case whose
// note says the upstream selector holds a zero-value Requirement gets one appended.
std::vector<Requirement> requirementsFrom(const Json& testCase) {
  std::vector<Requirement> requirements;
  for (const Json& spec : testCase.at("requirements")) {
    Result<Requirement> requirement =
        makeRequirement(spec.at("key").get<std::string>(), spec.at("operator").get<std::string>(),
                        stringsFrom(spec.at("values")));
    EXPECT_TRUE(requirement.ok()) << (requirement.ok() ? "" : requirement.error().message);
    if (requirement.ok()) {
      requirements.push_back(*requirement);
    }
  }
  if (testCase.value("note", std::string()).find("zero-value Requirement") != std::string::npos) {
    requirements.emplace_back();
  }
  return requirements;
}

std::string caseName(const Json& testCase) {
  return testCase.dump();
}

TEST(LabelSelectorCases, AllSectionsPresent) {
  for (const char* section : {"parse", "matches", "requirement_matches", "to_string",
                              "requirement_constructor", "set_selector_string", "parse_operator"}) {
    SCOPED_TRACE(section);
    ASSERT_TRUE(cases().contains(section));
    EXPECT_FALSE(cases().at(section).empty());
  }
}

TEST(LabelSelectorCases, Parse) {
  int compared = 0;
  for (const Json& testCase : cases().at("parse")) {
    SCOPED_TRACE(caseName(testCase));
    const std::string text = testCase.at("selector").get<std::string>();
    Result<Selector> selector = parseSelector(text);
    if (!testCase.at("valid").get<bool>()) {
      ASSERT_FALSE(selector.ok()) << "parsed as " << selector->toString();
      EXPECT_EQ(selector.error().kind, ErrorKind::kInvalid);
      // Errors say where: the offset and the input.
      EXPECT_THAT(selector.error().message, HasSubstr("(at offset "));
      continue;
    }
    ASSERT_TRUE(selector.ok()) << selector.error().message;
    if (testCase.contains("string")) {
      EXPECT_EQ(selector->toString(), testCase.at("string").get<std::string>());
      ++compared;
    }
    if (testCase.contains("requirements")) {
      const Json& expected = testCase.at("requirements");
      const std::vector<Requirement>& actual = selector->requirements();
      ASSERT_EQ(actual.size(), expected.size());
      for (std::size_t i = 0; i < actual.size(); ++i) {
        EXPECT_EQ(actual[i].key(), expected[i].at("key").get<std::string>());
        EXPECT_EQ(selectorOperatorName(actual[i].op()),
                  expected[i].at("operator").get<std::string>());
        EXPECT_EQ(actual[i].values(), stringsFrom(expected[i].at("values")));
      }
      ++compared;
    }
  }
  // 10 valid TestSelectorParse strings and 26 TestSetSelectorParser outputs ("x,y in (a)" is
  // valid but upstream does not compare it); guards against a loop that silently checks nothing.
  EXPECT_EQ(cases().at("parse").size(), 51u);
  EXPECT_EQ(compared, 36);
}

TEST(LabelSelectorCases, Matches) {
  for (const Json& testCase : cases().at("matches")) {
    SCOPED_TRACE(caseName(testCase));
    Result<Selector> selector = parseSelector(testCase.at("selector").get<std::string>());
    ASSERT_TRUE(selector.ok()) << selector.error().message;
    EXPECT_EQ(selector->matches(labelsFrom(testCase.at("labels"))),
              testCase.at("matches").get<bool>());
  }
}

TEST(LabelSelectorCases, RequirementMatches) {
  for (const Json& testCase : cases().at("requirement_matches")) {
    SCOPED_TRACE(caseName(testCase));
    Selector selector = Selector::fromRequirements(requirementsFrom(testCase));
    EXPECT_EQ(selector.matches(labelsFrom(testCase.at("labels"))),
              testCase.at("matches").get<bool>());
  }
}

TEST(LabelSelectorCases, ToString) {
  for (const Json& testCase : cases().at("to_string")) {
    SCOPED_TRACE(caseName(testCase));
    Selector selector = Selector::fromRequirements(requirementsFrom(testCase));
    const std::string printed = selector.toString();
    EXPECT_EQ(printed, testCase.at("string").get<std::string>());
    if (testCase.at("valid").get<bool>()) {
      // Valid selectors print a string that parses back to the same requirements.
      Result<Selector> reparsed = parseSelector(printed);
      ASSERT_TRUE(reparsed.ok()) << reparsed.error().message;
      EXPECT_EQ(reparsed->toString(), printed);
    }
  }
}

TEST(LabelSelectorCases, RequirementConstructor) {
  for (const Json& testCase : cases().at("requirement_constructor")) {
    SCOPED_TRACE(caseName(testCase).substr(0, 200));
    Result<Requirement> requirement = makeRequirement(testCase.at("key").get<std::string>(),
                                                      testCase.at("operator").get<std::string>(),
                                                      stringsFrom(testCase.at("values")));
    if (testCase.at("valid").get<bool>()) {
      EXPECT_TRUE(requirement.ok()) << requirement.error().message;
      continue;
    }
    ASSERT_FALSE(requirement.ok());
    EXPECT_EQ(requirement.error().kind, ErrorKind::kInvalid);
    const std::string type = testCase.at("errorType").get<std::string>();
    const std::string body =
        type == "ErrorTypeNotSupported" ? "Unsupported value" : "Invalid value";
    // One field error, printed as field.Error.Error() does: "<field>: <type>: <value>...".
    EXPECT_THAT(requirement.error().message,
                StartsWith(testCase.at("errorField").get<std::string>() + ": " + body + ": "));
  }
}

TEST(LabelSelectorCases, SetSelectorString) {
  for (const Json& testCase : cases().at("set_selector_string")) {
    SCOPED_TRACE(caseName(testCase));
    Labels labels = labelsFrom(testCase.at("labels"));
    Selector selector = selectorFromSet(labels);
    EXPECT_EQ(selector.toString(), testCase.at("string").get<std::string>());
    EXPECT_TRUE(selector.matches(labels));
    EXPECT_EQ(selector.empty(), labels.empty());
  }
}

TEST(LabelSelectorCases, ParseOperator) {
  for (const Json& testCase : cases().at("parse_operator")) {
    SCOPED_TRACE(caseName(testCase));
    const std::string token = testCase.at("token").get<std::string>();
    Result<SelectorOperator> op = parseSelectorOperator(token);
    if (testCase.at("valid").get<bool>()) {
      ASSERT_TRUE(op.ok()) << op.error().message;
      EXPECT_NE(*op, SelectorOperator::kNone);
    } else {
      ASSERT_FALSE(op.ok());
      EXPECT_EQ(op.error().message,
                "found '" + token + "', expected: in, notin, =, ==, !=, gt, lt");
    }
  }
}

// --- Messages and positions -------------------------------------------------------------------

TEST(ParseSelector, ErrorsSayWhatAndWhere) {
  Result<Selector> doubled = parseSelector("x==a==b");
  ASSERT_FALSE(doubled.ok());
  EXPECT_EQ(doubled.error().message,
            "found '==', expected: ',' or 'end of string' (at offset 4 in \"x==a==b\")");

  Result<Selector> trailing = parseSelector("a in (xyz),");
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.error().message,
            "found '', expected: identifier after ',' (at offset 11 in \"a in (xyz),\")");

  Result<Selector> notInteger = parseSelector("x<a");
  ASSERT_FALSE(notInteger.ok());
  EXPECT_EQ(notInteger.error().message,
            "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' "
            "operators, the value must be an integer (at offset 0 in \"x<a\")");

  Result<Selector> badKey = parseSelector("ok, -bad=1");
  ASSERT_FALSE(badKey.ok());
  EXPECT_THAT(badKey.error().message,
              StartsWith("unable to parse requirement: Invalid value: \"-bad\": name part must "
                         "consist of alphanumeric characters"));
  EXPECT_THAT(badKey.error().message, HasSubstr("(at offset 4 in "));

  Result<Selector> badValue = parseSelector("x=a b");
  ASSERT_FALSE(badValue.ok());
  EXPECT_EQ(badValue.error().message,
            "found 'b', expected: ',' or 'end of string' (at offset 4 in \"x=a b\")");

  Result<Selector> noComma = parseSelector("a in (xyz abc)");
  ASSERT_FALSE(noComma.ok());
  EXPECT_THAT(noComma.error().message,
              StartsWith("unable to parse requirement: found 'abc', expected: ',' or ')'"));
}

TEST(ParseSelector, KeywordsAreValuesInsideLists) {
  Result<Selector> selector = parseSelector("in in (in,notin),notin notin (x)");
  ASSERT_TRUE(selector.ok()) << selector.error().message;
  EXPECT_EQ(selector->toString(), "in in (in,notin),notin notin (x)");
  EXPECT_TRUE(selector->matches({{"in", "notin"}}));
  EXPECT_FALSE(selector->matches({{"in", "notin"}, {"notin", "x"}}));
}

TEST(ParseSelector, SortsByKeyAndKeepsPrefixedKeys) {
  Result<Selector> selector = parseSelector("z=1, example.com/a in (b), !m");
  ASSERT_TRUE(selector.ok()) << selector.error().message;
  EXPECT_EQ(selector->toString(), "example.com/a in (b),!m,z=1");
}

// --- Requirement construction -------------------------------------------------------------------

TEST(MakeRequirement, ReportsEveryProblemWithUpstreamWording) {
  Result<Requirement> empty = makeRequirement("x", SelectorOperator::kIn, {});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message,
            "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty");

  Result<Requirement> two = makeRequirement("x", SelectorOperator::kEquals, {"a", "b"});
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().message,
            "values: Invalid value: [\"a\",\"b\"]: exact-match compatibility requires one single "
            "value");

  Result<Requirement> several = makeRequirement("bad key", "bogus", {"a b"});
  ASSERT_FALSE(several.ok());
  EXPECT_THAT(several.error().message, StartsWith("[key: Invalid value: \"bad key\": name part "));
  EXPECT_THAT(several.error().message,
              HasSubstr(", operator: Unsupported value: \"bogus\": supported values: \"in\", "
                        "\"notin\", \"=\", \"==\", \"!=\", \"gt\", \"lt\", \"exists\", \"!\""));
  EXPECT_THAT(several.error().message, HasSubstr(", values[0][bad key]: Invalid value: \"a b\""));

  Result<Requirement> withPath =
      makeRequirement("x", SelectorOperator::kExists, {"a"}, "spec.selector.matchExpressions[2]");
  ASSERT_FALSE(withPath.ok());
  EXPECT_THAT(withPath.error().message,
              StartsWith("spec.selector.matchExpressions[2].values: Invalid value: [\"a\"]: "
                         "values set must be empty for exists and does not exist"));
}

TEST(MakeRequirement, ValuesAreASortedSet) {
  Result<Requirement> requirement = makeRequirement("x", SelectorOperator::kIn, {"c", "a", "c"});
  ASSERT_TRUE(requirement.ok());
  EXPECT_EQ(requirement->values(), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(requirement->toString(), "x in (a,c)");
}

TEST(Requirement, GreaterAndLessCompareAsInt64) {
  // Requirement values must be valid label values, so no sign there; label values may hold any.
  Result<Requirement> gt = makeRequirement("n", SelectorOperator::kGreaterThan, {"5"});
  Result<Requirement> lt = makeRequirement("n", SelectorOperator::kLessThan, {"10"});
  ASSERT_TRUE(gt.ok());
  ASSERT_TRUE(lt.ok());
  EXPECT_TRUE(gt->matches({{"n", "6"}}));
  EXPECT_TRUE(gt->matches({{"n", "+6"}}));
  EXPECT_FALSE(gt->matches({{"n", "5"}}));
  EXPECT_FALSE(gt->matches({{"n", "-6"}}));
  EXPECT_TRUE(gt->matches({{"n", "9223372036854775807"}}));
  EXPECT_FALSE(gt->matches({{"n", "9223372036854775808"}}));  // overflows int64: no match
  EXPECT_FALSE(gt->matches({{"n", ""}}));
  EXPECT_FALSE(gt->matches({{"n", "1.5"}}));
  EXPECT_FALSE(gt->matches({}));
  EXPECT_TRUE(lt->matches({{"n", "+9"}}));
  EXPECT_FALSE(lt->matches({{"n", "+-9"}}));
  EXPECT_TRUE(lt->matches({{"n", "-9223372036854775808"}}));
  EXPECT_FALSE(lt->matches({{"n", "10"}}));
  EXPECT_FALSE(makeRequirement("n", SelectorOperator::kLessThan, {"-1"}).ok());
  EXPECT_FALSE(makeRequirement("n", SelectorOperator::kGreaterThan, {"1e3"}).ok());
  EXPECT_FALSE(makeRequirement("n", SelectorOperator::kGreaterThan, {"1", "2"}).ok());
}

TEST(Requirement, ZeroValueMatchesNothingAndPrintsEmpty) {
  Requirement zero;
  EXPECT_FALSE(zero.matches({}));
  EXPECT_FALSE(zero.matches({{"", ""}}));
  EXPECT_EQ(zero.toString(), "");
}

// --- Selectors ---------------------------------------------------------------------------------

TEST(Selector, EverythingAndNothing) {
  EXPECT_TRUE(Selector::everything().empty());
  EXPECT_TRUE(Selector::everything().matches({}));
  EXPECT_TRUE(Selector::everything().matches({{"a", "b"}}));
  EXPECT_FALSE(Selector::nothing().empty());
  EXPECT_TRUE(Selector::nothing().isNothing());
  EXPECT_FALSE(Selector::nothing().matches({}));
  EXPECT_EQ(Selector::nothing().toString(), "");
}

TEST(Selector, AddKeepsKeyOrder) {
  Selector selector;
  ASSERT_TRUE(makeRequirement("b", SelectorOperator::kExists, {}).ok());
  selector.add(*makeRequirement("b", SelectorOperator::kExists, {}));
  selector.add(*makeRequirement("a", SelectorOperator::kNotEquals, {"x"}));
  EXPECT_EQ(selector.toString(), "a!=x,b");
  EXPECT_FALSE(selector.empty());
}

TEST(Selector, ValidatedFromSetRejectsBadEntries) {
  Result<Selector> good = validatedSelectorFromSet({{"app", "web"}});
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->toString(), "app=web");
  Result<Selector> bad = validatedSelectorFromSet({{"app", "not valid"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, StartsWith("values[0][app]: Invalid value: \"not valid\""));
}

TEST(Selector, MatchingDoesNotAllocate) {
  Result<Selector> selector = parseSelector(
      "app=web,tier in (a,b,c),env notin (dev),!legacy,team,n>5,m<10,zone!=x,role==db");
  ASSERT_TRUE(selector.ok()) << selector.error().message;
  const Labels matching = {{"app", "web"}, {"tier", "b"}, {"team", "t"}, {"n", "6"},
                           {"m", "-3"},    {"zone", "y"}, {"role", "db"}};
  const Labels failing = {{"app", "web"}, {"tier", "b"}, {"team", "t"}, {"n", "x"}};
  const long before = gAllocations.load();
  const bool matched = selector->matches(matching);
  const bool failed = selector->matches(failing);
  const long allocations = gAllocations.load() - before;
  EXPECT_TRUE(matched);
  EXPECT_FALSE(failed);
  EXPECT_EQ(allocations, 0);
}

// --- fromLabelSelector -------------------------------------------------------------------------

TEST(FromLabelSelector, EmptySelectsEverythingNullSelectsNothing) {
  Result<Selector> empty = fromLabelSelector(LabelSelector{});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_TRUE(empty->matches({{"any", "thing"}}));

  Result<Selector> null = fromLabelSelector(std::optional<LabelSelector>());
  ASSERT_TRUE(null.ok());
  EXPECT_TRUE(null->isNothing());
  EXPECT_FALSE(null->matches({}));
}

TEST(FromLabelSelector, CombinesMatchLabelsAndExpressions) {
  LabelSelector spec;
  spec.matchLabels = {{"tier", "web"}, {"app", "shop"}};
  spec.matchExpressions = {
      {"zone", "In", {"b", "a"}},
      {"legacy", "DoesNotExist", {}},
      {"env", "NotIn", {"dev"}},
      {"team", "Exists", {}},
  };
  Result<Selector> selector = fromLabelSelector(spec);
  ASSERT_TRUE(selector.ok()) << selector.error().message;
  EXPECT_EQ(selector->toString(), "app=shop,env notin (dev),!legacy,team,tier=web,zone in (a,b)");
  Labels labels = {{"app", "shop"}, {"tier", "web"}, {"zone", "a"}, {"team", "x"}};
  EXPECT_TRUE(selector->matches(labels));
  labels["env"] = "dev";
  EXPECT_FALSE(selector->matches(labels));
  labels["env"] = "prod";
  labels["legacy"] = "";
  EXPECT_FALSE(selector->matches(labels));
}

TEST(FromLabelSelector, ErrorsNameTheField) {
  LabelSelector unknownOp;
  unknownOp.matchExpressions = {{"a", "In", {"x"}}, {"b", "Gt", {"1"}}};
  Result<Selector> op = fromLabelSelector(unknownOp);
  ASSERT_FALSE(op.ok());
  EXPECT_EQ(op.error().message,
            "matchExpressions[1]: \"Gt\" is not a valid label selector operator");

  LabelSelector noValues;
  noValues.matchExpressions = {{"a", "NotIn", {}}};
  Result<Selector> values = fromLabelSelector(noValues);
  ASSERT_FALSE(values.ok());
  EXPECT_EQ(values.error().message,
            "matchExpressions[0].values: Invalid value: []: for 'in', 'notin' operators, values "
            "set can't be empty");

  LabelSelector badLabel;
  badLabel.matchLabels = {{"app", "-x"}};
  Result<Selector> label = fromLabelSelector(badLabel);
  ASSERT_FALSE(label.ok());
  EXPECT_THAT(label.error().message, StartsWith("matchLabels[app]: Invalid value: \"-x\": a valid "
                                                "label must be an empty string"));

  LabelSelector badKey;
  badKey.matchLabels = {{"a/b/c", "x"}};
  Result<Selector> key = fromLabelSelector(badKey);
  ASSERT_FALSE(key.ok());
  EXPECT_THAT(key.error().message,
              StartsWith("matchLabels: Invalid value: \"a/b/c\": a qualified name must consist"));
}

}  // namespace
}  // namespace karpenter::api
