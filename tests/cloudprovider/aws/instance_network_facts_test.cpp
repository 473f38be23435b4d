// Network bandwidth labels and the pod-eni resource: the hand-kept facts table against
// upstream's published reference (karpenter-instance-types-reference.json), the model over the
// test EC2's DescribeInstanceTypes answers, and the per-card baseline fallback for types the
// table does not list.

#include "karpenter/cloudprovider/aws/instance_network_facts.hpp"

#include <gtest/gtest.h>

#include "aws/fake_ec2/fake_clients.hpp"
#include "karpenter/api/well_known.hpp"
#include "karpenter/cloudprovider/aws/instance_type_model.hpp"
#include "support/testdata.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

constexpr const char* kPodEni = "vpc.amazonaws.com/pod-eni";

const nlohmann::json& referenceTypes() {
  static const nlohmann::json reference =
      karpenter::testing::readTestdataJson("ec2/karpenter-instance-types-reference.json");
  return reference;
}

TEST(InstanceNetworkFactsTest, EveryListedTypeMatchesUpstreamsPublishedValues) {
  int listed = 0;
  for (const auto& [name, type] : referenceTypes().items()) {
    const auto facts = instanceNetworkFacts(name);
    if (!facts) {
      continue;
    }
    SCOPED_TRACE(name);
    ++listed;
    const auto& labels = type["labels"];
    ASSERT_TRUE(labels.contains(std::string(api::kAwsLabelInstanceNetworkBandwidth)));
    EXPECT_EQ(std::to_string(facts->baselineBandwidthMbps),
              labels[std::string(api::kAwsLabelInstanceNetworkBandwidth)].get<std::string>());
    const auto& resources = type["resources"];
    if (facts->branchInterfaces > 0) {
      ASSERT_TRUE(resources.contains(kPodEni));
      EXPECT_EQ(std::to_string(facts->branchInterfaces), resources[kPodEni].get<std::string>());
    } else {
      EXPECT_FALSE(resources.contains(kPodEni)) << "listed as unable to trunk";
    }
  }
  // The common general-purpose, compute and burstable families plus every test EC2 type.
  EXPECT_GE(listed, 80);
  EXPECT_FALSE(instanceNetworkFacts("m5.huge").has_value());
  EXPECT_FALSE(instanceNetworkFacts("").has_value());
}

class InstanceNetworkModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    karpenter::aws::testing::FakeEc2 fake;
    auto types = karpenter::aws::testing::fakeEc2Client(fake)->describeInstanceTypes();
    ASSERT_TRUE(types.ok()) << types.error().message;
    infos_ = new std::vector<karpenter::aws::InstanceTypeInfo>(std::move(*types));
  }
  static void TearDownTestSuite() { delete infos_; }

  static std::vector<karpenter::aws::InstanceTypeInfo>* infos_;
};

std::vector<karpenter::aws::InstanceTypeInfo>* InstanceNetworkModelTest::infos_ = nullptr;

TEST_F(InstanceNetworkModelTest, EveryTestTypeHasUpstreamsBandwidthLabelAndPodEni) {
  ASSERT_EQ(infos_->size(), 17u);
  for (const auto& info : *infos_) {
    SCOPED_TRACE(info.instanceType);
    const auto& reference = referenceTypes()[info.instanceType];
    const auto labels = labelsOf(info, "us-east-1", kAmiFamilyAL2023);
    ASSERT_TRUE(labels.count(std::string(api::kAwsLabelInstanceNetworkBandwidth)));
    EXPECT_EQ(labels.at(std::string(api::kAwsLabelInstanceNetworkBandwidth)),
              reference["labels"][std::string(api::kAwsLabelInstanceNetworkBandwidth)]);
    // pod-eni is not part of the overhead: allocatable = capacity, as the reference lists it.
    const auto allocatable = toInstanceType(info, "us-east-1", ModelSettings{}, {}).allocatable();
    if (reference["resources"].contains(kPodEni)) {
      ASSERT_TRUE(allocatable.count(kPodEni));
      EXPECT_EQ(allocatable.at(kPodEni),
                api::Quantity::mustParse(reference["resources"][kPodEni].get<std::string>()));
    } else {
      EXPECT_EQ(allocatable.count(kPodEni), 0u);
    }
  }
}

TEST(InstanceNetworkFallbackTest, UnlistedTypesAddUpTheCardsBaselineFromDescribeInstanceTypes) {
  karpenter::aws::InstanceTypeInfo info;
  info.instanceType = "x9z.48xlarge";  // not in the table
  info.defaultVCpus = 192;
  info.memoryMiB = 1048576;
  info.architectures = {"x86_64"};
  info.raw = {{"instanceType", "x9z.48xlarge"},
              {"networkInfo",
               {{"networkCards", nlohmann::json::array({{{"networkCardIndex", "0"},
                                                         {"baselineBandwidthInGbps", "100.0"},
                                                         {"maximumNetworkInterfaces", "8"}},
                                                        {{"networkCardIndex", "1"},
                                                         {"baselineBandwidthInGbps", "12.5"},
                                                         {"maximumNetworkInterfaces", "8"}}})}}}};
  const auto labels = labelsOf(info, "us-east-1", kAmiFamilyAL2023);
  ASSERT_TRUE(labels.count(std::string(api::kAwsLabelInstanceNetworkBandwidth)));
  EXPECT_EQ(labels.at(std::string(api::kAwsLabelInstanceNetworkBandwidth)), "112500");
  // No table entry: nothing says it can trunk.
  EXPECT_EQ(capacityOf(info, ModelSettings{}).count(kPodEni), 0u);

  info.raw["networkInfo"]["networkCards"] = nlohmann::json::array();
  EXPECT_EQ(labelsOf(info, "us-east-1", kAmiFamilyAL2023)
                .count(std::string(api::kAwsLabelInstanceNetworkBandwidth)),
            0u);
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
