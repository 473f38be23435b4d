#include "karpenter/cloudprovider/simulated/catalog.hpp"

#include <cmath>
#include <set>

#include <gtest/gtest.h>

#include "karpenter/api/well_known.hpp"
#include "support/testdata.hpp"

namespace karpenter::cloudprovider::simulated {
namespace {

using api::Quantity;

const InstanceTypeSpec& spec(const std::string& name) {
  const auto* found = Catalog::builtin().find(name);
  if (found == nullptr) {
    throw std::runtime_error("catalog has no " + name);
  }
  return *found;
}

scheduling::InstanceType built(const std::string& name) {
  return toInstanceType(spec(name), Catalog::builtin().region(), {});
}

std::string label(const scheduling::InstanceType& type, std::string_view key) {
  const auto* r = type.requirements.find(key);
  if (r == nullptr || r->complement() || r->values().size() != 1) {
    return "<not single-valued>";
  }
  return r->values().front();
}

TEST(CatalogTest, M5LargeMatchesUpstreamWorkedExample) {
  // aws-ec2.md §4 and the upstream instance-types page: m5.large with AL2023 defaults has
  // allocatable cpu 1930m, memory 6903Mi, ephemeral-storage 17Gi, pods 29.
  const auto type = built("m5.large");
  EXPECT_EQ(type.capacity.at("cpu"), Quantity::mustParse("2"));
  // 8192Mi − ceil(8192 × 0.075) = 8192 − 615.
  EXPECT_EQ(type.capacity.at("memory"), Quantity::mustParse("7577Mi"));
  EXPECT_EQ(type.capacity.at("pods"), Quantity::mustParse("29"));
  EXPECT_EQ(type.capacity.at("ephemeral-storage"), Quantity::mustParse("20Gi"));
  EXPECT_EQ(type.overhead.kubeReserved.at("cpu"), Quantity::mustParse("70m"));
  EXPECT_EQ(type.overhead.kubeReserved.at("memory"), Quantity::mustParse("574Mi"));  // 11×29+255
  EXPECT_EQ(type.overhead.evictionThreshold.at("memory"), Quantity::mustParse("100Mi"));
  const auto allocatable = type.allocatable();
  EXPECT_EQ(allocatable.at("cpu"), Quantity::mustParse("1930m"));
  EXPECT_EQ(allocatable.at("memory"), Quantity::mustParse("6903Mi"));
  EXPECT_EQ(allocatable.at("ephemeral-storage"), Quantity::mustParse("17Gi"));
  EXPECT_EQ(allocatable.at("pods"), Quantity::mustParse("29"));
  EXPECT_FALSE(allocatable.contains("nvidia.com/gpu"));
}

TEST(CatalogTest, C6gLargeSubtractsGravitonReservedMemoryAndHas29Pods) {
  const auto type = built("c6g.large");
  // 4096 − 64 = 4032; − ceil(4032 × 0.075) = 303 → 3729Mi.
  EXPECT_EQ(type.capacity.at("memory"), Quantity::mustParse("3729Mi"));
  EXPECT_EQ(type.capacity.at("pods"), Quantity::mustParse("29"));  // 3 × (10 − 1) + 2
  EXPECT_EQ(label(type, api::kLabelArch), "arm64");
  EXPECT_EQ(label(type, api::kAwsLabelInstanceCpuManufacturer), "aws");
}

TEST(CatalogTest, KubeReservedCpuTiersOnMetal) {
  // 96 cores: 60 + 10 + 10 + 0.25% × 92000 = 310m reserved.
  const auto type = built("m5.metal");
  EXPECT_EQ(type.allocatable().at("cpu"), Quantity::mustParse("95690m"));
  EXPECT_EQ(label(type, api::kAwsLabelInstanceHypervisor), "");
  EXPECT_EQ(label(type, api::kAwsLabelInstanceSize), "metal");
}

TEST(CatalogTest, LabelsFollowUpstreamNames) {
  const auto type = built("m5.large");
  EXPECT_EQ(label(type, api::kLabelInstanceType), "m5.large");
  EXPECT_EQ(label(type, api::kLabelOs), "linux");
  EXPECT_EQ(label(type, api::kLabelArch), "amd64");
  EXPECT_EQ(label(type, api::kLabelTopologyRegion), "us-east-1");
  EXPECT_EQ(label(type, api::kAwsLabelInstanceCategory), "m");
  EXPECT_EQ(label(type, api::kAwsLabelInstanceFamily), "m5");
  EXPECT_EQ(label(type, api::kAwsLabelInstanceGeneration), "5");
  EXPECT_EQ(label(type, api::kAwsLabelInstanceSize), "large");
  EXPECT_EQ(label(type, api::kAwsLabelInstanceCpu), "2");
  EXPECT_EQ(label(type, api::kAwsLabelInstanceMemory), "8192");
  EXPECT_EQ(label(type, api::kAwsLabelInstanceHypervisor), "nitro");
  EXPECT_EQ(label(type, api::kAwsLabelInstanceCapabilityFlex), "false");
  const auto* gpu = type.requirements.find(api::kAwsLabelInstanceGpuCount);
  ASSERT_NE(gpu, nullptr);
  EXPECT_EQ(gpu->op(), scheduling::Operator::kDoesNotExist);

  const auto flex = built("c7i-flex.large");
  EXPECT_EQ(label(flex, api::kAwsLabelInstanceCategory), "c");
  EXPECT_EQ(label(flex, api::kAwsLabelInstanceGeneration), "7");
  EXPECT_EQ(label(flex, api::kAwsLabelInstanceFamily), "c7i-flex");
  EXPECT_EQ(label(flex, api::kAwsLabelInstanceCapabilityFlex), "true");
}

TEST(CatalogTest, GpuTypesCarryGpuLabelsAndResource) {
  const auto type = built("g5.12xlarge");
  EXPECT_EQ(label(type, api::kAwsLabelInstanceGpuCount), "4");
  EXPECT_EQ(label(type, api::kAwsLabelInstanceGpuName), "a10g");
  EXPECT_EQ(label(type, api::kAwsLabelInstanceGpuManufacturer), "nvidia");
  EXPECT_EQ(label(type, api::kAwsLabelInstanceGpuMemory), "22888");
  EXPECT_EQ(type.capacity.at("nvidia.com/gpu"), Quantity::mustParse("4"));
  EXPECT_EQ(type.allocatable().at("nvidia.com/gpu"), Quantity::mustParse("4"));
}

TEST(CatalogTest, OfferingsAreZoneTimesCapacityTypeWithSpotCheaper) {
  const auto type = built("m6i.xlarge");
  ASSERT_EQ(type.offerings.size(), 6u);
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& offering : type.offerings) {
    const auto zone = offering.requirements.find(api::kLabelTopologyZone)->values().front();
    const auto ct = offering.requirements.find(api::kCapacityTypeLabelKey)->values().front();
    seen.emplace(zone, ct);
    EXPECT_TRUE(offering.available);
    if (ct == api::kCapacityTypeOnDemand) {
      EXPECT_DOUBLE_EQ(offering.price, 0.192);
    } else {
      EXPECT_LT(offering.price, 0.192 * 0.6);
      EXPECT_GT(offering.price, 0.192 * 0.3);
    }
    EXPECT_EQ(offering.requirements.find(api::kAwsLabelTopologyZoneId)->values().front(),
              zoneId("us-east-1", zone));
  }
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_EQ(zoneId("us-east-1", "us-east-1c"), "use1-az3");
  EXPECT_EQ(zoneId("eu-west-2", "eu-west-2a"), "euw2-az1");
}

TEST(CatalogTest, BuiltinCoversFamiliesGenerationsAndArchitectures) {
  const auto& catalog = Catalog::builtin();
  EXPECT_GE(catalog.types().size(), 300u);
  std::set<std::string> categories;
  std::set<std::string> generations;
  std::set<std::string> architectures;
  std::set<std::string> names;
  for (const auto& type : catalog.types()) {
    EXPECT_TRUE(names.insert(type.name).second) << "duplicate " << type.name;
    const auto labels = labelsOf(type, catalog.region());
    categories.insert(labels.at(std::string(api::kAwsLabelInstanceCategory)));
    generations.insert(labels.at(std::string(api::kAwsLabelInstanceGeneration)));
    architectures.insert(type.architecture);
    EXPECT_GT(type.onDemandPrice, 0) << type.name;
    EXPECT_GT(type.maxPods, 0) << type.name;
    EXPECT_EQ(type.spotPrices.size(), 3u) << type.name;
  }
  EXPECT_EQ(categories, (std::set<std::string>{"c", "g", "m", "r", "t"}));
  for (const char* generation : {"3", "4", "5", "6", "7", "8"}) {
    EXPECT_TRUE(generations.contains(generation)) << generation;
  }
  EXPECT_EQ(architectures, (std::set<std::string>{"amd64", "arm64"}));
}

// Cross-checks every built-in type that upstream's generated tables also list: labels,
// allocatable resources (upstream's page uses the same AL2023 defaults) and on-demand price.
TEST(CatalogTest, AgreesWithUpstreamGeneratedTables) {
  const auto reference =
      karpenter::testing::readTestdataJson("ec2/karpenter-instance-types-reference.json");
  const auto prices = karpenter::testing::readTestdataJson("ec2/on-demand-prices-us-east-1.json");
  std::vector<std::string> mismatches;
  int compared = 0;
  for (const auto& spec : Catalog::builtin().types()) {
    if (!reference.contains(spec.name)) {
      mismatches.push_back(spec.name + ": not in the upstream reference");
      continue;
    }
    ++compared;
    const auto& expected = reference[spec.name];
    for (const auto& [key, value] : labelsOf(spec, "us-east-1")) {
      if (key == api::kLabelTopologyRegion) {
        continue;  // not on the reference page
      }
      if (!expected["labels"].contains(key)) {
        mismatches.push_back(spec.name + ": label " + key + " not in the reference");
      } else if (expected["labels"][key] != value) {
        mismatches.push_back(spec.name + ": label " + key + " = " + value + ", reference " +
                             expected["labels"][key].get<std::string>());
      }
    }
    const auto allocatable = toInstanceType(spec, "us-east-1", {}).allocatable();
    for (const auto& [resource, quantity] : expected["resources"].items()) {
      if (resource == "vpc.amazonaws.com/pod-eni" || resource == "vpc.amazonaws.com/efa") {
        continue;  // not modelled by the simulated catalog
      }
      const auto want = Quantity::mustParse(quantity.get<std::string>());
      auto it = allocatable.find(resource);
      if (it == allocatable.end() || it->second != want) {
        mismatches.push_back(spec.name + ": allocatable " + resource + " = " +
                             (it == allocatable.end() ? "<none>" : it->second.toString()) +
                             ", reference " + want.toString());
      }
    }
    if (!prices.contains(spec.name)) {
      mismatches.push_back(spec.name + ": no upstream price");
    } else if (std::abs(prices[spec.name].get<double>() - spec.onDemandPrice) > 1e-6) {
      mismatches.push_back(spec.name + ": price " + std::to_string(spec.onDemandPrice) +
                           ", reference " + std::to_string(prices[spec.name].get<double>()));
    }
  }
  EXPECT_GE(compared, 300);
  std::string report;
  for (const auto& m : mismatches) {
    report += m + "\n";
  }
  EXPECT_TRUE(mismatches.empty()) << mismatches.size() << " mismatches:\n" << report;
}

}  // namespace
}  // namespace karpenter::cloudprovider::simulated
