// Randomised, seeded scenarios checked by the independent result checker: every placement must
// respect resources (with DaemonSet overhead), taints, requirements, offerings and limits, and
// every pod must be accounted for exactly once. A second property: without limits or existing
// nodes, a pod reported unschedulable really fits no NodePool's instance type on its own.
#include <random>
#include <set>

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
using testing::selectorRequirement;

const std::vector<std::string> kZones = {"zone-a", "zone-b", "zone-c"};
constexpr const char* kEbs = "ebs.csi.aws.com";

struct Scenario {
  SchedulerInput input;
  std::vector<api::Pod> existingPods;
  std::vector<api::Pod> pods;
};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  const std::string& zone() { return kZones[static_cast<size_t>(uniform(0, 2))]; }

  // Deployments with topology constraints: every pod a selector matches owns that very
  // constraint (label app=<deployment>), as real workloads do, so the checker's final-state
  // rules apply. Some pods mount zonal volumes.
  void addWorkloads(Scenario& s) {
    auto& pvc = s.input.persistentVolumeClaims;
    pvc.reserve(64);
    api::StorageClass zonal;
    zonal.metadata.name = "zonal";
    zonal.provisioner = kEbs;
    zonal.allowedTopologies.push_back({{{std::string(api::kLabelTopologyZone), {zone(), zone()}}}});
    s.input.storageClasses.push_back(zonal);
    s.input.namespaces = {{"default", {{"team", "a"}}}, {"other", {{"team", "b"}}}};
    int deployments = uniform(0, 4);
    for (int d = 0; d < deployments; ++d) {
      const std::string app = "dep-" + std::to_string(d);
      const int kind = uniform(0, 7);
      const int replicas = uniform(1, 12);
      const std::string cpu = std::to_string(uniform(100, 2500)) + "m";
      const std::string key =
          chance(0.5) ? std::string(api::kLabelTopologyZone) : std::string(api::kLabelHostname);
      const std::string ns = chance(0.8) ? "default" : "other";
      // Drawn once: every replica carries the same constraint.
      const bool allNamespaces = chance(0.2);
      const int maxSkew = uniform(1, 2);
      const std::optional<int> minDomains =
          chance(0.3) ? std::optional<int>(uniform(2, 4)) : std::nullopt;
      const bool honorTaints = chance(0.3);
      const bool ignoreAffinity = chance(0.2);
      const int weight = uniform(1, 100);
      const bool boundVolume = chance(0.5);
      const std::string volumeZone = zone();
      for (int r = 0; r < replicas; ++r) {
        auto pod = makePod(app + "-" + std::to_string(r), cpu, "256Mi");
        pod.metadata.namespace_ = ns;
        pod.metadata.labels["app"] = app;
        api::LabelSelector selector{{{"app", app}}, {}};
        api::PodAffinityTerm term{selector, {}, key, std::nullopt, {}, {}};
        if (allNamespaces) {
          term.namespaceSelector = api::LabelSelector{};  // all namespaces
        }
        switch (kind) {
          case 0:
          case 1: {
            api::TopologySpreadConstraint spread;
            spread.maxSkew = maxSkew;
            spread.topologyKey = key;
            spread.whenUnsatisfiable = "DoNotSchedule";
            spread.labelSelector = selector;
            spread.minDomains = minDomains;
            if (honorTaints) {
              spread.nodeTaintsPolicy = "Honor";
            }
            if (ignoreAffinity) {
              spread.nodeAffinityPolicy = "Ignore";
            }
            pod.spec.topologySpreadConstraints.push_back(spread);
            break;
          }
          case 2: {
            api::PodAffinity affinity;
            affinity.requiredDuringSchedulingIgnoredDuringExecution.push_back(term);
            pod.spec.affinity = api::Affinity{std::nullopt, affinity, std::nullopt};
            break;
          }
          case 3:
          case 4: {
            api::PodAffinity anti;
            anti.requiredDuringSchedulingIgnoredDuringExecution.push_back(term);
            pod.spec.affinity = api::Affinity{std::nullopt, std::nullopt, anti};
            break;
          }
          case 5: {  // preferences only: relaxed when they cannot be met
            api::PodAffinity anti;
            anti.preferredDuringSchedulingIgnoredDuringExecution.push_back({weight, term});
            pod.spec.affinity = api::Affinity{std::nullopt, std::nullopt, anti};
            api::TopologySpreadConstraint spread;
            spread.maxSkew = 1;
            spread.topologyKey = key;
            spread.whenUnsatisfiable = "ScheduleAnyway";
            spread.labelSelector = selector;
            pod.spec.topologySpreadConstraints.push_back(spread);
            break;
          }
          default: {  // a zonal volume: a bound PV in one zone, or the class's zones
            api::PersistentVolumeClaim claim;
            claim.metadata.namespace_ = ns;
            claim.metadata.name = "data-" + pod.metadata.name;
            if (boundVolume) {
              api::PersistentVolume volume;
              volume.metadata.name = "pv-" + pod.metadata.name;
              volume.spec.csi = api::CSIPersistentVolumeSource{kEbs, volume.metadata.name, ""};
              volume.spec.nodeAffinity = api::VolumeNodeAffinity{api::NodeSelector{
                  {{{selectorRequirement(std::string(api::kLabelTopologyZone), "In", {volumeZone})},
                    {}}}}};
              s.input.persistentVolumes.push_back(volume);
              claim.spec.volumeName = volume.metadata.name;
            } else {
              claim.spec.storageClassName = "zonal";
            }
            pvc.push_back(claim);
            api::Volume volume;
            volume.name = "data";
            volume.persistentVolumeClaim =
                api::PersistentVolumeClaimVolumeSource{claim.metadata.name, false};
            pod.spec.volumes.push_back(volume);
            break;
          }
        }
        s.pods.push_back(std::move(pod));
      }
      // Running replicas and an existing pod that repels the deployment (symmetry).
      for (auto& node : s.input.existingNodes) {
        if (chance(0.3)) {
          s.existingPods.push_back(makePod(app + "-running-" + node.name, "100m", "64Mi"));
          s.existingPods.back().metadata.namespace_ = ns;
          s.existingPods.back().metadata.labels["app"] = app;
          if (kind == 2 || kind >= 5 || chance(0.5)) {
            node.pods.push_back(&s.existingPods.back());
          } else {
            s.existingPods.pop_back();
          }
        }
        if (chance(0.15)) {
          s.existingPods.push_back(makePod("repeller-" + node.name, "100m", "64Mi"));
          api::PodAffinity anti;
          anti.requiredDuringSchedulingIgnoredDuringExecution.push_back(
              {api::LabelSelector{{{"app", app}}, {}}, {}, key, api::LabelSelector{}, {}, {}});
          s.existingPods.back().spec.affinity = api::Affinity{std::nullopt, std::nullopt, anti};
          node.pods.push_back(&s.existingPods.back());
        }
      }
    }
  }

  Scenario scenario(bool withLimitsAndNodes, bool withTopology = true) {
    Scenario s;
    s.input.options.maxInstanceTypes = static_cast<size_t>(uniform(1, 8));
    int poolCount = uniform(1, 3);
    for (int p = 0; p < poolCount; ++p) {
      NodePoolInput pool{makeNodePool("pool-" + std::to_string(p), uniform(0, 2)), {}};
      auto& tmpl = pool.nodePool.spec.template_;
      if (chance(0.3)) {
        tmpl.spec.taints.push_back({"team", "t" + std::to_string(uniform(0, 1)),
                                    chance(0.5) ? "NoSchedule" : "PreferNoSchedule"});
      }
      if (chance(0.4)) {
        tmpl.spec.requirements.push_back(
            selectorRequirement(std::string(api::kLabelTopologyZone), "In", {zone(), zone()}));
      }
      if (chance(0.3)) {
        tmpl.metadata.labels["tier"] = chance(0.5) ? "web" : "batch";
      }
      if (withLimitsAndNodes && chance(0.5)) {
        pool.nodePool.spec.limits["cpu"] = api::Quantity::fromInt(uniform(4, 64));
        pool.nodePool.status.resources["cpu"] = api::Quantity::fromInt(uniform(0, 4));
      }
      if (withLimitsAndNodes && chance(0.3)) {
        pool.nodePool.spec.limits["nodes"] = api::Quantity::fromInt(uniform(1, 5));
      }
      int typeCount = uniform(1, 12);
      for (int t = 0; t < typeCount; ++t) {
        int cpu = uniform(1, 32);
        std::vector<std::string> zones = {zone()};
        if (chance(0.6)) {
          zones.push_back(zone());
        }
        std::sort(zones.begin(), zones.end());
        zones.erase(std::unique(zones.begin(), zones.end()), zones.end());
        auto type =
            makeInstanceType("it-" + std::to_string(p) + "-" + std::to_string(t), cpu,
                             cpu * uniform(1, 8), uniform(4, 60), 0.05 * cpu + 0.01 * t, zones);
        for (auto& offering : type.offerings) {
          offering.available = chance(0.85);
        }
        if (chance(0.2)) {
          type.capacity["nvidia.com/gpu"] = api::Quantity::fromInt(uniform(1, 4));
        }
        if (withLimitsAndNodes && chance(0.3)) {
          type.volumeLimits[kEbs] = uniform(1, 3);
        }
        type.overhead.kubeReserved["cpu"] = api::Quantity::fromMilli(uniform(0, 300));
        type.overhead.evictionThreshold["memory"] = api::Quantity::mustParse("100Mi");
        pool.instanceTypes.push_back(std::move(type));
      }
      s.input.nodePools.push_back(std::move(pool));
    }
    int daemonCount = uniform(0, 3);
    for (int d = 0; d < daemonCount; ++d) {
      api::DaemonSet daemonSet;
      daemonSet.metadata.name = "ds-" + std::to_string(d);
      daemonSet.metadata.namespace_ = "kube-system";
      auto pod = makePod("ds", std::to_string(uniform(50, 500)) + "m",
                         std::to_string(uniform(64, 512)) + "Mi");
      daemonSet.spec.template_.spec = pod.spec;
      if (chance(0.3)) {
        daemonSet.spec.template_.spec.nodeSelector[std::string(api::kLabelTopologyZone)] = zone();
      }
      if (chance(0.3)) {
        daemonSet.spec.template_.spec.tolerations.push_back({"", "Exists", "", "", std::nullopt});
      }
      s.input.daemonSets.push_back(daemonSet);
    }
    if (withLimitsAndNodes) {
      int nodeCount = uniform(0, 3);
      s.existingPods.reserve(256);
      for (int n = 0; n < nodeCount; ++n) {
        ExistingNode node;
        node.name = "node-" + std::to_string(n);
        node.labels[std::string(api::kLabelTopologyZone)] = zone();
        node.labels[std::string(api::kLabelHostname)] = node.name;
        if (chance(0.3)) {
          node.taints.push_back({"team", "t0", "NoSchedule"});
        }
        node.allocatable["cpu"] = api::Quantity::fromInt(uniform(2, 8));
        node.allocatable["memory"] =
            api::Quantity::mustParse(std::to_string(uniform(2, 16)) + "Gi");
        node.allocatable["pods"] = api::Quantity::fromInt(uniform(2, 20));
        if (chance(0.4)) {
          node.volumeLimits[kEbs] = uniform(0, 2);
        }
        int bound = uniform(0, 3);
        for (int b = 0; b < bound; ++b) {
          s.existingPods.push_back(
              makePod(node.name + "-bound-" + std::to_string(b), "500m", "256Mi"));
          if (chance(0.3)) {
            api::ContainerPort port;
            port.hostPort = 8080;
            s.existingPods.back().spec.containers[0].ports.push_back(port);
          }
          node.pods.push_back(&s.existingPods.back());
        }
        s.input.existingNodes.push_back(node);
      }
    }
    int podCount = uniform(1, 60);
    for (int i = 0; i < podCount; ++i) {
      auto pod = makePod("pod-" + std::to_string(i), std::to_string(uniform(100, 6000)) + "m",
                         std::to_string(uniform(100, 8192)) + "Mi");
      pod.metadata.creationTimestamp = "2024-01-01T00:00:0" + std::to_string(uniform(0, 9)) + "Z";
      if (chance(0.2)) {
        pod.spec.nodeSelector[std::string(api::kLabelTopologyZone)] = zone();
      }
      if (chance(0.1)) {
        pod.spec.nodeSelector["tier"] = "web";
      }
      if (chance(0.3)) {
        pod.spec.tolerations.push_back({"team", "Equal", "t0", "", std::nullopt});
      }
      if (chance(0.1)) {
        pod.spec.containers[0].resources.requests["nvidia.com/gpu"] =
            api::Quantity::fromInt(uniform(1, 2));
      }
      if (chance(0.15)) {
        api::ContainerPort port;
        port.containerPort = 8080;
        port.hostPort = 8080;
        port.hostIP = chance(0.3) ? "10.0.0.1" : "";
        pod.spec.containers[0].ports.push_back(port);
      }
      api::NodeAffinity affinity;
      bool hasAffinity = false;
      if (chance(0.2)) {
        affinity.preferredDuringSchedulingIgnoredDuringExecution.push_back(
            {uniform(1, 100),
             {{selectorRequirement(std::string(api::kLabelTopologyZone), "In", {zone()})}, {}}});
        hasAffinity = true;
      }
      if (chance(0.15)) {
        api::NodeSelector selector;
        for (int t = uniform(1, 3); t > 0; --t) {
          selector.nodeSelectorTerms.push_back(
              {{selectorRequirement(std::string(api::kLabelTopologyZone), "In", {zone()})}, {}});
          // Existing nodes by name: In pins the term to one, NotIn keeps it off one.
          if (withLimitsAndNodes && chance(0.3)) {
            selector.nodeSelectorTerms.back().matchFields.push_back(
                selectorRequirement("metadata.name", chance(0.5) ? "In" : "NotIn",
                                    {"node-" + std::to_string(uniform(0, 3))}));
          }
        }
        affinity.requiredDuringSchedulingIgnoredDuringExecution = selector;
        hasAffinity = true;
      }
      if (hasAffinity) {
        pod.spec.affinity = api::Affinity{affinity, std::nullopt, std::nullopt};
      }
      s.pods.push_back(std::move(pod));
    }
    if (withTopology) {
      addWorkloads(s);
    }
    return s;
  }

 private:
  std::mt19937 rng_;
};

std::vector<const api::Pod*> pointers(const std::vector<api::Pod>& pods) {
  std::vector<const api::Pod*> out;
  for (const auto& pod : pods) {
    out.push_back(&pod);
  }
  return out;
}

TEST(SchedulerPropertyTest, EveryPlacementRespectsEveryConstraint) {
  size_t placed = 0;
  size_t failed = 0;
  size_t constrainedPlaced = 0;  // spread, pod (anti-)affinity or volume topology
  size_t constrainedFailed = 0;
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    Generator generator(seed);
    Scenario scenario = generator.scenario(/*withLimitsAndNodes=*/true);
    auto pods = pointers(scenario.pods);
    auto results = solve(scenario.input, pods);
    auto violations = checkResults(scenario.input, pods, results);
    ASSERT_TRUE(violations.empty()) << "seed " << seed << ": " << violations.front();
    failed += results.podErrors.size();
    placed += pods.size() - results.podErrors.size();
    std::set<const api::Pod*> rejected;
    for (const auto& error : results.podErrors) {
      rejected.insert(error.pod);
    }
    for (const auto* pod : pods) {
      const auto& spec = pod->spec;
      bool constrained =
          !spec.topologySpreadConstraints.empty() || !spec.volumes.empty() ||
          (spec.affinity && (spec.affinity->podAffinity || spec.affinity->podAntiAffinity));
      if (constrained) {
        ++(rejected.contains(pod) ? constrainedFailed : constrainedPlaced);
      }
    }
  }
  // The generator must exercise both outcomes, or the property says little.
  EXPECT_GT(placed, 1000U);
  EXPECT_GT(failed, 50U);
  EXPECT_GT(constrainedPlaced, 500U);
  EXPECT_GT(constrainedFailed, 20U);
}

// Whether `pod`, as upstream's relaxation leaves it when everything else failed (only its last
// required node-affinity term, no preferences, PreferNoSchedule tolerated when some NodePool
// has it), fits some instance type of some NodePool on its own: taints, requirements, an
// available compatible offering, and allocatable minus the DaemonSet overhead of the template
// and instance type (upstream computes overhead per template × instance-type group, before the
// pod's own requirements narrow the node, so a zone-pinned DaemonSet counts on a multi-zone type).
bool fitsAlone(const SchedulerInput& input, const api::Pod& pod) {
  bool anyPreferNoSchedule = false;
  for (const auto& pool : input.nodePools) {
    for (const auto& taint : pool.nodePool.spec.template_.spec.taints) {
      anyPreferNoSchedule = anyPreferNoSchedule || taint.effect == "PreferNoSchedule";
    }
  }
  auto alternatives = testing::acceptableRequirements(pod, &input);
  if (alternatives.empty()) {
    return false;
  }
  const Requirements& last = alternatives.back();
  for (const auto& pool : input.nodePools) {
    const auto& tmpl = pool.nodePool.spec.template_;
    if (!toleratesAll(pod.spec.tolerations, tmpl.spec.taints,
                      anyPreferNoSchedule ? TaintScope::kBlocking : TaintScope::kAllEffects)) {
      continue;
    }
    auto base = Requirements::fromNodeSelectorRequirements(tmpl.spec.requirements);
    Requirements poolRequirements = *base;
    poolRequirements.add(Requirements::fromLabels(tmpl.metadata.labels));
    poolRequirements.add(Requirement::in(api::kNodePoolLabelKey, {pool.nodePool.metadata.name}));
    if (!poolRequirements.compatible(last, true)) {
      continue;
    }
    Requirements claim = poolRequirements;
    claim.add(last);
    for (const auto& type : pool.instanceTypes) {
      for (const auto& offering : type.offerings) {
        if (!offering.available || !type.requirements.intersects(claim) ||
            !claim.compatible(offering.requirements, true)) {
          continue;
        }
        Requirements node = poolRequirements;
        node.add(type.requirements);
        auto needed =
            api::resources::add(testing::requestsWithPodCount(pod),
                                testing::daemonOverhead(input, tmpl.spec.taints, node, true));
        if (api::resources::fits(needed, type.allocatable())) {
          return true;
        }
      }
    }
  }
  return false;
}

TEST(SchedulerPropertyTest, UnschedulablePodsReallyFitNowhere) {
  size_t checked = 0;
  for (uint32_t seed = 1000; seed < 1300; ++seed) {
    Generator generator(seed);
    Scenario scenario = generator.scenario(/*withLimitsAndNodes=*/false);
    auto pods = pointers(scenario.pods);
    auto results = solve(scenario.input, pods);
    ASSERT_TRUE(checkResults(scenario.input, pods, results).empty()) << "seed " << seed;
    for (const auto& error : results.podErrors) {
      const auto& spec = error.pod->spec;
      if (!spec.topologySpreadConstraints.empty() ||
          (spec.affinity && (spec.affinity->podAffinity || spec.affinity->podAntiAffinity))) {
        continue;  // may fail for want of a domain, which fitsAlone does not model
      }
      ++checked;
      EXPECT_FALSE(fitsAlone(scenario.input, *error.pod))
          << "seed " << seed << ": " << error.pod->metadata.name << " rejected: " << error.reason;
    }
  }
  EXPECT_GT(checked, 20U);
}

TEST(SchedulerPropertyTest, CheckerCatchesCorruptedResults) {
  Generator generator(7);
  Scenario scenario = generator.scenario(false);
  scenario.pods.clear();
  scenario.input.nodePools.resize(1);
  auto& pool = scenario.input.nodePools[0];
  pool.nodePool.spec.template_.spec.taints.clear();
  pool.nodePool.spec.template_.spec.requirements.clear();
  pool.nodePool.spec.template_.metadata.labels.clear();
  pool.instanceTypes = {makeInstanceType("only", 4, 16, 10, 1.0)};
  scenario.input.daemonSets.clear();
  for (int i = 0; i < 3; ++i) {
    scenario.pods.push_back(makePod("p" + std::to_string(i), "1", "1Gi"));
  }
  auto pods = pointers(scenario.pods);
  auto results = solve(scenario.input, pods);
  ASSERT_TRUE(checkResults(scenario.input, pods, results).empty());
  ASSERT_EQ(results.newNodeClaims.size(), 1U);

  auto duplicated = results;
  duplicated.newNodeClaims[0].pods.push_back(pods[0]);
  EXPECT_FALSE(checkResults(scenario.input, pods, duplicated).empty());

  auto overflowing = results;
  auto extra = makePod("extra", "2", "1Gi");
  std::vector<const api::Pod*> more = pods;
  more.push_back(&extra);
  overflowing.newNodeClaims[0].pods.push_back(&extra);
  EXPECT_FALSE(checkResults(scenario.input, more, overflowing).empty());

  auto tainted = scenario.input;
  tainted.nodePools[0].nodePool.spec.template_.spec.taints.push_back({"k", "v", "NoSchedule"});
  EXPECT_FALSE(checkResults(tainted, pods, results).empty());

  auto clashing = results;
  auto first = makePod("port-a", "100m", "");
  auto second = makePod("port-b", "100m", "");
  first.spec.containers[0].ports.push_back({"", 80, 80, "TCP", ""});
  second.spec.containers[0].ports.push_back({"", 80, 80, "", "10.0.0.2"});
  std::vector<const api::Pod*> withPorts = pods;
  withPorts.push_back(&first);
  withPorts.push_back(&second);
  clashing.newNodeClaims[0].pods.push_back(&first);
  clashing.newNodeClaims[0].pods.push_back(&second);
  EXPECT_FALSE(checkResults(scenario.input, withPorts, clashing).empty());

  auto limited = scenario.input;
  limited.nodePools[0].nodePool.spec.limits["cpu"] = api::Quantity::fromInt(3);
  EXPECT_FALSE(checkResults(limited, pods, results).empty());

  // Topology: two self anti-affine pods on one NodeClaim, a spread pod on a NodeClaim with no
  // single zone, a pod whose affinity target is elsewhere.
  api::PodAffinityTerm hostTerm{api::LabelSelector{{{"app", "db"}}, {}},
                                {},
                                std::string(api::kLabelHostname),
                                std::nullopt,
                                {},
                                {}};
  auto db1 = makePod("db-1", "100m", "");
  auto db2 = makePod("db-2", "100m", "");
  for (auto* db : {&db1, &db2}) {
    db->metadata.labels["app"] = "db";
    api::PodAffinity anti;
    anti.requiredDuringSchedulingIgnoredDuringExecution.push_back(hostTerm);
    db->spec.affinity = api::Affinity{std::nullopt, std::nullopt, anti};
  }
  auto spreader = makePod("spreader", "100m", "");
  spreader.metadata.labels["app"] = "web";
  spreader.spec.topologySpreadConstraints.push_back({1,
                                                     std::string(api::kLabelTopologyZone),
                                                     "DoNotSchedule",
                                                     api::LabelSelector{{{"app", "web"}}, {}},
                                                     std::nullopt,
                                                     std::nullopt,
                                                     std::nullopt,
                                                     {}});
  for (const auto* extra : {&db1, &db2, &spreader}) {
    auto corrupted = results;
    std::vector<const api::Pod*> all = pods;
    corrupted.newNodeClaims[0].pods.push_back(extra);
    all.push_back(extra);
    if (extra == &db2) {
      corrupted.newNodeClaims[0].pods.push_back(&db1);
      all.push_back(&db1);
    }
    EXPECT_EQ(checkResults(scenario.input, all, corrupted).empty(), extra == &db1)
        << extra->metadata.name;
  }
}

}  // namespace
}  // namespace karpenter::scheduling
