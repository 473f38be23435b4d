// Ported from kubernetes-sigs/karpenter pkg/scheduling/requirements_test.go (as data):
//   - "should normalize aliased labels" and requirement_test.go "should normalize labels";
//   - "should be compatible" (the full 15x15 table over topology.kubernetes.io/zone; upstream ran
//     it when well-known keys were always allowed to be undefined, i.e. our
//     allowUndefinedWellKnown = true);
//   - "should detect well known label truncations" / "... typos" / "should display an error
//     message for unknown labels" (messages carry our "incompatible requirements, " prefix; the
//     removed karpenter.sh/provisioner-name cases are not ported);
//   - "should convert combinations of labels to expected NodeSelectorRequirements".
#include "karpenter/scheduling/requirements.hpp"

#include <array>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "karpenter/api/well_known.hpp"

namespace karpenter::scheduling {
namespace {

using NSR = api::NodeSelectorRequirement;
constexpr std::string_view kZone = "topology.kubernetes.io/zone";

Requirements reqs(std::vector<NSR> raw) {
  auto r = Requirements::fromNodeSelectorRequirements(raw);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return *r;
}

NSR zone(std::string op, std::vector<std::string> values = {}) {
  return NSR{std::string(kZone), std::move(op), std::move(values), {}};
}

TEST(Requirements, NormalisesAliasedLabels) {
  const api::Labels nodeSelector = {
      {"failure-domain.beta.kubernetes.io/zone", "test"},
      {"failure-domain.beta.kubernetes.io/region", "test"},
      {"beta.kubernetes.io/arch", "test"},
      {"beta.kubernetes.io/os", "test"},
      {"beta.kubernetes.io/instance-type", "test"},
  };
  std::vector<NSR> expressions;
  for (const auto& [key, value] : nodeSelector) {
    expressions.push_back(NSR{key, "In", {value}, {}});
  }
  api::NodeAffinity affinity;
  affinity.requiredDuringSchedulingIgnoredDuringExecution =
      api::NodeSelector{{api::NodeSelectorTerm{expressions, {}}}};
  affinity.preferredDuringSchedulingIgnoredDuringExecution = {
      api::PreferredSchedulingTerm{1, api::NodeSelectorTerm{expressions, {}}}};
  auto pod = Requirements::fromPod(nodeSelector, affinity, PodRequirementMode::kIncludePreferred);
  ASSERT_TRUE(pod.ok());
  const std::vector<std::string> stable = {
      "kubernetes.io/arch", "kubernetes.io/os", "node.kubernetes.io/instance-type",
      "topology.kubernetes.io/region", "topology.kubernetes.io/zone"};
  for (const Requirements& r : {Requirements::fromLabels(nodeSelector), reqs(expressions), *pod}) {
    EXPECT_EQ(r.keys(), stable);
  }
  Requirements aliased = reqs({NSR{"failure-domain.beta.kubernetes.io/zone", "In", {"test"}, {}}});
  EXPECT_TRUE(aliased.has("failure-domain.beta.kubernetes.io/zone"));  // lookups normalise too
  EXPECT_TRUE(aliased.get(kZone).has("test"));
  EXPECT_EQ(aliased.keys(), std::vector<std::string>{std::string(kZone)});
}

TEST(Requirements, AddIntersectsTheSameKey) {
  Requirements r = reqs({zone("In", {"a", "b", "c"}), zone("NotIn", {"b"})});
  EXPECT_EQ(r.size(), 1u);
  EXPECT_EQ(r.get(kZone).toString(), "topology.kubernetes.io/zone In [a c]");
  r.add(Requirement::in(kZone, {"c", "d"}));
  EXPECT_EQ(r.get(kZone).toString(), "topology.kubernetes.io/zone In [c]");
  EXPECT_EQ(r.get("unset").toString(), "unset Exists");
  EXPECT_EQ(r.find("unset"), nullptr);
}

// Rows and columns: unconstrained, exists, doesNotExist, inA, inB, inAB, notInA, in1, in9, in19,
// notIn12, greaterThan1, greaterThan9, lessThan1, lessThan9. Y = row.compatible(column) succeeds.
constexpr std::array<const char*, 15> kCompatible = {
    "YYYYYYYYYYYYYYY", "YYNYYYYYYYYYYYY", "YNYNNNYNNNYNNNN", "YYNYNYNNNNYNNNN", "YYNNYYYNNNYNNNN",
    "YYNYYYYNNNYNNNN", "YYYNYYYYYYYYYYY", "YYNNNNYYNYNNNNY", "YYNNNNYNYYYYNNN", "YYNNNNYYYYYYNNY",
    "YYYYYYYNYYYYYYY", "YYNNNNYNYYYYYNY", "YYNNNNYNNNYYYNN", "YYNNNNYNNNYNNYY", "YYNNNNYYNYYYNYY",
};

std::vector<Requirements> compatibilityFixtures() {
  return {
      Requirements(),
      reqs({zone("Exists")}),
      reqs({zone("DoesNotExist")}),
      reqs({zone("In", {"A"})}),
      reqs({zone("In", {"B"})}),
      reqs({zone("In", {"A", "B"})}),
      reqs({zone("NotIn", {"A"})}),
      reqs({zone("In", {"1"})}),
      reqs({zone("In", {"9"})}),
      reqs({zone("In", {"1", "9"})}),
      reqs({zone("NotIn", {"1", "2"})}),
      reqs({zone("Gt", {"1"})}),
      reqs({zone("Gt", {"9"})}),
      reqs({zone("Lt", {"1"})}),
      reqs({zone("Lt", {"9"})}),
  };
}

TEST(Requirements, CompatibilityTable) {
  auto all = compatibilityFixtures();
  for (size_t i = 0; i < all.size(); ++i) {
    for (size_t j = 0; j < all.size(); ++j) {
      bool want = kCompatible[i][j] == 'Y';
      auto got = all[i].compatible(all[j], /*allowUndefinedWellKnown=*/true);
      EXPECT_EQ(got.ok(), want) << "row " << i << " col " << j << ": " << all[i].toString()
                                << " vs " << all[j].toString();
      EXPECT_EQ(all[i].isCompatible(all[j], true), want) << "row " << i << " col " << j;
      if (!want) {
        EXPECT_TRUE(got.error().message.starts_with("incompatible requirements, key " +
                                                    std::string(kZone) + ", "))
            << got.error().message;
      }
    }
  }
}

TEST(Requirements, UndefinedKeysNeedKnownValuesUnlessWellKnownOrNegative) {
  const Requirements node = reqs({NSR{"team", "In", {"a"}, {}}});
  struct Case {
    NSR pod;
    bool allowWellKnown;
    bool want;
  };
  const std::vector<Case> cases = {
      {NSR{"custom", "In", {"x"}, {}}, true, false},
      {NSR{"custom", "Exists", {}, {}}, true, false},
      {NSR{"custom", "Gt", {"1"}, {}}, true, false},
      {NSR{"custom", "NotIn", {"x"}, {}}, true, true},
      {NSR{"custom", "DoesNotExist", {}, {}}, true, true},
      {zone("In", {"x"}), true, true},
      {zone("In", {"x"}), false, false},
      {zone("DoesNotExist"), false, true},
      {NSR{"karpenter.k8s.aws/instance-family", "In", {"m5"}, {}}, true, true},
      {NSR{"team", "In", {"a"}, {}}, false, true},
      {NSR{"team", "In", {"b"}, {}}, false, false},
      {NSR{"team", "NotIn", {"a"}, {}}, false, false},
  };
  for (const auto& c : cases) {
    Requirements pod = reqs({c.pod});
    EXPECT_EQ(node.compatible(pod, c.allowWellKnown).ok(), c.want) << pod.toString();
    EXPECT_EQ(node.isCompatible(pod, c.allowWellKnown), c.want) << pod.toString();
  }
}

TEST(Requirements, ErrorMessages) {
  const Requirements unconstrained;
  struct Case {
    std::string key;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"zone",
       R"(label "zone" does not have known values (typo of "topology.kubernetes.io/zone"?))"},
      {"region",
       R"(label "region" does not have known values (typo of "topology.kubernetes.io/region"?))"},
      {"instance-type",
       R"(label "instance-type" does not have known values (typo of "node.kubernetes.io/instance-type"?))"},
      {"arch", R"(label "arch" does not have known values (typo of "kubernetes.io/arch"?))"},
      {"capacity-type",
       R"(label "capacity-type" does not have known values (typo of "karpenter.sh/capacity-type"?))"},
      {"topology.kubernetesio/zone",
       R"(label "topology.kubernetesio/zone" does not have known values (typo of "topology.kubernetes.io/zone"?))"},
      {"topology.kubernetes.io/regio",
       R"(label "topology.kubernetes.io/regio" does not have known values (typo of "topology.kubernetes.io/region"?))"},
      {"deployment", R"(label "deployment" does not have known values)"},
  };
  for (const auto& c : cases) {
    auto got = unconstrained.compatible(reqs({NSR{c.key, "Exists", {}, {}}}), true);
    ASSERT_FALSE(got.ok()) << c.key;
    EXPECT_EQ(got.error().message, "incompatible requirements, " + c.message);
  }
  // Without well-known hints, keys the node side defines are suggested instead.
  auto custom = reqs({NSR{"example.com/team", "In", {"a"}, {}}})
                    .compatible(reqs({NSR{"team", "In", {"a"}, {}}}));
  EXPECT_EQ(
      custom.error().message,
      R"(incompatible requirements, label "team" does not have known values (typo of "example.com/team"?))");

  auto conflict = reqs({zone("In", {"b"})}).compatible(reqs({zone("In", {"a"})}), true);
  EXPECT_EQ(conflict.error().message,
            "incompatible requirements, key topology.kubernetes.io/zone, "
            "topology.kubernetes.io/zone In [a] not in topology.kubernetes.io/zone In [b]");
  auto intersects = reqs({zone("In", {"b"})}).intersects(reqs({zone("In", {"a"})}));
  EXPECT_EQ(intersects.error().message,
            "key topology.kubernetes.io/zone, topology.kubernetes.io/zone In [a] not in "
            "topology.kubernetes.io/zone In [b]");
  // Undefined keys are reported before conflicts, as upstream does.
  auto both = reqs({zone("In", {"b"})})
                  .compatible(reqs({zone("In", {"a"}), NSR{"zzz", "In", {"x"}, {}}}), true);
  EXPECT_EQ(both.error().message,
            R"(incompatible requirements, label "zzz" does not have known values)");
}

TEST(Requirements, IntersectsIgnoresKeysDefinedOnOneSide) {
  EXPECT_TRUE(reqs({zone("In", {"a"})}).intersects(reqs({NSR{"x", "In", {"y"}, {}}})).ok());
  EXPECT_TRUE(Requirements().intersects(reqs({zone("In", {"a"})})).ok());
}

TEST(Requirements, NodeSelectorRequirementsConversion) {
  Requirements r = reqs({
      NSR{"exists", "Exists", {}, {}},
      NSR{"doesNotExist", "DoesNotExist", {}, {}},
      NSR{"inA", "In", {"A"}, {}},
      NSR{"inB", "In", {"B"}, {}},
      NSR{"inAB", "In", {"A", "B"}, {}},
      NSR{"notInA", "NotIn", {"A"}, {}},
      NSR{"in1", "In", {"1"}, {}},
      NSR{"in9", "In", {"9"}, {}},
      NSR{"in19", "In", {"1", "9"}, {}},
      NSR{"notIn12", "NotIn", {"1", "2"}, {}},
      NSR{"greaterThan1", "Gt", {"1"}, {}},
      NSR{"greaterThan9", "Gt", {"9"}, {}},
      NSR{"lessThan1", "Lt", {"1"}, {}},
      NSR{"lessThan9", "Lt", {"9"}, {}},
  });
  // Sorted by key; Gt/Lt come back in their canonical Gte/Lte form.
  const std::vector<NSR> expected = {
      NSR{"doesNotExist", "DoesNotExist", {}, {}},
      NSR{"exists", "Exists", {}, {}},
      NSR{"greaterThan1", "Gte", {"2"}, {}},
      NSR{"greaterThan9", "Gte", {"10"}, {}},
      NSR{"in1", "In", {"1"}, {}},
      NSR{"in19", "In", {"1", "9"}, {}},
      NSR{"in9", "In", {"9"}, {}},
      NSR{"inA", "In", {"A"}, {}},
      NSR{"inAB", "In", {"A", "B"}, {}},
      NSR{"inB", "In", {"B"}, {}},
      NSR{"lessThan1", "Lte", {"0"}, {}},
      NSR{"lessThan9", "Lte", {"8"}, {}},
      NSR{"notIn12", "NotIn", {"1", "2"}, {}},
      NSR{"notInA", "NotIn", {"A"}, {}},
  };
  EXPECT_EQ(r.toNodeSelectorRequirements(), expected);
}

TEST(Requirements, FromPodTakesFirstRequiredTermAndHeaviestPreference) {
  api::NodeAffinity affinity;
  affinity.requiredDuringSchedulingIgnoredDuringExecution = api::NodeSelector{{
      api::NodeSelectorTerm{{zone("In", {"a", "b"})}, {}},
      api::NodeSelectorTerm{{zone("In", {"c"})}, {}},
  }};
  affinity.preferredDuringSchedulingIgnoredDuringExecution = {
      api::PreferredSchedulingTerm{1, api::NodeSelectorTerm{{zone("In", {"a"})}, {}}},
      api::PreferredSchedulingTerm{5, api::NodeSelectorTerm{{zone("In", {"b"})}, {}}},
      api::PreferredSchedulingTerm{5, api::NodeSelectorTerm{{zone("In", {"c"})}, {}}},
  };
  const api::Labels nodeSelector = {{"team", "x"}};
  auto strict = Requirements::fromPod(nodeSelector, affinity, PodRequirementMode::kRequiredOnly);
  ASSERT_TRUE(strict.ok());
  EXPECT_EQ(strict->toString(), "team In [x], topology.kubernetes.io/zone In [a b]");
  auto all = Requirements::fromPod(nodeSelector, affinity, PodRequirementMode::kIncludePreferred);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->toString(), "team In [x], topology.kubernetes.io/zone In [b]");
  auto none = Requirements::fromPod(nodeSelector, std::nullopt, PodRequirementMode::kRequiredOnly);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->toString(), "team In [x]");

  affinity.requiredDuringSchedulingIgnoredDuringExecution->nodeSelectorTerms[0].matchExpressions = {
      NSR{"k", "Bogus", {}, {}}};
  auto bad = Requirements::fromPod({}, affinity, PodRequirementMode::kRequiredOnly);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "required node affinity: requirement k: unsupported operator \"Bogus\"");
}

TEST(Requirements, LabelsComeFromSingleValuedInRequirements) {
  Requirements r = reqs({zone("In", {"a"}), NSR{"multi", "In", {"a", "b"}, {}},
                         NSR{"neg", "NotIn", {"a"}, {}}, NSR{"any", "Exists", {}, {}},
                         NSR{"num", "Gt", {"3"}, {}}, NSR{"team", "In", {"x"}, {}}});
  EXPECT_EQ(r.labels(), (api::Labels{{std::string(kZone), "a"}, {"team", "x"}}));
}

TEST(Requirements, ToStringLeavesOutHostname) {
  Requirements r = reqs(
      {NSR{"kubernetes.io/hostname", "In", {"hostname-placeholder-0001"}, {}}, zone("In", {"a"})});
  EXPECT_EQ(r.toString(), "topology.kubernetes.io/zone In [a]");
}

TEST(Requirements, MinValues) {
  Requirements pool = reqs({NSR{"karpenter.k8s.aws/instance-family", "In", {"c5", "m5", "r5"}, 2},
                            NSR{"kubernetes.io/arch", "In", {"amd64"}, {}}});
  EXPECT_TRUE(pool.hasMinValues());
  EXPECT_FALSE(reqs({zone("In", {"a"})}).hasMinValues());
  // minValues survives intersection, keeping the larger value.
  Requirements tightened = pool;
  tightened.add(*Requirement::create("karpenter.k8s.aws/instance-family", "NotIn", {"r5"}, 1));
  EXPECT_EQ(tightened.get("karpenter.k8s.aws/instance-family").minValues(), 2);

  auto family = [](std::string value) {
    return Requirements::fromLabels({{"karpenter.k8s.aws/instance-family", std::move(value)}});
  };
  Requirements c5a = family("c5");
  Requirements c5b = family("c5");
  Requirements x1 = family("x1");  // not allowed by the pool, so it does not count
  Requirements m5 = family("m5");
  std::vector<const Requirements*> candidates = {&c5a, &c5b, &x1, &m5};
  auto needed = pool.minValuesSatisfiedBy(candidates);
  ASSERT_TRUE(needed.ok());
  EXPECT_EQ(*needed, 4u);
  std::vector<const Requirements*> tooFew = {&c5a, &c5b, &x1};
  auto failed = pool.minValuesSatisfiedBy(tooFew);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message,
            "minValues requirement is not met for label(s) karpenter.k8s.aws/instance-family");
  EXPECT_EQ(*reqs({zone("In", {"a"})}).minValuesSatisfiedBy(tooFew), 0u);
}

}  // namespace
}  // namespace karpenter::scheduling
