// Ported as data from kubernetes
// staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity_test.go:
//   - TestPodMatchesNodeSelectorAndAffinityTerms (all 24 cases);
//   - TestNodeSelectorMatch (all cases; error texts are ours, only their presence is checked,
//     and "nil node" is not applicable);
//   - TestPreferredSchedulingTermsScore (all 3 cases).
#include "karpenter/scheduling/node_affinity.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace karpenter::scheduling {
namespace {

using NSR = api::NodeSelectorRequirement;
using api::NodeSelectorTerm;

api::NodeAffinity required(std::vector<NodeSelectorTerm> terms) {
  api::NodeAffinity affinity;
  affinity.requiredDuringSchedulingIgnoredDuringExecution = api::NodeSelector{std::move(terms)};
  return affinity;
}

NodeSelectorTerm exprs(std::vector<NSR> expressions) {
  return {std::move(expressions), {}};
}
NSR name(std::string op, std::string value) {
  return NSR{"metadata.name", std::move(op), {std::move(value)}, {}};
}

TEST(NodeAffinity, PodMatchesNodeSelectorAndAffinityTerms) {
  struct Case {
    std::string name;
    api::Labels nodeSelector;
    std::optional<api::NodeAffinity> affinity;
    api::Labels labels;
    std::string nodeName;
    bool want;
  };
  const api::Labels fooBar = {{"foo", "bar"}};
  const std::vector<Case> cases = {
      {"no selector", {}, std::nullopt, {}, "", true},
      {"missing labels", {{"foo", "bar"}}, std::nullopt, {}, "", false},
      {"same labels", {{"foo", "bar"}}, std::nullopt, fooBar, "", true},
      {"node labels are superset",
       {{"foo", "bar"}},
       std::nullopt,
       {{"foo", "bar"}, {"baz", "blah"}},
       "",
       true},
      {"node labels are subset",
       {{"foo", "bar"}, {"baz", "blah"}},
       std::nullopt,
       fooBar,
       "",
       false},
      {"matchExpressions In matches",
       {},
       required({exprs({NSR{"foo", "In", {"bar", "value2"}, {}}})}),
       fooBar,
       "",
       true},
      {"matchExpressions Gt matches",
       {},
       required({exprs({NSR{"kernel-version", "Gt", {"0204"}, {}}})}),
       {{"kernel-version", "0206"}},
       "",
       true},
      {"matchExpressions NotIn matches",
       {},
       required({exprs({NSR{"mem-type", "NotIn", {"DDR", "DDR2"}, {}}})}),
       {{"mem-type", "DDR3"}},
       "",
       true},
      {"matchExpressions Exists matches",
       {},
       required({exprs({NSR{"GPU", "Exists", {}, {}}})}),
       {{"GPU", "NVIDIA-GRID-K1"}},
       "",
       true},
      {"affinity does not match labels",
       {},
       required({exprs({NSR{"foo", "In", {"value1", "value2"}, {}}})}),
       fooBar,
       "",
       false},
      {"nil NodeSelectorTerms", {}, required({}), fooBar, "", false},
      {"empty NodeSelectorTerms", {}, required({}), fooBar, "", false},
      {"empty MatchExpressions matches nothing", {}, required({exprs({})}), fooBar, "", false},
      {"no affinity", {}, std::nullopt, fooBar, "", true},
      {"affinity without required selector", {}, api::NodeAffinity{}, fooBar, "", true},
      {"multiple matchExpressions ANDed, match",
       {},
       required({exprs({NSR{"GPU", "Exists", {}, {}}, NSR{"GPU", "NotIn", {"AMD", "INTER"}, {}}})}),
       {{"GPU", "NVIDIA-GRID-K1"}},
       "",
       true},
      {"multiple matchExpressions ANDed, no match",
       {},
       required({exprs({NSR{"GPU", "Exists", {}, {}}, NSR{"GPU", "In", {"AMD", "INTER"}, {}}})}),
       {{"GPU", "NVIDIA-GRID-K1"}},
       "",
       false},
      {"multiple terms ORed",
       {},
       required({exprs({NSR{"foo", "In", {"bar", "value2"}, {}}}),
                 exprs({NSR{"diffkey", "In", {"wrong", "value2"}, {}}})}),
       fooBar,
       "",
       true},
      {"affinity and nodeSelector both satisfied",
       {{"foo", "bar"}},
       required({exprs({NSR{"foo", "Exists", {}, {}}})}),
       fooBar,
       "",
       true},
      {"affinity matches but nodeSelector does not",
       {{"foo", "bar"}},
       required({exprs({NSR{"foo", "Exists", {}, {}}})}),
       {{"foo", "barrrrrr"}},
       "",
       false},
      {"invalid value in affinity term",
       {},
       required({exprs({NSR{"foo", "NotIn", {"invalid value: ___@#$%^"}, {}}})}),
       fooBar,
       "",
       false},
      {"matchFields In matches",
       {},
       required({NodeSelectorTerm{{}, {name("In", "node_1")}}}),
       {},
       "node_1",
       true},
      {"matchFields In does not match",
       {},
       required({NodeSelectorTerm{{}, {name("In", "node_1")}}}),
       {},
       "node_2",
       false},
      {"two terms: matchFields no, matchExpressions yes",
       {},
       required(
           {NodeSelectorTerm{{}, {name("In", "node_1")}}, exprs({NSR{"foo", "In", {"bar"}, {}}})}),
       fooBar,
       "node_2",
       true},
      {"one term: matchFields no, matchExpressions yes",
       {},
       required({NodeSelectorTerm{{NSR{"foo", "In", {"bar"}, {}}}, {name("In", "node_1")}}}),
       fooBar,
       "node_2",
       false},
      {"one term: both match",
       {},
       required({NodeSelectorTerm{{NSR{"foo", "In", {"bar"}, {}}}, {name("In", "node_1")}}}),
       fooBar,
       "node_1",
       true},
      {"two terms: neither matches",
       {},
       required({NodeSelectorTerm{{}, {name("In", "node_1")}},
                 exprs({NSR{"foo", "In", {"not-match-to-bar"}, {}}})}),
       fooBar,
       "node_2",
       false},
  };
  for (const auto& c : cases) {
    RequiredNodeAffinity affinity(c.nodeSelector, c.affinity);
    EXPECT_EQ(affinity.matches(c.labels, c.nodeName), c.want) << c.name;
  }
}

TEST(NodeAffinity, NodeSelectorMatch) {
  api::NodeSelector invalid{{
      NodeSelectorTerm{{}, {NSR{"metadata.name", "In", {"host_1", "host_2"}, {}}}},
      NodeSelectorTerm{{NSR{"label_1", "In", {"label_1_val"}, {}}}, {name("In", "host_1")}},
      exprs({NSR{"invalid key", "In", {"label_value"}, {}}}),
  }};
  NodeSelectorMatcher bad(invalid);
  auto errors = bad.validate();
  ASSERT_FALSE(errors.ok());
  EXPECT_NE(errors.error().message.find("nodeSelectorTerms[0].matchFields[0].values: must have "
                                        "one element"),
            std::string::npos)
      << errors.error().message;
  EXPECT_NE(errors.error().message.find("nodeSelectorTerms[2].matchExpressions[0].key"),
            std::string::npos)
      << errors.error().message;
  // Parse errors surface only when no term matched.
  EXPECT_FALSE(bad.match({}, "host_1").ok());
  auto matched = bad.match({{"label_1", "label_1_val"}}, "host_1");
  ASSERT_TRUE(matched.ok());
  EXPECT_TRUE(*matched);

  api::NodeSelector labelsAndFields{
      {NodeSelectorTerm{{NSR{"label_1", "In", {"label_1_val"}, {}}}, {name("In", "host_1")}}}};
  NodeSelectorMatcher both(labelsAndFields);
  EXPECT_TRUE(both.validate().ok());
  EXPECT_FALSE(*both.match({}, "host_1"));  // field matches, labels do not
  EXPECT_TRUE(*both.match({{"label_1", "label_1_val"}}, "host_1"));

  api::NodeSelector secondTerm{{exprs({NSR{"label_1", "In", {"label_1_val"}, {}}}),
                                NodeSelectorTerm{{}, {name("In", "host_1")}}}};
  EXPECT_TRUE(*NodeSelectorMatcher(secondTerm).match({}, "host_1"));
}

TEST(NodeAffinity, PreferredSchedulingTermsScore) {
  std::vector<api::PreferredSchedulingTerm> invalid = {
      {1, NodeSelectorTerm{{}, {NSR{"metadata.name", "In", {"host_1", "host_2"}, {}}}}},
      {1, NodeSelectorTerm{{NSR{"label_1", "In", {"label_1_val"}, {}}}, {name("In", "host_1")}}},
      {1, exprs({NSR{"invalid key", "In", {"label_value"}, {}}})},
  };
  auto bad = PreferredSchedulingTerms::create(invalid);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("[0].matchFields[0].values: must have one element"),
            std::string::npos);
  EXPECT_NE(bad.error().message.find("[2].matchExpressions[0].key"), std::string::npos);

  std::vector<api::PreferredSchedulingTerm> zeroWeight = {
      {0, NodeSelectorTerm{{}, {NSR{"metadata.name", "In", {"host_1", "host_2"}, {}}}}}};
  auto ignored = PreferredSchedulingTerms::create(zeroWeight);
  ASSERT_TRUE(ignored.ok());
  EXPECT_EQ(ignored->score({}, "host_1"), 0);

  std::vector<api::PreferredSchedulingTerm> terms = {
      {5, NodeSelectorTerm{{}, {name("In", "host_1")}}},
      {7, exprs({NSR{"unknown_label", "In", {"unknown_label_val"}, {}}})},
      {11, exprs({NSR{"label_1", "In", {"label_1_val"}, {}}})},
  };
  auto preferred = PreferredSchedulingTerms::create(terms);
  ASSERT_TRUE(preferred.ok());
  EXPECT_EQ(preferred->score({{"label_1", "label_1_val"}}, "host_1"), 16);
}

TEST(NodeAffinity, OperatorDetails) {
  auto matches = [](NSR requirement, const api::Labels& labels) {
    return RequiredNodeAffinity({}, required({exprs({std::move(requirement)})}))
        .matches(labels, "node");
  };
  // NotIn and DoesNotExist match an absent key; In, Exists, Gt and Lt do not.
  EXPECT_TRUE(matches(NSR{"k", "NotIn", {"v"}, {}}, {}));
  EXPECT_TRUE(matches(NSR{"k", "DoesNotExist", {}, {}}, {}));
  EXPECT_FALSE(matches(NSR{"k", "DoesNotExist", {}, {}}, {{"k", ""}}));
  EXPECT_FALSE(matches(NSR{"k", "In", {"v"}, {}}, {}));
  EXPECT_FALSE(matches(NSR{"k", "Exists", {}, {}}, {}));
  EXPECT_FALSE(matches(NSR{"k", "Gt", {"1"}, {}}, {}));
  EXPECT_FALSE(matches(NSR{"k", "Lt", {"1"}, {}}, {}));
  // Gt/Lt need an integer label and exactly one integer value.
  EXPECT_TRUE(matches(NSR{"k", "Lt", {"10"}, {}}, {{"k", "9"}}));
  EXPECT_FALSE(matches(NSR{"k", "Lt", {"10"}, {}}, {{"k", "10"}}));
  EXPECT_FALSE(matches(NSR{"k", "Gt", {"1"}, {}}, {{"k", "many"}}));
  EXPECT_FALSE(matches(NSR{"k", "Gt", {"1", "2"}, {}}, {{"k", "5"}}));
  EXPECT_FALSE(matches(NSR{"k", "Gt", {"x"}, {}}, {{"k", "5"}}));
  // Exists with values and unknown operators are malformed.
  EXPECT_FALSE(matches(NSR{"k", "Exists", {"v"}, {}}, {{"k", "v"}}));
  EXPECT_FALSE(matches(NSR{"k", "Gte", {"1"}, {}}, {{"k", "5"}}));
  // matchFields: NotIn, and only metadata.name.
  auto fields = [](NSR field, std::string_view node) {
    return RequiredNodeAffinity({}, required({NodeSelectorTerm{{}, {std::move(field)}}}))
        .matches({}, node);
  };
  EXPECT_TRUE(fields(name("NotIn", "a"), "b"));
  EXPECT_FALSE(fields(name("NotIn", "a"), "a"));
  EXPECT_FALSE(fields(NSR{"metadata.namespace", "In", {"a"}, {}}, "a"));
  EXPECT_FALSE(fields(name("Exists", "a"), "a"));
}

TEST(NodeAffinity, LabelSyntax) {
  EXPECT_TRUE(isQualifiedName("foo"));
  EXPECT_TRUE(isQualifiedName("example.com/foo-bar_baz.1"));
  EXPECT_FALSE(isQualifiedName("invalid key"));
  EXPECT_FALSE(isQualifiedName("/foo"));
  EXPECT_FALSE(isQualifiedName("Example.com/foo"));
  EXPECT_FALSE(isQualifiedName("foo-"));
  EXPECT_FALSE(isQualifiedName(std::string(64, 'a')));
  EXPECT_TRUE(isValidLabelValue(""));
  EXPECT_TRUE(isValidLabelValue("NVIDIA-GRID-K1"));
  EXPECT_FALSE(isValidLabelValue("invalid value: ___@#$%^"));
}

}  // namespace
}  // namespace karpenter::scheduling
