// The CRDs in manifests/crds against the product: the typed structs' output passes each schema
// and nothing they write would be pruned; schema defaults equal the defaulting webhook's; the
// schemas are structural and reject what the rules forbid. CEL rules are checked for presence
// and shape only; no apiserver evaluates them here.

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api/karpenter_object_fixtures.hpp"
#include "karpenter/admission/defaulting.hpp"
#include "karpenter/api/codec.hpp"
#include "karpenter/api/ec2nodeclass.hpp"
#include "karpenter/api/nodeclaim.hpp"
#include "karpenter/api/nodepool.hpp"
#include "manifests/manifest_files.hpp"
#include "manifests/openapi_schema.hpp"

namespace karpenter::testing {
namespace {

using nlohmann::json;

struct CrdFile {
  std::string file;
  std::string kind;
  std::string group;
  std::string plural;
  std::string singular;
};

const std::vector<CrdFile> kCrds = {
    {"karpenter.sh_nodepools.yaml", "NodePool", "karpenter.sh", "nodepools", "nodepool"},
    {"karpenter.sh_nodeclaims.yaml", "NodeClaim", "karpenter.sh", "nodeclaims", "nodeclaim"},
    {"karpenter.k8s.aws_ec2nodeclasses.yaml", "EC2NodeClass", "karpenter.k8s.aws", "ec2nodeclasses",
     "ec2nodeclass"},
};

json readCrd(const std::string& kind) {
  for (const auto& crd : kCrds) {
    if (crd.kind == kind) {
      auto documents = readDocuments(sourceDir() / "manifests" / "crds" / crd.file);
      if (documents.size() != 1) {
        throw std::runtime_error(crd.file + ": expected exactly one document");
      }
      return documents.front().object;
    }
  }
  throw std::runtime_error("no CRD for " + kind);
}

json rootSchema(const std::string& kind) {
  return readCrd(kind)["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
}

// The schema node at a dotted path: "spec.budgets[]" steps into items, "limits{}" into
// additionalProperties.
json schemaAt(const json& root, const std::string& path) {
  json node = root;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('.', start);
    std::string step =
        path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    bool items = false;
    bool additional = false;
    if (step.size() > 2 && step.ends_with("[]")) {
      items = true;
      step.resize(step.size() - 2);
    } else if (step.size() > 2 && step.ends_with("{}")) {
      additional = true;
      step.resize(step.size() - 2);
    }
    if (!node.contains("properties") || !node["properties"].contains(step)) {
      throw std::runtime_error("schema has no " + path + " (stopped at " + step + ")");
    }
    node = node["properties"][step];
    if (items) {
      node = node["items"];
    }
    if (additional) {
      node = node["additionalProperties"];
    }
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return node;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    out += "\n  " + line;
  }
  return out;
}

// What the typed structs write for a fixture: decoded without its original JSON, so fields the
// structs do not model are dropped and only the product's own output is left.
template <typename T>
json typedOutput(const char* fixture) {
  auto decoded = api::decodeObject<T>(json::parse(fixture), /*keepOriginal=*/false);
  if (!decoded) {
    throw std::runtime_error(decoded.error().message);
  }
  return api::encodeObject(*decoded);
}

TEST(CrdSchema, EveryCrdIsStructural) {
  for (const auto& crd : kCrds) {
    SCOPED_TRACE(crd.file);
    json root = rootSchema(crd.kind);
    std::vector<std::string> problems;
    structuralProblems(root, "openAPIV3Schema", problems);
    EXPECT_TRUE(problems.empty()) << joined(problems);
    EXPECT_EQ(root["type"], "object");
    // metadata may only be {type: object} in a CRD; the apiserver validates it itself.
    EXPECT_EQ(root["properties"]["metadata"], json({{"type", "object"}}));
    for (const char* field : {"apiVersion", "kind", "spec", "status"}) {
      EXPECT_TRUE(root["properties"].contains(field)) << field;
    }
  }
}

TEST(CrdSchema, GroupNamesVersionAndSubresources) {
  for (const auto& crd : kCrds) {
    SCOPED_TRACE(crd.file);
    json object = readCrd(crd.kind);
    EXPECT_EQ(object["apiVersion"], "apiextensions.k8s.io/v1");
    EXPECT_EQ(object["kind"], "CustomResourceDefinition");
    EXPECT_EQ(object["metadata"]["name"], crd.plural + "." + crd.group);
    const json& spec = object["spec"];
    EXPECT_EQ(spec["group"], crd.group);
    EXPECT_EQ(spec["scope"], "Cluster");
    EXPECT_EQ(spec["names"]["kind"], crd.kind);
    EXPECT_EQ(spec["names"]["listKind"], crd.kind + "List");
    EXPECT_EQ(spec["names"]["plural"], crd.plural);
    EXPECT_EQ(spec["names"]["singular"], crd.singular);
    EXPECT_EQ(spec["names"]["categories"], json::array({"karpenter"}));
    ASSERT_EQ(spec["versions"].size(), 1u);
    const json& version = spec["versions"][0];
    EXPECT_EQ(version["name"], "v1");
    EXPECT_EQ(version["served"], true);
    EXPECT_EQ(version["storage"], true);
    EXPECT_EQ(version["subresources"]["status"], json::object());
  }
  // Upstream gives only EC2NodeClass short names; NodePool/NodeClaim have none.
  EXPECT_EQ(readCrd("EC2NodeClass")["spec"]["names"]["shortNames"], json({"ec2nc", "ec2ncs"}));
  EXPECT_FALSE(readCrd("NodePool")["spec"]["names"].contains("shortNames"));
  // Static NodePools scale through spec.replicas, observed as status.nodes.
  EXPECT_EQ(
      readCrd("NodePool")["spec"]["versions"][0]["subresources"]["scale"],
      json({{"specReplicasPath", ".spec.replicas"}, {"statusReplicasPath", ".status.nodes"}}));
}

TEST(CrdSchema, PrinterColumns) {
  const std::map<std::string, std::vector<std::string>> expected = {
      {"NodePool", {"NodeClass", "Nodes", "Ready", "Age", "Weight", "CPU", "Memory"}},
      {"NodeClaim",
       {"Type", "Capacity", "Zone", "Node", "Ready", "Age", "ImageID", "ID", "NodePool",
        "NodeClass", "Drifted"}},
      {"EC2NodeClass", {"Ready", "Age", "Role"}},
  };
  for (const auto& [kind, names] : expected) {
    SCOPED_TRACE(kind);
    std::vector<std::string> actual;
    const json crd = readCrd(kind);
    for (const auto& column : crd["spec"]["versions"][0]["additionalPrinterColumns"]) {
      actual.push_back(column["name"]);
      EXPECT_TRUE(column.contains("type") && column.contains("jsonPath")) << column.dump();
      if (column["name"] == "Ready") {
        EXPECT_EQ(column["jsonPath"], R"(.status.conditions[?(@.type=="Ready")].status)");
      }
      if (column["name"] == "Age") {
        EXPECT_EQ(column["type"], "date");
      }
    }
    EXPECT_EQ(actual, names);
  }
}

TEST(CrdSchema, FixturesAsTheTypedStructsWriteThemPass) {
  const std::vector<std::pair<std::string, json>> objects = {
      {"NodePool", typedOutput<api::NodePool>(api::fixtures::kNodePoolJson)},
      {"NodeClaim", typedOutput<api::NodeClaim>(api::fixtures::kNodeClaimJson)},
      {"EC2NodeClass", typedOutput<api::EC2NodeClass>(api::fixtures::kEC2NodeClassJson)},
  };
  for (const auto& [kind, object] : objects) {
    SCOPED_TRACE(kind);
    ASSERT_TRUE(object.contains("spec") && object.contains("status")) << object.dump();
    auto errors = validateObject(object, rootSchema(kind));
    EXPECT_TRUE(errors.empty()) << joined(errors);
  }
}

// Every optional field of the typed specs set, so every field the product can write is checked
// against the schema (an undeclared one would be pruned: silent data loss).
TEST(CrdSchema, EveryFieldTheTypedSpecsModelIsDeclared) {
  api::EC2NodeClass nodeClass;
  nodeClass.metadata.name = "full";
  auto& s = nodeClass.spec;
  s.subnetSelectorTerms = {{.tags = {{"team", "a"}}}, {.id = "subnet-0abc"}};
  s.securityGroupSelectorTerms = {{.id = "sg-0abc"}, {.name = "default"}, {.tags = {{"a", "*"}}}};
  s.capacityReservationSelectorTerms = {
      {.tags = {{"k", "v"}}, .ownerID = "111122223333", .instanceMatchCriteria = "open"},
      {.id = "cr-0abc"}};
  s.placementGroupSelector = api::PlacementGroupSelector{.name = "", .id = "pg-0abc"};
  s.associatePublicIPAddress = false;
  s.ipPrefixCount = 2;
  s.amiSelectorTerms = {{.tags = {{"k", "v"}}, .name = "my-ami-*", .owner = "self"},
                        {.id = "ami-0abc"},
                        {.ssmParameter = "/my/ami"}};
  s.amiFamily = "AL2023";
  s.userData = "#!/bin/bash\n";
  s.role = "NodeRole";
  s.tags = {{"team", "a"}};
  s.kubelet = api::KubeletConfiguration{.clusterDNS = {"10.0.0.10"},
                                        .maxPods = 110,
                                        .podsPerCore = 4,
                                        .systemReserved = {{"cpu", "100m"}},
                                        .kubeReserved = {{"memory", "100Mi"}},
                                        .evictionHard = {{"memory.available", "5%"}},
                                        .evictionSoft = {{"nodefs.available", "10%"}},
                                        .evictionSoftGracePeriod = {{"nodefs.available", "1m"}},
                                        .evictionMaxPodGracePeriod = 30,
                                        .imageGCHighThresholdPercent = 85,
                                        .imageGCLowThresholdPercent = 80,
                                        .cpuCFSQuota = true};
  s.blockDeviceMappings = {
      {.deviceName = "/dev/xvda",
       .ebs = api::BlockDevice{.deleteOnTermination = true,
                               .encrypted = true,
                               .iops = 3000,
                               .kmsKeyID = "arn:aws:kms:us-west-2:111122223333:key/k",
                               .snapshotID = "snap-0abc",
                               .throughput = 125,
                               .volumeInitializationRate = 150,
                               .volumeSize = "100Gi",
                               .volumeType = "gp3"},
       .rootVolume = true}};
  s.instanceStorePolicy = "RAID0";
  s.networkInterfaces = {{.networkCardIndex = 0, .deviceIndex = 0, .interfaceType = "interface"},
                         {.networkCardIndex = 1, .deviceIndex = 0, .interfaceType = "efa-only"}};
  s.detailedMonitoring = true;
  s.metadataOptions = api::MetadataOptions{.httpEndpoint = "enabled",
                                           .httpProtocolIPv6 = "disabled",
                                           .httpPutResponseHopLimit = 2,
                                           .httpTokens = "required"};
  s.connectionTracking = api::ConnectionTracking{
      .tcpEstablishedTimeout = 3600, .udpStreamTimeout = 120, .udpTimeout = 30};
  s.context = "ctx";
  s.cpuOptions = api::CPUOptions{.nestedVirtualization = "enabled"};
  nodeClass.status.capacityReservations = {{.availabilityZone = "us-west-2a",
                                            .endTime = "2030-01-01T00:00:00Z",
                                            .id = "cr-0abc",
                                            .instanceMatchCriteria = "open",
                                            .instanceType = "m5.large",
                                            .ownerID = "111122223333",
                                            .reservationType = "default",
                                            .state = "active",
                                            .interruptible = false}};
  json encodedClass = api::encodeObject(nodeClass);
  // The fields below are what this test is about; make sure the encoder wrote them.
  for (const char* pointer :
       {"/spec/placementGroupSelector/id", "/spec/networkInterfaces/1/interfaceType",
        "/spec/connectionTracking/udpTimeout", "/spec/cpuOptions/nestedVirtualization",
        "/spec/amiSelectorTerms/2/ssmParameter", "/spec/ipPrefixCount",
        "/spec/blockDeviceMappings/0/ebs/volumeInitializationRate", "/spec/kubelet/podsPerCore",
        "/status/capacityReservations/0/interruptible"}) {
    EXPECT_TRUE(encodedClass.contains(json::json_pointer(pointer))) << pointer;
  }
  auto classErrors = validateObject(encodedClass, rootSchema("EC2NodeClass"));
  EXPECT_TRUE(classErrors.empty()) << joined(classErrors);

  auto pool = api::decodeObject<api::NodePool>(json::parse(api::fixtures::kNodePoolJson), false);
  ASSERT_TRUE(pool);
  pool->spec.replicas = 3;
  pool->spec.weight.reset();
  pool->spec.limits = {{"nodes", *api::Quantity::parse("10")}};
  pool->status.nodes = 3;
  pool->status.nodeClassObservedGeneration = 2;
  json encodedPool = api::encodeObject(*pool);
  EXPECT_TRUE(encodedPool.contains(json::json_pointer("/spec/replicas")));
  auto poolErrors = validateObject(encodedPool, rootSchema("NodePool"));
  EXPECT_TRUE(poolErrors.empty()) << joined(poolErrors);

  auto claim = api::decodeObject<api::NodeClaim>(json::parse(api::fixtures::kNodeClaimJson), false);
  ASSERT_TRUE(claim);
  claim->spec.resources.requests = {{"cpu", *api::Quantity::parse("1500m")},
                                    {"pods", *api::Quantity::parse("3")}};
  claim->spec.terminationGracePeriod = "1h30m";
  claim->status.lastPodEventTime = "2024-08-20T09:30:00Z";
  json encodedClaim = api::encodeObject(*claim);
  EXPECT_TRUE(encodedClaim.contains(json::json_pointer("/spec/resources/requests/cpu")));
  auto claimErrors = validateObject(encodedClaim, rootSchema("NodeClaim"));
  EXPECT_TRUE(claimErrors.empty()) << joined(claimErrors);
}

TEST(CrdSchema, ExamplesPassAfterDefaulting) {
  size_t checked = 0;
  for (const auto& document : readDocuments(sourceDir() / "examples" / "nodepools.yaml")) {
    json object = document.object;
    const std::string kind = object.value("kind", "");
    if (kind != "NodePool" && kind != "EC2NodeClass") {
      continue;
    }
    SCOPED_TRACE(kind + " " + object["metadata"].value("name", ""));
    json schema = rootSchema(kind);
    applyDefaults(object, schema);
    auto errors = validateObject(object, schema);
    EXPECT_TRUE(errors.empty()) << joined(errors);
    ++checked;
  }
  EXPECT_GE(checked, 2u);
}

struct InvalidCase {
  std::string kind;
  std::string pointer;  // JSON pointer into a valid object
  json value;
  std::string expectedPath;  // the path the error must name
};

TEST(CrdSchema, SchemaRejectsWhatTheRulesForbid) {
  const std::vector<InvalidCase> cases = {
      {"NodePool", "/spec/weight", 0, "spec.weight"},
      {"NodePool", "/spec/weight", 101, "spec.weight"},
      {"NodePool", "/spec/replicas", -1, "spec.replicas"},
      {"NodePool", "/spec/template/spec/expireAfter", "30d", "spec.template.spec.expireAfter"},
      {"NodePool", "/spec/template/spec/expireAfter", "xNever", "spec.template.spec.expireAfter"},
      {"NodePool", "/spec/template/spec/terminationGracePeriod", "Never",
       "spec.template.spec.terminationGracePeriod"},
      {"NodePool", "/spec/disruption/consolidateAfter", "5 minutes",
       "spec.disruption.consolidateAfter"},
      {"NodePool", "/spec/disruption/consolidationPolicy", "WhenUnderutilized",
       "spec.disruption.consolidationPolicy"},
      {"NodePool", "/spec/disruption/budgets/0/nodes", "110%", "spec.disruption.budgets[0].nodes"},
      {"NodePool", "/spec/disruption/budgets/1/duration", "30s",
       "spec.disruption.budgets[1].duration"},
      {"NodePool", "/spec/disruption/budgets/1/schedule", "daily",
       "spec.disruption.budgets[1].schedule"},
      {"NodePool", "/spec/disruption/budgets/1/reasons/0", "Expired",
       "spec.disruption.budgets[1].reasons[0]"},
      {"NodePool", "/spec/template/spec/requirements/0/operator", "Near",
       "spec.template.spec.requirements[0].operator"},
      {"NodePool", "/spec/template/spec/requirements/0/key", "-bad-",
       "spec.template.spec.requirements[0].key"},
      {"NodePool", "/spec/template/spec/requirements/1/minValues", 51,
       "spec.template.spec.requirements[1].minValues"},
      {"NodePool", "/spec/template/spec/requirements/0/values/0", std::string(64, 'a'),
       "spec.template.spec.requirements[0].values[0]"},
      {"NodePool", "/spec/template/spec/taints/0/effect", "Maybe",
       "spec.template.spec.taints[0].effect"},
      {"NodePool", "/spec/template/metadata/labels/team", "a b",
       "spec.template.metadata.labels.team"},
      {"NodePool", "/spec/template/spec/nodeClassRef/group", "a/b",
       "spec.template.spec.nodeClassRef.group"},
      {"NodePool", "/spec/limits/cpu", "lots", "spec.limits.cpu"},
      {"NodePool", "/spec/futureKnob", true, "spec.futureKnob"},
      {"NodeClaim", "/spec/expireAfter", "1d", "spec.expireAfter"},
      {"NodeClaim", "/spec/requirements/0/operator", "Within", "spec.requirements[0].operator"},
      {"NodeClaim", "/status/conditions/0/status", "Maybe", "status.conditions[0].status"},
      {"EC2NodeClass", "/spec/metadataOptions/httpPutResponseHopLimit", 65,
       "spec.metadataOptions.httpPutResponseHopLimit"},
      {"EC2NodeClass", "/spec/metadataOptions/httpTokens", "sometimes",
       "spec.metadataOptions.httpTokens"},
      {"EC2NodeClass", "/spec/subnetSelectorTerms/1/id", "sn-0a1b",
       "spec.subnetSelectorTerms[1].id"},
      {"EC2NodeClass", "/spec/subnetSelectorTerms", json::array(), "spec.subnetSelectorTerms"},
      {"EC2NodeClass", "/spec/amiFamily", "Ubuntu", "spec.amiFamily"},
      {"EC2NodeClass", "/spec/amiSelectorTerms/0/alias", "al2023@latest-and-much-too-long-alias",
       "spec.amiSelectorTerms[0].alias"},
      {"EC2NodeClass", "/spec/blockDeviceMappings/0/ebs/volumeSize", "60000Gi",
       "spec.blockDeviceMappings[0].ebs.volumeSize"},
      {"EC2NodeClass", "/spec/blockDeviceMappings/0/ebs/volumeSize", "Ti",
       "spec.blockDeviceMappings[0].ebs.volumeSize"},
      {"EC2NodeClass", "/spec/blockDeviceMappings/0/ebs/volumeType", "gp4",
       "spec.blockDeviceMappings[0].ebs.volumeType"},
      {"EC2NodeClass", "/spec/blockDeviceMappings/1/ebs/volumeInitializationRate", 400,
       "spec.blockDeviceMappings[1].ebs.volumeInitializationRate"},
      {"EC2NodeClass", "/spec/kubelet/imageGCHighThresholdPercent", 101,
       "spec.kubelet.imageGCHighThresholdPercent"},
      {"EC2NodeClass", "/spec/kubelet/kubeReserved/cpu", "a lot", "spec.kubelet.kubeReserved.cpu"},
      {"EC2NodeClass", "/spec/capacityReservationSelectorTerms/0/ownerID", "1234",
       "spec.capacityReservationSelectorTerms[0].ownerID"},
      {"EC2NodeClass", "/spec/instanceStorePolicy", "RAID1", "spec.instanceStorePolicy"},
  };
  const std::map<std::string, json> valid = {
      {"NodePool", typedOutput<api::NodePool>(api::fixtures::kNodePoolJson)},
      {"NodeClaim", typedOutput<api::NodeClaim>(api::fixtures::kNodeClaimJson)},
      {"EC2NodeClass", typedOutput<api::EC2NodeClass>(api::fixtures::kEC2NodeClassJson)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.kind + " " + c.pointer + " = " + c.value.dump());
    json object = valid.at(c.kind);
    ASSERT_TRUE(validateObject(object, rootSchema(c.kind)).empty());
    object[json::json_pointer(c.pointer)] = c.value;
    auto errors = validateObject(object, rootSchema(c.kind));
    bool named = false;
    for (const auto& error : errors) {
      named = named || error.rfind(c.expectedPath + ":", 0) == 0;
    }
    EXPECT_TRUE(named) << "errors:" << joined(errors);
  }
}

TEST(CrdSchema, DefaultsMatchTheDefaultingWebhook) {
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"NodePool", R"({"spec":{"template":{"spec":{}}}})"},
      {"NodePool", R"({"spec":{"template":{"spec":{"expireAfter":"Never"}},
                      "disruption":{"consolidationPolicy":"WhenEmpty"}}})"},
      {"NodePool", R"({"spec":{"template":{"spec":{}},"disruption":{"budgets":[{"schedule":"@daily",
                      "duration":"1h"}]}}})"},
      {"NodePool", R"({"spec":{"template":{"spec":{}},"disruption":{"budgets":[]}}})"},
      {"NodeClaim", R"({"spec":{"requirements":[]}})"},
      {"NodeClaim", R"({"spec":{"expireAfter":"24h"}})"},  // present values stay
      {"EC2NodeClass", R"({"spec":{"role":"r"}})"},
      {"EC2NodeClass", R"({"spec":{"metadataOptions":{"httpTokens":"optional"}}})"},
  };
  for (const auto& [kind, text] : inputs) {
    SCOPED_TRACE(kind + " " + text);
    json input = json::parse(text);
    json byCrd = input;
    applyDefaults(byCrd, rootSchema(kind));
    json byWebhook = kind == "NodePool"    ? admission::defaultNodePool(input)
                     : kind == "NodeClaim" ? admission::defaultNodeClaim(input)
                                           : admission::defaultEC2NodeClass(input);
    EXPECT_EQ(byCrd, byWebhook);
  }
}

TEST(CrdSchema, EnumsAndDefaultsMatchTheProductConstants) {
  json pool = rootSchema("NodePool");
  EXPECT_EQ(schemaAt(pool, "spec.template.spec.expireAfter")["default"],
            std::string(api::kDefaultExpireAfter));
  EXPECT_EQ(schemaAt(rootSchema("NodeClaim"), "spec.expireAfter")["default"],
            std::string(api::kDefaultExpireAfter));
  EXPECT_EQ(
      schemaAt(pool, "spec.disruption.consolidationPolicy")["enum"],
      json({api::kConsolidationPolicyWhenEmpty, api::kConsolidationPolicyWhenEmptyOrUnderutilized,
            api::kConsolidationPolicyBalanced}));
  EXPECT_EQ(schemaAt(pool, "spec.disruption.consolidationPolicy")["default"],
            std::string(api::kConsolidationPolicyWhenEmptyOrUnderutilized));
  EXPECT_EQ(schemaAt(pool, "spec.disruption.budgets[].reasons[]")["enum"],
            json({api::kDisruptionReasonUnderutilized, api::kDisruptionReasonEmpty,
                  api::kDisruptionReasonDrifted}));
  json weight = schemaAt(pool, "spec.weight");
  EXPECT_EQ(weight["minimum"], 1);
  EXPECT_EQ(weight["maximum"], 100);
  EXPECT_EQ(schemaAt(pool, "spec.template.spec.requirements")["maxItems"], 100);
  EXPECT_EQ(schemaAt(pool, "spec.disruption.budgets")["maxItems"], 50);
  EXPECT_EQ(schemaAt(pool, "spec.template")["required"], json({"spec"}));
  EXPECT_EQ(schemaAt(pool, "spec.template.spec")["required"],
            json({"nodeClassRef", "requirements"}));
}

// Which CEL rules exist where. They cannot be evaluated here; this pins that each rule the
// reference lists is present at the right node with the upstream message.
TEST(CrdSchema, CelRulesArePresentWhereTheReferencePutsThem) {
  struct Expected {
    std::string kind;
    std::string path;
    std::string rule;  // a distinctive part of the rule
    std::string message;
  };
  const std::vector<Expected> expected = {
      {"NodePool", "spec.template.spec.requirements", "x.values.size() != 0",
       "requirements with operator 'In' must have a value defined"},
      {"NodePool", "spec.template.spec.requirements", "int(x.values[0]) >= 0",
       "must have a single positive integer value"},
      {"NodePool", "spec.template.spec.requirements", "x.values.size() >= x.minValues",
       "requirements with 'minValues' must have at least that many values"},
      {"NodePool", "spec.template.spec.requirements[].key", "endsWith(\"karpenter.sh\")",
       "label domain \"karpenter.sh\" is restricted"},
      {"NodePool", "spec.template.spec.requirements[].key", "self != \"karpenter.sh/nodepool\"",
       "label \"karpenter.sh/nodepool\" is restricted"},
      {"NodePool", "spec.template.spec.requirements[].key", "self != \"kubernetes.io/hostname\"",
       "label \"kubernetes.io/hostname\" is restricted"},
      {"NodePool", "spec.template.metadata.labels", "endsWith(\"karpenter.sh\")",
       "label domain \"karpenter.sh\" is restricted"},
      {"NodePool", "spec.template.spec.nodeClassRef", "self.group == oldSelf.group",
       "nodeClassRef.group is immutable"},
      {"NodePool", "spec.template.spec.nodeClassRef", "self.kind == oldSelf.kind",
       "nodeClassRef.kind is immutable"},
      {"NodePool", "spec.disruption.budgets", "has(x.schedule) == has(x.duration)",
       "'schedule' must be set with 'duration'"},
      {"NodePool", "spec", "has(self.replicas) == has(oldSelf.replicas)", "static"},
      {"NodePool", "spec", "!has(self.replicas) || !has(self.weight)", "weight"},
      {"NodeClaim", "spec", "self == oldSelf", "spec is immutable"},
      {"NodeClaim", "spec.requirements", "x.values.size() != 0",
       "requirements with operator 'In' must have a value defined"},
      {"EC2NodeClass", "spec", "has(self.role) != has(self.instanceProfile)",
       "must specify exactly one of ['role', 'instanceProfile']"},
      {"EC2NodeClass", "spec", "has(self.amiFamily)",
       "must specify amiFamily if amiSelectorTerms does not contain an alias"},
      {"EC2NodeClass", "spec.amiSelectorTerms", "self.size() != 1",
       "'alias' is mutually exclusive, cannot be set with a combination of other amiSelectorTerms"},
      {"EC2NodeClass", "spec.amiSelectorTerms[].alias", "self.endsWith('@latest')", "latest"},
      {"EC2NodeClass", "spec.blockDeviceMappings", "x.rootVolume",
       "must have only one blockDeviceMappings with rootVolume"},
      {"EC2NodeClass", "spec.tags", "kubernetes.io/cluster", "kubernetes.io/cluster"},
      {"EC2NodeClass", "spec.kubelet",
       "self.imageGCHighThresholdPercent > "
       "self.imageGCLowThresholdPercent",
       "imageGCHighThresholdPercent must be greater than imageGCLowThresholdPercent"},
      {"EC2NodeClass", "spec.placementGroupSelector", "has(self.name) != has(self.id)",
       "exactly one"},
  };
  for (const auto& e : expected) {
    SCOPED_TRACE(e.kind + " " + e.path + ": " + e.message);
    json node = schemaAt(rootSchema(e.kind), e.path);
    bool found = false;
    for (const auto& rule : node.value("x-kubernetes-validations", json::array())) {
      found = found || (rule["rule"].get<std::string>().find(e.rule) != std::string::npos &&
                        rule["message"].get<std::string>().find(e.message) != std::string::npos);
    }
    EXPECT_TRUE(found);
  }
  // A NodeClaim may carry karpenter.sh/nodepool (the provisioner adds it).
  for (const auto& rule :
       schemaAt(rootSchema("NodeClaim"), "spec.requirements[].key")["x-kubernetes-validations"]) {
    EXPECT_EQ(rule["rule"].get<std::string>().find("self != \"karpenter.sh/nodepool\""),
              std::string::npos);
  }
}

}  // namespace
}  // namespace karpenter::testing
