// EBS attachment limits per instance type (InstanceType::volumeLimits["ebs.csi.aws.com"]), so
// the solver's volume limits hold for new NodeClaims on AWS: Nitro's 28 shared attachments less
// the primary ENI, NVMe instance-store disks and the root volume; Xen's 39.

#include <gtest/gtest.h>

#include "karpenter/cloudprovider/aws/instance_type_model.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

using karpenter::aws::InstanceTypeInfo;
using json = nlohmann::json;

// A type as the EC2 client decodes it: typed hypervisor, raw lowerCamel JSON with string leaves.
InstanceTypeInfo typeWith(const std::string& hypervisor, json storage = nullptr) {
  InstanceTypeInfo info;
  info.instanceType = "x1.large";
  info.hypervisor = hypervisor;
  info.raw = {{"instanceType", "x1.large"}, {"hypervisor", hypervisor}};
  if (!storage.is_null()) {
    info.raw["instanceStorageInfo"] = std::move(storage);
  }
  return info;
}

TEST(EbsAttachmentLimit, NitroSharesTwentyEightWithTheEniAndTheRootVolume) {
  EXPECT_EQ(ebsAttachmentLimit(typeWith("nitro")), 26);
}

TEST(EbsAttachmentLimit, BareMetalCountsAsNitro) {
  InstanceTypeInfo metal = typeWith("");
  metal.bareMetal = true;
  EXPECT_EQ(ebsAttachmentLimit(metal), 26);
}

TEST(EbsAttachmentLimit, NvmeInstanceStoreDisksTakeAttachments) {
  const json twoDisks = {{"nvmeSupport", "required"},
                         {"totalSizeInGB", "3800"},
                         {"disks", json::array({{{"count", "2"}, {"sizeInGB", "1900"}}})}};
  EXPECT_EQ(ebsAttachmentLimit(typeWith("nitro", twoDisks)), 24);
  // Only the total given: at least one disk.
  EXPECT_EQ(ebsAttachmentLimit(
                typeWith("nitro", {{"nvmeSupport", "required"}, {"totalSizeInGB", "900"}})),
            25);
  // Non-NVMe instance store (older families) does not use Nitro's NVMe attachments.
  EXPECT_EQ(ebsAttachmentLimit(typeWith(
                "nitro", {{"nvmeSupport", "unsupported"},
                          {"totalSizeInGB", "160"},
                          {"disks", json::array({{{"count", "1"}, {"sizeInGB", "160"}}})}})),
            26);
}

TEST(EbsAttachmentLimit, XenAttachesThirtyNine) {
  EXPECT_EQ(ebsAttachmentLimit(typeWith("xen")), 39);
}

TEST(EbsAttachmentLimit, TheModelledInstanceTypeCarriesTheLimit) {
  const auto nitro = toInstanceType(typeWith("nitro"), "us-east-1", ModelSettings{}, {});
  ASSERT_EQ(nitro.volumeLimits.count(std::string(kEbsCsiDriverName)), 1u);
  EXPECT_EQ(nitro.volumeLimits.at(std::string(kEbsCsiDriverName)), 26);
  const auto xen = toInstanceType(typeWith("xen"), "us-east-1", ModelSettings{}, {});
  EXPECT_EQ(xen.volumeLimits.at(std::string(kEbsCsiDriverName)), 39);
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
