// karpenter_nodes_* and karpenter_cluster_utilization_percent for a known cluster, read back
// from the Prometheus exposition text; a Node that goes takes its series with it.

#include "karpenter/controllers/node_metrics.hpp"

#include <map>
#include <optional>
#include <sstream>

#include <gtest/gtest.h>

#include "karpenter/metrics/registry.hpp"
#include "karpenter/state/transforms.hpp"
#include "karpenter/util/time.hpp"
#include "state/state_fixtures.hpp"

namespace karpenter::controllers {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

struct Sample {
  std::map<std::string, std::string> labels;
  double value = 0;
};

// The samples of `metric` in the exposition text (`name{k="v",...} value` lines).
std::vector<Sample> samples(const std::string& metric) {
  std::vector<Sample> out;
  std::istringstream lines(metrics::defaultRegistry().exposition());
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(metric + "{", 0) != 0) {
      continue;
    }
    Sample sample;
    size_t at = metric.size() + 1;
    while (line[at] != '}') {
      const size_t eq = line.find("=\"", at);
      const size_t close = line.find('"', eq + 2);
      sample.labels[line.substr(at, eq - at)] = line.substr(eq + 2, close - eq - 2);
      at = close + 1;
      if (line[at] == ',') {
        ++at;
      }
    }
    sample.value = std::stod(line.substr(at + 2));
    out.push_back(std::move(sample));
  }
  return out;
}

std::optional<Sample> find(const std::string& metric, const std::string& node,
                           const std::string& resource) {
  for (auto& sample : samples(metric)) {
    if (sample.labels["node_name"] == node &&
        (resource.empty() || sample.labels["resource_type"] == resource)) {
      return sample;
    }
  }
  return std::nullopt;
}

double value(const std::string& metric, const std::string& node, const std::string& resource) {
  auto sample = find(metric, node, resource);
  EXPECT_TRUE(sample) << metric << " " << node << " " << resource;
  return sample ? sample->value : -1;
}

json withLimits(json pod, const std::string& cpu, const std::string& memory) {
  pod["spec"]["containers"][0]["resources"]["limits"] = {{"cpu", cpu}, {"memory", memory}};
  return pod;
}

class NodeMetricsTest : public ::testing::Test {
 protected:
  NodeMetricsTest() : state_({.publishInterval = 1h}) {
    state_.setSynced(true);
    json managed = testing::nodeJson("ip-10-0-0-1", "sim:///i-1", "4", "16Gi");
    managed["metadata"]["creationTimestamp"] = formatRfc3339(created_);
    managed["metadata"]["labels"] = {{"karpenter.sh/nodepool", "general"},
                                     {"karpenter.sh/capacity-type", "spot"},
                                     {"node.kubernetes.io/instance-type", "m5.xlarge"},
                                     {"topology.kubernetes.io/zone", "us-east-1a"},
                                     {"kubernetes.io/arch", "amd64"}};
    managed["status"]["allocatable"] = {{"cpu", "3920m"}, {"memory", "15Gi"}, {"pods", "58"}};
    managed["status"]["capacity"] = {{"cpu", "4"}, {"memory", "16Gi"}, {"pods", "58"}};
    state_.apply(state::Change::kUpsert, state::compactNode(managed));
    json claim = testing::nodeClaimJson("general-abc", "sim:///i-1", "ip-10-0-0-1");
    claim["metadata"]["labels"]["karpenter.sh/nodepool"] = "general";
    state_.apply(state::Change::kUpsert, state::compactNodeClaim(claim));
    state_.apply(state::Change::kUpsert,
                 state::compactNode(testing::nodeJson("unmanaged-1", "aws:///i-2", "2", "8Gi")));
    pod(withLimits(testing::podJson("web-1", "ip-10-0-0-1", "500m", "1Gi"), "1", "2Gi"));
    pod(testing::podJson("web-2", "ip-10-0-0-1", "1500m", "2Gi"));  // no limits
    pod(withLimits(testing::daemonSetPodJson("agent-1", "ip-10-0-0-1"), "200m", "256Mi"));
    pod(testing::podJson("batch-1", "unmanaged-1", "1", "4Gi"));
    state_.flush();
  }

  void pod(const json& object) { state_.apply(state::Change::kUpsert, state::compactPod(object)); }

  std::chrono::system_clock::time_point created_ =
      std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  state::ClusterState state_;
};

TEST_F(NodeMetricsTest, ExpositionCarriesEachNodesResourcesWithUpstreamsLabels) {
  NodeMetrics metrics(state_, {.clock = [&] { return created_ + 90s; }});
  metrics.refresh();
  const std::string node = "ip-10-0-0-1";

  EXPECT_EQ(value("karpenter_nodes_allocatable", node, "cpu"), 3.92);
  EXPECT_EQ(value("karpenter_nodes_allocatable", node, "memory"), 15.0 * 1024 * 1024 * 1024);
  EXPECT_EQ(value("karpenter_nodes_allocatable", node, "pods"), 58);
  // 500m + 1500m + the DaemonSet pod's 100m; memory 1Gi + 2Gi + 128Mi.
  EXPECT_EQ(value("karpenter_nodes_total_pod_requests", node, "cpu"), 2.1);
  EXPECT_EQ(value("karpenter_nodes_total_pod_requests", node, "memory"),
            (3.0 * 1024 + 128) * 1024 * 1024);
  EXPECT_EQ(value("karpenter_nodes_total_daemon_requests", node, "cpu"), 0.1);
  // Limits only from pods that set them: 1 + 200m.
  EXPECT_EQ(value("karpenter_nodes_total_pod_limits", node, "cpu"), 1.2);
  EXPECT_EQ(value("karpenter_nodes_total_daemon_limits", node, "memory"), 256.0 * 1024 * 1024);
  EXPECT_EQ(value("karpenter_nodes_system_overhead", node, "cpu"), 0.08);
  EXPECT_EQ(value("karpenter_nodes_system_overhead", node, "memory"), 1024.0 * 1024 * 1024);
  EXPECT_EQ(value("karpenter_nodes_current_lifetime_seconds", node, ""), 90);

  const auto labelled = find("karpenter_nodes_allocatable", node, "cpu");
  ASSERT_TRUE(labelled);
  auto labels = labelled->labels;
  EXPECT_EQ(labels["nodepool"], "general");
  EXPECT_EQ(labels["capacity_type"], "spot");
  EXPECT_EQ(labels["instance_type"], "m5.xlarge");
  EXPECT_EQ(labels["zone"], "us-east-1a");
  EXPECT_EQ(labels["arch"], "amd64");
  EXPECT_EQ(labels["managed"], "true");
  EXPECT_TRUE(labels.contains("phase"));
  EXPECT_FALSE(
      find("karpenter_nodes_current_lifetime_seconds", node, "")->labels.contains("resource_type"));

  // Nodes Karpenter does not manage are reported too, marked so.
  EXPECT_EQ(find("karpenter_nodes_allocatable", "unmanaged-1", "cpu")->labels["managed"], "false");
  EXPECT_EQ(value("karpenter_nodes_total_pod_requests", "unmanaged-1", "cpu"), 1);

  // Cluster: (2.1 + 1) CPU requested of 3.92 + 2 allocatable.
  double utilisation = -1;
  for (auto& sample : samples("karpenter_cluster_utilization_percent")) {
    if (sample.labels["resource_type"] == "cpu") {
      utilisation = sample.value;
    }
  }
  EXPECT_NEAR(utilisation, 100 * 3.1 / 5.92, 1e-9);
}

TEST_F(NodeMetricsTest, ANodeThatGoesTakesItsSeriesWithIt) {
  NodeMetrics metrics(state_, {.clock = [&] { return created_ + 1s; }});
  metrics.refresh();
  ASSERT_TRUE(find("karpenter_nodes_total_pod_requests", "unmanaged-1", "cpu"));
  state_.apply(state::Change::kDelete,
               state::compactNode(testing::nodeJson("unmanaged-1", "aws:///i-2", "2", "8Gi")));
  state_.flush();
  metrics.refresh();
  for (const char* metric :
       {"karpenter_nodes_allocatable", "karpenter_nodes_total_pod_requests",
        "karpenter_nodes_system_overhead", "karpenter_nodes_current_lifetime_seconds"}) {
    EXPECT_FALSE(find(metric, "unmanaged-1", "")) << metric;
  }
  EXPECT_TRUE(find("karpenter_nodes_allocatable", "ip-10-0-0-1", "cpu"));
  // A stopped controller (a replica that lost the lease) stops reporting.
  metrics.start();
  metrics.stop();
  EXPECT_FALSE(find("karpenter_nodes_allocatable", "ip-10-0-0-1", "cpu"));
}

}  // namespace
}  // namespace karpenter::controllers
