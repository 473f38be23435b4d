#include "karpenter/api/storage.hpp"

namespace karpenter::api {

KARPENTER_JSON_FIELDS(VolumeNodeAffinity, { c("required", s.required); })

KARPENTER_JSON_FIELDS(CSIPersistentVolumeSource, {
  c("driver", s.driver);
  c("volumeHandle", s.volumeHandle);
  c("fsType", s.fsType);
})

KARPENTER_JSON_FIELDS(PersistentVolumeSpec, {
  c("capacity", s.capacity);
  c("accessModes", s.accessModes);
  c("claimRef", s.claimRef);
  c("persistentVolumeReclaimPolicy", s.persistentVolumeReclaimPolicy);
  c("storageClassName", s.storageClassName);
  c("nodeAffinity", s.nodeAffinity);
  c("csi", s.csi);
})

KARPENTER_JSON_FIELDS(PersistentVolumeStatus, { c("phase", s.phase); })

KARPENTER_JSON_FIELDS(PersistentVolume, {
  c("apiVersion", s.apiVersion);
  c("kind", s.kind);
  c("metadata", s.metadata);
  c("spec", s.spec);
  c("status", s.status);
})

KARPENTER_JSON_FIELDS(VolumeResourceRequirements, {
  c("requests", s.requests);
  c("limits", s.limits);
})

KARPENTER_JSON_FIELDS(PersistentVolumeClaimSpec, {
  c("storageClassName", s.storageClassName);
  c("volumeName", s.volumeName);
  c("resources", s.resources);
  c("accessModes", s.accessModes);
})

KARPENTER_JSON_FIELDS(PersistentVolumeClaimStatus, { c("phase", s.phase); })

KARPENTER_JSON_FIELDS(PersistentVolumeClaim, {
  c("apiVersion", s.apiVersion);
  c("kind", s.kind);
  c("metadata", s.metadata);
  c("spec", s.spec);
  c("status", s.status);
})

KARPENTER_JSON_FIELDS(TopologySelectorLabelRequirement, {
  c("key", s.key);
  c("values", s.values);
})

KARPENTER_JSON_FIELDS(TopologySelectorTerm,
                      { c("matchLabelExpressions", s.matchLabelExpressions); })

KARPENTER_JSON_FIELDS(StorageClass, {
  c("apiVersion", s.apiVersion);
  c("kind", s.kind);
  c("metadata", s.metadata);
  c("provisioner", s.provisioner);
  c("parameters", s.parameters);
  c("reclaimPolicy", s.reclaimPolicy);
  c("volumeBindingMode", s.volumeBindingMode);
  c("allowVolumeExpansion", s.allowVolumeExpansion);
  c("allowedTopologies", s.allowedTopologies);
})

KARPENTER_JSON_FIELDS(VolumeNodeResources, { c("count", s.count); })

KARPENTER_JSON_FIELDS(CSINodeDriver, {
  c("name", s.name);
  c("nodeID", s.nodeID);
  c("topologyKeys", s.topologyKeys);
  c("allocatable", s.allocatable);
})

KARPENTER_JSON_FIELDS(CSINodeSpec, { c("drivers", s.drivers); })

KARPENTER_JSON_FIELDS(CSINode, {
  c("apiVersion", s.apiVersion);
  c("kind", s.kind);
  c("metadata", s.metadata);
  c("spec", s.spec);
})

}  // namespace karpenter::api
