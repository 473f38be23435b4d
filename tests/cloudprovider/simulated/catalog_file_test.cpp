#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include "karpenter/cloudprovider/simulated/catalog.hpp"

namespace karpenter::cloudprovider::simulated {
namespace {

Result<Catalog> parse(const std::string& text) {
  return Catalog::fromText(text, "catalog.yaml", Catalog::builtin());
}

std::string errorOf(const std::string& text) {
  auto catalog = parse(text);
  if (catalog.ok()) {
    return "<parsed>";
  }
  EXPECT_EQ(catalog.error().kind, ErrorKind::kInvalid);
  return catalog.error().message;
}

TEST(CatalogFileTest, ReplaceModeUsesOnlyTheFileWithItsZones) {
  auto catalog = parse(R"(
region: eu-west-1
zones: [eu-west-1a, eu-west-1b]
instanceTypes:
- name: x1.large
  vcpu: 2
  memoryMiB: 4096
  architecture: arm64
  cpuManufacturer: aws
  maxPods: 29
  onDemandPrice: 0.05
  spotPrices: {eu-west-1b: 0.02}
- name: x1.metal
  vcpu: 64
  memoryMiB: 131072
  architecture: amd64
  maxPods: 737
  onDemandPrice: 3.2
  spotPrice: 1.1
  zones: [eu-west-1a]
  gpu: {count: 2, name: t4, memoryMiB: 16384}
)");
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  EXPECT_EQ(catalog->region(), "eu-west-1");
  EXPECT_EQ(catalog->zones(), (std::vector<std::string>{"eu-west-1a", "eu-west-1b"}));
  ASSERT_EQ(catalog->types().size(), 2u);
  const auto* large = catalog->find("x1.large");
  ASSERT_NE(large, nullptr);
  // No spotPrice: on-demand price in every zone, then spotPrices overrides one.
  EXPECT_EQ(large->spotPrices,
            (std::map<std::string, double>{{"eu-west-1a", 0.05}, {"eu-west-1b", 0.02}}));
  EXPECT_EQ(large->hypervisor, "nitro");
  const auto* metal = catalog->find("x1.metal");
  ASSERT_NE(metal, nullptr);
  EXPECT_EQ(metal->hypervisor, "");
  EXPECT_EQ(metal->spotPrices, (std::map<std::string, double>{{"eu-west-1a", 1.1}}));
  ASSERT_TRUE(metal->gpu.has_value());
  EXPECT_EQ(metal->gpu->count, 2);
  EXPECT_EQ(metal->gpu->manufacturer, "nvidia");
  const auto types = catalog->instanceTypes();
  EXPECT_EQ(types[1].offerings.size(), 2u);  // one zone × {spot, on-demand}
  EXPECT_EQ(types[1].capacity.at("nvidia.com/gpu"), api::Quantity::mustParse("2"));
}

TEST(CatalogFileTest, ExtendModeAddsAndReplacesBuiltinRows) {
  auto catalog = parse(R"({"mode": "extend", "instanceTypes": [
    {"name": "m5.large", "vcpu": 2, "memoryMiB": 8192, "architecture": "amd64",
     "maxPods": 29, "onDemandPrice": 0.5},
    {"name": "z9.large", "vcpu": 2, "memoryMiB": 1024, "architecture": "amd64",
     "maxPods": 11, "onDemandPrice": 0.01}]})");
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  EXPECT_EQ(catalog->types().size(), Catalog::builtin().types().size() + 1);
  EXPECT_DOUBLE_EQ(catalog->find("m5.large")->onDemandPrice, 0.5);
  EXPECT_NE(catalog->find("z9.large"), nullptr);
  EXPECT_EQ(catalog->zones(), Catalog::builtin().zones());
}

TEST(CatalogFileTest, BadRowsNameTheRowTypeAndField) {
  const std::string head =
      "instanceTypes:\n- {name: ok.large, vcpu: 2, memoryMiB: 1024, "
      "architecture: amd64, maxPods: 8, onDemandPrice: 0.1}\n";
  EXPECT_EQ(errorOf(head + "- {name: m9.large, memoryMiB: 1, architecture: amd64, maxPods: 8, "
                           "onDemandPrice: 1}\n"),
            "catalog.yaml: instanceTypes[1] (m9.large).vcpu: required");
  EXPECT_EQ(errorOf(head + "- {name: m9.large, vcpu: two, memoryMiB: 1, architecture: amd64, "
                           "maxPods: 8, onDemandPrice: 1}\n"),
            "catalog.yaml: instanceTypes[1] (m9.large).vcpu: must be a positive integer");
  EXPECT_EQ(errorOf(head + "- {name: m9.large, vcpu: 2, memoryMiB: 1, architecture: x86_64, "
                           "maxPods: 8, onDemandPrice: 1}\n"),
            "catalog.yaml: instanceTypes[1] (m9.large).architecture: must be amd64 or arm64, "
            "not \"x86_64\"");
  EXPECT_EQ(errorOf(head + "- {name: m9.large, vcpu: 2, memoryMiB: 1, architecture: amd64, "
                           "maxPods: 8, onDemandPrice: -1}\n"),
            "catalog.yaml: instanceTypes[1] (m9.large).onDemandPrice: must be a non-negative "
            "number ($/hour)");
  EXPECT_EQ(errorOf(head + "- {name: m9.large, vcpus: 2}\n"),
            "catalog.yaml: instanceTypes[1].vcpus: unknown field");
  EXPECT_EQ(errorOf(head + "- {name: m9large}\n"),
            "catalog.yaml: instanceTypes[1].name: must be <family>.<size>, e.g. m5.large");
  EXPECT_EQ(errorOf(head + "- {name: m9.large, vcpu: 2, memoryMiB: 1, architecture: amd64, "
                           "maxPods: 8, onDemandPrice: 1, zones: [mars-1a]}\n"),
            "catalog.yaml: instanceTypes[1] (m9.large).zones[0]: \"mars-1a\" is not one of the "
            "catalog's zones");
  EXPECT_EQ(errorOf(head + "- {name: m9.large, vcpu: 2, memoryMiB: 1, architecture: amd64, "
                           "maxPods: 8, onDemandPrice: 1, gpu: {name: t4}}\n"),
            "catalog.yaml: instanceTypes[1] (m9.large).gpu.count: required");
  EXPECT_EQ(errorOf(head + head.substr(head.find('-'))),
            "catalog.yaml: instanceTypes[1].name: duplicate instance type \"ok.large\"");
}

TEST(CatalogFileTest, BadDocumentsSayWhatIsExpected) {
  EXPECT_EQ(errorOf("mode: merge\ninstanceTypes: []\n"),
            "catalog.yaml: mode: must be replace or extend, not \"merge\"");
  EXPECT_EQ(errorOf("zones: [a]\n"),
            "catalog.yaml: instanceTypes: required: a list of instance types");
  EXPECT_EQ(errorOf("mode: extend\nzones: [a]\ninstanceTypes: []\n"),
            "catalog.yaml: zones: only allowed with mode: replace (extend keeps the base "
            "catalog's)");
  EXPECT_EQ(errorOf("instanceTypes: []\n"),
            "catalog.yaml: instanceTypes: must list at least one instance type");
  EXPECT_EQ(errorOf("mode: extend\n---\nmode: replace\n"),
            "catalog.yaml: expected one YAML/JSON object with an instanceTypes list");
}

TEST(CatalogFileTest, FromFileReadsYamlAndReportsMissingFiles) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("karpenter-catalog-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path);
    out << "mode: extend\ninstanceTypes:\n- {name: q1.large, vcpu: 2, memoryMiB: 2048, "
           "architecture: arm64, maxPods: 11, onDemandPrice: 0.02}\n";
  }
  auto catalog = Catalog::fromFile(path, Catalog::builtin());
  std::filesystem::remove(path);
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  EXPECT_NE(catalog->find("q1.large"), nullptr);
  auto missing = Catalog::fromFile(path, Catalog::builtin());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, path.string() + ": cannot read the catalog file");
}

}  // namespace
}  // namespace karpenter::cloudprovider::simulated
