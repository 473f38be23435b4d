#include "karpenter/metrics/registry.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace karpenter::metrics {
namespace {

TEST(Registry, ExposesCountersAndGaugesInTextFormat) {
  Registry registry;
  auto& created = registry.counter("karpenter_nodeclaims_created_total",
                                   "Number of nodeclaims created", {"nodepool", "reason"});
  created.with({"default", "provisioning"}).inc();
  created.with({"default", "provisioning"}).inc(2);
  registry.gauge("karpenter_nodes_allocatable", "Node allocatable", {"resource_type"})
      .with({"cpu"})
      .set(3.5);
  EXPECT_EQ(registry.exposition(),
            "# HELP karpenter_nodeclaims_created_total Number of nodeclaims created\n"
            "# TYPE karpenter_nodeclaims_created_total counter\n"
            "karpenter_nodeclaims_created_total{nodepool=\"default\",reason=\"provisioning\"} 3\n"
            "# HELP karpenter_nodes_allocatable Node allocatable\n"
            "# TYPE karpenter_nodes_allocatable gauge\n"
            "karpenter_nodes_allocatable{resource_type=\"cpu\"} 3.5\n");
}

TEST(Registry, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry registry;
  auto& duration = registry.histogram("karpenter_provisioner_scheduling_duration_seconds",
                                      "Scheduling duration", {}, {0.25, 1});
  duration.with().observe(0.125);
  duration.with().observe(0.25);  // "le" is inclusive
  duration.with().observe(0.5);
  duration.with().observe(7);
  EXPECT_EQ(registry.exposition(),
            "# HELP karpenter_provisioner_scheduling_duration_seconds Scheduling duration\n"
            "# TYPE karpenter_provisioner_scheduling_duration_seconds histogram\n"
            "karpenter_provisioner_scheduling_duration_seconds_bucket{le=\"0.25\"} 2\n"
            "karpenter_provisioner_scheduling_duration_seconds_bucket{le=\"1\"} 3\n"
            "karpenter_provisioner_scheduling_duration_seconds_bucket{le=\"+Inf\"} 4\n"
            "karpenter_provisioner_scheduling_duration_seconds_sum 7.875\n"
            "karpenter_provisioner_scheduling_duration_seconds_count 4\n");
}

TEST(Registry, EscapesLabelValuesAndHelp) {
  Registry registry;
  registry.counter("c_total", "a \\ help\nline", {"l"}).with({"x\"y\\z\nw"}).inc();
  EXPECT_EQ(registry.exposition(),
            "# HELP c_total a \\\\ help\\nline\n# TYPE c_total counter\n"
            "c_total{l=\"x\\\"y\\\\z\\nw\"} 1\n");
}

TEST(Registry, SameNameReturnsTheSameFamilyAndRemoveForgetsASeries) {
  Registry registry;
  auto& first = registry.gauge("g", "help", {"pool"});
  auto& second = registry.gauge("g", "other help", {"other"});
  EXPECT_EQ(&first, &second);
  first.with({"a"}).set(1);
  first.with({"b"}).set(2);
  first.remove({"a"});
  EXPECT_EQ(registry.exposition(), "# HELP g help\n# TYPE g gauge\ng{pool=\"b\"} 2\n");
}

TEST(Registry, CountersIgnoreNegativeAmountsAndGaugesAdd) {
  Counter counter;
  counter.inc(-5);
  EXPECT_EQ(counter.value(), 0);
  Gauge gauge;
  gauge.add(2);
  gauge.add(-0.5);
  EXPECT_EQ(gauge.value(), 1.5);
}

TEST(Registry, ConcurrentIncrementsAreNotLost) {
  Registry registry;
  auto& family = registry.counter("n_total", "n", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        family.with({"x"}).inc();
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(family.with({"x"}).value(), 40000);
}

TEST(FormatValue, SpellsNumbersAsPrometheusDoes) {
  EXPECT_EQ(formatValue(3), "3");
  EXPECT_EQ(formatValue(0.25), "0.25");
  EXPECT_EQ(formatValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(formatValue(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(formatValue(0.0 / 0.0), "NaN");
}

}  // namespace
}  // namespace karpenter::metrics
