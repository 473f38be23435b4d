// Catalog files: YAML or JSON, one document, e.g.
//   mode: extend                 # or replace (default)
//   zones: [us-east-1a, us-east-1b]   # replace mode: the catalog's zones (default: base's)
//   instanceTypes:
//   - {name: m5.large, vcpu: 2, memoryMiB: 8192, architecture: amd64, maxPods: 29,
//      onDemandPrice: 0.096, spotPrice: 0.04}
// See the README for every field. Unknown fields are errors so that typos do not pass silently.
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "karpenter/api/yaml.hpp"
#include "karpenter/cloudprovider/simulated/catalog.hpp"

namespace karpenter::cloudprovider::simulated {
namespace {

using nlohmann::json;

class RowReader final {
 public:
  RowReader(const json& row, std::string path) : row_(row), path_(std::move(path)) {}

  Result<void> checkFields(std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, value] : row_.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        return fail(key, "unknown field");
      }
    }
    return {};
  }

  bool has(const char* field) const { return row_.contains(field) && !row_[field].is_null(); }

  Result<std::string> string(const char* field, bool required) const {
    if (!has(field)) {
      return required ? Result<std::string>(fail(field, "required")) : std::string();
    }
    if (!row_[field].is_string()) {
      return fail(field, "must be a string");
    }
    return row_[field].get<std::string>();
  }

  Result<int64_t> positiveInt(const char* field, bool required, int64_t fallback = 0) const {
    if (!has(field)) {
      return required ? Result<int64_t>(fail(field, "required")) : fallback;
    }
    const json& v = row_[field];
    if (!v.is_number_integer() || v.get<int64_t>() <= 0) {
      return fail(field, "must be a positive integer");
    }
    return v.get<int64_t>();
  }

  Result<double> price(const json& value, const std::string& field) const {
    if (!value.is_number() || value.get<double>() < 0) {
      return fail(field, "must be a non-negative number ($/hour)");
    }
    return value.get<double>();
  }

  Error fail(std::string_view field, std::string_view what) const {
    const char* separator = path_.ends_with(":") ? " " : ".";
    return invalidError(path_ + separator + std::string(field) + ": " + std::string(what));
  }

  const json& operator[](const char* field) const { return row_[field]; }

 private:
  const json& row_;
  std::string path_;
};

Result<GpuSpec> readGpu(const json& value, const std::string& path) {
  if (!value.is_object()) {
    return invalidError(path + ": must be an object {count, name, manufacturer, memoryMiB}");
  }
  RowReader gpu(value, path);
  if (auto ok = gpu.checkFields({"count", "name", "manufacturer", "memoryMiB"}); !ok) {
    return ok.error();
  }
  auto count = gpu.positiveInt("count", true);
  auto name = gpu.string("name", true);
  auto manufacturer = gpu.string("manufacturer", false);
  auto memory = gpu.positiveInt("memoryMiB", false);
  for (const Error* e :
       {count ? nullptr : &count.error(), name ? nullptr : &name.error(),
        manufacturer ? nullptr : &manufacturer.error(), memory ? nullptr : &memory.error()}) {
    if (e != nullptr) {
      return *e;
    }
  }
  return GpuSpec{static_cast<int>(*count), *name, manufacturer->empty() ? "nvidia" : *manufacturer,
                 *memory};
}

Result<InstanceTypeSpec> readRow(const json& row, const std::string& path,
                                 const std::vector<std::string>& zones) {
  if (!row.is_object()) {
    return invalidError(path + ": must be an object");
  }
  RowReader r(row, path);
  if (auto ok = r.checkFields({"name", "vcpu", "memoryMiB", "architecture", "cpuManufacturer",
                               "hypervisor", "maxPods", "onDemandPrice", "spotPrice", "spotPrices",
                               "zones", "gpu"});
      !ok) {
    return ok.error();
  }
  InstanceTypeSpec spec;
  auto name = r.string("name", true);
  if (!name) {
    return name.error();
  }
  if (name->find('.') == std::string::npos) {
    return r.fail("name", "must be <family>.<size>, e.g. m5.large");
  }
  spec.name = *name;
  // From here on the path names the row's type too, so errors point at the right line quickly.
  RowReader named(row, path + " (" + spec.name + ")");
  auto vcpu = named.positiveInt("vcpu", true);
  if (!vcpu) {
    return vcpu.error();
  }
  spec.vcpu = static_cast<int>(*vcpu);
  auto memory = named.positiveInt("memoryMiB", true);
  if (!memory) {
    return memory.error();
  }
  spec.memoryMiB = *memory;
  auto arch = named.string("architecture", true);
  if (!arch) {
    return arch.error();
  }
  if (*arch != "amd64" && *arch != "arm64") {
    return named.fail("architecture", "must be amd64 or arm64, not \"" + *arch + "\"");
  }
  spec.architecture = *arch;
  auto manufacturer = named.string("cpuManufacturer", false);
  if (!manufacturer) {
    return manufacturer.error();
  }
  spec.cpuManufacturer = *manufacturer;
  if (named.has("hypervisor")) {
    auto hypervisor = named.string("hypervisor", false);
    if (!hypervisor) {
      return hypervisor.error();
    }
    spec.hypervisor = *hypervisor;
  } else {
    spec.hypervisor = spec.name.find(".metal") != std::string::npos ? "" : "nitro";
  }
  auto pods = named.positiveInt("maxPods", true);
  if (!pods) {
    return pods.error();
  }
  spec.maxPods = static_cast<int>(*pods);
  if (!named.has("onDemandPrice")) {
    return named.fail("onDemandPrice", "required");
  }
  auto onDemand = named.price(named["onDemandPrice"], "onDemandPrice");
  if (!onDemand) {
    return onDemand.error();
  }
  spec.onDemandPrice = *onDemand;
  // Without a spot price the type's spot offerings cost the on-demand price, as upstream prices
  // spot before the first spot price history arrives.
  double spot = spec.onDemandPrice;
  if (named.has("spotPrice")) {
    auto value = named.price(named["spotPrice"], "spotPrice");
    if (!value) {
      return value.error();
    }
    spot = *value;
  }
  std::vector<std::string> offered = zones;
  if (named.has("zones")) {
    const json& list = named["zones"];
    if (!list.is_array() || list.empty()) {
      return named.fail("zones", "must be a non-empty list of zone names");
    }
    offered.clear();
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string field = "zones[" + std::to_string(i) + "]";
      if (!list[i].is_string()) {
        return named.fail(field, "must be a string");
      }
      const auto zone = list[i].get<std::string>();
      if (std::find(zones.begin(), zones.end(), zone) == zones.end()) {
        return named.fail(field, "\"" + zone + "\" is not one of the catalog's zones");
      }
      offered.push_back(zone);
    }
  }
  for (const auto& zone : offered) {
    spec.spotPrices[zone] = spot;
  }
  if (named.has("spotPrices")) {
    const json& prices = named["spotPrices"];
    if (!prices.is_object()) {
      return named.fail("spotPrices", "must map zone names to prices");
    }
    for (const auto& [zone, value] : prices.items()) {
      if (!spec.spotPrices.contains(zone)) {
        return named.fail("spotPrices." + zone, "zone is not offered by this type");
      }
      auto price = named.price(value, "spotPrices." + zone);
      if (!price) {
        return price.error();
      }
      spec.spotPrices[zone] = *price;
    }
  }
  if (named.has("gpu")) {
    auto gpu = readGpu(named["gpu"], path + " (" + spec.name + ").gpu");
    if (!gpu) {
      return gpu.error();
    }
    spec.gpu = *gpu;
  }
  return spec;
}

}  // namespace

Result<Catalog> Catalog::fromText(std::string_view text, std::string_view source,
                                  const Catalog& base) {
  auto documents = api::parseManifests(text, source);
  if (!documents) {
    return documents.error();
  }
  const std::string file(source);
  if (documents->size() != 1 || !(*documents)[0].is_object()) {
    return invalidError(file + ": expected one YAML/JSON object with an instanceTypes list");
  }
  const json& root = (*documents)[0];
  RowReader top(root, file + ":");
  if (auto ok = top.checkFields({"mode", "region", "zones", "instanceTypes"}); !ok) {
    return ok.error();
  }
  auto mode = top.string("mode", false);
  if (!mode) {
    return mode.error();
  }
  if (!mode->empty() && *mode != "replace" && *mode != "extend") {
    return top.fail("mode", "must be replace or extend, not \"" + *mode + "\"");
  }
  const bool extend = *mode == "extend";
  std::string region = base.region();
  std::vector<std::string> zones = base.zones();
  if (top.has("region") || top.has("zones")) {
    if (extend) {
      return top.fail(top.has("region") ? "region" : "zones",
                      "only allowed with mode: replace (extend keeps the base catalog's)");
    }
    auto r = top.string("region", false);
    if (!r) {
      return r.error();
    }
    if (!r->empty()) {
      region = *r;
    }
    if (top.has("zones")) {
      const json& list = root["zones"];
      if (!list.is_array() || list.empty() ||
          !std::all_of(list.begin(), list.end(), [](const json& z) { return z.is_string(); })) {
        return top.fail("zones", "must be a non-empty list of zone names");
      }
      zones = list.get<std::vector<std::string>>();
    }
  }
  if (!root.contains("instanceTypes") || !root["instanceTypes"].is_array()) {
    return top.fail("instanceTypes", "required: a list of instance types");
  }
  std::vector<InstanceTypeSpec> types = extend ? base.types() : std::vector<InstanceTypeSpec>{};
  std::set<std::string> seen;
  const json& rows = root["instanceTypes"];
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string path = file + ": instanceTypes[" + std::to_string(i) + "]";
    auto spec = readRow(rows[i], path, zones);
    if (!spec) {
      return spec.error();
    }
    if (!seen.insert(spec->name).second) {
      return invalidError(path + ".name: duplicate instance type \"" + spec->name + "\"");
    }
    auto existing = std::find_if(types.begin(), types.end(),
                                 [&](const InstanceTypeSpec& t) { return t.name == spec->name; });
    if (existing != types.end()) {
      *existing = std::move(*spec);
    } else {
      types.push_back(std::move(*spec));
    }
  }
  if (types.empty()) {
    return top.fail("instanceTypes", "must list at least one instance type");
  }
  return Catalog(std::move(region), std::move(zones), std::move(types));
}

Result<Catalog> Catalog::fromFile(const std::filesystem::path& path, const Catalog& base) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return invalidError(path.string() + ": cannot read the catalog file");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return fromText(text.str(), path.string(), base);
}

}  // namespace karpenter::cloudprovider::simulated
