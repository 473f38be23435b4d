#include "karpenter/cloudprovider/aws/nodeclass_amis.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include <spdlog/spdlog.h>

#include "karpenter/api/well_known.hpp"
#include "karpenter/cloudprovider/aws/nodeclass_network.hpp"
#include "karpenter/util/time.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

using karpenter::aws::Filter;
using karpenter::aws::Image;
using Requirements = std::vector<api::NodeSelectorRequirement>;

api::NodeSelectorRequirement requirement(std::string_view key, std::string op,
                                         std::vector<std::string> values = {}) {
  return api::NodeSelectorRequirement{std::string(key), std::move(op), std::move(values), {}};
}

std::string kubeArch(std::string_view ec2Arch) {
  return ec2Arch == "x86_64" ? std::string(api::kArchitectureAmd64) : std::string(ec2Arch);
}

// Upstream's variants: standard AMIs are for instances without GPUs or accelerators, nvidia
// for GPU instances, neuron for Inferentia/Trainium.
Requirements variantRequirements(const std::string& ec2Arch, const std::string& variant) {
  Requirements out{requirement(api::kLabelArch, "In", {kubeArch(ec2Arch)})};
  if (variant == "standard") {
    out.push_back(requirement(api::kAwsLabelInstanceAcceleratorCount, "DoesNotExist"));
    out.push_back(requirement(api::kAwsLabelInstanceGpuCount, "DoesNotExist"));
  } else if (variant == "nvidia") {
    out.push_back(requirement(api::kAwsLabelInstanceGpuCount, "Exists"));
  } else if (variant == "neuron") {
    out.push_back(requirement(api::kAwsLabelInstanceAcceleratorCount, "Exists"));
  }
  return out;
}

// "1.31" → {1, 31}; {0, 0} when unparsable.
std::pair<int, int> minorVersion(const std::string& version) {
  const size_t dot = version.find('.');
  try {
    return {std::stoi(version.substr(0, dot)), std::stoi(version.substr(dot + 1))};
  } catch (const std::exception&) {
    return {0, 0};
  }
}

std::vector<AliasParameter> al2023(const std::string& k8s, const std::string& version) {
  std::vector<AliasParameter> out;
  for (const std::string arch : {"x86_64", "arm64"}) {
    for (const std::string variant : {"standard", "nvidia", "neuron"}) {
      if (arch == "arm64" && variant == "neuron") {
        continue;  // no arm64 Neuron AMI is published
      }
      const std::string base =
          "/aws/service/eks/optimized-ami/" + k8s + "/amazon-linux-2023/" + arch + "/" + variant;
      const std::string leaf = version == "latest" ? "recommended"
                                                   : "amazon-eks-node-al2023-" + arch + "-" +
                                                         variant + "-" + k8s + "-" + version;
      out.push_back({base + "/" + leaf + "/image_id", variantRequirements(arch, variant)});
    }
  }
  return out;
}

std::vector<AliasParameter> al2(const std::string& k8s, const std::string& version) {
  struct Flavour {
    const char* suffix;     // parameter directory suffix
    const char* amiPrefix;  // pinned AMI name prefix
    const char* arch;
    const char* variant;
  };
  static const Flavour kFlavours[] = {{"", "amazon-eks-node-", "x86_64", "standard"},
                                      {"-arm64", "amazon-eks-arm64-node-", "arm64", "standard"},
                                      {"-gpu", "amazon-eks-gpu-node-", "x86_64", "nvidia"}};
  std::vector<AliasParameter> out;
  for (const Flavour& f : kFlavours) {
    const std::string base = "/aws/service/eks/optimized-ami/" + k8s + "/amazon-linux-2" + f.suffix;
    const std::string leaf =
        version == "latest" ? "recommended" : std::string(f.amiPrefix) + k8s + "-" + version;
    out.push_back({base + "/" + leaf + "/image_id", variantRequirements(f.arch, f.variant)});
  }
  return out;
}

std::vector<AliasParameter> bottlerocket(const std::string& k8s, std::string version) {
  if (version != "latest" && !version.empty() && version.front() == 'v') {
    version.erase(0, 1);  // parameters are named 1.20.0, users often write v1.20.0
  }
  std::vector<AliasParameter> out;
  for (const std::string arch : {"x86_64", "arm64"}) {
    for (const std::string variant : {"standard", "nvidia"}) {
      const std::string flavour = variant == "nvidia" ? "-nvidia" : "";
      out.push_back({"/aws/service/bottlerocket/aws-k8s-" + k8s + flavour + "/" + arch + "/" +
                         version + "/image_id",
                     variantRequirements(arch, variant)});
    }
  }
  return out;
}

struct Candidate {
  Image image;
  Requirements requirements;
};

std::string requirementsKey(const Requirements& requirements) {
  std::string key;
  for (const auto& r : requirements) {
    key += r.key + " " + r.op;
    for (const auto& v : r.values) {
      key += " " + v;
    }
    key += ";";
  }
  return key;
}

bool deprecated(const Image& image, const std::string& now) {
  return !image.deprecationTime.empty() && image.deprecationTime <= now;
}

// Upstream's preference: usable (not deprecated) first, then the newest, then the lowest name.
bool better(const Image& a, const Image& b, const std::string& now) {
  if (deprecated(a, now) != deprecated(b, now)) {
    return !deprecated(a, now);
  }
  if (a.creationDate != b.creationDate) {
    return a.creationDate > b.creationDate;
  }
  return a.name < b.name;
}

std::vector<Filter> imageFilters(const api::AMISelectorTerm& term) {
  std::vector<Filter> filters;
  if (!term.id.empty()) {
    filters.push_back({"image-id", {term.id}});
  }
  if (!term.name.empty()) {
    filters.push_back({"name", {term.name}});
  }
  addTagFilters(term.tags, filters);
  filters.push_back({"state", {"available"}});
  return filters;
}

std::vector<std::string> imageOwners(const api::AMISelectorTerm& term) {
  if (!term.owner.empty()) {
    return {term.owner};
  }
  if (term.id.empty()) {
    return {"self", "amazon"};  // upstream's default for name and tag terms
  }
  return {};
}

}  // namespace

Result<std::vector<AliasParameter>> aliasParameters(const std::string& alias,
                                                    const std::string& kubernetesVersion) {
  const size_t at = alias.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == alias.size()) {
    return invalidError("amiSelectorTerms alias \"" + alias +
                        "\" must be family@version, e.g. al2023@latest");
  }
  std::string family = alias.substr(0, at);
  std::transform(family.begin(), family.end(), family.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string version = alias.substr(at + 1);
  if (kubernetesVersion.empty()) {
    return Error{ErrorKind::kUnavailable,
                 "the cluster's Kubernetes version is not known yet; alias " + alias +
                     " needs it to name the SSM parameter"};
  }
  if (family == "al2023") {
    return al2023(kubernetesVersion, version);
  }
  if (family == "al2") {
    if (minorVersion(kubernetesVersion) >= std::pair{1, 33}) {
      return invalidError("alias " + alias + ": Amazon Linux 2 AMIs are not published for " +
                          "Kubernetes " + kubernetesVersion + " (1.33 and later); use al2023");
    }
    return al2(kubernetesVersion, version);
  }
  if (family == "bottlerocket") {
    return bottlerocket(kubernetesVersion, version);
  }
  for (const std::string windows : {"2019", "2022", "2025"}) {
    if (family == "windows" + windows) {
      if (version != "latest") {
        return invalidError("alias " + alias + ": Windows AMIs can only be selected @latest");
      }
      Requirements requirements{requirement(api::kLabelArch, "In", {"amd64"}),
                                requirement(api::kLabelOs, "In", {"windows"})};
      return std::vector<AliasParameter>{{"/aws/service/ami-windows-latest/Windows_Server-" +
                                              windows + "-English-Core-EKS_Optimized-" +
                                              kubernetesVersion + "/image_id",
                                          requirements}};
    }
  }
  return invalidError("alias " + alias +
                      ": unknown family; use al2023, al2, bottlerocket, windows2019, "
                      "windows2022 or windows2025");
}

Result<std::vector<api::AMIStatus>> resolveAmis(const karpenter::aws::Ec2Client& ec2,
                                                karpenter::aws::SsmParameterCache& ssm,
                                                const std::vector<api::AMISelectorTerm>& terms,
                                                const std::string& kubernetesVersion,
                                                std::chrono::system_clock::time_point now) {
  std::vector<Candidate> candidates;
  // Image ids named by SSM, with the requirements their parameter carries (empty ⇒ from the
  // image's architecture, as for ssmParameter terms).
  std::map<std::string, std::vector<Requirements>> fromSsm;
  for (const auto& term : terms) {
    if (!term.alias.empty()) {
      auto parameters = aliasParameters(term.alias, kubernetesVersion);
      if (!parameters) {
        return parameters.error();
      }
      // `latest` follows AWS's releases: its parameters are re-read at each invalidation.
      const auto kind = term.alias.ends_with("@latest") ? karpenter::aws::SsmEntryKind::kLatest
                                                        : karpenter::aws::SsmEntryKind::kFixed;
      for (const auto& parameter : *parameters) {
        auto value = ssm.get(parameter.path, kind);
        if (!value) {
          if (value.error().kind == ErrorKind::kNotFound) {
            spdlog::debug("alias {}: no parameter {}", term.alias, parameter.path);
            continue;  // not every variant is published for every version
          }
          return value.error();
        }
        fromSsm[value->value].push_back(parameter.requirements);
      }
      continue;
    }
    if (!term.ssmParameter.empty()) {
      auto value = ssm.get(term.ssmParameter, karpenter::aws::SsmEntryKind::kCustom);
      if (!value) {
        return value.error().withContext("amiSelectorTerms ssmParameter");
      }
      fromSsm[value->value].push_back({});
      continue;
    }
    auto images = ec2.describeImages(imageFilters(term), imageOwners(term));
    if (!images) {
      return images.error();
    }
    for (auto& image : *images) {
      candidates.push_back({std::move(image), {}});
    }
  }
  if (!fromSsm.empty()) {
    std::vector<std::string> ids;
    for (const auto& [id, requirements] : fromSsm) {
      ids.push_back(id);
    }
    auto images = ec2.describeImages({{"image-id", ids}});
    if (!images) {
      return images.error();
    }
    for (const auto& image : *images) {
      for (const auto& requirements : fromSsm[image.id]) {
        candidates.push_back({image, requirements});
      }
    }
  }

  const std::string nowText = formatRfc3339(now);
  std::map<std::string, Candidate> best;  // by requirement set
  for (auto& candidate : candidates) {
    if (candidate.image.architecture != "x86_64" && candidate.image.architecture != "arm64") {
      continue;
    }
    if (candidate.requirements.empty()) {
      candidate.requirements = {
          requirement(api::kLabelArch, "In", {kubeArch(candidate.image.architecture)})};
    }
    const std::string key = requirementsKey(candidate.requirements);
    auto it = best.find(key);
    if (it == best.end() || better(candidate.image, it->second.image, nowText)) {
      best[key] = std::move(candidate);
    }
  }
  std::vector<Candidate> chosen;
  for (auto& [key, candidate] : best) {
    chosen.push_back(std::move(candidate));
  }
  std::sort(chosen.begin(), chosen.end(), [&](const Candidate& a, const Candidate& b) {
    if (deprecated(a.image, nowText) != deprecated(b.image, nowText)) {
      return !deprecated(a.image, nowText);
    }
    if (a.image.creationDate != b.image.creationDate) {
      return a.image.creationDate > b.image.creationDate;
    }
    if (a.image.id != b.image.id) {
      return a.image.id < b.image.id;
    }
    return requirementsKey(a.requirements) < requirementsKey(b.requirements);
  });
  std::vector<api::AMIStatus> out;
  for (const auto& candidate : chosen) {
    out.push_back({candidate.image.id, candidate.image.name, deprecated(candidate.image, nowText),
                   candidate.requirements});
  }
  return out;
}

}  // namespace karpenter::cloudprovider::aws
