#include "karpenter/simulation/workload_pods.hpp"

#include <gtest/gtest.h>

#include "karpenter/api/yaml.hpp"

namespace karpenter::simulation {
namespace {

std::vector<nlohmann::json> parse(const std::string& yaml) {
  auto manifests = api::parseManifests(yaml, "test.yaml");
  EXPECT_TRUE(manifests) << manifests.error().message;
  return manifests ? *manifests : std::vector<nlohmann::json>{};
}

TEST(WorkloadPods, ExpandsReplicatedWorkloadsAndJobsKeepingTheTemplate) {
  auto pods = workloadPods(parse(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: web}}
    spec:
      tolerations: [{key: k, operator: Exists}]
      containers: [{name: c, resources: {requests: {cpu: 250m}}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: batch}
spec:
  parallelism: 2
  template:
    spec:
      containers: [{name: c}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  template:
    spec:
      containers: [{name: c}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ignored}
)"));
  ASSERT_TRUE(pods) << pods.error().message;
  ASSERT_EQ(pods->size(), 5u);
  const auto& first = (*pods)[0];
  EXPECT_EQ(first["metadata"]["name"], "web-0");
  EXPECT_EQ(first["metadata"]["namespace"], "shop");
  EXPECT_EQ(first["metadata"]["labels"]["app"], "web");
  EXPECT_EQ(first["metadata"]["ownerReferences"][0]["kind"], "Deployment");
  EXPECT_EQ(first["spec"]["tolerations"][0]["key"], "k");
  EXPECT_EQ(first["spec"]["containers"][0]["resources"]["requests"]["cpu"], "250m");
  EXPECT_EQ(first["status"]["conditions"][0]["reason"], "Unschedulable");
  EXPECT_EQ((*pods)[2]["metadata"]["name"], "web-2");
  EXPECT_EQ((*pods)[3]["metadata"]["name"], "batch-0");
  EXPECT_EQ((*pods)[3]["metadata"]["namespace"], "default");
}

TEST(WorkloadPods, BarePodsAreKeptAndMarkedUnschedulableUnlessBound) {
  auto pods = workloadPods(parse(R"(
apiVersion: v1
kind: Pod
metadata: {name: loose}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: bound}
spec: {nodeName: n1, containers: [{name: c}]}
)"));
  ASSERT_TRUE(pods);
  ASSERT_EQ(pods->size(), 2u);
  EXPECT_EQ((*pods)[0]["status"]["phase"], "Pending");
  EXPECT_FALSE((*pods)[1].contains("status"));
}

TEST(WorkloadPods, ZeroReplicasGiveNoPodsAndBadReplicasNameTheField) {
  auto none = workloadPods(parse(R"(
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec: {replicas: 0, template: {spec: {containers: [{name: c}]}}}
)"));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto bad = workloadPods(parse(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {replicas: "3", template: {spec: {containers: [{name: c}]}}}
)"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "Deployment shop/web: spec.replicas: must be a non-negative integer, got \"3\"");
  auto missing =
      workloadPods(parse("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "Deployment x: spec.template: required");
}

}  // namespace
}  // namespace karpenter::simulation
