// The instance-type formulas (aws-ec2.md §4) against upstream's published capacities: every
// type the test EC2 serves is decoded by the real client, modelled, and compared with
// karpenter-instance-types-reference.json (AL2023, no blockDeviceMappings).

#include "karpenter/cloudprovider/aws/instance_type_model.hpp"

#include <gtest/gtest.h>

#include "aws/fake_ec2/fake_ec2.hpp"
#include "karpenter/api/well_known.hpp"
#include "support/testdata.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

using karpenter::aws::InstanceTypeInfo;

class InstanceTypeModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    karpenter::aws::testing::FakeEc2 fake;
    karpenter::aws::AwsConfig config;
    config.region = "us-east-1";
    config.serviceUrls["ec2"] = fake.url();
    karpenter::aws::Ec2Client client(
        config,
        karpenter::aws::makeStaticProvider(
            {fake.options().accessKeyId, fake.options().secretAccessKey, "", std::nullopt, "test"}),
        karpenter::aws::makeCurlHttpClient(), karpenter::aws::systemClock());
    auto types = client.describeInstanceTypes();
    ASSERT_TRUE(types.ok()) << types.error().message;
    infos_ = new std::vector<InstanceTypeInfo>(std::move(*types));
  }
  static void TearDownTestSuite() { delete infos_; }

  static const InstanceTypeInfo& info(const std::string& name) {
    for (const auto& info : *infos_) {
      if (info.instanceType == name) {
        return info;
      }
    }
    throw std::runtime_error("no test type " + name);
  }

  static std::vector<InstanceTypeInfo>* infos_;
};

std::vector<InstanceTypeInfo>* InstanceTypeModelTest::infos_ = nullptr;

TEST_F(InstanceTypeModelTest, AllocatableMatchesUpstreamReferenceForEveryTestType) {
  const auto reference =
      karpenter::testing::readTestdataJson("ec2/karpenter-instance-types-reference.json");
  ASSERT_EQ(infos_->size(), 17u);
  for (const auto& info : *infos_) {
    SCOPED_TRACE(info.instanceType);
    ASSERT_TRUE(reference.contains(info.instanceType));
    const auto type = toInstanceType(info, "us-east-1", ModelSettings{}, {});
    const auto allocatable = type.allocatable();
    int compared = 0;
    for (const auto& [name, value] : reference[info.instanceType]["resources"].items()) {
      if (name == "vpc.amazonaws.com/pod-eni") {
        continue;  // trunking limits come from a static table upstream, not from EC2
      }
      SCOPED_TRACE(name);
      ASSERT_TRUE(allocatable.count(name)) << "missing resource";
      EXPECT_EQ(allocatable.at(name), api::Quantity::mustParse(value.get<std::string>()))
          << "got " << allocatable.at(name).toString();
      ++compared;
    }
    EXPECT_GE(compared, 4);
  }
}

TEST_F(InstanceTypeModelTest, LabelsMatchUpstreamReferenceWhereTheDataHasThem) {
  const auto reference =
      karpenter::testing::readTestdataJson("ec2/karpenter-instance-types-reference.json");
  for (const auto& info : *infos_) {
    SCOPED_TRACE(info.instanceType);
    const auto labels = labelsOf(info, "us-east-1", kAmiFamilyAL2023);
    for (const auto& [key, value] : reference[info.instanceType]["labels"].items()) {
      if (key == api::kAwsLabelInstanceNetworkBandwidth && labels.count(key) == 0) {
        continue;  // a static table upstream; only newer EC2 answers carry the baseline
      }
      SCOPED_TRACE(key);
      ASSERT_TRUE(labels.count(key)) << "missing label";
      EXPECT_EQ(labels.at(key), value.get<std::string>());
    }
  }
}

TEST_F(InstanceTypeModelTest, C6gLargeRuns29PodsAsTheFormulaSays) {
  // 3 ENIs × (10 IPv4 − 1) + 2.
  EXPECT_EQ(eniLimitedPods(info("c6g.large"), 0), 29);
  EXPECT_EQ(podsOf(info("c6g.large"), ModelSettings{}), 29);
  // One reserved ENI leaves two: 2 × 9 + 2.
  EXPECT_EQ(eniLimitedPods(info("c6g.large"), 1), 20);
  EXPECT_EQ(eniLimitedPods(info("c6g.large"), 3), 0);
}

TEST_F(InstanceTypeModelTest, Arm64LosesSixtyFourMiBBeforeTheVmOverhead) {
  // c6g.large: 4096 − 64 = 4032; − ceil(4032 × 0.075) = 303 → 3729Mi.
  const auto capacity = capacityOf(info("c6g.large"), ModelSettings{});
  EXPECT_EQ(capacity.at("memory"), api::Quantity::mustParse("3729Mi"));
  ModelSettings none;
  none.vmMemoryOverheadPercent = 0;
  EXPECT_EQ(capacityOf(info("c6g.large"), none).at("memory"), api::Quantity::mustParse("4032Mi"));
}

TEST_F(InstanceTypeModelTest, KubeletMaxPodsAndPodsPerCoreCapPods) {
  ModelSettings settings;
  settings.kubelet.maxPods = 10;
  EXPECT_EQ(podsOf(info("m5.large"), settings), 10);
  // kube-reserved memory still follows the ENI-limited 29 pods on AL2023.
  const auto capacity = capacityOf(info("m5.large"), settings);
  EXPECT_EQ(overheadOf(info("m5.large"), settings, capacity).kubeReserved.at("memory"),
            api::Quantity::mustParse("574Mi"));
  settings.kubelet.maxPods.reset();
  settings.kubelet.podsPerCore = 4;
  EXPECT_EQ(podsOf(info("m5.large"), settings), 8);  // 4 × 2 vCPU < 29
  settings.amiFamily = std::string(kAmiFamilyBottlerocket);
  EXPECT_EQ(podsOf(info("m5.large"), settings), 29);  // Bottlerocket ignores podsPerCore
  // Bottlerocket sizes kube-reserved by the pods it runs.
  settings.kubelet.maxPods = 10;
  EXPECT_EQ(overheadOf(info("m5.large"), settings, capacity).kubeReserved.at("memory"),
            api::Quantity::mustParse("365Mi"));
}

TEST_F(InstanceTypeModelTest, EphemeralStorageFollowsBlockDevicesAndFamily) {
  ModelSettings settings;
  EXPECT_EQ(ephemeralStorageBytes(info("m5.large"), settings), 20LL << 30);
  api::BlockDeviceMapping root;
  root.deviceName = "/dev/xvda";
  root.ebs = api::BlockDevice{};
  root.ebs->volumeSize = "100Gi";
  settings.blockDeviceMappings = {root};
  EXPECT_EQ(ephemeralStorageBytes(info("m5.large"), settings), 100LL << 30);
  settings.amiFamily = std::string(kAmiFamilyBottlerocket);  // kubelet lives on /dev/xvdb
  EXPECT_EQ(ephemeralStorageBytes(info("m5.large"), settings), 20LL << 30);
  settings.blockDeviceMappings[0].rootVolume = true;
  EXPECT_EQ(ephemeralStorageBytes(info("m5.large"), settings), 100LL << 30);
  // RAID0 over the instance store: trn1.2xlarge has 474 GB of NVMe.
  settings.instanceStorePolicy = "RAID0";
  EXPECT_EQ(ephemeralStorageBytes(info("trn1.2xlarge"), settings), 474LL * 1000 * 1000 * 1000);
  settings.amiFamily = "Windows2022";
  settings.blockDeviceMappings.clear();
  settings.instanceStorePolicy.reset();
  EXPECT_EQ(ephemeralStorageBytes(info("m5.large"), settings), 50LL << 30);
}

TEST_F(InstanceTypeModelTest, EvictionHardAndReservedOverridesApply) {
  ModelSettings settings;
  settings.kubelet.evictionHard = {{"memory.available", "5%"}, {"nodefs.available", "1Gi"}};
  settings.kubelet.kubeReserved = {{"cpu", "250m"}};
  settings.kubelet.systemReserved = {{"memory", "200Mi"}};
  const auto capacity = capacityOf(info("m5.large"), settings);
  const auto overhead = overheadOf(info("m5.large"), settings, capacity);
  // 5% of 7577Mi, rounded up to a byte.
  EXPECT_EQ(overhead.evictionThreshold.at("memory").value(),
            static_cast<int64_t>(std::ceil(7577.0 * 1024 * 1024 * 0.05)));
  EXPECT_EQ(overhead.evictionThreshold.at("ephemeral-storage"), api::Quantity::mustParse("1Gi"));
  EXPECT_EQ(overhead.kubeReserved.at("cpu"), api::Quantity::mustParse("250m"));
  EXPECT_EQ(overhead.systemReserved.at("memory"), api::Quantity::mustParse("200Mi"));
}

TEST_F(InstanceTypeModelTest, OfferingsBecomeRequirementsAndUnknownLabelsDoNotExist) {
  const auto type = toInstanceType(info("m5.large"), "us-east-1", ModelSettings{},
                                   {{"test-zone-1a", "tstz1-az1", "spot", 0.03, true},
                                    {"test-zone-1a", "tstz1-az1", "on-demand", 0.096, false}});
  ASSERT_EQ(type.offerings.size(), 2u);
  EXPECT_FALSE(type.offerings[1].available);
  scheduling::Requirements gpu;
  gpu.add(scheduling::Requirement::exists(api::kAwsLabelInstanceGpuCount));
  EXPECT_FALSE(gpu.isCompatible(type.requirements, true));
  scheduling::Requirements spot;
  spot.add(scheduling::Requirement::in(api::kCapacityTypeLabelKey, {"spot"}));
  EXPECT_TRUE(spot.isCompatible(type.requirements, true));
  EXPECT_TRUE(scheduling::hasCompatibleOffering(type, spot));
  scheduling::Requirements onDemand;
  onDemand.add(scheduling::Requirement::in(api::kCapacityTypeLabelKey, {"on-demand"}));
  EXPECT_FALSE(scheduling::hasCompatibleOffering(type, onDemand));  // unavailable
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
