#include <gtest/gtest.h>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/duration.hpp"
#include "karpenter/api/ec2nodeclass.hpp"
#include "karpenter/api/nodeclaim.hpp"
#include "karpenter/api/nodepool.hpp"
#include "karpenter_object_fixtures.hpp"

namespace karpenter::api {
namespace {

using nlohmann::json;

using fixtures::kEC2NodeClassJson;
using fixtures::kNodeClaimJson;
using fixtures::kNodePoolJson;

template <typename T>
T mustDecode(const json& input) {
  auto decoded = decodeObject<T>(input);
  EXPECT_TRUE(decoded.ok()) << decoded.error().message;
  return decoded.ok() ? std::move(decoded).value() : T{};
}

template <typename T>
std::string decodeError(json input) {
  auto decoded = decodeObject<T>(input);
  EXPECT_FALSE(decoded.ok());
  return decoded.ok() ? "" : decoded.error().message;
}

TEST(NodePoolJson, DecodesTypedFields) {
  NodePool pool = mustDecode<NodePool>(json::parse(kNodePoolJson));
  EXPECT_EQ(pool.metadata.name, "default");
  const NodeClaimTemplate& tmpl = pool.spec.template_;
  EXPECT_EQ(tmpl.metadata.labels.at("tier"), "general");
  EXPECT_EQ(tmpl.metadata.annotations.at("example.com/owner"), "team-a");
  ASSERT_EQ(tmpl.spec.requirements.size(), 4u);
  EXPECT_EQ(tmpl.spec.requirements[0].values, (std::vector<std::string>{"c", "m", "r"}));
  EXPECT_EQ(tmpl.spec.requirements[1].op, "Exists");
  EXPECT_EQ(tmpl.spec.requirements[1].minValues, 3);
  EXPECT_FALSE(tmpl.spec.requirements[0].minValues.has_value());
  EXPECT_EQ(tmpl.spec.nodeClassRef,
            (NodeClassReference{"karpenter.k8s.aws", "EC2NodeClass", "default"}));
  EXPECT_EQ(tmpl.spec.taints, (std::vector<Taint>{{"example.com/special", "", "NoSchedule"}}));
  ASSERT_EQ(tmpl.spec.startupTaints.size(), 1u);
  EXPECT_EQ(tmpl.spec.startupTaints[0].effect, "NoExecute");
  EXPECT_EQ(tmpl.spec.expireAfter, "720h");
  EXPECT_EQ(tmpl.spec.terminationGracePeriod, "48h");
  EXPECT_EQ(*parseNillableDuration(tmpl.spec.expireAfter), std::chrono::hours(720));

  const Disruption& disruption = pool.spec.disruption;
  EXPECT_EQ(disruption.consolidateAfter, "30s");
  EXPECT_EQ(disruption.consolidationPolicy, kConsolidationPolicyWhenEmptyOrUnderutilized);
  ASSERT_EQ(disruption.budgets.size(), 2u);
  EXPECT_EQ(disruption.budgets[0], (Budget{"10%", std::nullopt, std::nullopt, {}}));
  EXPECT_EQ(disruption.budgets[1],
            (Budget{"0", "0 9 * * mon-fri", "8h", {"Drifted", "Underutilized"}}));

  EXPECT_EQ(pool.spec.limits.at("cpu"), Quantity::mustParse("100"));
  EXPECT_EQ(pool.spec.limits.at("memory"), Quantity::mustParse("1000Gi"));
  EXPECT_EQ(pool.spec.weight, 10);
  EXPECT_FALSE(pool.spec.replicas.has_value());

  EXPECT_EQ(pool.status.nodes, 3);
  EXPECT_EQ(pool.status.nodeClassObservedGeneration, 2);
  EXPECT_EQ(pool.status.resources.at("pods"), Quantity::mustParse("174"));
  EXPECT_TRUE(isConditionTrue(pool.status.conditions, kConditionTypeReady));
  EXPECT_EQ(findCondition(pool.status.conditions, "ValidationSucceeded")->observedGeneration, 4);
}

TEST(NodePoolJson, RoundTripIsLossless) {
  json input = json::parse(kNodePoolJson);
  EXPECT_EQ(encodeObject(mustDecode<NodePool>(input)), input);
}

TEST(NodePoolJson, ModificationsReEncode) {
  json input = json::parse(kNodePoolJson);
  NodePool pool = mustDecode<NodePool>(input);
  pool.spec.template_.spec.requirements[1].minValues = 5;
  pool.spec.template_.spec.requirements.pop_back();
  pool.spec.disruption.budgets[0].nodes = "20%";
  pool.spec.weight.reset();
  pool.spec.replicas = 0;  // zero is meaningful for an optional
  pool.spec.template_.spec.terminationGracePeriod.reset();
  pool.status.nodes = 4;

  json expected = input;
  auto& spec = expected["spec"];
  spec["template"]["spec"]["requirements"].erase(3);
  spec["template"]["spec"]["requirements"][1]["minValues"] = 5;
  spec["template"]["spec"].erase("terminationGracePeriod");
  spec["disruption"]["budgets"][0]["nodes"] = "20%";
  spec.erase("weight");
  spec["replicas"] = 0;
  expected["status"]["nodes"] = 4;
  EXPECT_EQ(encodeObject(pool), expected);
}

TEST(NodePoolJson, BuiltInCodeEncodesMinimalObject) {
  NodePool pool;
  pool.metadata.name = "static";
  pool.spec.template_.spec.nodeClassRef = {"karpenter.k8s.aws", "EC2NodeClass", "default"};
  pool.spec.template_.spec.requirements.push_back({"kubernetes.io/arch", "In", {"arm64"}, 1});
  pool.spec.replicas = 2;
  EXPECT_EQ(encodeObject(pool), json::parse(R"({
    "apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "static"},
    "spec": {"replicas": 2, "template": {"spec": {
      "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
      "requirements": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["arm64"],
                        "minValues": 1}]}}}})"));
}

TEST(NodePoolJson, ErrorsNameTheFieldPath) {
  json input = json::parse(kNodePoolJson);
  input["spec"]["template"]["spec"]["requirements"][1]["minValues"] = "3";
  EXPECT_EQ(decodeError<NodePool>(input),
            "spec.template.spec.requirements[1].minValues: expected an integer, got a string");

  input = json::parse(kNodePoolJson);
  input["spec"]["disruption"]["budgets"][1]["reasons"] = "Drifted";
  EXPECT_EQ(decodeError<NodePool>(input),
            "spec.disruption.budgets[1].reasons: expected an array, got a string");

  input = json::parse(kNodePoolJson);
  input["spec"]["weight"] = 1.5;
  EXPECT_EQ(decodeError<NodePool>(input), "spec.weight: expected an integer, got a number");

  input = json::parse(kNodePoolJson);
  input["spec"]["limits"]["cpu"] = true;
  EXPECT_EQ(decodeError<NodePool>(input),
            "spec.limits.cpu: expected a quantity (string or number), got a boolean");
}

TEST(NodeClaimJson, DecodesTypedFields) {
  NodeClaim claim = mustDecode<NodeClaim>(json::parse(kNodeClaimJson));
  EXPECT_EQ(claim.metadata.name, "default-x7k2p");
  ASSERT_EQ(claim.metadata.ownerReferences.size(), 1u);
  EXPECT_EQ(claim.metadata.ownerReferences[0].kind, "NodePool");
  EXPECT_EQ(claim.spec.expireAfter, "Never");
  EXPECT_FALSE(parseNillableDuration(claim.spec.expireAfter)->has_value());
  EXPECT_FALSE(claim.spec.terminationGracePeriod.has_value());
  ASSERT_EQ(claim.spec.requirements.size(), 2u);
  EXPECT_EQ(claim.spec.requirements[1].minValues, 2);
  EXPECT_EQ(claim.spec.resources.requests.at("cpu"), Quantity::mustParse("3150m"));
  EXPECT_EQ(claim.spec.nodeClassRef.name, "default");
  EXPECT_EQ(claim.spec.taints.size(), 1u);
  EXPECT_TRUE(claim.spec.startupTaints.empty());
  EXPECT_EQ(claim.status.nodeName, "ip-10-0-12-34.us-west-2.compute.internal");
  EXPECT_EQ(claim.status.providerID, "aws:///us-west-2a/i-0123456789abcdef0");
  EXPECT_EQ(claim.status.imageID, "ami-0a1b2c3d4e5f67890");
  EXPECT_EQ(claim.status.capacity.at("memory"), Quantity::mustParse("15155Mi"));
  EXPECT_EQ(claim.status.allocatable.at("cpu"), Quantity::mustParse("3920m"));
  EXPECT_EQ(claim.status.lastPodEventTime, "2024-08-21T07:02:00Z");
  for (auto type : {kConditionTypeLaunched, kConditionTypeRegistered, kConditionTypeInitialized,
                    kConditionTypeReady}) {
    EXPECT_TRUE(isConditionTrue(claim.status.conditions, type)) << type;
  }
  EXPECT_FALSE(isConditionTrue(claim.status.conditions, kConditionTypeDrifted));
}

TEST(NodeClaimJson, RoundTripIsLossless) {
  json input = json::parse(kNodeClaimJson);
  EXPECT_EQ(encodeObject(mustDecode<NodeClaim>(input)), input);
}

TEST(NodeClaimJson, ModificationsReEncode) {
  json input = json::parse(kNodeClaimJson);
  NodeClaim claim = mustDecode<NodeClaim>(input);
  Condition notReady;
  notReady.type = std::string(kConditionTypeReady);
  notReady.status = "False";
  notReady.reason = "NodeNotReady";
  ASSERT_TRUE(setCondition(claim.status.conditions, notReady, "2024-08-22T00:00:00Z"));
  claim.status.capacity["nvidia.com/gpu"] = Quantity::fromInt(1);
  claim.status.lastPodEventTime.clear();
  claim.metadata.finalizers.clear();

  json expected = input;
  expected["status"]["conditions"][3]["status"] = "False";
  expected["status"]["conditions"][3]["reason"] = "NodeNotReady";
  expected["status"]["conditions"][3]["lastTransitionTime"] = "2024-08-22T00:00:00Z";
  expected["status"]["capacity"]["nvidia.com/gpu"] = "1";
  expected["status"].erase("lastPodEventTime");
  expected["metadata"].erase("finalizers");
  EXPECT_EQ(encodeObject(claim), expected);
}

TEST(NodeClaimJson, AddedConditionSurvivesReEncode) {
  NodeClaim claim = mustDecode<NodeClaim>(json::parse(kNodeClaimJson));
  Condition drifted;
  drifted.type = std::string(kConditionTypeDrifted);
  drifted.status = "True";
  drifted.reason = "AMIDrift";
  ASSERT_TRUE(setCondition(claim.status.conditions, drifted, "2024-08-22T00:00:00Z"));
  json encoded = encodeObject(claim);
  EXPECT_EQ(encoded["status"]["conditions"][4],
            json::parse(R"({"type": "Drifted", "status": "True", "reason": "AMIDrift",
                            "lastTransitionTime": "2024-08-22T00:00:00Z"})"));
  NodeClaim again = mustDecode<NodeClaim>(encoded);
  EXPECT_EQ(again.status, claim.status);
  EXPECT_EQ(again.spec, claim.spec);
}

TEST(NodeClaimJson, ErrorsNameTheFieldPath) {
  json input = json::parse(kNodeClaimJson);
  input["spec"]["nodeClassRef"] = "default";
  EXPECT_EQ(decodeError<NodeClaim>(input), "spec.nodeClassRef: expected an object, got a string");

  input = json::parse(kNodeClaimJson);
  input["status"]["conditions"][2]["observedGeneration"] = "1";
  EXPECT_EQ(decodeError<NodeClaim>(input),
            "status.conditions[2].observedGeneration: expected an integer, got a string");

  input = json::parse(kNodeClaimJson);
  input["spec"]["resources"]["requests"]["memory"] = "lots";
  EXPECT_EQ(decodeError<NodeClaim>(input).rfind("spec.resources.requests.memory: ", 0), 0u);
}

TEST(EC2NodeClassJson, DecodesTypedFields) {
  EC2NodeClass nodeClass = mustDecode<EC2NodeClass>(json::parse(kEC2NodeClassJson));
  const EC2NodeClassSpec& spec = nodeClass.spec;
  ASSERT_EQ(spec.subnetSelectorTerms.size(), 2u);
  EXPECT_EQ(spec.subnetSelectorTerms[0].tags.at("karpenter.sh/discovery"), "my-cluster");
  EXPECT_EQ(spec.subnetSelectorTerms[1].id, "subnet-0a1b2c3d");
  EXPECT_EQ(spec.securityGroupSelectorTerms[1].name, "eks-cluster-sg-my-cluster");
  ASSERT_EQ(spec.capacityReservationSelectorTerms.size(), 1u);
  EXPECT_EQ(spec.capacityReservationSelectorTerms[0].ownerID, "111122223333");
  ASSERT_EQ(spec.amiSelectorTerms.size(), 1u);
  EXPECT_EQ(spec.amiSelectorTerms[0].alias, "al2023@latest");
  EXPECT_EQ(spec.amiFamily, "AL2023");
  EXPECT_EQ(spec.role, "KarpenterNodeRole-my-cluster");
  EXPECT_FALSE(spec.instanceProfile.has_value());
  EXPECT_EQ(spec.tags.size(), 2u);
  EXPECT_EQ(spec.userData, "[settings.kubernetes]\nmax-pods = 110\n");
  EXPECT_EQ(spec.instanceStorePolicy, "RAID0");
  EXPECT_EQ(spec.detailedMonitoring, false);  // set to false, not unset
  EXPECT_FALSE(spec.associatePublicIPAddress.has_value());

  ASSERT_TRUE(spec.kubelet.has_value());
  EXPECT_EQ(spec.kubelet->clusterDNS, (std::vector<std::string>{"10.100.0.10"}));
  EXPECT_EQ(spec.kubelet->maxPods, 110);
  EXPECT_EQ(spec.kubelet->podsPerCore, 0);
  EXPECT_EQ(spec.kubelet->evictionHard.at("nodefs.available"), "10%");
  EXPECT_EQ(spec.kubelet->evictionSoftGracePeriod.at("memory.available"), "1m30s");
  EXPECT_EQ(spec.kubelet->imageGCHighThresholdPercent, 85);
  EXPECT_EQ(spec.kubelet->cpuCFSQuota, true);

  ASSERT_EQ(spec.blockDeviceMappings.size(), 2u);
  const BlockDeviceMapping& root = spec.blockDeviceMappings[0];
  EXPECT_EQ(root.deviceName, "/dev/xvda");
  EXPECT_TRUE(root.rootVolume);
  ASSERT_TRUE(root.ebs.has_value());
  EXPECT_EQ(root.ebs->volumeSize, "1024Gi");
  EXPECT_EQ(root.ebs->iops, 3000);
  EXPECT_EQ(root.ebs->throughput, 125);
  EXPECT_EQ(root.ebs->encrypted, true);
  EXPECT_EQ(root.ebs->volumeType, "gp3");
  auto size = volumeSizeQuantity(*root.ebs);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(**size, Quantity::mustParse("1Ti"));
  EXPECT_EQ(spec.blockDeviceMappings[1].ebs->snapshotID, "snap-0123456789abcdef0");
  EXPECT_EQ(spec.blockDeviceMappings[1].ebs->volumeInitializationRate, 200);
  EXPECT_FALSE(volumeSizeQuantity(*spec.blockDeviceMappings[1].ebs)->has_value());

  ASSERT_TRUE(spec.metadataOptions.has_value());
  EXPECT_EQ(spec.metadataOptions->httpPutResponseHopLimit, 1);
  EXPECT_EQ(spec.metadataOptions->httpTokens, "required");

  const EC2NodeClassStatus& status = nodeClass.status;
  ASSERT_EQ(status.subnets.size(), 2u);
  EXPECT_EQ(status.subnets[1].zoneID, "usw2-az2");
  EXPECT_EQ(status.securityGroups[0].id, "sg-0123");
  ASSERT_EQ(status.amis.size(), 2u);
  EXPECT_FALSE(status.amis[0].deprecated);
  EXPECT_TRUE(status.amis[1].deprecated);
  EXPECT_EQ(status.amis[0].requirements[1].op, "DoesNotExist");
  ASSERT_EQ(status.capacityReservations.size(), 1u);
  EXPECT_EQ(status.capacityReservations[0].reservationType, "capacity-block");
  EXPECT_EQ(status.capacityReservations[0].endTime, "2024-09-01T00:00:00Z");
  EXPECT_EQ(status.instanceProfile, "my-cluster_1234567890");
  EXPECT_TRUE(isConditionTrue(status.conditions, kConditionTypeReady));
}

TEST(EC2NodeClassJson, RoundTripIsLossless) {
  json input = json::parse(kEC2NodeClassJson);
  EXPECT_EQ(encodeObject(mustDecode<EC2NodeClass>(input)), input);
}

TEST(EC2NodeClassJson, ModificationsReEncode) {
  json input = json::parse(kEC2NodeClassJson);
  EC2NodeClass nodeClass = mustDecode<EC2NodeClass>(input);
  nodeClass.spec.role.clear();
  nodeClass.spec.instanceProfile = "my-profile";
  nodeClass.spec.kubelet->maxPods.reset();
  nodeClass.spec.blockDeviceMappings[0].ebs->volumeSize = "200Gi";
  nodeClass.spec.associatePublicIPAddress = false;
  nodeClass.status.subnets.pop_back();

  json expected = input;
  expected["spec"].erase("role");
  expected["spec"]["instanceProfile"] = "my-profile";
  expected["spec"]["kubelet"].erase("maxPods");
  expected["spec"]["blockDeviceMappings"][0]["ebs"]["volumeSize"] = "200Gi";
  expected["spec"]["associatePublicIPAddress"] = false;
  expected["status"]["subnets"].erase(1);
  EXPECT_EQ(encodeObject(nodeClass), expected);
}

TEST(EC2NodeClassJson, ErrorsNameTheFieldPath) {
  json input = json::parse(kEC2NodeClassJson);
  input["spec"]["blockDeviceMappings"][0]["ebs"]["iops"] = "3000";
  EXPECT_EQ(decodeError<EC2NodeClass>(input),
            "spec.blockDeviceMappings[0].ebs.iops: expected an integer, got a string");

  input = json::parse(kEC2NodeClassJson);
  input["spec"]["kubelet"]["evictionHard"]["memory.available"] = 5;
  EXPECT_EQ(decodeError<EC2NodeClass>(input),
            "spec.kubelet.evictionHard.memory.available: expected a string, got an integer");

  input = json::parse(kEC2NodeClassJson);
  input["status"]["amis"][1]["requirements"][0]["values"] = {"arm64", 1};
  EXPECT_EQ(decodeError<EC2NodeClass>(input),
            "status.amis[1].requirements[0].values[1]: expected a string, got an integer");
}

TEST(EC2NodeClassJson, VolumeSizeMustBeAQuantity) {
  BlockDevice device;
  device.volumeSize = "big";
  auto size = volumeSizeQuantity(device);
  ASSERT_FALSE(size.ok());
  EXPECT_EQ(size.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(size.error().message.rfind("volumeSize: ", 0), 0u);
}

}  // namespace
}  // namespace karpenter::api
