#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "karpenter/api/pod.hpp"
#include "karpenter/api/storage.hpp"
#include "karpenter/scheduling/scheduler.hpp"
#include "karpenter/util/result.hpp"
#include "volume_usage.hpp"

namespace karpenter::scheduling::solver {

// Upstream volumetopology.go: where a pod's persistent volumes allow it to run. A bound claim
// contributes its PersistentVolume's required node affinity; an unbound one its StorageClass's
// allowedTopologies (the named class, else the default one). Terms are ORed, so each volume
// yields alternatives, and a pod's alternatives are their cross product. Hostname terms (local
// and hostPath volumes pin a node that does not exist yet) are left out.
class VolumeTopology final {
 public:
  explicit VolumeTopology(const SchedulerInput& input);

  // The alternatives for `pod`: empty when no volume constrains it. Fails (NotFound) when a
  // claim the pod mounts is not in the input: "persistentvolumeclaim ns/name not found".
  Result<std::vector<std::vector<api::NodeSelectorRequirement>>> alternatives(
      const api::Pod& pod) const;

  // The CSI volumes `pod` mounts, for volume limits (upstream volumeusage.go): each claim's
  // driver is its bound PersistentVolume's spec.csi.driver, else its StorageClass's provisioner
  // (the named class, else the default one); a generic ephemeral volume whose claim does not
  // exist yet takes the class of its claim template. Volumes with no resolvable driver are not
  // counted (a non-CSI plugin, whose limits are not tracked).
  std::vector<PodVolume> csiVolumes(const api::Pod& pod) const;

  // `affinity` with every required term ANDed with every alternative (cross product); a pod
  // without required terms gets one term per alternative.
  static api::NodeAffinity inject(
      std::optional<api::NodeAffinity> affinity,
      const std::vector<std::vector<api::NodeSelectorRequirement>>& alternatives);

 private:
  std::vector<std::vector<api::NodeSelectorRequirement>> forClaim(
      const api::PersistentVolumeClaim& claim) const;

  std::string driverOfClass(const std::optional<std::string>& storageClassName) const;

  std::map<std::pair<std::string, std::string>, const api::PersistentVolumeClaim*> claims_;
  std::map<std::string, const api::PersistentVolume*> volumes_;
  std::map<std::string, const api::StorageClass*> classes_;
  const api::StorageClass* defaultClass_ = nullptr;
};

}  // namespace karpenter::scheduling::solver
