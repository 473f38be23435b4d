#include "karpenter/cli/workload_requests.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "karpenter/api/yaml.hpp"

namespace karpenter::cli {
namespace {

using api::Quantity;
using ::testing::HasSubstr;

std::vector<nlohmann::json> manifests(std::string_view yaml) {
  auto parsed = api::parseManifests(yaml);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? *parsed : std::vector<nlohmann::json>{};
}

TEST(WorkloadRequests, ExpandsWorkloadsAndSkipsOtherKinds) {
  auto workloads = workloadRequests(manifests(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  template:
    spec:
      initContainers:
      - {name: init, resources: {requests: {cpu: "2"}}}
      containers:
      - {name: app, resources: {requests: {cpu: 500m, memory: 1Gi}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: batch}
spec:
  template:
    spec:
      containers: [{name: c, resources: {requests: {cpu: 1}}}]
---
apiVersion: v1
kind: Service
metadata: {name: ignored}
---
apiVersion: v1
kind: Pod
metadata: {name: solo, namespace: ops}
spec:
  overhead: {cpu: 250m}
  containers: [{name: c, resources: {requests: {cpu: 100m}}}]
)"));
  ASSERT_TRUE(workloads.ok()) << workloads.error().message;
  ASSERT_EQ(workloads->size(), 3u);
  const auto& web = (*workloads)[0];
  EXPECT_EQ(web.kind, "Deployment");
  EXPECT_EQ(web.namespace_, "shop");
  EXPECT_EQ(web.replicas, 3);
  EXPECT_EQ(web.perPod.at("cpu"), Quantity::mustParse("2"));  // the init container dominates
  EXPECT_EQ(web.perPod.at("memory"), Quantity::mustParse("1Gi"));
  EXPECT_EQ((*workloads)[1].replicas, 1);  // parallelism defaults to 1
  EXPECT_EQ((*workloads)[1].namespace_, "default");
  EXPECT_EQ((*workloads)[2].perPod.at("cpu"), Quantity::mustParse("350m"));  // overhead added
}

TEST(WorkloadRequests, TableTotalsReplicasAndReportsDaemonSetsPerNode) {
  auto workloads = workloadRequests(manifests(R"(
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  template: {spec: {containers: [{name: c, resources: {requests: {cpu: 250m, memory: 256Mi}}}]}}
---
kind: DaemonSet
metadata: {name: agent}
spec:
  template: {spec: {containers: [{name: c, resources: {requests: {cpu: 50m}}}]}}
)"));
  ASSERT_TRUE(workloads.ok()) << workloads.error().message;
  const std::string table = formatRequestsTable(*workloads);
  EXPECT_THAT(table, HasSubstr("per node"));
  EXPECT_THAT(table, HasSubstr("DaemonSet overhead on every node: {\"cpu\":\"50m\"}"));
  // The TOTAL row: 4 × 250m and 4 × 256Mi; the DaemonSet does not count towards it.
  EXPECT_THAT(table, ::testing::ContainsRegex("TOTAL +1 +1Gi"));
}

TEST(WorkloadRequests, ErrorsNameTheObjectAndField) {
  auto bad = workloadRequests(manifests(R"(
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template: {spec: {containers: [{name: c, resources: {requests: {cpu: lots}}}]}}
)"));
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(
      bad.error().message,
      HasSubstr("Deployment shop/web: spec.template.spec.containers[0].resources.requests.cpu"));
  auto negative =
      workloadRequests(manifests("kind: ReplicaSet\nmetadata: {name: r}\nspec: {replicas: -1}\n"));
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.error().message,
            "ReplicaSet r: spec.replicas: must be a non-negative integer");
}

}  // namespace
}  // namespace karpenter::cli
