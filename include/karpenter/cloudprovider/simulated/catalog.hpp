#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "karpenter/scheduling/instance_type.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::cloudprovider::simulated {

// One EC2 instance type as facts: what DescribeInstanceTypes, the VPC limits table and the price
// list say about it. Plain value.
struct GpuSpec {
  int count = 0;
  std::string name;          // lower case, as the karpenter.k8s.aws/instance-gpu-name label: "t4"
  std::string manufacturer;  // "nvidia"
  int64_t memoryMiB = 0;     // per GPU
  bool operator==(const GpuSpec&) const = default;
};

struct InstanceTypeSpec {
  std::string name;  // "m5.large"
  int vcpu = 0;
  int64_t memoryMiB = 0;
  std::string architecture;     // "amd64" | "arm64"
  std::string cpuManufacturer;  // "intel" | "amd" | "aws"
  std::string hypervisor;       // "nitro", or "" for bare metal
  int maxPods = 0;              // ENI-limited: ENIs × (IPv4 per ENI − 1) + 2
  std::optional<GpuSpec> gpu;
  double onDemandPrice = 0;  // $/hour
  // $/hour per zone; the zones listed are the zones the type is offered in.
  std::map<std::string, double> spotPrices;
  bool operator==(const InstanceTypeSpec&) const = default;
};

// Settings of the node image the capacity/overhead formulas depend on (aws-ec2.md §4.1–4.2).
struct NodeSettings {
  double vmMemoryOverheadPercent = 0.075;
  int64_t ephemeralStorageGi = 20;  // the AL2023 root volume
  std::optional<int> maxPods;       // kubelet.maxPods; unset = ENI-limited
};

// An instance-type catalog for one region: the built-in table of common EC2 types in us-east-1,
// optionally replaced or extended from a file. Immutable after construction; share as const.
class Catalog final {
 public:
  // The built-in table: c/m/r generations 5–8 (Intel, AMD, Graviton), t3/t3a/t4g and the
  // g4dn/g5/g5g/g6 GPU families, with us-east-1 on-demand prices, ENI-limited max pods, and spot
  // prices at a per-family discount with a small fixed per-zone spread; zones us-east-1a/b/c.
  static const Catalog& builtin();

  // Reads a catalog file (YAML or JSON, format in the README). `mode: replace` (default) uses only
  // the file's types; `mode: extend` adds them to `base`, a row with a known name replacing it.
  // Errors are kInvalid and name the file, row and field: "catalog.yaml: instanceTypes[3]
  // (m5.large).vcpu: must be a positive integer".
  static Result<Catalog> fromFile(const std::filesystem::path& path, const Catalog& base);
  static Result<Catalog> fromText(std::string_view text, std::string_view source,
                                  const Catalog& base);

  Catalog(std::string region, std::vector<std::string> zones, std::vector<InstanceTypeSpec> types);

  const std::string& region() const { return region_; }
  const std::vector<std::string>& zones() const { return zones_; }
  // Sorted by name.
  const std::vector<InstanceTypeSpec>& types() const { return types_; }
  const InstanceTypeSpec* find(std::string_view name) const;

  // Every type as the solver sees it (see toInstanceType), all offerings available.
  std::vector<scheduling::InstanceType> instanceTypes(const NodeSettings& settings = {}) const;

 private:
  std::string region_;
  std::vector<std::string> zones_;
  std::vector<InstanceTypeSpec> types_;
};

// The zone ID a catalog zone maps to (topology.k8s.aws/zone-id), e.g. us-east-1a → use1-az1.
// Zone IDs differ per account in reality; the simulated cloud fixes one mapping: the region's
// short name ("use1") and the zone letter's position.
std::string zoneId(std::string_view region, std::string_view zone);

// Capacity: cpu = vCPUs; memory = MiB (− 64 Mi on arm64) − ceil(that × VM overhead %); pods =
// maxPods; ephemeral-storage; nvidia.com/gpu (or amd.com/gpu) for GPU types.
api::ResourceList capacityOf(const InstanceTypeSpec& spec, const NodeSettings& settings);
// kube-reserved cpu (6% of the first core, 1% of the second, 0.5% of cores 3–4, 0.25% beyond),
// memory 11 Mi × ENI-limited pods + 255 Mi, ephemeral-storage 1Gi; eviction threshold memory
// 100Mi and 10% of ephemeral storage (rounded up); no system-reserved.
scheduling::InstanceTypeOverhead overheadOf(const InstanceTypeSpec& spec,
                                            const NodeSettings& settings);
// Labels of the type as upstream's AWS provider sets them: instance-type, arch, os=linux,
// region, karpenter.k8s.aws/instance-{category,family,generation,size,cpu,cpu-manufacturer,
// memory,hypervisor,capability-flex} and instance-gpu-{count,name,manufacturer,memory} for GPUs.
std::map<std::string, std::string> labelsOf(const InstanceTypeSpec& spec, std::string_view region);
// The solver's view: requirements = labels (GPU keys DoesNotExist on types without GPUs), zone In
// [offered zones], zone-id, capacity-type In [spot, on-demand]; one offering per zone × capacity
// type (on-demand price, zonal spot price); capacity and overhead as above.
scheduling::InstanceType toInstanceType(const InstanceTypeSpec& spec, std::string_view region,
                                        const NodeSettings& settings);

}  // namespace karpenter::cloudprovider::simulated
