#include "karpenter/simulation/simulator.hpp"

#include <gtest/gtest.h>

#include "karpenter/api/yaml.hpp"

namespace karpenter::simulation {
namespace {

std::vector<nlohmann::json> parse(const std::string& yaml) {
  auto manifests = api::parseManifests(yaml, "test.yaml");
  EXPECT_TRUE(manifests) << manifests.error().message;
  return manifests ? *manifests : std::vector<nlohmann::json>{};
}

constexpr const char* kInput = R"(
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: general}
spec:
  template:
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
      requirements:
      - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}
      - {key: karpenter.k8s.aws/instance-family, operator: In, values: [m5]}
  limits: {cpu: "64"}
---
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: {name: default}
spec:
  amiSelectorTerms: [{alias: al2023@latest}]
  role: KarpenterNodeRole-test
  subnetSelectorTerms: [{tags: {karpenter.sh/discovery: test}}]
  securityGroupSelectorTerms: [{tags: {karpenter.sh/discovery: test}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 6
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, resources: {requests: {cpu: "1", memory: 1Gi}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: needs-gpu, namespace: ml}
spec:
  containers: [{name: c, resources: {requests: {nvidia.com/gpu: "1"}, limits: {nvidia.com/gpu: "1"}}}]
)";

TEST(Simulate, PlansAndPricesNodeClaimsAndReportsWhatCannotBePlaced) {
  auto plan = simulate(parse(kInput), {});
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_FALSE(plan->nodeClaims.empty());
  size_t placed = 0;
  for (const auto& claim : plan->nodeClaims) {
    EXPECT_EQ(claim.nodePool, "general");
    EXPECT_EQ(claim.instanceType.rfind("m5.", 0), 0u) << claim.instanceType;
    EXPECT_EQ(claim.capacityType, "on-demand");
    EXPECT_GT(claim.pricePerHour, 0);
    EXPECT_GT(claim.instanceTypeChoices, 0u);
    EXPECT_LE(utilisation(claim.requested, claim.allocatable, "cpu"), 100.0);
    for (const auto& [resource, quantity] : claim.daemonSetOverhead) {
      EXPECT_TRUE(quantity.isZero()) << claim.name << " " << resource;  // no DaemonSets here
    }
    placed += claim.pods.size();
  }
  EXPECT_EQ(placed, 6u);
  ASSERT_EQ(plan->pendingPods.size(), 1u);
  EXPECT_EQ(plan->pendingPods[0].pod, "ml/needs-gpu");
  EXPECT_NE(plan->pendingPods[0].reason.find("general"), std::string::npos)
      << plan->pendingPods[0].reason;
  EXPECT_GT(plan->totalPricePerHour(), 0);

  const auto json = toJson(*plan);
  EXPECT_EQ(json["nodeClaims"].size(), plan->nodeClaims.size());
  EXPECT_NE(renderTable(*plan).find("1 pods left pending"), std::string::npos);
  EXPECT_NE(renderYaml(*plan).find("pendingPods:"), std::string::npos);
}

TEST(Simulate, UtilisationCountsTheDaemonSetPodsEachNodeWillRun) {
  const std::string daemonSets = R"(
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: logs, namespace: kube-system}
spec:
  selector: {matchLabels: {app: logs}}
  template:
    metadata: {labels: {app: logs}}
    spec:
      containers: [{name: c, resources: {requests: {cpu: 300m, memory: 200Mi}}}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: gpu-only, namespace: kube-system}
spec:
  selector: {matchLabels: {app: gpu}}
  template:
    metadata: {labels: {app: gpu}}
    spec:
      nodeSelector: {karpenter.k8s.aws/instance-gpu-count: "1"}
      containers: [{name: c, resources: {requests: {cpu: "1", memory: 1Gi}}}]
)";
  auto plan = simulate(parse(std::string(kInput) + daemonSets), {});
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_FALSE(plan->nodeClaims.empty());
  const auto json = toJson(*plan);
  for (size_t i = 0; i < plan->nodeClaims.size(); ++i) {
    const auto& claim = plan->nodeClaims[i];
    // Only the DaemonSet that tolerates every node lands on these m5 nodes (no GPUs).
    EXPECT_EQ(claim.daemonSetOverhead.at("cpu").milliValue(), 300) << claim.name;
    EXPECT_EQ(claim.daemonSetOverhead.at("memory").value(), 200 * 1024 * 1024) << claim.name;
    // requested = each web pod's 1 CPU + the DaemonSet's 300m.
    EXPECT_EQ(claim.requested.at("cpu").milliValue(),
              static_cast<int64_t>(claim.pods.size()) * 1000 + 300)
        << claim.name;
    const double expected = 100.0 * (static_cast<double>(claim.pods.size()) + 0.3) /
                            claim.allocatable.at("cpu").asApproximateFloat64();
    EXPECT_DOUBLE_EQ(json["nodeClaims"][i]["cpuUtilisationWithDaemonSets"].get<double>(), expected);
    EXPECT_EQ(json["nodeClaims"][i]["daemonSetOverhead"]["cpu"], "300m");
  }
  const std::string table = renderTable(*plan);
  EXPECT_NE(table.find("CPU*"), std::string::npos) << table;
  EXPECT_NE(table.find("plus the DaemonSet pods"), std::string::npos) << table;
}

TEST(Simulate, WithoutItsNodeClassANodePoolIsNotReadyAndThePendingReasonSaysSo) {
  auto plan = simulate(parse(R"(
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: orphan}
spec:
  template:
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: missing}
      requirements: []
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: default}
spec: {containers: [{name: c, resources: {requests: {cpu: 100m}}}]}
)"),
                       {});
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_TRUE(plan->nodeClaims.empty());
  ASSERT_EQ(plan->pendingPods.size(), 1u);
  EXPECT_NE(plan->pendingPods[0].reason.find("nodepool \"orphan\" is not ready"), std::string::npos)
      << plan->pendingPods[0].reason;
}

TEST(Simulate, BadInputNamesTheObjectAndField) {
  auto plan = simulate(parse("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"), {});
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().message, "Deployment x: spec.template: required");
}

}  // namespace
}  // namespace karpenter::simulation
