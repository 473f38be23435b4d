#include "karpenter/cloudprovider/aws/instance_type_model.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <initializer_list>

#include "karpenter/api/well_known.hpp"
#include "karpenter/cloudprovider/aws/instance_network_facts.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

using karpenter::aws::InstanceTypeInfo;
using nlohmann::json;

constexpr int64_t kMi = 1024 * 1024;
constexpr int64_t kGiB = 1024 * kMi;
constexpr int64_t kDefaultStorageBytes = 20 * kGiB;
// Graviton kernels reserve 64 MiB for the contiguous memory allocator (upstream memory()).
constexpr int64_t kArm64ReservedMiB = 64;
constexpr int64_t kEvictionMemoryBytes = 100 * kMi;
constexpr int64_t kWindowsPods = 110;

// The raw InstanceTypeInfo has string leaves and lowerCamel names; a missing path is null.
const json& at(const json& root, std::initializer_list<const char*> path) {
  static const json kNull;
  const json* node = &root;
  for (const char* key : path) {
    if (!node->is_object() || !node->contains(key)) {
      return kNull;
    }
    node = &(*node)[key];
  }
  return *node;
}

std::string text(const json& node) {
  return node.is_string() ? node.get<std::string>() : "";
}

std::optional<double> number(const json& node) {
  const std::string value = text(node);
  if (value.empty()) {
    return std::nullopt;
  }
  try {
    return std::stod(value);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

int64_t integer(const json& node) {
  return static_cast<int64_t>(number(node).value_or(0));
}

const json& list(const json& node) {
  static const json kEmpty = json::array();
  return node.is_array() ? node : kEmpty;
}

std::string lower(std::string value) {
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return value;
}

// "Advanced Micro Devices" → advanced-micro-devices; "AWS" → aws.
std::string lowerKebab(const std::string& value) {
  std::string result = lower(value);
  std::replace(result.begin(), result.end(), ' ', '-');
  return result;
}

api::Quantity bytes(int64_t value) {
  return api::Quantity::fromInt(value, api::Quantity::Format::kBinarySI);
}

int64_t ceilPercent(int64_t value, double percent) {
  return static_cast<int64_t>(std::ceil(static_cast<double>(value) * percent / 100));
}

// The kubelet's eviction signal: a quantity, or a percent of `capacity` (100% reserves nothing,
// as upstream treats it as unset).
std::optional<api::Quantity> evictionSignal(const api::StringMap& signals, std::string_view name,
                                            int64_t capacity) {
  auto it = signals.find(name);
  if (it == signals.end()) {
    return std::nullopt;
  }
  const std::string& value = it->second;
  if (!value.empty() && value.back() == '%') {
    double percent = 0;
    try {
      percent = std::stod(value.substr(0, value.size() - 1));
    } catch (const std::exception&) {
      return std::nullopt;
    }
    return bytes(percent >= 100 ? 0 : ceilPercent(capacity, percent));
  }
  auto parsed = api::Quantity::parse(value);
  return parsed ? std::optional<api::Quantity>(*parsed) : std::nullopt;
}

bool usesEniLimitedDensity(std::string_view amiFamily) {
  return !isWindowsFamily(amiFamily);
}

// The device the family's kubelet and containerd live on.
std::string_view kubeletDevice(std::string_view amiFamily) {
  if (amiFamily == kAmiFamilyBottlerocket) {
    return "/dev/xvdb";
  }
  return isWindowsFamily(amiFamily) ? "/dev/sda1" : "/dev/xvda";
}

std::optional<int64_t> mappingBytes(const api::BlockDeviceMapping& mapping) {
  if (!mapping.ebs) {
    return std::nullopt;
  }
  auto size = api::volumeSizeQuantity(*mapping.ebs);
  if (!size || !size->has_value()) {
    return std::nullopt;
  }
  return (*size)->value();
}

std::string gpuResourceName(const std::string& manufacturer) {
  if (manufacturer == "amd") {
    return "amd.com/gpu";
  }
  if (manufacturer == "habana") {
    return "habana.ai/gaudi";
  }
  return "nvidia.com/gpu";
}

}  // namespace

std::string amiFamilyOf(const api::EC2NodeClass& nodeClass) {
  if (nodeClass.spec.amiFamily && !nodeClass.spec.amiFamily->empty()) {
    return *nodeClass.spec.amiFamily;
  }
  for (const auto& term : nodeClass.spec.amiSelectorTerms) {
    const std::string family = lower(term.alias.substr(0, term.alias.find('@')));
    if (family == "al2") {
      return std::string(kAmiFamilyAL2);
    }
    if (family == "bottlerocket") {
      return std::string(kAmiFamilyBottlerocket);
    }
    if (family.starts_with("windows")) {
      return "Windows" + family.substr(7);
    }
  }
  return std::string(kAmiFamilyAL2023);
}

bool isWindowsFamily(std::string_view amiFamily) {
  return amiFamily.starts_with("Windows");
}

ModelSettings modelSettings(const api::EC2NodeClass& nodeClass, double vmMemoryOverheadPercent,
                            int reservedENIs) {
  ModelSettings settings;
  settings.vmMemoryOverheadPercent = vmMemoryOverheadPercent;
  settings.reservedENIs = reservedENIs;
  settings.amiFamily = amiFamilyOf(nodeClass);
  settings.kubelet = nodeClass.spec.kubelet.value_or(api::KubeletConfiguration{});
  settings.blockDeviceMappings = nodeClass.spec.blockDeviceMappings;
  settings.instanceStorePolicy = nodeClass.spec.instanceStorePolicy;
  return settings;
}

int64_t kubeReservedCpuMilli(int64_t cpuMilli) {
  struct Tier {
    int64_t start;
    int64_t end;
    double fraction;
  };
  constexpr std::array<Tier, 4> kTiers = {{
      {0, 1000, 0.06},
      {1000, 2000, 0.01},
      {2000, 4000, 0.005},
      {4000, int64_t{1} << 31, 0.0025},
  }};
  int64_t reserved = 0;
  for (const auto& tier : kTiers) {
    if (cpuMilli >= tier.start) {
      const int64_t span = std::min(cpuMilli, tier.end) - tier.start;
      reserved += static_cast<int64_t>(static_cast<double>(span) * tier.fraction);
    }
  }
  return reserved;
}

std::pair<std::string, std::string> categoryAndGeneration(std::string_view name) {
  size_t i = 0;
  while (i < name.size() && std::islower(static_cast<unsigned char>(name[i]))) {
    ++i;
  }
  const std::string category(name.substr(0, i));
  if (i < name.size() && name[i] == '-') {
    const auto tb = name.find("tb", i);
    if (tb != std::string_view::npos) {
      i = tb + 2;
    }
  }
  size_t j = i;
  while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j]))) {
    ++j;
  }
  if (category.empty() || j == i) {
    return {"", ""};
  }
  return {category, std::string(name.substr(i, j - i))};
}

int64_t eniLimitedPods(const InstanceTypeInfo& info, int reservedENIs) {
  const json& network = at(info.raw, {"networkInfo"});
  int64_t interfaces = info.maximumNetworkInterfaces;
  const std::string defaultCard = text(at(network, {"defaultNetworkCardIndex"}));
  for (const json& card : list(at(network, {"networkCards"}))) {
    if (text(at(card, {"networkCardIndex"})) == (defaultCard.empty() ? "0" : defaultCard)) {
      interfaces = integer(at(card, {"maximumNetworkInterfaces"}));
    }
  }
  const int64_t usable = interfaces - reservedENIs;
  if (usable <= 0) {
    return 0;
  }
  return usable * (info.ipv4AddressesPerInterface - 1) + 2;
}

int64_t podsOf(const InstanceTypeInfo& info, const ModelSettings& settings) {
  int64_t pods = 0;
  if (settings.kubelet.maxPods) {
    pods = *settings.kubelet.maxPods;
  } else if (usesEniLimitedDensity(settings.amiFamily)) {
    pods = eniLimitedPods(info, settings.reservedENIs);
  } else {
    pods = kWindowsPods;
  }
  const int podsPerCore = settings.kubelet.podsPerCore.value_or(0);
  if (podsPerCore > 0 && settings.amiFamily != kAmiFamilyBottlerocket) {
    pods = std::min(pods, int64_t{podsPerCore} * info.defaultVCpus);
  }
  return pods;
}

int64_t ephemeralStorageBytes(const InstanceTypeInfo& info, const ModelSettings& settings) {
  const int64_t instanceStoreGB = integer(at(info.raw, {"instanceStorageInfo", "totalSizeInGB"}));
  if (settings.instanceStorePolicy == "RAID0" && instanceStoreGB > 0) {
    return instanceStoreGB * 1000 * 1000 * 1000;
  }
  const auto& mappings = settings.blockDeviceMappings;
  for (const auto& mapping : mappings) {
    if (mapping.rootVolume) {
      if (auto size = mappingBytes(mapping)) {
        return *size;
      }
    }
  }
  if (settings.amiFamily == kAmiFamilyCustom) {
    if (!mappings.empty()) {
      if (auto size = mappingBytes(mappings.back())) {
        return *size;
      }
    }
    return kDefaultStorageBytes;
  }
  for (const auto& mapping : mappings) {
    if (mapping.deviceName == kubeletDevice(settings.amiFamily)) {
      if (auto size = mappingBytes(mapping)) {
        return *size;
      }
    }
  }
  return isWindowsFamily(settings.amiFamily) ? 50 * kGiB : kDefaultStorageBytes;
}

api::ResourceList capacityOf(const InstanceTypeInfo& info, const ModelSettings& settings) {
  api::ResourceList capacity;
  capacity["cpu"] = api::Quantity::fromInt(info.defaultVCpus);
  int64_t memoryMiB = info.memoryMiB;
  if (!info.architectures.empty() && info.architectures.front() == "arm64") {
    memoryMiB -= kArm64ReservedMiB;
  }
  const auto overheadMiB = static_cast<int64_t>(
      std::ceil(static_cast<double>(memoryMiB * kMi) * settings.vmMemoryOverheadPercent / kMi));
  capacity["memory"] = bytes((memoryMiB - overheadMiB) * kMi);
  capacity["pods"] = api::Quantity::fromInt(podsOf(info, settings));
  capacity["ephemeral-storage"] = bytes(ephemeralStorageBytes(info, settings));

  const json& gpus = list(at(info.raw, {"gpuInfo", "gpus"}));
  for (const json& gpu : gpus) {
    const std::string resource = gpuResourceName(lower(text(at(gpu, {"manufacturer"}))));
    const int64_t count = integer(at(gpu, {"count"}));
    auto it = capacity.find(resource);
    capacity[resource] =
        api::Quantity::fromInt(count + (it == capacity.end() ? 0 : it->second.value()));
  }
  int64_t neuronDevices = 0;
  int64_t neuronCores = 0;
  for (const json& device : list(at(info.raw, {"neuronInfo", "neuronDevices"}))) {
    const int64_t count = integer(at(device, {"count"}));
    neuronDevices += count;
    neuronCores += count * integer(at(device, {"coreInfo", "count"}));
  }
  if (neuronDevices > 0) {
    capacity["aws.amazon.com/neuron"] = api::Quantity::fromInt(neuronDevices);
    capacity["aws.amazon.com/neuroncore"] = api::Quantity::fromInt(neuronCores);
  }
  const int64_t efa = integer(at(info.raw, {"networkInfo", "efaInfo", "maximumEfaInterfaces"}));
  if (efa > 0) {
    capacity["vpc.amazonaws.com/efa"] = api::Quantity::fromInt(efa);
  }
  // Security groups for pods: one branch interface per pod, on trunking-compatible types only.
  if (auto facts = instanceNetworkFacts(info.instanceType); facts && facts->branchInterfaces > 0) {
    capacity["vpc.amazonaws.com/pod-eni"] = api::Quantity::fromInt(facts->branchInterfaces);
  }
  return capacity;
}

scheduling::InstanceTypeOverhead overheadOf(const InstanceTypeInfo& info,
                                            const ModelSettings& settings,
                                            const api::ResourceList& capacity) {
  scheduling::InstanceTypeOverhead overhead;
  // AL2/AL2023/Custom size kube-reserved memory by the ENI-limited pod count even when maxPods
  // is set; Bottlerocket and Windows by the pods the kubelet will run.
  const bool eniSized = settings.amiFamily == kAmiFamilyAL2 ||
                        settings.amiFamily == kAmiFamilyAL2023 ||
                        settings.amiFamily == kAmiFamilyCustom;
  const int64_t pods = eniSized ? eniLimitedPods(info, 0) : podsOf(info, settings);
  overhead.kubeReserved["cpu"] =
      api::Quantity::fromMilli(kubeReservedCpuMilli(info.defaultVCpus * 1000));
  overhead.kubeReserved["memory"] = bytes((11 * pods + 255) * kMi);
  overhead.kubeReserved["ephemeral-storage"] = bytes(kGiB);
  for (const auto& [name, value] : settings.kubelet.kubeReserved) {
    if (auto quantity = api::Quantity::parse(value)) {
      overhead.kubeReserved[name] = *quantity;
    }
  }
  for (const auto& [name, value] : settings.kubelet.systemReserved) {
    if (auto quantity = api::Quantity::parse(value)) {
      overhead.systemReserved[name] = *quantity;
    }
  }
  const int64_t memory = capacity.count("memory") ? capacity.at("memory").value() : 0;
  const int64_t storage =
      capacity.count("ephemeral-storage") ? capacity.at("ephemeral-storage").value() : 0;
  overhead.evictionThreshold["memory"] =
      evictionSignal(settings.kubelet.evictionHard, "memory.available", memory)
          .value_or(bytes(kEvictionMemoryBytes));
  overhead.evictionThreshold["ephemeral-storage"] =
      evictionSignal(settings.kubelet.evictionHard, "nodefs.available", storage)
          .value_or(api::Quantity::fromInt(ceilPercent(storage, 10)));
  return overhead;
}

std::map<std::string, std::string> labelsOf(const InstanceTypeInfo& info, std::string_view region,
                                            std::string_view amiFamily) {
  const std::string& name = info.instanceType;
  const auto dot = name.find('.');
  const std::string family = name.substr(0, dot);
  const std::string size = dot == std::string::npos ? "" : name.substr(dot + 1);
  const std::string arch = !info.architectures.empty() && info.architectures.front() == "arm64"
                               ? std::string(api::kArchitectureArm64)
                               : std::string(api::kArchitectureAmd64);
  std::map<std::string, std::string> labels = {
      {std::string(api::kLabelInstanceType), name},
      {std::string(api::kLabelArch), arch},
      {std::string(api::kLabelOs), isWindowsFamily(amiFamily) ? "windows" : "linux"},
      {std::string(api::kLabelTopologyRegion), std::string(region)},
      {std::string(api::kAwsLabelInstanceFamily), family},
      {std::string(api::kAwsLabelInstanceSize), size},
      {std::string(api::kAwsLabelInstanceCpu), std::to_string(info.defaultVCpus)},
      {std::string(api::kAwsLabelInstanceMemory), std::to_string(info.memoryMiB)},
      {std::string(api::kAwsLabelInstanceHypervisor), info.hypervisor},
      {std::string(api::kAwsLabelInstanceCapabilityFlex),
       family.ends_with("-flex") ? "true" : "false"},
  };
  auto [category, generation] = categoryAndGeneration(name);
  if (!category.empty()) {
    labels[std::string(api::kAwsLabelInstanceCategory)] = category;
    labels[std::string(api::kAwsLabelInstanceGeneration)] = generation;
  }
  const json& raw = info.raw;
  if (auto manufacturer = text(at(raw, {"processorInfo", "manufacturer"})); !manufacturer.empty()) {
    labels[std::string(api::kAwsLabelInstanceCpuManufacturer)] = lowerKebab(manufacturer);
  }
  if (auto ghz = number(at(raw, {"processorInfo", "sustainedClockSpeedInGhz"}))) {
    labels[std::string(api::kAwsLabelInstanceCpuSustainedClockSpeedMhz)] =
        std::to_string(static_cast<int64_t>(std::lround(*ghz * 1000)));
  }
  if (auto encryption = text(at(raw, {"networkInfo", "encryptionInTransitSupported"}));
      !encryption.empty()) {
    labels[std::string(api::kAwsLabelInstanceEncryptionInTransitSupported)] = encryption;
  }
  // Upstream reads network bandwidth from a static table; for types the table here lacks,
  // newer DescribeInstanceTypes answers carry each card's baseline (multi-card types add up).
  if (auto facts = instanceNetworkFacts(name)) {
    labels[std::string(api::kAwsLabelInstanceNetworkBandwidth)] =
        std::to_string(facts->baselineBandwidthMbps);
  } else {
    double gbps = 0;
    for (const json& card : list(at(raw, {"networkInfo", "networkCards"}))) {
      gbps += number(at(card, {"baselineBandwidthInGbps"})).value_or(0);
    }
    if (gbps > 0) {
      labels[std::string(api::kAwsLabelInstanceNetworkBandwidth)] =
          std::to_string(static_cast<int64_t>(std::lround(gbps * 1000)));
    }
  }
  if (text(at(raw, {"ebsInfo", "ebsOptimizedSupport"})) == "default") {
    if (auto mbps = number(at(raw, {"ebsInfo", "ebsOptimizedInfo", "maximumBandwidthInMbps"}))) {
      labels[std::string(api::kAwsLabelInstanceEbsBandwidth)] =
          std::to_string(static_cast<int64_t>(*mbps));
    }
  }
  const std::string nvme = text(at(raw, {"instanceStorageInfo", "nvmeSupport"}));
  if (const int64_t local = integer(at(raw, {"instanceStorageInfo", "totalSizeInGB"}));
      local > 0 && !nvme.empty() && nvme != "unsupported") {
    labels[std::string(api::kAwsLabelInstanceLocalNvme)] = std::to_string(local);
  }
  const json& gpus = list(at(raw, {"gpuInfo", "gpus"}));
  if (gpus.size() == 1) {
    const json& gpu = gpus.front();
    labels[std::string(api::kAwsLabelInstanceGpuName)] = lowerKebab(text(at(gpu, {"name"})));
    labels[std::string(api::kAwsLabelInstanceGpuManufacturer)] =
        lowerKebab(text(at(gpu, {"manufacturer"})));
    labels[std::string(api::kAwsLabelInstanceGpuCount)] =
        std::to_string(integer(at(gpu, {"count"})));
    labels[std::string(api::kAwsLabelInstanceGpuMemory)] =
        std::to_string(integer(at(gpu, {"memoryInfo", "sizeInMiB"})));
  }
  const json& neurons = list(at(raw, {"neuronInfo", "neuronDevices"}));
  if (neurons.size() == 1) {
    const json& device = neurons.front();
    labels[std::string(api::kAwsLabelInstanceAcceleratorName)] =
        lowerKebab(text(at(device, {"name"})));
    labels[std::string(api::kAwsLabelInstanceAcceleratorManufacturer)] = "aws";
    labels[std::string(api::kAwsLabelInstanceAcceleratorCount)] =
        std::to_string(integer(at(device, {"count"})));
  }
  return labels;
}

int64_t ebsAttachmentLimit(const InstanceTypeInfo& info) {
  // AWS EC2 User Guide, "Amazon EBS volume limits for Amazon EC2 instances" (volume_limits.html):
  // most Nitro instances have 28 attachments shared by ENIs, EBS and NVMe instance-store
  // volumes; Xen instances support 40 EBS volumes. kubernetes-sigs/aws-ebs-csi-driver subtracts
  // the attached ENIs, the instance-store disks and the root volume (#1139, #1860). Types with
  // a dedicated EBS limit are not told apart here: 26 or less is the safe side.
  constexpr int64_t kNitroSharedAttachments = 28;
  constexpr int64_t kXenVolumes = 40;
  constexpr int64_t kRootVolume = 1;
  constexpr int64_t kPrimaryEni = 1;
  if (info.hypervisor == "xen") {
    return kXenVolumes - kRootVolume;
  }
  const json& storage = at(info.raw, {"instanceStorageInfo"});
  int64_t nvmeDisks = 0;
  const std::string nvme = text(at(storage, {"nvmeSupport"}));
  if (!nvme.empty() && nvme != "unsupported") {
    for (const auto& disk : list(at(storage, {"disks"}))) {
      nvmeDisks += integer(at(disk, {"count"}));
    }
    // Some answers carry the total size only: that is at least one disk.
    if (nvmeDisks == 0 && integer(at(storage, {"totalSizeInGB"})) > 0) {
      nvmeDisks = 1;
    }
  }
  return std::max<int64_t>(kNitroSharedAttachments - kPrimaryEni - nvmeDisks - kRootVolume, 0);
}

scheduling::InstanceType toInstanceType(const InstanceTypeInfo& info, std::string_view region,
                                        const ModelSettings& settings,
                                        const std::vector<OfferingSpec>& offerings) {
  using scheduling::Requirement;
  scheduling::InstanceType type;
  type.name = info.instanceType;
  const auto labels = labelsOf(info, region, settings.amiFamily);
  for (const auto& [key, value] : labels) {
    type.requirements.add(Requirement::in(key, {value}));
  }
  // Labels that do not apply are DoesNotExist, so "needs a GPU" excludes this type.
  for (auto key :
       {api::kAwsLabelInstanceGpuCount, api::kAwsLabelInstanceGpuName,
        api::kAwsLabelInstanceGpuManufacturer, api::kAwsLabelInstanceGpuMemory,
        api::kAwsLabelInstanceAcceleratorName, api::kAwsLabelInstanceAcceleratorManufacturer,
        api::kAwsLabelInstanceAcceleratorCount, api::kAwsLabelInstanceLocalNvme,
        api::kLabelWindowsBuild}) {
    if (labels.count(std::string(key)) == 0) {
      type.requirements.add(Requirement::doesNotExist(key));
    }
  }
  type.requirements.add(Requirement::doesNotExist(api::kReservationIdLabelKey));
  std::vector<std::string> zones;
  std::vector<std::string> zoneIds;
  std::vector<std::string> capacityTypes;
  auto addOnce = [](std::vector<std::string>& values, const std::string& value) {
    if (!value.empty() && std::find(values.begin(), values.end(), value) == values.end()) {
      values.push_back(value);
    }
  };
  for (const OfferingSpec& spec : offerings) {
    scheduling::Offering offering;
    offering.requirements.add(Requirement::in(api::kLabelTopologyZone, {spec.zone}));
    if (!spec.zoneId.empty()) {
      offering.requirements.add(Requirement::in(api::kAwsLabelTopologyZoneId, {spec.zoneId}));
    }
    offering.requirements.add(Requirement::in(api::kCapacityTypeLabelKey, {spec.capacityType}));
    offering.requirements.add(Requirement::doesNotExist(api::kReservationIdLabelKey));
    offering.price = spec.price;
    offering.available = spec.available;
    type.offerings.push_back(std::move(offering));
    addOnce(zones, spec.zone);
    addOnce(zoneIds, spec.zoneId);
    addOnce(capacityTypes, spec.capacityType);
  }
  type.requirements.add(Requirement::in(api::kLabelTopologyZone, zones));
  if (!zoneIds.empty()) {
    type.requirements.add(Requirement::in(api::kAwsLabelTopologyZoneId, zoneIds));
  }
  type.requirements.add(Requirement::in(api::kCapacityTypeLabelKey, capacityTypes));
  type.capacity = capacityOf(info, settings);
  type.overhead = overheadOf(info, settings, type.capacity);
  type.volumeLimits[std::string(kEbsCsiDriverName)] = ebsAttachmentLimit(info);
  return type;
}

}  // namespace karpenter::cloudprovider::aws
