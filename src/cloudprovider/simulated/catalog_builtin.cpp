// The built-in instance-type table: common EC2 types in us-east-1, written down as facts.
//
// Within one of the families below, every size costs the same per vCPU on demand and has the same
// memory per vCPU, and the ENI limits follow the size, so a family is one row (price per vCPU-hour,
// GiB per vCPU, sizes) and the ENI limits are one table by vCPU count; every figure the rows
// produce is the published figure of that instance type; the few sizes priced off the family rate
// (bare-metal premiums, four-decimal rounding) are listed in kPriceOverrides. Families whose prices
// or limits do not follow the pattern (burstable t*, GPU g*) are listed type by type.
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "karpenter/cloudprovider/simulated/catalog.hpp"

namespace karpenter::cloudprovider::simulated {
namespace {

constexpr std::string_view kRegion = "us-east-1";
constexpr std::array<std::string_view, 3> kZones = {"us-east-1a", "us-east-1b", "us-east-1c"};

struct FamilyRow {
  std::string_view family;
  std::string_view architecture;
  std::string_view cpuManufacturer;
  int memoryGiBPerVcpu;
  double onDemandPerVcpu;  // $/vCPU-hour: the price of every size is this × its vCPUs
  double spotRatio;        // typical spot price ÷ on-demand price for the family
  std::string_view sizes;  // space separated; "metal" uses metalVcpu
  int metalVcpu;
};

// clang-format off
constexpr std::array<FamilyRow, 39> kFamilies = {{
    // Generation 5 (Skylake/Cascade Lake, EPYC 7000).
    {"c5",   "amd64", "intel", 2, 0.0425,   0.40, "large xlarge 2xlarge 4xlarge 9xlarge 12xlarge 18xlarge 24xlarge metal", 96},
    {"c5a",  "amd64", "amd",   2, 0.0385,   0.42, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge", 0},
    {"c5d",  "amd64", "intel", 2, 0.048,    0.38, "large xlarge 2xlarge 4xlarge 9xlarge 12xlarge 18xlarge 24xlarge metal", 96},
    {"c5ad", "amd64", "amd",   2, 0.043,    0.40, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge", 0},
    {"m5",   "amd64", "intel", 4, 0.048,    0.40, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal", 96},
    {"m5a",  "amd64", "amd",   4, 0.043,    0.42, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge", 0},
    {"m5ad", "amd64", "amd",   4, 0.0515,   0.40, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge", 0},
    {"m5d",  "amd64", "intel", 4, 0.0565,   0.38, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal", 96},
    {"r5",   "amd64", "intel", 8, 0.063,    0.36, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal", 96},
    {"r5a",  "amd64", "amd",   8, 0.0565,   0.38, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge", 0},
    {"r5ad", "amd64", "amd",   8, 0.0655,   0.38, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge", 0},
    {"r5d",  "amd64", "intel", 8, 0.072,    0.36, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal", 96},
    // Generation 6 (Ice Lake, EPYC Milan, Graviton2).
    {"c6i",  "amd64", "intel", 2, 0.0425,   0.45, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal", 128},
    {"c6id", "amd64", "intel", 2, 0.0504,   0.43, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal", 128},
    {"c6a",  "amd64", "amd",   2, 0.03825,  0.45, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal", 192},
    {"c6g",  "arm64", "aws",   2, 0.034,    0.42, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal", 64},
    {"c6gd", "arm64", "aws",   2, 0.0384,   0.40, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal", 64},
    {"m6i",  "amd64", "intel", 4, 0.048,    0.45, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal", 128},
    {"m6a",  "amd64", "amd",   4, 0.0432,   0.45, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal", 192},
    {"m6g",  "arm64", "aws",   4, 0.0385,   0.42, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal", 64},
    {"m6gd", "arm64", "aws",   4, 0.0452,   0.40, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal", 64},
    {"r6i",  "amd64", "intel", 8, 0.063,    0.42, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal", 128},
    {"r6a",  "amd64", "amd",   8, 0.0567,   0.42, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal", 192},
    {"r6g",  "arm64", "aws",   8, 0.0504,   0.40, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal", 64},
    {"r6gd", "arm64", "aws",   8, 0.0576,   0.38, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal", 64},
    // Generation 7 (Sapphire Rapids, EPYC Genoa, Graviton3).
    {"c7i",      "amd64", "intel", 2, 0.044625, 0.50, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl", 0},
    {"c7i-flex", "amd64", "intel", 2, 0.042395, 0.52, "large xlarge 2xlarge 4xlarge 8xlarge", 0},
    {"c7a",      "amd64", "amd",   2, 0.05132,  0.50, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal-48xl", 0},
    {"c7g",      "arm64", "aws",   2, 0.03625,  0.48, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal", 64},
    {"m7i",      "amd64", "intel", 4, 0.0504,   0.50, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl", 0},
    {"m7i-flex", "amd64", "intel", 4, 0.04788,  0.52, "large xlarge 2xlarge 4xlarge 8xlarge", 0},
    {"m7a",      "amd64", "amd",   4, 0.05796,  0.50, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal-48xl", 0},
    {"m7g",      "arm64", "aws",   4, 0.0408,   0.48, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal", 64},
    {"r7i",      "amd64", "intel", 8, 0.06615,  0.48, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl", 0},
    {"r7a",      "amd64", "amd",   8, 0.076075, 0.48, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal-48xl", 0},
    {"r7g",      "arm64", "aws",   8, 0.05355,  0.46, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal", 64},
    // Generation 8 (Graviton4).
    {"c8g", "arm64", "aws", 2, 0.03988, 0.55, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl", 0},
    {"m8g", "arm64", "aws", 4, 0.04488, 0.55, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl", 0},
    {"r8g", "arm64", "aws", 8, 0.05891, 0.55, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl", 0},
}};
// clang-format on

// ENIs and IPv4 addresses per ENI of the c/m/r families by vCPU count (VPC limits).
struct EniLimit {
  int maxVcpu;
  int enis;
  int ipv4PerEni;
};
constexpr std::array<EniLimit, 5> kEniLimits = {{
    {1, 2, 4},      // medium
    {2, 3, 10},     // large
    {8, 4, 15},     // xlarge, 2xlarge
    {48, 8, 30},    // 4xlarge … 12xlarge (c5.9xlarge included)
    {192, 15, 50},  // 16xlarge and up, metal
}};

int maxPodsFor(int enis, int ipv4PerEni) {
  return enis * (ipv4PerEni - 1) + 2;
}

int familyMaxPods(int vcpu) {
  for (const auto& limit : kEniLimits) {
    if (vcpu <= limit.maxVcpu) {
      return maxPodsFor(limit.enis, limit.ipv4PerEni);
    }
  }
  return maxPodsFor(kEniLimits.back().enis, kEniLimits.back().ipv4PerEni);
}

int sizeVcpu(std::string_view size, int metalVcpu) {
  if (size == "medium") {
    return 1;
  }
  if (size == "large") {
    return 2;
  }
  if (size == "metal") {
    return metalVcpu;
  }
  if (size == "metal-24xl") {
    return 96;
  }
  if (size == "metal-48xl") {
    return 192;
  }
  // "xlarge" = 4 vCPUs, "<n>xlarge" = 4n.
  const auto x = size.find("xlarge");
  const int multiple = x == 0 ? 1 : std::stoi(std::string(size.substr(0, x)));
  return 4 * multiple;
}

// Sizes priced off their family's per-vCPU rate: Graviton "metal" and the 24xl-sized metal types
// carry a bare-metal premium, and a few sizes are rounded to four decimals in the price list.
struct PriceOverride {
  std::string_view name;
  double onDemand;
};
// clang-format off
constexpr std::array<PriceOverride, 17> kPriceOverrides = {{
    {"c6g.metal", 2.3066},       {"c6gd.metal", 2.6051},      {"m6g.metal", 2.6112},
    {"m6gd.metal", 3.0664},      {"r6g.metal", 3.4191},       {"r6gd.metal", 3.9076},
    {"c7g.medium", 0.0363},      {"r7g.medium", 0.0536},
    {"c7i-flex.2xlarge", 0.33915}, {"c7i-flex.4xlarge", 0.6783}, {"c7i-flex.8xlarge", 1.3566},
    {"c7i.metal-24xl", 4.7124},  {"m7i.metal-24xl", 5.32224}, {"r7i.metal-24xl", 6.98544},
    {"c8g.metal-24xl", 4.21133}, {"m8g.metal-24xl", 4.73933}, {"r8g.metal-24xl", 6.2209},
}};
// clang-format on

double familyPrice(std::string_view name, double perVcpu, int vcpu) {
  for (const auto& entry : kPriceOverrides) {
    if (entry.name == name) {
      return entry.onDemand;
    }
  }
  return std::round(perVcpu * vcpu * 1e5) / 1e5;
}

// Listed type by type: burstable and GPU families.
struct TypeRow {
  std::string_view name;
  std::string_view architecture;
  std::string_view cpuManufacturer;
  int vcpu;
  double memoryGiB;
  int maxPods;
  double onDemand;
  double spotRatio;
  int gpuCount;
};

struct GpuFamily {
  std::string_view family;
  std::string_view gpuName;
  std::string_view gpuManufacturer;
  int64_t gpuMemoryMiB;
};

constexpr std::array<GpuFamily, 4> kGpuFamilies = {{
    {"g4dn", "t4", "nvidia", 16384},
    {"g5", "a10g", "nvidia", 22888},
    {"g5g", "t4g", "nvidia", 16384},
    {"g6", "l4", "nvidia", 22888},
}};

// clang-format off
constexpr std::array<TypeRow, 50> kTypes = {{
    {"t3.nano",     "amd64", "intel", 2, 0.5, 4,  0.0052, 0.35, 0},
    {"t3.micro",    "amd64", "intel", 2, 1,   4,  0.0104, 0.35, 0},
    {"t3.small",    "amd64", "intel", 2, 2,   11, 0.0208, 0.35, 0},
    {"t3.medium",   "amd64", "intel", 2, 4,   17, 0.0416, 0.35, 0},
    {"t3.large",    "amd64", "intel", 2, 8,   35, 0.0832, 0.35, 0},
    {"t3.xlarge",   "amd64", "intel", 4, 16,  58, 0.1664, 0.35, 0},
    {"t3.2xlarge",  "amd64", "intel", 8, 32,  58, 0.3328, 0.35, 0},
    {"t3a.nano",    "amd64", "amd",   2, 0.5, 4,  0.0047, 0.38, 0},
    {"t3a.micro",   "amd64", "amd",   2, 1,   4,  0.0094, 0.38, 0},
    {"t3a.small",   "amd64", "amd",   2, 2,   8,  0.0188, 0.38, 0},
    {"t3a.medium",  "amd64", "amd",   2, 4,   17, 0.0376, 0.38, 0},
    {"t3a.large",   "amd64", "amd",   2, 8,   35, 0.0752, 0.38, 0},
    {"t3a.xlarge",  "amd64", "amd",   4, 16,  58, 0.1504, 0.38, 0},
    {"t3a.2xlarge", "amd64", "amd",   8, 32,  58, 0.3008, 0.38, 0},
    {"t4g.nano",    "arm64", "aws",   2, 0.5, 4,  0.0042, 0.40, 0},
    {"t4g.micro",   "arm64", "aws",   2, 1,   4,  0.0084, 0.40, 0},
    {"t4g.small",   "arm64", "aws",   2, 2,   11, 0.0168, 0.40, 0},
    {"t4g.medium",  "arm64", "aws",   2, 4,   17, 0.0336, 0.40, 0},
    {"t4g.large",   "arm64", "aws",   2, 8,   35, 0.0672, 0.40, 0},
    {"t4g.xlarge",  "arm64", "aws",   4, 16,  58, 0.1344, 0.40, 0},
    {"t4g.2xlarge", "arm64", "aws",   8, 32,  58, 0.2688, 0.40, 0},
    {"g4dn.xlarge",   "amd64", "intel", 4,  16,  29,  0.526,  0.33, 1},
    {"g4dn.2xlarge",  "amd64", "intel", 8,  32,  29,  0.752,  0.33, 1},
    {"g4dn.4xlarge",  "amd64", "intel", 16, 64,  29,  1.204,  0.33, 1},
    {"g4dn.8xlarge",  "amd64", "intel", 32, 128, 58,  2.176,  0.33, 1},
    {"g4dn.12xlarge", "amd64", "intel", 48, 192, 234, 3.912,  0.33, 4},
    {"g4dn.16xlarge", "amd64", "intel", 64, 256, 58,  4.352,  0.33, 1},
    {"g4dn.metal",    "amd64", "intel", 96, 384, 737, 7.824,  0.33, 8},
    {"g5.xlarge",     "amd64", "amd",   4,   16,  58,  1.006,  0.40, 1},
    {"g5.2xlarge",    "amd64", "amd",   8,   32,  58,  1.212,  0.40, 1},
    {"g5.4xlarge",    "amd64", "amd",   16,  64,  234, 1.624,  0.40, 1},
    {"g5.8xlarge",    "amd64", "amd",   32,  128, 234, 2.448,  0.40, 1},
    {"g5.12xlarge",   "amd64", "amd",   48,  192, 737, 5.672,  0.40, 4},
    {"g5.16xlarge",   "amd64", "amd",   64,  256, 234, 4.096,  0.40, 1},
    {"g5.24xlarge",   "amd64", "amd",   96,  384, 737, 8.144,  0.40, 4},
    {"g5.48xlarge",   "amd64", "amd",   192, 768, 345, 16.288, 0.40, 8},
    {"g5g.xlarge",    "arm64", "aws",   4,  8,   58,  0.42,   0.40, 1},
    {"g5g.2xlarge",   "arm64", "aws",   8,  16,  58,  0.556,  0.40, 1},
    {"g5g.4xlarge",   "arm64", "aws",   16, 32,  234, 0.828,  0.40, 1},
    {"g5g.8xlarge",   "arm64", "aws",   32, 64,  234, 1.372,  0.40, 1},
    {"g5g.16xlarge",  "arm64", "aws",   64, 128, 737, 2.744,  0.40, 2},
    {"g5g.metal",     "arm64", "aws",   64, 128, 737, 2.744,  0.40, 2},
    {"g6.xlarge",     "amd64", "amd",   4,   16,  58,  0.8048,  0.45, 1},
    {"g6.2xlarge",    "amd64", "amd",   8,   32,  58,  0.9776,  0.45, 1},
    {"g6.4xlarge",    "amd64", "amd",   16,  64,  234, 1.3232,  0.45, 1},
    {"g6.8xlarge",    "amd64", "amd",   32,  128, 234, 2.0144,  0.45, 1},
    {"g6.12xlarge",   "amd64", "amd",   48,  192, 234, 4.6016,  0.45, 4},
    {"g6.16xlarge",   "amd64", "amd",   64,  256, 737, 3.3968,  0.45, 1},
    {"g6.24xlarge",   "amd64", "amd",   96,  384, 737, 6.6752,  0.45, 4},
    {"g6.48xlarge",   "amd64", "amd",   192, 768, 737, 13.3504, 0.45, 8},
}};
// clang-format on

// Prices in the table have at most five decimals; products of floats are rounded back to them.
double roundPrice(double price) {
  return std::round(price * 1e5) / 1e5;
}

// Spot prices differ a little between zones; a fixed spread derived from the type and zone
// names keeps the table deterministic while making the cheapest zone differ between types.
double zoneSpread(std::string_view type, std::string_view zone) {
  uint32_t hash = 2166136261u;  // FNV-1a
  for (char c : type) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  }
  for (char c : zone) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  }
  return 1.0 + (static_cast<int>(hash % 7) - 3) / 100.0;  // ±3%
}

std::map<std::string, double> spotPrices(std::string_view type, double onDemand, double ratio) {
  std::map<std::string, double> prices;
  for (auto zone : kZones) {
    prices.emplace(std::string(zone), roundPrice(onDemand * ratio * zoneSpread(type, zone)));
  }
  return prices;
}

std::string_view familyOf(std::string_view name) {
  return name.substr(0, name.find('.'));
}

std::vector<InstanceTypeSpec> builtinTypes() {
  std::vector<InstanceTypeSpec> types;
  for (const auto& row : kFamilies) {
    std::string_view sizes = row.sizes;
    while (!sizes.empty()) {
      const auto space = sizes.find(' ');
      const std::string_view size = sizes.substr(0, space);
      sizes = space == std::string_view::npos ? std::string_view{} : sizes.substr(space + 1);
      InstanceTypeSpec spec;
      spec.name = std::string(row.family) + "." + std::string(size);
      spec.vcpu = sizeVcpu(size, row.metalVcpu);
      spec.memoryMiB = int64_t{spec.vcpu} * row.memoryGiBPerVcpu * 1024;
      spec.architecture = row.architecture;
      spec.cpuManufacturer = row.cpuManufacturer;
      spec.hypervisor = size.starts_with("metal") ? "" : "nitro";
      spec.maxPods = familyMaxPods(spec.vcpu);
      spec.onDemandPrice = familyPrice(spec.name, row.onDemandPerVcpu, spec.vcpu);
      spec.spotPrices = spotPrices(spec.name, spec.onDemandPrice, row.spotRatio);
      types.push_back(std::move(spec));
    }
  }
  for (const auto& row : kTypes) {
    InstanceTypeSpec spec;
    spec.name = row.name;
    spec.vcpu = row.vcpu;
    spec.memoryMiB = static_cast<int64_t>(row.memoryGiB * 1024);
    spec.architecture = row.architecture;
    spec.cpuManufacturer = row.cpuManufacturer;
    spec.hypervisor = spec.name.ends_with(".metal") ? "" : "nitro";
    spec.maxPods = row.maxPods;
    spec.onDemandPrice = row.onDemand;
    spec.spotPrices = spotPrices(spec.name, spec.onDemandPrice, row.spotRatio);
    if (row.gpuCount > 0) {
      for (const auto& gpu : kGpuFamilies) {
        if (gpu.family == familyOf(row.name)) {
          spec.gpu = GpuSpec{row.gpuCount, std::string(gpu.gpuName),
                             std::string(gpu.gpuManufacturer), gpu.gpuMemoryMiB};
        }
      }
    }
    types.push_back(std::move(spec));
  }
  return types;
}

}  // namespace

const Catalog& Catalog::builtin() {
  static const Catalog catalog(std::string(kRegion), {kZones.begin(), kZones.end()},
                               builtinTypes());
  return catalog;
}

}  // namespace karpenter::cloudprovider::simulated
