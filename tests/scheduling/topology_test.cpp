// The solver's topology on new NodeClaims (upstream topology.go): spread narrows a NodeClaim to
// the least-loaded zone, affinity to where matching pods are, anti-affinity to where none are;
// existing pods' anti-affinity repels (symmetry); preferences are relaxed; volumes pin zones.
// Every result also passes the independent checker.
#include <map>

#include <gtest/gtest.h>

#include "karpenter/scheduling/scheduler.hpp"
#include "scheduling/result_checker.hpp"
#include "scheduling/scheduling_fixtures.hpp"

namespace karpenter::scheduling {
namespace {

using testing::checkResults;
using testing::makeInstanceType;
using testing::makeNodePool;
using testing::makePod;

const std::string kZone(api::kLabelTopologyZone);
const std::string kHostname(api::kLabelHostname);

class TopologyTest : public ::testing::Test {
 protected:
  TopologyTest() {
    NodePoolInput pool{makeNodePool("default"), {}};
    pool.instanceTypes.push_back(makeInstanceType("small", 2, 4, 10, 0.2));
    pool.instanceTypes.push_back(makeInstanceType("large", 16, 64, 110, 1.6));
    input_.nodePools.push_back(pool);
  }

  api::Pod& add(const std::string& name, const std::string& app, const std::string& cpu = "100m") {
    pods_.push_back(makePod(name, cpu, "128Mi"));
    pods_.back().metadata.labels["app"] = app;
    return pods_.back();
  }

  Results run() {
    std::vector<const api::Pod*> pointers;
    for (const auto& pod : pods_) {
      pointers.push_back(&pod);
    }
    auto results = solve(input_, pointers);
    for (const auto& violation : checkResults(input_, pointers, results)) {
      ADD_FAILURE() << violation;
    }
    return results;
  }

  // Pods per zone across the new NodeClaims, which must each be pinned to one zone.
  static std::map<std::string, int> perZone(const Results& results) {
    std::map<std::string, int> out;
    for (const auto& claim : results.newNodeClaims) {
      const auto* zone = claim.requirements.find(api::kLabelTopologyZone);
      EXPECT_TRUE(zone != nullptr && zone->values().size() == 1);
      if (zone != nullptr && !zone->values().empty()) {
        out[zone->values().front()] += static_cast<int>(claim.pods.size());
      }
    }
    return out;
  }

  SchedulerInput input_;
  std::vector<api::Pod> pods_;
};

api::LabelSelector app(const std::string& name) {
  return api::LabelSelector{{{"app", name}}, {}};
}

api::TopologySpreadConstraint spread(const std::string& key, const std::string& selected,
                                     const std::string& when = "DoNotSchedule") {
  api::TopologySpreadConstraint c;
  c.maxSkew = 1;
  c.topologyKey = key;
  c.whenUnsatisfiable = when;
  c.labelSelector = app(selected);
  return c;
}

api::PodAffinityTerm term(const std::string& selected, const std::string& key) {
  return {app(selected), {}, key, std::nullopt, {}, {}};
}

TEST_F(TopologyTest, ZoneSpreadBalancesNewNodeClaims) {
  for (int i = 0; i < 6; ++i) {
    add("web-" + std::to_string(i), "web")
        .spec.topologySpreadConstraints.push_back(spread(kZone, "web"));
  }
  auto results = run();
  EXPECT_TRUE(results.podErrors.empty());
  EXPECT_EQ(perZone(results),
            (std::map<std::string, int>{{"zone-a", 2}, {"zone-b", 2}, {"zone-c", 2}}));
}

TEST_F(TopologyTest, SpreadCountsPodsAlreadyRunning) {
  api::Pod running = makePod("running", "100m", "");
  running.metadata.labels["app"] = "web";
  ExistingNode node;
  node.name = "full";
  node.labels = {{kZone, "zone-a"}, {kHostname, "full"}};
  node.allocatable = {{"pods", api::Quantity::fromInt(1)}};
  node.pods = {&running};
  input_.existingNodes.push_back(node);
  for (int i = 0; i < 2; ++i) {
    add("web-" + std::to_string(i), "web")
        .spec.topologySpreadConstraints.push_back(spread(kZone, "web"));
  }
  auto results = run();
  EXPECT_EQ(perZone(results), (std::map<std::string, int>{{"zone-b", 1}, {"zone-c", 1}}));
}

TEST_F(TopologyTest, MinDomainsAboveTheZoneCountAllowsOnePerZone) {
  for (int i = 0; i < 4; ++i) {
    auto c = spread(kZone, "web");
    c.minDomains = 5;
    add("web-" + std::to_string(i), "web").spec.topologySpreadConstraints.push_back(c);
  }
  auto results = run();
  // With fewer than minDomains zones the minimum counts as 0: at most maxSkew (1) per zone.
  EXPECT_EQ(results.podErrors.size(), 1U);
  EXPECT_EQ(perZone(results),
            (std::map<std::string, int>{{"zone-a", 1}, {"zone-b", 1}, {"zone-c", 1}}));
}

TEST_F(TopologyTest, HostnameAntiAffinityOpensOneNodeClaimPerPod) {
  for (int i = 0; i < 4; ++i) {
    api::PodAffinity anti;
    anti.requiredDuringSchedulingIgnoredDuringExecution.push_back(term("db", kHostname));
    add("db-" + std::to_string(i), "db").spec.affinity =
        api::Affinity{std::nullopt, std::nullopt, anti};
  }
  add("other", "other");
  auto results = run();
  ASSERT_EQ(results.newNodeClaims.size(), 4U);
  EXPECT_TRUE(results.podErrors.empty());
}

TEST_F(TopologyTest, SelfAffinityStartsAnywhereThenFollows) {
  for (int i = 0; i < 3; ++i) {
    api::PodAffinity affinity;
    affinity.requiredDuringSchedulingIgnoredDuringExecution.push_back(term("cache", kZone));
    // Big enough that each needs its own NodeClaim.
    add("cache-" + std::to_string(i), "cache", "10").spec.affinity =
        api::Affinity{std::nullopt, affinity, std::nullopt};
  }
  auto results = run();
  EXPECT_TRUE(results.podErrors.empty());
  auto zones = perZone(results);
  ASSERT_EQ(zones.size(), 1U);
  EXPECT_EQ(zones.begin()->second, 3);
}

TEST_F(TopologyTest, AffinityToAbsentPodsFails) {
  api::PodAffinity affinity;
  affinity.requiredDuringSchedulingIgnoredDuringExecution.push_back(term("nowhere", kZone));
  add("lonely", "lonely").spec.affinity = api::Affinity{std::nullopt, affinity, std::nullopt};
  auto results = run();
  ASSERT_EQ(results.podErrors.size(), 1U);
  EXPECT_NE(results.podErrors[0].reason.find("pod affinity"), std::string::npos)
      << results.podErrors[0].reason;
}

TEST_F(TopologyTest, ExistingPodsAntiAffinityRepelsNewPods) {
  api::Pod repeller = makePod("repeller", "100m", "");
  api::PodAffinity anti;
  anti.requiredDuringSchedulingIgnoredDuringExecution.push_back(term("web", kZone));
  repeller.spec.affinity = api::Affinity{std::nullopt, std::nullopt, anti};
  ExistingNode node;
  node.name = "n";
  node.labels = {{kZone, "zone-a"}, {kHostname, "n"}};
  node.allocatable = {{"cpu", api::Quantity::fromInt(8)}, {"pods", api::Quantity::fromInt(10)}};
  node.pods = {&repeller};
  input_.existingNodes.push_back(node);
  add("web", "web");
  auto results = run();
  EXPECT_TRUE(results.existingNodes.empty());
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  EXPECT_FALSE(results.newNodeClaims[0].requirements.find(api::kLabelTopologyZone)->has("zone-a"));
}

TEST_F(TopologyTest, NamespaceSelectorMatchesNamespacesByLabel) {
  input_.namespaces = {{"team-a", {{"team", "a"}}}, {"team-b", {{"team", "b"}}}};
  for (const char* ns : {"team-a", "team-b"}) {
    auto& pod = add(std::string("db-") + ns, "db");
    pod.metadata.namespace_ = ns;
  }
  api::PodAffinity anti;
  auto t = term("db", kHostname);
  t.namespaceSelector = api::LabelSelector{{{"team", "a"}}, {}};
  anti.requiredDuringSchedulingIgnoredDuringExecution.push_back(t);
  auto& picky = add("picky", "picky");
  picky.spec.affinity = api::Affinity{std::nullopt, std::nullopt, anti};
  auto results = run();
  EXPECT_TRUE(results.podErrors.empty());
  for (const auto& claim : results.newNodeClaims) {
    bool hasPicky = false;
    bool hasTeamA = false;
    for (const auto* pod : claim.pods) {
      hasPicky = hasPicky || pod->metadata.name == "picky";
      hasTeamA = hasTeamA || pod->metadata.namespace_ == "team-a";
    }
    EXPECT_FALSE(hasPicky && hasTeamA);
  }
}

TEST_F(TopologyTest, PreferencesAreRelaxedWhenTheyCannotBeMet) {
  input_.nodePools[0].nodePool.spec.limits["nodes"] = api::Quantity::fromInt(1);
  for (int i = 0; i < 3; ++i) {
    auto& pod = add("web-" + std::to_string(i), "web");
    api::PodAffinity anti;
    anti.preferredDuringSchedulingIgnoredDuringExecution.push_back({50, term("web", kHostname)});
    pod.spec.affinity = api::Affinity{std::nullopt, std::nullopt, anti};
    pod.spec.topologySpreadConstraints.push_back(spread(kZone, "web", "ScheduleAnyway"));
  }
  auto results = run();
  EXPECT_TRUE(results.podErrors.empty());
  ASSERT_EQ(results.newNodeClaims.size(), 1U);
  EXPECT_EQ(results.newNodeClaims[0].pods.size(), 3U);
}

TEST_F(TopologyTest, BoundVolumePinsTheZoneAndMissingClaimsAreReported) {
  api::PersistentVolume volume;
  volume.metadata.name = "pv-1";
  volume.spec.nodeAffinity = api::VolumeNodeAffinity{
      api::NodeSelector{{{{testing::selectorRequirement(kZone, "In", {"zone-b"})}, {}}}}};
  input_.persistentVolumes.push_back(volume);
  api::PersistentVolumeClaim claim;
  claim.metadata.namespace_ = "default";
  claim.metadata.name = "data";
  claim.spec.volumeName = "pv-1";
  input_.persistentVolumeClaims.push_back(claim);
  api::StorageClass storageClass;
  storageClass.metadata.name = "zonal";
  storageClass.metadata.annotations["storageclass.kubernetes.io/is-default-class"] = "true";
  storageClass.allowedTopologies.push_back({{{kZone, {"zone-c"}}}});
  input_.storageClasses.push_back(storageClass);
  api::PersistentVolumeClaim unbound;
  unbound.metadata.namespace_ = "default";
  unbound.metadata.name = "scratch";
  input_.persistentVolumeClaims.push_back(unbound);

  auto mount = [](api::Pod& pod, const std::string& claimName) {
    api::Volume v;
    v.name = claimName;
    v.persistentVolumeClaim = api::PersistentVolumeClaimVolumeSource{claimName, false};
    pod.spec.volumes.push_back(v);
  };
  mount(add("bound", "a", "10"), "data");
  mount(add("unbound", "b", "10"), "scratch");
  mount(add("missing", "c"), "nope");
  auto results = run();
  ASSERT_EQ(results.podErrors.size(), 1U);
  EXPECT_EQ(results.podErrors[0].reason, "persistentvolumeclaim default/nope not found");
  std::map<std::string, std::string> zoneOf;
  for (const auto& c : results.newNodeClaims) {
    for (const auto* pod : c.pods) {
      zoneOf[pod->metadata.name] = c.requirements.find(api::kLabelTopologyZone)->values().front();
    }
  }
  EXPECT_EQ(zoneOf["bound"], "zone-b");
  EXPECT_EQ(zoneOf["unbound"], "zone-c");
}

}  // namespace
}  // namespace karpenter::scheduling
