// podRequests() against the facts of Kubernetes
// staging/src/k8s.io/component-helpers/resource/helpers_test.go (ported as data, not code).
//
// Ported (request side only; podRequests has no limits counterpart):
//   TestPodRequestsAndLimits: just-limit-no-overhead, just-overhead, req-and-overhead,
//     all-req-lim-and-overhead, req-some-lim-and-overhead.
//   TestPodRequestsAndLimitsWithoutOverhead: "two container no overhead"; "two container with
//     overhead, massive init" ported with the overhead input dropped (upstream passes
//     ExcludeOverhead, which podRequests does not model; the expected value is unchanged).
//   TestPodResourceRequests: nil options larger init container / larger containers, pod overhead
//     included, restartable init container, multiple restartable init containers, multiple
//     restartable and regular init containers, restartable-init init and regular, and the two
//     "... but don't use status" cases (status is ignored, as with UseStatusResources=false).
//   TestAggregateContainerRequestsAndLimits: the six cases without status resources (for pods
//     with no pod-level resources and no overhead podRequests equals the aggregate).
//   TestPodLevelResourceRequests: every case without UseStatusResources and without
//     SkipPodLevelResources=true, plus the init-container case that sets SkipPodLevelResources
//     (it has no pod-level resources, so the option does not change the result).
//   TestIsSupportedPodLevelResource: all cases.
//   TestIsPodLevelResourcesSet: the cases about requests (hasPodLevelRequests is requests-only,
//     like upstream IsPodLevelRequestsSet).
// Skipped:
//   - every UseStatusResources / in-place resize case (container status resources and pod
//     allocatedResources are not modelled: Karpenter schedules on spec requests);
//   - "pod overhead excluded" and the other ExcludeOverhead / SkipPodLevelResources=true cases
//     (options not modelled: the scheduler path always uses the defaults);
//   - TestPodResourceRequestsReuse (Go map-reuse optimisation);
//   - all DRA node-allocatable claim cases (resource claims are not modelled);
//   - limits-only tests (TestPodResourceLimits, TestIsPodLevelLimitsSet): podLimits not needed.
#include "karpenter/api/pod_requests.hpp"

#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace karpenter::api {
namespace {

// Owned vectors, not initializer_lists: the table outlives the braces it is written with.
using Entries = std::vector<std::pair<std::string_view, std::string_view>>;

ResourceList rl(const Entries& entries) {
  ResourceList list;
  for (const auto& [name, quantity] : entries) {
    list.insert_or_assign(std::string(name), Quantity::mustParse(quantity));
  }
  return list;
}

enum class Kind { kRegular, kInit, kSidecar };

struct C {
  Kind kind = Kind::kRegular;
  Entries requests;
  Entries limits = {};
};

struct Case {
  const char* name;
  std::vector<C> containers;  // regular and init containers, in order within each kind
  Entries podLevelRequests;
  Entries overhead;
  Entries expected;
};

PodSpec specOf(const Case& c) {
  PodSpec spec;
  for (const C& container : c.containers) {
    Container built;
    built.resources.requests = rl(container.requests);
    built.resources.limits = rl(container.limits);
    if (container.kind == Kind::kRegular) {
      spec.containers.push_back(std::move(built));
      continue;
    }
    if (container.kind == Kind::kSidecar) {
      built.restartPolicy = "Always";
    }
    spec.initContainers.push_back(std::move(built));
  }
  spec.resources.requests = rl(c.podLevelRequests);
  spec.overhead = rl(c.overhead);
  return spec;
}

constexpr Kind R = Kind::kRegular;
constexpr Kind I = Kind::kInit;
constexpr Kind S = Kind::kSidecar;

const std::vector<Case>& cases() {
  static const std::vector<Case> kCases = {
      // --- TestPodRequestsAndLimits (getPod puts the same resources on a container and an init
      // container) ---
      {"just-limit-no-overhead", {{R, {}, {{"cpu", "9"}}}, {I, {}, {{"cpu", "9"}}}}, {}, {}, {}},
      {"just-overhead",
       {{R, {}}, {I, {}}},
       {},
       {{"cpu", "5"}, {"memory", "5"}},
       {{"cpu", "5"}, {"memory", "5"}}},
      {"req-and-overhead",
       {{R, {{"cpu", "1"}, {"memory", "10"}}}, {I, {{"cpu", "1"}, {"memory", "10"}}}},
       {},
       {{"cpu", "5"}, {"memory", "5"}},
       {{"cpu", "6"}, {"memory", "15"}}},
      {"all-req-lim-and-overhead",
       {{R, {{"cpu", "1"}, {"memory", "10"}}, {{"cpu", "2"}, {"memory", "12"}}},
        {I, {{"cpu", "1"}, {"memory", "10"}}, {{"cpu", "2"}, {"memory", "12"}}}},
       {},
       {{"cpu", "5"}, {"memory", "5"}},
       {{"cpu", "6"}, {"memory", "15"}}},
      {"req-some-lim-and-overhead",
       {{R, {{"cpu", "1"}, {"memory", "10"}}, {{"cpu", "2"}}},
        {I, {{"cpu", "1"}, {"memory", "10"}}, {{"cpu", "2"}}}},
       {},
       {{"cpu", "5"}, {"memory", "5"}},
       {{"cpu", "6"}, {"memory", "15"}}},

      // --- TestPodRequestsAndLimitsWithoutOverhead ---
      {"two container no overhead - should just be sum of containers",
       {{R, {{"cpu", "1"}, {"memory", "5"}}, {{"cpu", "2"}, {"memory", "10"}}},
        {R, {{"cpu", "4"}, {"memory", "12"}}, {{"cpu", "8"}, {"memory", "24"}}}},
       {},
       {},
       {{"cpu", "5"}, {"memory", "17"}}},
      {"two container, massive init - should just be the largest init",
       {{R, {{"cpu", "1"}, {"memory", "5"}}},
        {R, {{"cpu", "4"}, {"memory", "12"}}},
        {I, {{"cpu", "1"}, {"memory", "5"}}},
        {I, {{"cpu", "40"}, {"memory", "120"}}, {{"cpu", "80"}, {"memory", "240"}}}},
       {},
       {},
       {{"cpu", "40"}, {"memory", "120"}}},

      // --- TestPodResourceRequests ---
      {"nil options, larger init container",
       {{I, {{"cpu", "4"}}}, {R, {{"cpu", "1"}}}},
       {},
       {},
       {{"cpu", "4"}}},
      {"nil options, larger containers",
       {{I, {{"cpu", "2"}}}, {R, {{"cpu", "2"}}}, {R, {{"cpu", "3"}}}},
       {},
       {},
       {{"cpu", "5"}}},
      {"pod overhead included",
       {{I, {{"cpu", "2"}}, {{"cpu", "2"}}}, {R, {{"cpu", "2"}}}, {R, {{"cpu", "3"}}}},
       {},
       {{"cpu", "1"}, {"memory", "1Gi"}},
       {{"cpu", "6"}, {"memory", "1Gi"}}},
      {"resized, infeasible, but don't use status", {{R, {{"cpu", "4"}}}}, {}, {}, {{"cpu", "4"}}},
      {"resized, restartable init container, infeasible, but don't use status",
       {{S, {{"cpu", "4"}}}},
       {},
       {},
       {{"cpu", "4"}}},
      {"restartable init container",
       {{S, {{"cpu", "1"}}}, {R, {{"cpu", "1"}}}},
       {},
       {},
       {{"cpu", "2"}}},
      {"multiple restartable init containers",
       {{I, {{"cpu", "5"}}},
        {S, {{"cpu", "1"}}},
        {S, {{"cpu", "2"}}},
        {S, {{"cpu", "3"}}},
        {R, {{"cpu", "1"}}}},
       {},
       {},
       {{"cpu", "7"}}},
      {"multiple restartable and regular init containers",
       {{I, {{"cpu", "5"}}},
        {S, {{"cpu", "1"}}},
        {S, {{"cpu", "2"}}},
        {I, {{"cpu", "5"}}},
        {S, {{"cpu", "3"}}},
        {R, {{"cpu", "1"}}}},
       {},
       {},
       {{"cpu", "8"}}},
      {"restartable-init, init and regular",
       {{S, {{"cpu", "10"}}}, {I, {{"cpu", "200"}}}, {R, {{"cpu", "100"}}}},
       {},
       {},
       {{"cpu", "210"}}},

      // --- TestAggregateContainerRequestsAndLimits ---
      {"one container with limits", {{R, {}, {{"cpu", "9"}}}}, {}, {}, {}},
      {"two containers with limits",
       {{R, {}, {{"cpu", "9"}}}, {R, {}, {{"cpu", "9"}}}},
       {},
       {},
       {}},
      {"one container with requests", {{R, {{"cpu", "9"}}}}, {}, {}, {{"cpu", "9"}}},
      {"two containers with requests",
       {{R, {{"cpu", "9"}}}, {R, {{"cpu", "9"}}}},
       {},
       {},
       {{"cpu", "18"}}},
      {"regular and init containers with requests",
       {{R, {{"cpu", "9"}}}, {I, {{"cpu", "9"}}}},
       {},
       {},
       {{"cpu", "9"}}},
      {"regular, init and sidecar containers with requests",
       {{R, {{"cpu", "9"}}}, {S, {{"cpu", "8"}}}, {I, {{"cpu", "6"}}}},
       {},
       {},
       {{"cpu", "17"}}},

      // --- TestPodLevelResourceRequests ---
      {"nil", {}, {}, {}, {}},
      {"pod level memory resource with SkipPodLevelResources false",
       {},
       {{"memory", "2Mi"}},
       {},
       {{"memory", "2Mi"}}},
      {"pod level memory and container level cpu resources",
       {{R, {{"cpu", "2m"}}}},
       {{"memory", "2Mi"}},
       {},
       {{"memory", "2Mi"}, {"cpu", "2m"}}},
      {"pod level unsupported resources set at both pod-level and container-level",
       {{R, {{"storage", "3Mi"}}}},
       {{"storage", "2Mi"}},
       {},
       {{"storage", "3Mi"}}},
      {"pod level unsupported resources set at pod-level",
       {{R, {{"memory", "3Mi"}}}},
       {{"storage", "2Mi"}},
       {},
       {{"memory", "3Mi"}}},
      {"only container level resources set",
       {{R, {{"memory", "3Mi"}, {"cpu", "2m"}}}},
       {},
       {},
       {{"memory", "3Mi"}, {"cpu", "2m"}}},
      {"both container-level and pod-level resources set",
       {{R, {{"memory", "3Mi"}, {"cpu", "2m"}}}},
       {{"memory", "6Mi"}, {"cpu", "8m"}},
       {},
       {{"memory", "6Mi"}, {"cpu", "8m"}}},
      {"container-level resources and init container set",
       {{R, {{"memory", "3Mi"}, {"cpu", "2m"}}}, {I, {{"memory", "5Mi"}, {"cpu", "4m"}}}},
       {},
       {},
       {{"memory", "5Mi"}, {"cpu", "4m"}}},
      {"container-level resources and sidecar container set",
       {{R, {{"memory", "3Mi"}, {"cpu", "2m"}}}, {S, {{"memory", "5Mi"}, {"cpu", "4m"}}}},
       {},
       {},
       {{"memory", "8Mi"}, {"cpu", "6m"}}},
      {"container-level resources, init and sidecar container set",
       {{R, {{"memory", "3Mi"}, {"cpu", "2m"}}},
        {S, {{"memory", "5Mi"}, {"cpu", "4m"}}},
        {I, {{"memory", "6Mi"}, {"cpu", "8m"}}}},
       {},
       {},
       {{"memory", "11Mi"}, {"cpu", "12m"}}},
      {"pod-level resources, container-level resources, init and sidecar container set",
       {{R, {{"memory", "3Mi"}, {"cpu", "2m"}}},
        {S, {{"memory", "5Mi"}, {"cpu", "4m"}}},
        {I, {{"memory", "6Mi"}, {"cpu", "8m"}}}},
       {{"memory", "15Mi"}, {"cpu", "18m"}},
       {},
       {{"memory", "15Mi"}, {"cpu", "18m"}}},
      {"pod-level resources, hugepage request/limit single page size",
       {},
       {{"memory", "10Mi"}, {"hugepages-2Mi", "2Mi"}},
       {},
       {{"memory", "10Mi"}, {"hugepages-2Mi", "2Mi"}}},
      {"pod-level resources, hugepage request/limit multiple page sizes",
       {},
       {{"cpu", "1"}, {"hugepages-2Mi", "2Mi"}, {"hugepages-1Gi", "1Gi"}},
       {},
       {{"cpu", "1"}, {"hugepages-2Mi", "2Mi"}, {"hugepages-1Gi", "1Gi"}}},
      {"pod-level resources, container-level resources, hugepage single page size",
       {{R, {{"hugepages-2Mi", "6Mi"}}, {{"hugepages-2Mi", "6Mi"}}}},
       {{"cpu", "1"}, {"hugepages-2Mi", "10Mi"}},
       {},
       {{"cpu", "1"}, {"hugepages-2Mi", "10Mi"}}},
      {"pod-level resources, container-level resources, hugepage multiple page sizes",
       {{R, {{"cpu", "1"}, {"hugepages-1Gi", "2Gi"}}, {{"hugepages-1Gi", "2Gi"}}}},
       {{"cpu", "1"}, {"hugepages-2Mi", "10Mi"}, {"hugepages-1Gi", "2Gi"}},
       {},
       {{"cpu", "1"}, {"hugepages-2Mi", "10Mi"}, {"hugepages-1Gi", "2Gi"}}},
      {"hugepage multiple page sizes between pod-level and container-level",
       {{R, {{"memory", "4Mi"}, {"hugepages-1Gi", "1Gi"}}, {{"hugepages-1Gi", "1Gi"}}}},
       {{"cpu", "1"}, {"hugepages-2Mi", "10Mi"}},
       {},
       {{"cpu", "1"}, {"memory", "4Mi"}, {"hugepages-2Mi", "10Mi"}, {"hugepages-1Gi", "1Gi"}}},

      // --- Our own cases (not upstream) ---
      // Pod-level requests replace the aggregate, and overhead is added on top of them.
      {"pod-level requests then overhead",
       {{R, {{"cpu", "2"}, {"memory", "1Gi"}, {"nvidia.com/gpu", "1"}}}},
       {{"cpu", "3"}, {"memory", "2Gi"}},
       {{"cpu", "250m"}, {"memory", "120Mi"}},
       {{"cpu", "3250m"}, {"memory", "2168Mi"}, {"nvidia.com/gpu", "1"}}},
      // A named zero request keeps its key, as the Go helpers do.
      {"zero request keeps its entry", {{R, {{"cpu", "0"}}}}, {}, {}, {{"cpu", "0"}}},
      // A sidecar started after a plain init container does not add to that container's peak.
      {"sidecar after init container",
       {{I, {{"memory", "1Gi"}}}, {S, {{"memory", "512Mi"}}}, {R, {{"memory", "256Mi"}}}},
       {},
       {},
       {{"memory", "1Gi"}}},
  };
  return kCases;
}

class PodRequestsTable : public ::testing::TestWithParam<size_t> {};

TEST_P(PodRequestsTable, MatchesUpstream) {
  const Case& c = cases()[GetParam()];
  const ResourceList got = podRequests(specOf(c));
  const ResourceList want = rl(c.expected);
  EXPECT_EQ(got, want) << c.name << "\n got: " << resources::toString(got)
                       << "\nwant: " << resources::toString(want);
  // Same keys, not merely equal values where present.
  ASSERT_EQ(got.size(), want.size()) << c.name;
}

INSTANTIATE_TEST_SUITE_P(HelpersTest, PodRequestsTable,
                         ::testing::Range<size_t>(0, cases().size()));

TEST(PodRequests, SupportedPodLevelResources) {
  EXPECT_TRUE(isSupportedPodLevelResource("cpu"));
  EXPECT_TRUE(isSupportedPodLevelResource("memory"));
  EXPECT_FALSE(isSupportedPodLevelResource("ephemeral-storage"));
  EXPECT_TRUE(isSupportedPodLevelResource("hugepages-2Mi"));
  EXPECT_TRUE(isSupportedPodLevelResource("hugepages-1Gi"));
}

TEST(PodRequests, PodLevelRequestsSet) {
  PodSpec spec;
  EXPECT_FALSE(hasPodLevelRequests(spec));  // nil / empty resources
  spec.resources.requests = rl({{"ephemeral-storage", "1Mi"}});
  EXPECT_FALSE(hasPodLevelRequests(spec));  // only unsupported requests
  spec.resources.requests = rl({{"ephemeral-storage", "1Mi"}, {"cpu", "1m"}});
  EXPECT_TRUE(hasPodLevelRequests(spec));
  spec.resources.requests.clear();
  spec.resources.limits = rl({{"cpu", "1m"}});
  EXPECT_FALSE(hasPodLevelRequests(spec));  // limits alone do not override requests
}

TEST(PodRequests, DoesNotModifyItsInput) {
  Case c{"", {{R, {{"cpu", "1"}}}, {S, {{"cpu", "2"}}}}, {}, {{"cpu", "1"}}, {}};
  const PodSpec spec = specOf(c);
  const PodSpec before = spec;
  EXPECT_EQ(podRequests(spec), rl({{"cpu", "4"}}));
  EXPECT_EQ(spec, before);
}

}  // namespace
}  // namespace karpenter::api
