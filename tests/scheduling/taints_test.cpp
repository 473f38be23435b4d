// Ported as data:
//   - kubernetes staging/src/k8s.io/api/core/v1/toleration_test.go, TestTolerationToleratesTaint
//     (all 14 cases; the Gt/Lt cases run with comparison operators enabled, and are also checked
//     to tolerate nothing with the feature off);
//   - kubernetes pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go,
//     TestTaintTolerationFilter (the 9 classic cases and the 3 Gt/Lt cases; the status text is
//     our "untolerated taint {key: value}").
#include "karpenter/scheduling/taints.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace karpenter::scheduling {
namespace {

using api::Taint;
using api::Toleration;

TEST(Taints, ToleratesTaintTable) {
  struct Case {
    std::string description;
    Toleration toleration;
    Taint taint;
    bool tolerated;
    bool comparison = false;
  };
  const std::string sla = "node.kubernetes.io/sla";
  const std::vector<Case> cases = {
      {"same key and effect, Exists, taint without value",
       {"foo", "Exists", "", "NoSchedule", {}},
       {"foo", "", "NoSchedule"},
       true},
      {"same key and effect, Exists, taint with value",
       {"foo", "Exists", "", "NoSchedule", {}},
       {"foo", "bar", "NoSchedule"},
       true},
      {"empty key with Exists matches all taints",
       {"", "Exists", "", "NoSchedule", {}},
       {"foo", "bar", "NoSchedule"},
       true},
      {"same key, effect and value, Equal",
       {"foo", "Equal", "bar", "NoSchedule", {}},
       {"foo", "bar", "NoSchedule"},
       true},
      {"same key and effect, different values, Equal",
       {"foo", "Equal", "value1", "NoSchedule", {}},
       {"foo", "value2", "NoSchedule"},
       false},
      {"same key and value, different effects, Equal",
       {"foo", "Equal", "bar", "NoSchedule", {}},
       {"foo", "bar", "NoExecute"},
       false},
      {"Gt, taint value less than toleration value",
       {sla, "Gt", "950", "NoSchedule", {}},
       {sla, "800", "NoSchedule"},
       false,
       true},
      {"Gt, taint value greater than toleration value",
       {sla, "Gt", "750", "NoSchedule", {}},
       {sla, "950", "NoSchedule"},
       true,
       true},
      {"Lt, taint value greater than toleration value",
       {sla, "Lt", "800", "NoSchedule", {}},
       {sla, "950", "NoSchedule"},
       false,
       true},
      {"Lt, taint value less than toleration value",
       {sla, "Lt", "950", "NoSchedule", {}},
       {sla, "800", "NoSchedule"},
       true,
       true},
      {"Gt, equal numeric value",
       {sla, "Gt", "950", "NoSchedule", {}},
       {sla, "950", "NoSchedule"},
       false,
       true},
      {"Gt, non-numeric taint value",
       {sla, "Gt", "950", "NoSchedule", {}},
       {sla, "high", "NoSchedule"},
       false,
       true},
      {"Gt, negative values, taint below threshold",
       {"test-key", "Gt", "-100", "NoSchedule", {}},
       {"test-key", "-200", "NoSchedule"},
       false,
       true},
      {"Gt, large int64 threshold",
       {"test-key", "Gt", "9223372036854775806", "NoSchedule", {}},
       {"test-key", "100", "NoSchedule"},
       false,
       true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(toleratesTaint(c.toleration, c.taint, {.comparisonOperators = c.comparison}),
              c.tolerated)
        << c.description;
    if (c.comparison) {
      EXPECT_FALSE(toleratesTaint(c.toleration, c.taint)) << c.description << " (gate off)";
    }
  }
}

TEST(Taints, MatchingDetails) {
  // An empty effect tolerates every effect; tolerationSeconds plays no part in matching.
  EXPECT_TRUE(toleratesTaint({"foo", "Equal", "bar", "", 30}, {"foo", "bar", "NoExecute"}));
  EXPECT_TRUE(toleratesTaint({"foo", "", "bar", "", {}}, {"foo", "bar", "PreferNoSchedule"}));
  EXPECT_FALSE(toleratesTaint({"foo", "", "bar", "", {}}, {"foo", "baz", "NoSchedule"}));
  EXPECT_FALSE(toleratesTaint({"other", "Exists", "", "", {}}, {"foo", "bar", "NoSchedule"}));
  EXPECT_FALSE(toleratesTaint({"foo", "Bogus", "bar", "", {}}, {"foo", "bar", "NoSchedule"}));
  EXPECT_TRUE(toleratesTaint({"", "Exists", "", "", {}}, {"anything", "v", "NoExecute"}));
}

TEST(Taints, FilterTable) {
  struct Case {
    std::string name;
    std::vector<Toleration> tolerations;
    std::vector<Taint> taints;
    std::string error;  // empty: schedulable
    bool comparison = false;
  };
  const std::vector<Case> cases = {
      {"no tolerations, nonempty taints",
       {},
       {{"dedicated", "user1", "NoSchedule"}},
       "untolerated taint {dedicated: user1}"},
      {"dedicated node for user1, NoSchedule",
       {{"dedicated", "", "user1", "NoSchedule", {}}},
       {{"dedicated", "user1", "NoSchedule"}},
       ""},
      {"dedicated node for user1, pod tolerates user2",
       {{"dedicated", "Equal", "user2", "NoSchedule", {}}},
       {{"dedicated", "user1", "NoSchedule"}},
       "untolerated taint {dedicated: user1}"},
      {"Exists toleration",
       {{"foo", "Exists", "", "NoSchedule", {}}},
       {{"foo", "bar", "NoSchedule"}},
       ""},
      {"multiple tolerations, multiple taints, all tolerated",
       {{"dedicated", "Equal", "user2", "NoSchedule", {}}, {"foo", "Exists", "", "NoSchedule", {}}},
       {{"dedicated", "user2", "NoSchedule"}, {"foo", "bar", "NoSchedule"}},
       ""},
      {"key and value match but effect differs",
       {{"foo", "Equal", "bar", "PreferNoSchedule", {}}},
       {{"foo", "bar", "NoSchedule"}},
       "untolerated taint {foo: bar}"},
      {"empty toleration effect tolerates NoSchedule",
       {{"foo", "Equal", "bar", "", {}}},
       {{"foo", "bar", "NoSchedule"}},
       ""},
      {"PreferNoSchedule taint does not block a non-matching toleration",
       {{"dedicated", "Equal", "user2", "NoSchedule", {}}},
       {{"dedicated", "user1", "PreferNoSchedule"}},
       ""},
      {"PreferNoSchedule taint does not block a pod without tolerations",
       {},
       {{"dedicated", "user1", "PreferNoSchedule"}},
       ""},
      {"Gt toleration, taint below threshold",
       {{"node.example.com/priority-level", "Gt", "950", "NoSchedule", {}}},
       {{"node.example.com/priority-level", "800", "NoSchedule"}},
       "untolerated taint {node.example.com/priority-level: 800}",
       true},
      {"Gt toleration, taint above threshold",
       {{"node.kubernetes.io/sla", "Gt", "750", "NoSchedule", {}}},
       {{"node.kubernetes.io/sla", "950", "NoSchedule"}},
       "",
       true},
      {"Lt toleration, taint above threshold",
       {{"node.example.com/priority-level", "Lt", "800", "NoSchedule", {}}},
       {{"node.example.com/priority-level", "950", "NoSchedule"}},
       "untolerated taint {node.example.com/priority-level: 950}",
       true},
  };
  for (const auto& c : cases) {
    auto got = toleratesAll(c.tolerations, c.taints, TaintScope::kBlocking,
                            {.comparisonOperators = c.comparison});
    if (c.error.empty()) {
      EXPECT_TRUE(got.ok()) << c.name << ": " << got.error().message;
    } else {
      ASSERT_FALSE(got.ok()) << c.name;
      EXPECT_EQ(got.error().message, c.error) << c.name;
    }
  }
}

TEST(Taints, AllEffectsScopeBlocksPreferNoSchedule) {
  std::vector<Taint> taints = {{"dedicated", "user1", "PreferNoSchedule"}};
  EXPECT_TRUE(toleratesAll({}, taints, TaintScope::kBlocking).ok());
  auto got = toleratesAll({}, taints, TaintScope::kAllEffects);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message, "untolerated taint {dedicated: user1}");
  std::vector<Toleration> tolerations = {{"dedicated", "Exists", "", "PreferNoSchedule", {}}};
  EXPECT_TRUE(toleratesAll(tolerations, taints, TaintScope::kAllEffects).ok());
}

TEST(Taints, ReportsTheFirstUntoleratedTaint) {
  std::vector<Taint> taints = {
      {"a", "1", "NoSchedule"}, {"b", "", "NoExecute"}, {"c", "3", "NoSchedule"}};
  std::vector<Toleration> tolerations = {{"a", "Exists", "", "", {}}};
  auto got = toleratesAll(tolerations, taints);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message, "untolerated taint {b: }");
  EXPECT_EQ(got.error().kind, ErrorKind::kInvalid);
}

TEST(Taints, ToString) {
  EXPECT_EQ(toString(Taint{"karpenter.sh/disrupted", "", "NoSchedule"}),
            "karpenter.sh/disrupted:NoSchedule");
  EXPECT_EQ(toString(Taint{"dedicated", "gpu", "NoExecute"}), "dedicated=gpu:NoExecute");
  EXPECT_EQ(toString(Taint{"dedicated", "gpu", ""}), "dedicated=gpu:");
  EXPECT_EQ(toString(Taint{"dedicated", "", ""}), "dedicated");
}

}  // namespace
}  // namespace karpenter::scheduling
