#include "volume_topology.hpp"

#include "karpenter/api/well_known.hpp"

namespace karpenter::scheduling::solver {

namespace {

constexpr std::string_view kDefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class";
// Alternatives grow as a cross product; beyond this many the pod keeps the first ones, which is
// still correct (fewer alternatives only narrow where it may go).
constexpr size_t kMaxAlternatives = 64;

bool isHostname(const std::string& key) {
  return api::normalizeLabelKey(key) == api::kLabelHostname;
}

// spec.storageClassName of a generic ephemeral volume's claim template, when set.
std::optional<std::string> templateStorageClass(const nlohmann::json& ephemeral) {
  static const nlohmann::json::json_pointer kPath("/volumeClaimTemplate/spec/storageClassName");
  if (!ephemeral.is_object() || !ephemeral.contains(kPath) || !ephemeral.at(kPath).is_string()) {
    return std::nullopt;
  }
  return ephemeral.at(kPath).get<std::string>();
}

}  // namespace

VolumeTopology::VolumeTopology(const SchedulerInput& input) {
  for (const auto& claim : input.persistentVolumeClaims) {
    claims_[{claim.metadata.namespace_, claim.metadata.name}] = &claim;
  }
  for (const auto& volume : input.persistentVolumes) {
    volumes_[volume.metadata.name] = &volume;
  }
  for (const auto& storageClass : input.storageClasses) {
    classes_[storageClass.metadata.name] = &storageClass;
    auto it = storageClass.metadata.annotations.find(kDefaultClassAnnotation);
    if (it != storageClass.metadata.annotations.end() && it->second == "true") {
      defaultClass_ = &storageClass;
    }
  }
}

std::vector<std::vector<api::NodeSelectorRequirement>> VolumeTopology::forClaim(
    const api::PersistentVolumeClaim& claim) const {
  std::vector<std::vector<api::NodeSelectorRequirement>> out;
  if (!claim.spec.volumeName.empty()) {
    auto volume = volumes_.find(claim.spec.volumeName);
    if (volume == volumes_.end() || !volume->second->spec.nodeAffinity ||
        !volume->second->spec.nodeAffinity->required) {
      return out;
    }
    for (const auto& term : volume->second->spec.nodeAffinity->required->nodeSelectorTerms) {
      std::vector<api::NodeSelectorRequirement> kept;
      for (const auto& requirement : term.matchExpressions) {
        if (!isHostname(requirement.key)) {
          kept.push_back(requirement);
        }
      }
      if (kept.empty()) {
        return {};  // an alternative with no constraint left: the volume allows anywhere
      }
      out.push_back(std::move(kept));
    }
    return out;
  }
  const api::StorageClass* storageClass = nullptr;
  if (claim.spec.storageClassName) {
    auto it = classes_.find(*claim.spec.storageClassName);
    storageClass = it == classes_.end() ? nullptr : it->second;
  } else {
    storageClass = defaultClass_;
  }
  if (storageClass == nullptr) {
    return out;
  }
  for (const auto& term : storageClass->allowedTopologies) {
    std::vector<api::NodeSelectorRequirement> kept;
    for (const auto& expression : term.matchLabelExpressions) {
      if (!isHostname(expression.key)) {
        kept.push_back({expression.key, "In", expression.values, std::nullopt});
      }
    }
    if (kept.empty()) {
      return {};
    }
    out.push_back(std::move(kept));
  }
  return out;
}

Result<std::vector<std::vector<api::NodeSelectorRequirement>>> VolumeTopology::alternatives(
    const api::Pod& pod) const {
  std::vector<std::vector<api::NodeSelectorRequirement>> product;
  for (const auto& volume : pod.spec.volumes) {
    std::string claimName;
    if (volume.persistentVolumeClaim) {
      claimName = volume.persistentVolumeClaim->claimName;
    } else if (!volume.ephemeral.is_null()) {
      claimName = pod.metadata.name + "-" + volume.name;  // generic ephemeral volume's claim
    } else {
      continue;
    }
    auto claim = claims_.find({pod.metadata.namespace_, claimName});
    if (claim == claims_.end()) {
      return Error{ErrorKind::kNotFound, "persistentvolumeclaim " + pod.metadata.namespace_ + "/" +
                                             claimName + " not found"};
    }
    auto options = forClaim(*claim->second);
    if (options.empty()) {
      continue;
    }
    if (product.empty()) {
      product = std::move(options);
      continue;
    }
    std::vector<std::vector<api::NodeSelectorRequirement>> next;
    for (const auto& left : product) {
      for (const auto& right : options) {
        if (next.size() == kMaxAlternatives) {
          break;
        }
        auto both = left;
        both.insert(both.end(), right.begin(), right.end());
        next.push_back(std::move(both));
      }
    }
    product = std::move(next);
  }
  return product;
}

std::string VolumeTopology::driverOfClass(
    const std::optional<std::string>& storageClassName) const {
  const api::StorageClass* storageClass = defaultClass_;
  if (storageClassName) {
    auto it = classes_.find(*storageClassName);
    storageClass = it == classes_.end() ? nullptr : it->second;
  }
  return storageClass == nullptr ? std::string() : storageClass->provisioner;
}

std::vector<PodVolume> VolumeTopology::csiVolumes(const api::Pod& pod) const {
  std::vector<PodVolume> out;
  for (const auto& volume : pod.spec.volumes) {
    std::string claimName;
    if (volume.persistentVolumeClaim) {
      claimName = volume.persistentVolumeClaim->claimName;
    } else if (!volume.ephemeral.is_null()) {
      claimName = pod.metadata.name + "-" + volume.name;
    } else {
      continue;
    }
    std::string driver;
    if (auto claim = claims_.find({pod.metadata.namespace_, claimName}); claim != claims_.end()) {
      const auto& spec = claim->second->spec;
      if (auto bound = volumes_.find(spec.volumeName);
          !spec.volumeName.empty() && bound != volumes_.end() && bound->second->spec.csi) {
        driver = bound->second->spec.csi->driver;
      }
      if (driver.empty()) {
        driver = driverOfClass(spec.storageClassName);
      }
    } else if (!volume.persistentVolumeClaim) {
      driver = driverOfClass(templateStorageClass(volume.ephemeral));
    }
    if (!driver.empty()) {
      out.push_back({std::move(driver), pod.metadata.namespace_ + "/" + claimName});
    }
  }
  return out;
}

api::NodeAffinity VolumeTopology::inject(
    std::optional<api::NodeAffinity> affinity,
    const std::vector<std::vector<api::NodeSelectorRequirement>>& alternatives) {
  api::NodeAffinity out = affinity.value_or(api::NodeAffinity{});
  if (alternatives.empty()) {
    return out;
  }
  std::vector<api::NodeSelectorTerm> terms;
  if (out.requiredDuringSchedulingIgnoredDuringExecution) {
    terms = out.requiredDuringSchedulingIgnoredDuringExecution->nodeSelectorTerms;
  }
  if (terms.empty()) {
    terms.emplace_back();
  }
  std::vector<api::NodeSelectorTerm> injected;
  for (const auto& term : terms) {
    for (const auto& alternative : alternatives) {
      api::NodeSelectorTerm combined = term;
      combined.matchExpressions.insert(combined.matchExpressions.end(), alternative.begin(),
                                       alternative.end());
      injected.push_back(std::move(combined));
    }
  }
  out.requiredDuringSchedulingIgnoredDuringExecution = api::NodeSelector{std::move(injected)};
  return out;
}

}  // namespace karpenter::scheduling::solver
