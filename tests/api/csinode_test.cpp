// CSINode decoding: the per-driver attach limits the scheduler's volume limits read.
#include <gtest/gtest.h>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/storage.hpp"

namespace karpenter::api {
namespace {

using nlohmann::json;

const char* const kCsiNodeJson = R"({
  "apiVersion": "storage.k8s.io/v1",
  "kind": "CSINode",
  "metadata": {"name": "ip-10-0-1-5.ec2.internal", "uid": "csinode-uid"},
  "spec": {
    "drivers": [
      {"name": "ebs.csi.aws.com", "nodeID": "i-0123456789abcdef0",
       "topologyKeys": ["topology.ebs.csi.aws.com/zone"], "allocatable": {"count": 25}},
      {"name": "efs.csi.aws.com", "nodeID": "i-0123456789abcdef0"}
    ]
  }
})";

TEST(CSINodeTest, DecodesDriversAndTheirAttachLimits) {
  const json original = json::parse(kCsiNodeJson);
  auto decoded = decodeObject<CSINode>(original);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const CSINode& node = *decoded;
  EXPECT_EQ(node.metadata.name, "ip-10-0-1-5.ec2.internal");
  ASSERT_EQ(node.spec.drivers.size(), 2U);
  EXPECT_EQ(node.spec.drivers[0].name, "ebs.csi.aws.com");
  EXPECT_EQ(node.spec.drivers[0].nodeID, "i-0123456789abcdef0");
  EXPECT_EQ(node.spec.drivers[0].topologyKeys,
            (std::vector<std::string>{"topology.ebs.csi.aws.com/zone"}));
  ASSERT_TRUE(node.spec.drivers[0].allocatable.has_value());
  EXPECT_EQ(node.spec.drivers[0].allocatable->count, 25);
  EXPECT_FALSE(node.spec.drivers[1].allocatable.has_value());
  EXPECT_EQ(encodeObject(node), original);
}

TEST(CSINodeTest, RejectsANonIntegerCount) {
  json bad = json::parse(kCsiNodeJson);
  bad["spec"]["drivers"][0]["allocatable"]["count"] = "many";
  auto decoded = decodeObject<CSINode>(bad);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("spec.drivers[0].allocatable.count"), std::string::npos)
      << decoded.error().message;
}

}  // namespace
}  // namespace karpenter::api
