#include "karpenter/admission/nodepool_validation.hpp"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "karpenter/admission/template_rules.hpp"
#include "karpenter/api/validation.hpp"

namespace karpenter::admission {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

api::NodePool validPool() {
  api::NodePool pool;
  auto& tmpl = pool.spec.template_.spec;
  tmpl.requirements = {{"kubernetes.io/arch", "In", {"amd64"}, std::nullopt}};
  tmpl.nodeClassRef = {"karpenter.k8s.aws", "EC2NodeClass", "default"};
  tmpl.expireAfter = "720h";
  pool.spec.disruption = {"0s", "WhenEmptyOrUnderutilized", {{"10%", {}, {}, {}}}};
  return pool;
}

std::vector<std::string> check(const api::NodePool& pool) {
  return validateNodePool(pool).messages();
}

const std::string kReq = "spec.template.spec.requirements[0]";

TEST(NodePoolValidation, ValidPoolIsAdmitted) {
  EXPECT_THAT(check(validPool()), IsEmpty());
}

TEST(NodePoolValidation, Weight) {
  auto pool = validPool();
  pool.spec.weight = 100;
  EXPECT_THAT(check(pool), IsEmpty());
  pool.spec.weight = 101;
  EXPECT_THAT(check(pool),
              ElementsAre("spec.weight: Invalid value: 101: must be between 1 and 100"));
  pool.spec.weight = 0;
  EXPECT_THAT(check(pool), ElementsAre("spec.weight: Invalid value: 0: must be between 1 and 100"));
}

TEST(NodePoolValidation, RequirementsRequired) {
  auto pool = validPool();
  pool.spec.template_.spec.requirements.clear();
  EXPECT_THAT(check(pool), ElementsAre("spec.template.spec.requirements: Required value"));
}

TEST(NodePoolValidation, Operator) {
  auto pool = validPool();
  pool.spec.template_.spec.requirements[0] = {"kubernetes.io/arch", "Exists", {}, std::nullopt};
  EXPECT_THAT(check(pool), IsEmpty());
  pool.spec.template_.spec.requirements[0].op = "Foo";
  EXPECT_THAT(check(pool),
              ElementsAre(kReq + ".operator: Unsupported value: \"Foo\": supported "
                                 "values: \"In\", \"NotIn\", \"Exists\", "
                                 "\"DoesNotExist\", \"Gt\", \"Lt\", \"Gte\", \"Lte\""));
}

TEST(NodePoolValidation, InNeedsValues) {
  auto pool = validPool();
  pool.spec.template_.spec.requirements[0].values.clear();
  EXPECT_THAT(check(pool), ElementsAre(kReq + ".values: Invalid value: []: requirements with "
                                              "operator 'In' must have a value defined"));
}

TEST(NodePoolValidation, NumericOperators) {
  auto pool = validPool();
  auto& r = pool.spec.template_.spec.requirements[0];
  r = {"karpenter.k8s.aws/instance-cpu", "Gte", {"4"}, std::nullopt};
  EXPECT_THAT(check(pool), IsEmpty());
  r.values = {"abc"};
  EXPECT_THAT(check(pool), ElementsAre(kReq + ".values: Invalid value: [\"abc\"]: requirements "
                                              "with operator 'Gte' must have a single positive "
                                              "integer value"));
  r.op = "Lt";
  r.values = {"1", "2"};
  EXPECT_THAT(check(pool), ElementsAre(kReq + ".values: Invalid value: [\"1\",\"2\"]: "
                                              "requirements with operator 'Lt' must have a single "
                                              "positive integer value"));
}

TEST(NodePoolValidation, MinValues) {
  auto pool = validPool();
  auto& r = pool.spec.template_.spec.requirements[0];
  r.values = {"amd64", "arm64"};
  r.minValues = 2;
  EXPECT_THAT(check(pool), IsEmpty());
  r.minValues = 3;
  EXPECT_THAT(check(pool), ElementsAre(kReq + ".minValues: Invalid value: 3: requirements with "
                                              "'minValues' must have at least that many values "
                                              "specified in the 'values' field"));
  r.minValues = 51;
  EXPECT_THAT(check(pool),
              ElementsAre(kReq + ".minValues: Invalid value: 51: must be between 1 and 50"));
  r.minValues = 0;
  EXPECT_THAT(check(pool),
              ElementsAre(kReq + ".minValues: Invalid value: 0: must be between 1 and 50"));
}

TEST(NodePoolValidation, RestrictedRequirementKeys) {
  auto pool = validPool();
  auto& r = pool.spec.template_.spec.requirements[0];
  r = {"example.com/team", "Exists", {}, std::nullopt};
  EXPECT_THAT(check(pool), IsEmpty());
  r.key = "karpenter.sh/foo";
  EXPECT_THAT(check(pool), ElementsAre(kReq + ".key: Invalid value: \"karpenter.sh/foo\": label "
                                              "domain \"karpenter.sh\" is restricted"));
  r.key = "kubernetes.io/hostname";
  EXPECT_THAT(check(pool), ElementsAre(kReq + ".key: Invalid value: \"kubernetes.io/hostname\": "
                                              "label \"kubernetes.io/hostname\" is restricted"));
  r.key = "karpenter.sh/nodepool";
  EXPECT_THAT(check(pool), ElementsAre(kReq + ".key: Invalid value: \"karpenter.sh/nodepool\": "
                                              "label \"karpenter.sh/nodepool\" is restricted"));
  r.key = "Bad Key";
  EXPECT_THAT(check(pool), ElementsAre(kReq + ".key: Invalid value: \"Bad Key\": " + kReq +
                                       ".key in body should match '" +
                                       std::string(kRequirementKeyPattern) + "'"));
}

TEST(NodePoolValidation, RequirementValues) {
  auto pool = validPool();
  auto& r = pool.spec.template_.spec.requirements[0];
  r.values = {"-bad"};
  EXPECT_THAT(check(pool), ElementsAre(kReq + ".values[0]: Invalid value: \"-bad\": " +
                                       api::isValidLabelValue("-bad").front()));
}

TEST(NodePoolValidation, CapacityTypeValues) {
  auto pool = validPool();
  auto& r = pool.spec.template_.spec.requirements[0];
  r = {"karpenter.sh/capacity-type", "In", {"spot", "on-demand"}, std::nullopt};
  EXPECT_THAT(check(pool), IsEmpty());
  r.values = {"cheap"};
  EXPECT_THAT(check(pool),
              ElementsAre(kReq + ".values: Invalid value: [\"cheap\"]: no valid values found for "
                                 "karpenter.sh/capacity-type, expected at least 1 of: on-demand, "
                                 "spot, reserved"));
}

TEST(NodePoolValidation, Labels) {
  auto pool = validPool();
  auto& labels = pool.spec.template_.metadata.labels;
  labels = {{"team", "a"}, {"karpenter.sh/capacity-type", "spot"}};
  EXPECT_THAT(check(pool), IsEmpty());
  labels = {{"karpenter.sh/nodepool", "x"}};
  EXPECT_THAT(check(pool), ElementsAre("spec.template.metadata.labels[karpenter.sh/nodepool]: "
                                       "Invalid value: \"karpenter.sh/nodepool\": label "
                                       "\"karpenter.sh/nodepool\" is restricted"));
  labels = {{"team.karpenter.sh/x", "y"}};
  EXPECT_THAT(check(pool), ElementsAre("spec.template.metadata.labels[team.karpenter.sh/x]: "
                                       "Invalid value: \"team.karpenter.sh/x\": label domain "
                                       "\"karpenter.sh\" is restricted"));
  labels = {{"team", "no spaces"}};
  EXPECT_THAT(check(pool), ElementsAre("spec.template.metadata.labels[team]: Invalid value: "
                                       "\"no spaces\": " +
                                       api::isValidLabelValue("no spaces").front()));
}

TEST(NodePoolValidation, Taints) {
  auto pool = validPool();
  auto& tmpl = pool.spec.template_.spec;
  tmpl.taints = {{"dedicated", "gpu", "NoSchedule"}};
  tmpl.startupTaints = {{"dedicated", "gpu", "NoExecute"}};
  EXPECT_THAT(check(pool), IsEmpty());
  tmpl.taints = {{"", "", "Sometimes"}};
  EXPECT_THAT(check(pool),
              ElementsAre("spec.template.spec.taints[0].key: Required value",
                          "spec.template.spec.taints[0].effect: Unsupported value: \"Sometimes\": "
                          "supported values: \"NoExecute\", \"NoSchedule\", \"PreferNoSchedule\""));
  tmpl.taints = {{"dedicated", "gpu", "NoSchedule"}};
  tmpl.startupTaints = {{"dedicated", "other", "NoSchedule"}};
  EXPECT_THAT(check(pool), ElementsAre("spec.template.spec.startupTaints[0]: Duplicate value: "
                                       "\"dedicated:NoSchedule\""));
}

TEST(NodePoolValidation, NodeClassRef) {
  auto pool = validPool();
  auto& ref = pool.spec.template_.spec.nodeClassRef;
  ref = {"a/b", "", ""};
  EXPECT_THAT(check(pool),
              ElementsAre("spec.template.spec.nodeClassRef.group: Invalid value: \"a/b\": "
                          "spec.template.spec.nodeClassRef.group in body should match '^[^/]*$'",
                          "spec.template.spec.nodeClassRef.kind: Required value",
                          "spec.template.spec.nodeClassRef.name: Required value"));
  ref.group = "";
  EXPECT_EQ(check(pool).front(), "spec.template.spec.nodeClassRef.group: Required value");
}

TEST(NodePoolValidation, Durations) {
  auto pool = validPool();
  pool.spec.template_.spec.expireAfter = "Never";
  pool.spec.template_.spec.terminationGracePeriod = "1h30m";
  pool.spec.disruption.consolidateAfter = "Never";
  EXPECT_THAT(check(pool), IsEmpty());
  pool.spec.template_.spec.expireAfter = "1d";
  pool.spec.template_.spec.terminationGracePeriod = "Never";
  pool.spec.disruption.consolidateAfter = "5";
  EXPECT_THAT(check(pool),
              ElementsAre("spec.template.spec.expireAfter: Invalid value: \"1d\": "
                          "spec.template.spec.expireAfter in body should match "
                          "'^(([0-9]+(s|m|h))+|Never)$'",
                          "spec.template.spec.terminationGracePeriod: Invalid value: \"Never\": "
                          "spec.template.spec.terminationGracePeriod in body should match "
                          "'^([0-9]+(s|m|h))+$'",
                          "spec.disruption.consolidateAfter: Invalid value: \"5\": "
                          "spec.disruption.consolidateAfter in body should match "
                          "'^(([0-9]+(s|m|h))+|Never)$'"));
}

TEST(NodePoolValidation, ConsolidationPolicy) {
  auto pool = validPool();
  pool.spec.disruption.consolidationPolicy = "Balanced";
  EXPECT_THAT(check(pool), IsEmpty());
  pool.spec.disruption.consolidationPolicy = "Always";
  EXPECT_THAT(check(pool), ElementsAre("spec.disruption.consolidationPolicy: Unsupported value: "
                                       "\"Always\": supported values: \"WhenEmpty\", "
                                       "\"WhenEmptyOrUnderutilized\", \"Balanced\""));
}

TEST(NodePoolValidation, Budgets) {
  auto pool = validPool();
  auto& budgets = pool.spec.disruption.budgets;
  budgets = {{"5", "0 9 * * mon-fri", "8h", {"Empty", "Drifted"}}, {"100%", "@daily", "1h30m", {}}};
  EXPECT_THAT(check(pool), IsEmpty());
  const std::string b = "spec.disruption.budgets[0]";
  budgets = {{"101%", {}, "1h", {"Sometimes"}}};
  EXPECT_THAT(check(pool),
              ElementsAre(b + ".nodes: Invalid value: \"101%\": " + b +
                              ".nodes in body should match '^((100|[0-9]{1,2})%|[0-9]+)$'",
                          b + ": Invalid value: \"object\": 'schedule' must be set with 'duration'",
                          b + ".reasons[0]: Unsupported value: \"Sometimes\": supported values: "
                              "\"Underutilized\", \"Empty\", \"Drifted\""));
  budgets = {{"1", "0 24 * * *", "10s", {}}};
  EXPECT_THAT(check(pool),
              ElementsAre(b + ".schedule: Invalid value: \"0 24 * * *\": invalid cron schedule: "
                              "hour field: values must be between 0 and 23 in \"24\"",
                          b + ".duration: Invalid value: \"10s\": " + b +
                              ".duration in body should match "
                              "'^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$'"));
  budgets.assign(51, api::Budget{"1", {}, {}, {}});
  EXPECT_THAT(check(pool), ElementsAre("spec.disruption.budgets: Too many: 51: must have at most "
                                       "50 items"));
}

TEST(NodePoolValidation, Limits) {
  auto pool = validPool();
  pool.spec.limits = {{"cpu", api::Quantity::mustParse("100")},
                      {"nodes", api::Quantity::mustParse("10")}};
  EXPECT_THAT(check(pool), IsEmpty());
  pool.spec.limits["cpu"] = api::Quantity::mustParse("-1");
  EXPECT_THAT(check(pool), ElementsAre("spec.limits[cpu]: Invalid value: \"-1\": must be greater "
                                       "than or equal to 0"));
}

TEST(NodePoolValidation, Replicas) {
  auto pool = validPool();
  pool.spec.replicas = 3;
  pool.spec.limits = {{"nodes", api::Quantity::mustParse("5")}};
  EXPECT_THAT(check(pool), IsEmpty());
  pool.spec.replicas = -1;
  pool.spec.weight = 10;
  pool.spec.limits["cpu"] = api::Quantity::mustParse("4");
  EXPECT_THAT(check(pool),
              ElementsAre("spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                          "spec.weight: Forbidden: 'weight' cannot be set when 'replicas' is set",
                          "spec.limits[cpu]: Forbidden: only the 'nodes' limit is allowed when "
                          "'replicas' is set"));
}

TEST(NodePoolValidation, AllViolationsAreReported) {
  auto pool = validPool();
  pool.spec.weight = 0;
  pool.spec.template_.spec.requirements[0].op = "Maybe";
  pool.spec.template_.spec.nodeClassRef.name = "";
  pool.spec.disruption.consolidationPolicy = "Never";
  const auto errors = validateNodePool(pool);
  EXPECT_EQ(errors.size(), 4U);
  EXPECT_EQ(errors.aggregate().front(), '[');
  EXPECT_NE(errors.aggregate().find("spec.weight: Invalid value: 0"), std::string::npos);
  EXPECT_NE(errors.aggregate().find(", spec.template.spec.nodeClassRef.name: Required value"),
            std::string::npos);
}

TEST(NodePoolValidation, UpdateImmutability) {
  const auto old = validPool();
  auto updated = old;
  updated.spec.template_.spec.nodeClassRef.name = "other";
  EXPECT_THAT(validateNodePoolUpdate(old, updated).messages(), IsEmpty());
  updated.spec.template_.spec.nodeClassRef.group = "example.com";
  updated.spec.template_.spec.nodeClassRef.kind = "Other";
  updated.spec.replicas = 1;
  EXPECT_THAT(validateNodePoolUpdate(old, updated).messages(),
              ElementsAre("spec.template.spec.nodeClassRef.group: Invalid value: \"example.com\": "
                          "nodeClassRef.group is immutable",
                          "spec.template.spec.nodeClassRef.kind: Invalid value: \"Other\": "
                          "nodeClassRef.kind is immutable",
                          "spec.replicas: Forbidden: replicas cannot be added to or removed from "
                          "an existing NodePool"));
}

}  // namespace
}  // namespace karpenter::admission
