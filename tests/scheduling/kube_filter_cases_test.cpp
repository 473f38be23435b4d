// kube-scheduler's filter-plugin case tables, ported as data: each case is a cluster (nodes and
// the pods bound to them), an incoming pod, and the nodes kube-scheduler's filter lets it onto.
// Every node is tried in turn with the others closed (their pod slots full, which no filter but
// NodeResourcesFit looks at), the solver runs with no NodePool, and the pod must land on the open
// node exactly when kube-scheduler's filter passes it.
//
// Ported (case names shortened; source kubernetes/kubernetes pkg/scheduler/framework/plugins/…):
//  tainttoleration/taint_toleration_test.go TestTaintTolerationFilter: all 9 cases (no
//    tolerations vs taint; Equal match; value mismatch; Exists; multiple taints/tolerations;
//    effect mismatch; empty effect; PreferNoSchedule untolerated ×2).
//  nodeaffinity/node_affinity_test.go TestNodeAffinity: no selector; missing labels; same labels;
//    superset; subset; In match; Gt; NotIn; Exists; In mismatch; empty matchExpressions term;
//    ORed terms; ANDed expressions; affinity ok but nodeSelector not; both satisfied;
//    DoesNotExist; matchFields: In matching / not matching the node's name; two terms, fields
//    fail but expressions match; one term, fields fail and expressions match; one term, both
//    match; two terms, neither matches; two name terms; two conflicting name fields in one
//    term. Skipped: AddedAffinity (a plugin argument, not a pod field), PreFilter result cases
//    (no such stage).
//  interpodaffinity/filtering_test.go TestRequiredAffinitySingleNode: 20 cases (all but the
//    invalid-antiaffinity-syntax twin; the "diff namespace" case gets topologyKey "region" so it
//    tests the namespace and not the empty key, which the "unmatching labelSelector" case covers).
//  podtopologyspread/filtering_test.go TestSingleConstraint: no existing pods; not self-matching;
//    3/3; 1/2 with node lacking the key; 2/1/0/3 on nodes with maxSkew 1 and 2; nodeAffinity
//    excluding domains; other namespaces; minDomains above the domain count; nodeTaintsPolicy
//    Honor vs Ignore. Skipped: terminating-pod and matchLabelKeys-with-rollout cases (covered in
//    topology_test), multi-constraint tables (TestMultipleConstraints).
//  noderesources/fit_test.go TestEnoughRequests: no requests; too many; init container too big;
//    both fit; cpu does not fit; memory does not fit; equal edge; init equal edge; extended
//    resource fits / exceeds / absent on node; too many pods. Skipped: ignored-resource and
//    pod-overhead-with-feature-gate variants (scoring arguments).
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "karpenter/scheduling/scheduler.hpp"
#include "scheduling/result_checker.hpp"
#include "scheduling/scheduling_fixtures.hpp"

namespace karpenter::scheduling {
namespace {

using testing::makePod;
using testing::selectorRequirement;

struct NodeCase {
  std::string name;
  api::Labels labels;
  std::vector<api::Taint> taints;
  api::ResourceList allocatable;
};

struct BoundPod {
  std::string node;
  api::Pod pod;
};

struct FilterCase {
  std::string name;
  std::vector<NodeCase> nodes;
  std::vector<BoundPod> bound;
  api::Pod incoming;
  std::set<std::string> fits;
};

api::ResourceList roomy() {
  return {{"cpu", api::Quantity::mustParse("100")},
          {"memory", api::Quantity::mustParse("100Gi")},
          {"pods", api::Quantity::mustParse("110")}};
}

NodeCase node(std::string name, api::Labels labels = {}, std::vector<api::Taint> taints = {}) {
  return {std::move(name), std::move(labels), std::move(taints), roomy()};
}

api::Pod pod(const std::string& name, api::Labels labels = {}, const std::string& ns = "") {
  api::Pod p = makePod(name, "", "");
  p.metadata.namespace_ = ns;
  p.metadata.labels = std::move(labels);
  return p;
}

api::LabelSelectorRequirement expr(std::string key, std::string op,
                                   std::vector<std::string> values = {}) {
  return {std::move(key), std::move(op), std::move(values)};
}

api::PodAffinityTerm term(std::vector<api::LabelSelectorRequirement> expressions,
                          std::string topologyKey, std::vector<std::string> namespaces = {}) {
  api::PodAffinityTerm t;
  t.labelSelector = api::LabelSelector{{}, std::move(expressions)};
  t.topologyKey = std::move(topologyKey);
  t.namespaces = std::move(namespaces);
  return t;
}

api::Pod& withAffinity(api::Pod& p, std::vector<api::PodAffinityTerm> affinity,
                       std::vector<api::PodAffinityTerm> anti) {
  api::Affinity a = p.spec.affinity.value_or(api::Affinity{});
  if (!affinity.empty()) {
    a.podAffinity = api::PodAffinity{std::move(affinity), {}};
  }
  if (!anti.empty()) {
    a.podAntiAffinity = api::PodAffinity{std::move(anti), {}};
  }
  p.spec.affinity = a;
  return p;
}

api::Pod withNodeAffinity(api::Pod p, std::vector<api::NodeSelectorTerm> terms) {
  api::NodeAffinity affinity;
  affinity.requiredDuringSchedulingIgnoredDuringExecution = api::NodeSelector{std::move(terms)};
  p.spec.affinity = api::Affinity{affinity, std::nullopt, std::nullopt};
  return p;
}

api::Pod withSpread(api::Pod p, int maxSkew, std::string key,
                    std::vector<api::LabelSelectorRequirement> selector,
                    std::optional<int> minDomains = std::nullopt,
                    std::optional<std::string> taintsPolicy = std::nullopt) {
  api::TopologySpreadConstraint c;
  c.maxSkew = maxSkew;
  c.topologyKey = std::move(key);
  c.whenUnsatisfiable = "DoNotSchedule";
  c.labelSelector = api::LabelSelector{{}, std::move(selector)};
  c.minDomains = minDomains;
  c.nodeTaintsPolicy = std::move(taintsPolicy);
  p.spec.topologySpreadConstraints.push_back(c);
  return p;
}

api::Pod withRequests(api::Pod p, const std::string& cpu, const std::string& memory,
                      const std::string& initCpu = "", const std::string& initMemory = "") {
  p.spec.containers[0].resources.requests.clear();
  if (!cpu.empty()) {
    p.spec.containers[0].resources.requests["cpu"] = api::Quantity::mustParse(cpu);
  }
  if (!memory.empty()) {
    p.spec.containers[0].resources.requests["memory"] = api::Quantity::mustParse(memory);
  }
  if (!initCpu.empty() || !initMemory.empty()) {
    api::Container init;
    init.name = "init";
    init.resources.requests["cpu"] = api::Quantity::mustParse(initCpu);
    init.resources.requests["memory"] = api::Quantity::mustParse(initMemory);
    p.spec.initContainers.push_back(init);
  }
  return p;
}

// Runs the case once per node, that node open and the others full.
void runCase(const FilterCase& c) {
  for (const auto& open : c.nodes) {
    SchedulerInput input;
    std::vector<std::vector<const api::Pod*>> bound(c.nodes.size());
    for (size_t i = 0; i < c.nodes.size(); ++i) {
      for (const auto& b : c.bound) {
        if (b.node == c.nodes[i].name) {
          bound[i].push_back(&b.pod);
        }
      }
    }
    for (size_t i = 0; i < c.nodes.size(); ++i) {
      ExistingNode n;
      n.name = c.nodes[i].name;
      n.labels = c.nodes[i].labels;
      n.taints = c.nodes[i].taints;
      n.allocatable = c.nodes[i].allocatable;
      if (n.name != open.name) {
        n.allocatable["pods"] = api::Quantity::fromInt(static_cast<int64_t>(bound[i].size()));
      }
      n.pods = bound[i];
      input.existingNodes.push_back(n);
    }
    std::vector<const api::Pod*> pods = {&c.incoming};
    auto results = solve(input, pods);
    const bool placed =
        results.existingNodes.size() == 1 && results.existingNodes[0].nodeName == open.name;
    EXPECT_EQ(placed, c.fits.contains(open.name))
        << c.name << " — node " << open.name
        << (results.podErrors.empty() ? "" : ": " + results.podErrors[0].reason);
    if (placed) {
      auto violations = testing::checkResults(input, pods, results);
      EXPECT_TRUE(violations.empty()) << c.name << ": " << violations.front();
    }
  }
}

api::Taint taint(std::string key, std::string value, std::string effect) {
  return {std::move(key), std::move(value), std::move(effect)};
}

TEST(KubeFilterCasesTest, TaintToleration) {
  auto tolerating = [](std::vector<api::Toleration> tolerations) {
    api::Pod p = pod("p");
    p.spec.tolerations = std::move(tolerations);
    return p;
  };
  const std::vector<FilterCase> cases = {
      {"no tolerations, NoSchedule taint",
       {node("n", {}, {taint("dedicated", "user1", "NoSchedule")})},
       {},
       pod("p"),
       {}},
      {"tolerates dedicated=user1",
       {node("n", {}, {taint("dedicated", "user1", "NoSchedule")})},
       {},
       tolerating({{"dedicated", "Equal", "user1", "NoSchedule", std::nullopt}}),
       {"n"}},
      {"tolerates user2, taint user1",
       {node("n", {}, {taint("dedicated", "user1", "NoSchedule")})},
       {},
       tolerating({{"dedicated", "Equal", "user2", "NoSchedule", std::nullopt}}),
       {}},
      {"Exists tolerates any value",
       {node("n", {}, {taint("foo", "bar", "NoSchedule")})},
       {},
       tolerating({{"foo", "Exists", "", "NoSchedule", std::nullopt}}),
       {"n"}},
      {"multiple taints all tolerated",
       {node("n", {},
             {taint("dedicated", "user2", "NoSchedule"), taint("foo", "bar", "NoSchedule")})},
       {},
       tolerating({{"dedicated", "Equal", "user2", "NoSchedule", std::nullopt},
                   {"foo", "Exists", "", "NoSchedule", std::nullopt}}),
       {"n"}},
      {"effect mismatch",
       {node("n", {}, {taint("foo", "bar", "NoSchedule")})},
       {},
       tolerating({{"foo", "Equal", "bar", "PreferNoSchedule", std::nullopt}}),
       {}},
      {"empty toleration effect matches",
       {node("n", {}, {taint("foo", "bar", "NoSchedule")})},
       {},
       tolerating({{"foo", "Equal", "bar", "", std::nullopt}}),
       {"n"}},
      {"untolerated PreferNoSchedule",
       {node("n", {}, {taint("dedicated", "user1", "PreferNoSchedule")})},
       {},
       tolerating({{"dedicated", "Equal", "user2", "NoSchedule", std::nullopt}}),
       {"n"}},
      {"no tolerations, PreferNoSchedule",
       {node("n", {}, {taint("dedicated", "user1", "PreferNoSchedule")})},
       {},
       pod("p"),
       {"n"}},
  };
  for (const auto& c : cases) {
    runCase(c);
  }
}

TEST(KubeFilterCasesTest, NodeAffinity) {
  auto selecting = [](api::Labels selector) {
    api::Pod p = pod("p");
    p.spec.nodeSelector = std::move(selector);
    return p;
  };
  auto terms = [](std::vector<std::vector<api::NodeSelectorRequirement>> each) {
    std::vector<api::NodeSelectorTerm> out;
    for (auto& expressions : each) {
      out.push_back({std::move(expressions), {}});
    }
    return withNodeAffinity(pod("p"), std::move(out));
  };
  const std::vector<FilterCase> cases = {
      {"no selector", {node("n")}, {}, pod("p"), {"n"}},
      {"missing labels", {node("n")}, {}, selecting({{"foo", "bar"}}), {}},
      {"same labels", {node("n", {{"foo", "bar"}})}, {}, selecting({{"foo", "bar"}}), {"n"}},
      {"node labels are superset",
       {node("n", {{"foo", "bar"}, {"baz", "blah"}})},
       {},
       selecting({{"foo", "bar"}}),
       {"n"}},
      {"node labels are subset",
       {node("n", {{"foo", "bar"}})},
       {},
       selecting({{"foo", "bar"}, {"baz", "blah"}}),
       {}},
      {"In matches",
       {node("n", {{"foo", "bar"}})},
       {},
       terms({{selectorRequirement("foo", "In", {"bar", "value2"})}}),
       {"n"}},
      {"Gt matches",
       {node("n", {{"kernel-version", "0206"}})},
       {},
       terms({{selectorRequirement("kernel-version", "Gt", {"0204"})}}),
       {"n"}},
      {"NotIn matches",
       {node("n", {{"mem-type", "DDR3"}})},
       {},
       terms({{selectorRequirement("mem-type", "NotIn", {"DDR", "DDR2"})}}),
       {"n"}},
      {"Exists matches",
       {node("n", {{"GPU", "NVIDIA-GRID-K1"}})},
       {},
       terms({{selectorRequirement("GPU", "Exists", {})}}),
       {"n"}},
      {"In does not match",
       {node("n", {{"foo", "bar"}})},
       {},
       terms({{selectorRequirement("foo", "In", {"value1", "value2"})}}),
       {}},
      {"empty matchExpressions matches nothing",
       {node("n", {{"foo", "bar"}})},
       {},
       terms({{}}),
       {}},
      {"terms are ORed",
       {node("n", {{"foo", "bar"}})},
       {},
       terms({{selectorRequirement("foo", "In", {"bar"})},
              {selectorRequirement("diffkey", "In", {"wrong", "value2"})}}),
       {"n"}},
      {"expressions are ANDed",
       {node("n", {{"GPU", "AMD"}})},
       {},
       terms({{selectorRequirement("GPU", "Exists", {}),
               selectorRequirement("GPU", "NotIn", {"AMD", "INTER"})}}),
       {}},
      {"DoesNotExist on a node without the key",
       {node("n", {{"foo", "bar"}})},
       {},
       terms({{selectorRequirement("GPU", "DoesNotExist", {})}}),
       {"n"}},
  };
  for (const auto& c : cases) {
    runCase(c);
  }
  // matchFields (metadata.name): each case on node1 and node2, both labelled foo=bar.
  auto fieldTerms = [](std::vector<std::pair<std::vector<api::NodeSelectorRequirement>,
                                             std::vector<api::NodeSelectorRequirement>>>
                           each) {
    std::vector<api::NodeSelectorTerm> out;
    for (auto& [expressions, fields] : each) {
      out.push_back({std::move(expressions), std::move(fields)});
    }
    return withNodeAffinity(pod("p"), std::move(out));
  };
  const auto name = [](const std::string& node) {
    return selectorRequirement("metadata.name", "In", {node});
  };
  const auto fooBar = selectorRequirement("foo", "In", {"bar"});
  const std::vector<NodeCase> named = {node("node1", {{"foo", "bar"}}),
                                       node("node2", {{"foo", "bar"}})};
  const std::vector<FilterCase> fieldCases = {
      {"matchFields In matches the node's name",
       named,
       {},
       fieldTerms({{{}, {name("node1")}}}),
       {"node1"}},
      {"two terms: matchFields fails, matchExpressions matches",
       named,
       {},
       fieldTerms({{{}, {name("node1")}}, {{fooBar}, {}}}),
       {"node1", "node2"}},
      {"one term: matchFields fails, matchExpressions matches",
       named,
       {},
       fieldTerms({{{fooBar}, {name("node1")}}}),
       {"node1"}},
      {"two terms: neither matches",
       named,
       {},
       fieldTerms(
           {{{}, {name("node1")}}, {{selectorRequirement("foo", "In", {"not-match-to-bar"})}, {}}}),
       {"node1"}},
      {"two terms of node name",
       named,
       {},
       fieldTerms({{{}, {name("node1")}}, {{}, {name("node2")}}}),
       {"node1", "node2"}},
      {"two conflicting name fields",
       named,
       {},
       fieldTerms({{{}, {name("node1"), name("node2")}}}),
       {}},
      {"matchFields NotIn excludes the named node",
       named,
       {},
       fieldTerms({{{}, {selectorRequirement("metadata.name", "NotIn", {"node1"})}}}),
       {"node2"}},
  };
  for (const auto& c : fieldCases) {
    runCase(c);
  }
  api::Pod both = terms({{selectorRequirement("foo", "Exists", {})}});
  both.spec.nodeSelector = {{"foo", "bar"}};
  api::Pod selectorFails = both;
  selectorFails.spec.nodeSelector = {{"foo", "other"}};
  runCase(
      {"affinity and nodeSelector both satisfied", {node("n", {{"foo", "bar"}})}, {}, both, {"n"}});
  runCase({"affinity satisfied, nodeSelector not",
           {node("n", {{"foo", "bar"}})},
           {},
           selectorFails,
           {}});
}

TEST(KubeFilterCasesTest, InterPodAffinity) {
  const api::Labels podLabel = {{"service", "securityscan"}};
  const api::Labels podLabel2 = {{"security", "S1"}};
  const NodeCase node1 = node("node1", {{"region", "r1"}, {"zone", "z11"}});
  auto existing = [&](api::Labels labels) { return BoundPod{"node1", pod("existing", labels)}; };
  auto incoming = [&](api::Labels labels, std::vector<api::PodAffinityTerm> affinity,
                      std::vector<api::PodAffinityTerm> anti) {
    api::Pod p = pod("incoming", std::move(labels));
    return withAffinity(p, std::move(affinity), std::move(anti));
  };
  auto bound = [&](api::Labels labels, std::vector<api::PodAffinityTerm> anti) {
    BoundPod b = existing(std::move(labels));
    withAffinity(b.pod, {}, std::move(anti));
    return b;
  };
  const auto in = [](std::vector<std::string> v, const std::string& key) {
    return term({expr("service", "In", std::move(v))}, key);
  };
  const std::vector<FilterCase> cases = {
      {"no affinity", {node1}, {}, pod("incoming"), {"node1"}},
      {"affinity In matches existing pod",
       {node1},
       {existing(podLabel)},
       incoming(podLabel2, {in({"securityscan", "value2"}, "region")}, {}),
       {"node1"}},
      {"affinity NotIn matches existing pod",
       {node1},
       {existing(podLabel)},
       incoming(podLabel2,
                {term({expr("service", "NotIn", {"securityscan3", "value3"})}, "region")}, {}),
       {"node1"}},
      {"affinity restricted to another namespace",
       {node1},
       {{"node1", pod("existing", podLabel, "ns")}},
       incoming(
           podLabel2,
           {term({expr("service", "In", {"securityscan", "value2"})}, "region", {"DiffNameSpace"})},
           {}),
       {}},
      {"affinity selector matches no pod (empty topologyKey)",
       {node1},
       {existing(podLabel)},
       incoming(podLabel, {in({"antivirusscan", "value2"}, "")}, {}),
       {}},
      {"two affinity terms, both matched",
       {node1},
       {existing(podLabel)},
       incoming(podLabel2,
                {term({expr("service", "Exists"), expr("wrongkey", "DoesNotExist")}, "region"),
                 term({expr("service", "In", {"securityscan"}),
                       expr("service", "NotIn", {"WrongValue"})},
                      "region")},
                {}),
       {"node1"}},
      {"two affinity terms, one unmatched",
       {node1},
       {existing(podLabel)},
       incoming(podLabel2,
                {term({expr("service", "Exists"), expr("wrongkey", "DoesNotExist")}, "region"),
                 term({expr("service", "In", {"securityscan2"}),
                       expr("service", "NotIn", {"WrongValue"})},
                      "region")},
                {}),
       {}},
      {"affinity and anti-affinity satisfied",
       {node1},
       {existing(podLabel)},
       incoming(podLabel2, {in({"securityscan", "value2"}, "region")},
                {in({"antivirusscan", "value2"}, "node")}),
       {"node1"}},
      {"affinity, anti-affinity and symmetry satisfied",
       {node1},
       {bound(podLabel, {in({"antivirusscan", "value2"}, "node")})},
       incoming(podLabel2, {in({"securityscan", "value2"}, "region")},
                {in({"antivirusscan", "value2"}, "node")}),
       {"node1"}},
      {"anti-affinity violated in zone",
       {node1},
       {existing(podLabel)},
       incoming(podLabel2, {in({"securityscan", "value2"}, "region")},
                {in({"securityscan", "value2"}, "zone")}),
       {}},
      {"symmetry violated",
       {node1},
       {bound(podLabel, {in({"securityscan", "value2"}, "zone")})},
       incoming(podLabel, {in({"securityscan", "value2"}, "region")},
                {in({"antivirusscan", "value2"}, "node")}),
       {}},
      {"pod does not match its own NotIn term, no other pod",
       {node1},
       {},
       incoming(podLabel, {term({expr("service", "NotIn", {"securityscan", "value2"})}, "region")},
                {}),
       {}},
      {"existing anti-affinity repels a pod without affinity",
       {node1},
       {bound(podLabel, {in({"securityscan", "value2"}, "zone")})},
       pod("incoming", podLabel),
       {}},
      {"existing NotIn anti-affinity admits it",
       {node1},
       {bound(podLabel, {term({expr("service", "NotIn", {"securityscan", "value2"})}, "zone")})},
       pod("incoming", podLabel),
       {"node1"}},
      {"incoming anti-affinity matches existing pod",
       {node1},
       {bound(podLabel2, {term({expr("security", "Exists")}, "zone")})},
       incoming(podLabel, {},
                {term({expr("service", "Exists")}, "region"),
                 term({expr("security", "Exists")}, "region")}),
       {}},
      {"symmetry a1",
       {node1},
       {bound(podLabel2, {term({expr("security", "Exists")}, "zone")})},
       incoming(
           podLabel, {},
           {term({expr("service", "Exists")}, "zone"), term({expr("security", "Exists")}, "zone")}),
       {}},
      {"symmetry a2",
       {node1},
       {bound(podLabel, {term({expr("service", "Exists")}, "zone"),
                         term({expr("security", "Exists")}, "zone")})},
       incoming(podLabel2, {}, {term({expr("security", "Exists")}, "zone")}),
       {}},
      {"symmetry b1",
       {node1},
       {bound({{"def", ""}, {"xyz", ""}},
              {term({expr("abc", "Exists")}, "zone"), term({expr("def", "Exists")}, "zone")})},
       incoming({{"abc", ""}, {"xyz", ""}}, {},
                {term({expr("abc", "Exists")}, "zone"), term({expr("def", "Exists")}, "zone")}),
       {}},
      {"symmetry b2",
       {node1},
       {bound({{"abc", ""}, {"xyz", ""}},
              {term({expr("abc", "Exists")}, "zone"), term({expr("def", "Exists")}, "zone")})},
       incoming({{"def", ""}, {"xyz", ""}}, {},
                {term({expr("abc", "Exists")}, "zone"), term({expr("def", "Exists")}, "zone")}),
       {}},
      {"invalid label value in affinity selector",
       {node1},
       {},
       incoming(podLabel, {in({"{{.bad-value.}}"}, "region"), in({"antivirusscan"}, "node")}, {}),
       {}},
  };
  for (const auto& c : cases) {
    runCase(c);
  }
}

TEST(KubeFilterCasesTest, PodTopologySpread) {
  const std::vector<NodeCase> fourNodes = {node("node-a", {{"zone", "zone1"}, {"node", "node-a"}}),
                                           node("node-b", {{"zone", "zone1"}, {"node", "node-b"}}),
                                           node("node-x", {{"zone", "zone2"}, {"node", "node-x"}}),
                                           node("node-y", {{"zone", "zone2"}, {"node", "node-y"}})};
  const api::Labels foo = {{"foo", ""}};
  auto on = [&](const std::string& nodeName, const std::string& name, const std::string& ns = "") {
    return BoundPod{nodeName, pod(name, foo, ns)};
  };
  const auto fooExists = std::vector<api::LabelSelectorRequirement>{expr("foo", "Exists")};
  const std::set<std::string> all = {"node-a", "node-b", "node-x", "node-y"};
  std::vector<NodeCase> noZoneOnB = fourNodes;
  noZoneOnB[1].labels.erase("zone");
  std::vector<NodeCase> taintedX = fourNodes;
  taintedX[2].taints.push_back(taint("dedicated", "x", "NoSchedule"));
  const std::vector<FilterCase> cases = {
      {"no existing pods", fourNodes, {}, withSpread(pod("p", foo), 1, "zone", fooExists), all},
      {"incoming pod does not match itself",
       fourNodes,
       {},
       withSpread(pod("p", foo), 1, "zone", {expr("bar", "Exists")}),
       all},
      {"3/3 across zones",
       fourNodes,
       {on("node-a", "a1"), on("node-a", "a2"), on("node-b", "b1"), on("node-x", "x1"),
        on("node-y", "y1"), on("node-y", "y2")},
       withSpread(pod("p", foo), 1, "zone", fooExists),
       all},
      {"1/2 with node-b lacking the zone label",
       noZoneOnB,
       {on("node-a", "a1"), on("node-b", "b1"), on("node-x", "x1"), on("node-y", "y1")},
       withSpread(pod("p", foo), 1, "zone", fooExists),
       {"node-a"}},
      {"2/1/0/3 across nodes, maxSkew 1",
       fourNodes,
       {on("node-a", "a1"), on("node-a", "a2"), on("node-b", "b1"), on("node-y", "y1"),
        on("node-y", "y2"), on("node-y", "y3")},
       withSpread(pod("p", foo), 1, "node", fooExists),
       {"node-x"}},
      {"2/1/0/3 across nodes, maxSkew 2",
       fourNodes,
       {on("node-a", "a1"), on("node-a", "a2"), on("node-b", "b1"), on("node-y", "y1"),
        on("node-y", "y2"), on("node-y", "y3")},
       withSpread(pod("p", foo), 2, "node", fooExists),
       {"node-b", "node-x"}},
      {"nodeAffinity leaves node-a and node-y as domains",
       fourNodes,
       {on("node-a", "a1"), on("node-a", "a2"), on("node-b", "b1"), on("node-y", "y1"),
        on("node-y", "y2"), on("node-y", "y3")},
       withSpread(
           withNodeAffinity(pod("p", foo),
                            {{{selectorRequirement("node", "NotIn", {"node-b", "node-x"})}, {}}}),
           1, "node", fooExists),
       {"node-a"}},
      {"pods in another namespace do not count",
       fourNodes,
       {on("node-a", "a1"), on("node-x", "x1", "other"), on("node-x", "x2", "other")},
       withSpread(pod("p", foo), 1, "zone", fooExists),
       {"node-x", "node-y"}},
      {"minDomains above the domain count makes the minimum 0",
       fourNodes,
       {on("node-a", "a1"), on("node-x", "x1")},
       withSpread(pod("p", foo), 1, "zone", fooExists, 3),
       {}},
      {"nodeTaintsPolicy Honor leaves the tainted node out",
       taintedX,
       {on("node-a", "a1"), on("node-b", "b1"), on("node-x", "x1"), on("node-x", "x2")},
       withSpread(pod("p", foo), 1, "zone", fooExists, std::nullopt, "Honor"),
       {"node-y"}},
      {"nodeTaintsPolicy Ignore counts it",
       taintedX,
       {on("node-a", "a1"), on("node-b", "b1"), on("node-x", "x1"), on("node-x", "x2")},
       withSpread(pod("p", foo), 1, "zone", fooExists),
       {"node-a", "node-b", "node-y"}},
  };
  for (const auto& c : cases) {
    runCase(c);
  }
}

TEST(KubeFilterCasesTest, NodeResourcesFit) {
  auto fitNode = [] {
    NodeCase n = node("n");
    n.allocatable = {{"cpu", api::Quantity::mustParse("10m")},
                     {"memory", api::Quantity::mustParse("20")},
                     {"pods", api::Quantity::mustParse("32")},
                     {"example.com/aaa", api::Quantity::mustParse("5")}};
    return n;
  };
  auto using_ = [](const std::string& cpu, const std::string& memory) {
    return BoundPod{"n", withRequests(pod("used"), cpu, memory)};
  };
  api::Pod extended = withRequests(pod("p"), "1m", "1");
  extended.spec.containers[0].resources.requests["example.com/aaa"] = api::Quantity::mustParse("5");
  api::Pod tooMuchExtended = extended;
  tooMuchExtended.spec.containers[0].resources.requests["example.com/aaa"] =
      api::Quantity::mustParse("6");
  api::Pod unknownExtended = withRequests(pod("p"), "1m", "1");
  unknownExtended.spec.containers[0].resources.requests["example.com/bbb"] =
      api::Quantity::mustParse("1");
  NodeCase onePod = fitNode();
  onePod.allocatable["pods"] = api::Quantity::mustParse("1");
  const std::vector<FilterCase> cases = {
      {"no requests always fit", {fitNode()}, {using_("10m", "20")}, pod("p"), {"n"}},
      {"too many resources",
       {fitNode()},
       {using_("10m", "20")},
       withRequests(pod("p"), "1m", "1"),
       {}},
      {"init container cpu too big",
       {fitNode()},
       {using_("8m", "19")},
       withRequests(pod("p"), "1m", "1", "3m", "1"),
       {}},
      {"both fit", {fitNode()}, {using_("5m", "5")}, withRequests(pod("p"), "1m", "1"), {"n"}},
      {"cpu does not fit", {fitNode()}, {using_("9m", "5")}, withRequests(pod("p"), "2m", "1"), {}},
      {"memory does not fit",
       {fitNode()},
       {using_("5m", "19")},
       withRequests(pod("p"), "1m", "2"),
       {}},
      {"equal edge case",
       {fitNode()},
       {using_("5m", "19")},
       withRequests(pod("p"), "5m", "1"),
       {"n"}},
      {"init container equal edge case",
       {fitNode()},
       {using_("5m", "19")},
       withRequests(pod("p"), "5m", "1", "4m", "1"),
       {"n"}},
      {"extended resource fits", {fitNode()}, {}, extended, {"n"}},
      {"extended resource exceeds allocatable", {fitNode()}, {}, tooMuchExtended, {}},
      {"extended resource absent on the node", {fitNode()}, {}, unknownExtended, {}},
      {"too many pods", {onePod}, {using_("1m", "1")}, withRequests(pod("p"), "1m", "1"), {}},
  };
  for (const auto& c : cases) {
    runCase(c);
  }
}

}  // namespace
}  // namespace karpenter::scheduling
