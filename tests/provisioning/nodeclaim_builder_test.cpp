#include "karpenter/provisioning/nodeclaim_builder.hpp"

#include <gtest/gtest.h>

#include "karpenter/api/codec.hpp"

namespace karpenter::provisioning {
namespace {

using scheduling::Requirement;

api::NodePool nodePool() {
  return api::decodeJson<api::NodePool>(nlohmann::json::parse(R"({
    "metadata": {"name": "general", "uid": "pool-uid"},
    "spec": {"template": {
      "metadata": {"labels": {"team": "web"}, "annotations": {"example.com/a": "b"}},
      "spec": {
        "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
        "taints": [{"key": "dedicated", "value": "web", "effect": "NoSchedule"}],
        "startupTaints": [{"key": "cni", "effect": "NoSchedule"}],
        "terminationGracePeriod": "1h",
        "requirements": []}}}})"))
      .value();
}

TEST(NodeClaimBuilder, CarriesTemplateLabelsRequirementsAndRequests) {
  scheduling::NewNodeClaim claim;
  claim.nodePoolName = "general";
  claim.requirements.add(Requirement::in("karpenter.sh/nodepool", {"general"}));
  claim.requirements.add(
      Requirement::in("node.kubernetes.io/instance-type", {"m5.large", "c5.xlarge"}));
  claim.requirements.add(Requirement::in("topology.kubernetes.io/zone", {"us-east-1a"}));
  claim.requirements.add(Requirement::in("kubernetes.io/hostname", {"hostname-placeholder-0001"}));
  claim.requests["cpu"] = api::Quantity::mustParse("1500m");

  const api::NodeClaim nodeClaim = buildNodeClaim(claim, nodePool());
  EXPECT_EQ(nodeClaim.metadata.generateName, "general-");
  EXPECT_TRUE(nodeClaim.metadata.name.empty());
  const api::Labels expectedLabels{{"team", "web"},
                                   {"karpenter.sh/nodepool", "general"},
                                   {"karpenter.k8s.aws/ec2nodeclass", "default"},
                                   {"topology.kubernetes.io/zone", "us-east-1a"}};
  EXPECT_EQ(nodeClaim.metadata.labels, expectedLabels);
  EXPECT_EQ(nodeClaim.metadata.annotations.at("example.com/a"), "b");
  ASSERT_EQ(nodeClaim.metadata.ownerReferences.size(), 1u);
  EXPECT_EQ(nodeClaim.metadata.ownerReferences[0].kind, "NodePool");
  EXPECT_EQ(nodeClaim.metadata.ownerReferences[0].uid, "pool-uid");
  EXPECT_EQ(nodeClaim.spec.taints.size(), 1u);
  EXPECT_EQ(nodeClaim.spec.startupTaints.size(), 1u);
  EXPECT_EQ(nodeClaim.spec.expireAfter, "720h");
  EXPECT_EQ(nodeClaim.spec.terminationGracePeriod, "1h");
  EXPECT_EQ(nodeClaim.spec.nodeClassRef.name, "default");
  EXPECT_EQ(nodeClaim.spec.resources.requests.at("cpu").toString(), "1500m");
  bool hasInstanceTypes = false;
  for (const auto& requirement : nodeClaim.spec.requirements) {
    if (requirement.key == "node.kubernetes.io/instance-type") {
      hasInstanceTypes = true;
      EXPECT_EQ(requirement.op, "In");
      EXPECT_EQ(requirement.values.size(), 2u);
    }
  }
  EXPECT_TRUE(hasInstanceTypes);
  // It encodes as a NodeClaim the API accepts.
  const nlohmann::json json = api::encodeJson(nodeClaim);
  EXPECT_EQ(json["apiVersion"], "karpenter.sh/v1");
  EXPECT_EQ(json["kind"], "NodeClaim");
  EXPECT_EQ(json["metadata"]["generateName"], "general-");
}

TEST(NodeClaimBuilder, NodeClassLabelKeyIsGroupSlashLowerKind) {
  EXPECT_EQ(nodeClassLabelKey({"karpenter.k8s.aws", "EC2NodeClass", "x"}),
            "karpenter.k8s.aws/ec2nodeclass");
}

}  // namespace
}  // namespace karpenter::provisioning
