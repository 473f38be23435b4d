#include "karpenter/api/well_known.hpp"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

namespace karpenter::api {
namespace {

TEST(WellKnown, NormalisesDeprecatedAliases) {
  EXPECT_EQ(normalizeLabelKey("failure-domain.beta.kubernetes.io/zone"),
            "topology.kubernetes.io/zone");
  EXPECT_EQ(normalizeLabelKey("failure-domain.beta.kubernetes.io/region"),
            "topology.kubernetes.io/region");
  EXPECT_EQ(normalizeLabelKey("beta.kubernetes.io/arch"), "kubernetes.io/arch");
  EXPECT_EQ(normalizeLabelKey("beta.kubernetes.io/os"), "kubernetes.io/os");
  EXPECT_EQ(normalizeLabelKey("beta.kubernetes.io/instance-type"),
            "node.kubernetes.io/instance-type");
  EXPECT_EQ(normalizeLabelKey("topology.kubernetes.io/zone"), "topology.kubernetes.io/zone");
  EXPECT_EQ(normalizeLabelKey("beta.example.com/arch"), "beta.example.com/arch");
  EXPECT_EQ(normalizeLabelKey(""), "");
}

TEST(WellKnown, WellKnownLabels) {
  for (std::string_view key :
       {kNodePoolLabelKey, kCapacityTypeLabelKey, kLabelTopologyZone, kLabelTopologyRegion,
        kLabelInstanceType, kLabelArch, kLabelOs, kLabelWindowsBuild, kAwsLabelInstanceFamily,
        kAwsLabelInstanceCpu, kAwsLabelInstanceGpuCount, kAwsLabelTopologyZoneId,
        kAwsLabelCapacityReservationId, kReservationIdLabelKey}) {
    EXPECT_TRUE(isWellKnownLabel(key)) << key;
  }
  for (std::string_view key :
       {kLabelHostname, kNodeRegisteredLabelKey, kNodeInitializedLabelKey, kLabelBetaArch,
        std::string_view("example.com/team"), std::string_view("")}) {
    EXPECT_FALSE(isWellKnownLabel(key)) << key;
  }
  auto all = wellKnownLabels();
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());
}

TEST(WellKnown, RestrictedLabelsFollowV19Rules) {
  // Well-known keys are allowed even inside the karpenter.sh domain.
  EXPECT_FALSE(isRestrictedLabel(kCapacityTypeLabelKey));
  EXPECT_FALSE(isRestrictedLabel(kNodePoolLabelKey));
  EXPECT_FALSE(isRestrictedLabel(kLabelTopologyZone));
  // Since v1.9 the kubernetes.io and k8s.io domains are no longer restricted.
  EXPECT_FALSE(isRestrictedLabel("node-role.kubernetes.io/worker"));
  EXPECT_FALSE(isRestrictedLabel("example.k8s.io/foo"));
  EXPECT_FALSE(isRestrictedLabel("team"));
  EXPECT_FALSE(isRestrictedLabel("notkarpenter.sh/foo"));

  EXPECT_TRUE(isRestrictedLabel(kNodeRegisteredLabelKey));
  EXPECT_TRUE(isRestrictedLabel("karpenter.sh/custom"));
  EXPECT_TRUE(isRestrictedLabel("sub.karpenter.sh/custom"));
  EXPECT_TRUE(isRestrictedLabel(kLabelHostname));

  auto domain = checkLabelNotRestricted("karpenter.sh/custom");
  ASSERT_FALSE(domain.ok());
  EXPECT_EQ(domain.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(domain.error().message, "label domain \"karpenter.sh\" is restricted");
  auto hostname = checkLabelNotRestricted(kLabelHostname);
  ASSERT_FALSE(hostname.ok());
  EXPECT_EQ(hostname.error().message, "label \"kubernetes.io/hostname\" is restricted");
  EXPECT_TRUE(checkLabelNotRestricted("team").ok());
}

TEST(WellKnown, LabelDomain) {
  EXPECT_EQ(labelDomain("karpenter.sh/nodepool"), "karpenter.sh");
  EXPECT_EQ(labelDomain("team"), "");
}

TEST(WellKnown, KarpenterKeys) {
  EXPECT_EQ(kTerminationFinalizer, "karpenter.sh/termination");
  EXPECT_EQ(std::string(kDisruptedTaintKey) + ":" + std::string(kDisruptedTaintEffect),
            "karpenter.sh/disrupted:NoSchedule");
  EXPECT_EQ(std::string(kUnregisteredTaintKey) + ":" + std::string(kUnregisteredTaintEffect),
            "karpenter.sh/unregistered:NoExecute");
  EXPECT_EQ(kCapacityTypeReserved, "reserved");
}

}  // namespace
}  // namespace karpenter::api
