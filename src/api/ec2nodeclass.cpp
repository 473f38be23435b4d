#include "karpenter/api/ec2nodeclass.hpp"

namespace karpenter::api {

Result<std::optional<Quantity>> volumeSizeQuantity(const BlockDevice& device) {
  if (!device.volumeSize) {
    return std::optional<Quantity>();
  }
  auto parsed = Quantity::parse(*device.volumeSize);
  if (!parsed) {
    return parsed.error().withContext("volumeSize");
  }
  return std::optional<Quantity>(*parsed);
}

KARPENTER_JSON_FIELDS(SubnetSelectorTerm, {
  c("tags", s.tags);
  c("id", s.id);
})

KARPENTER_JSON_FIELDS(SecurityGroupSelectorTerm, {
  c("tags", s.tags);
  c("id", s.id);
  c("name", s.name);
})

KARPENTER_JSON_FIELDS(CapacityReservationSelectorTerm, {
  c("tags", s.tags);
  c("id", s.id);
  c("ownerID", s.ownerID);
  c("instanceMatchCriteria", s.instanceMatchCriteria);
})

KARPENTER_JSON_FIELDS(AMISelectorTerm, {
  c("alias", s.alias);
  c("tags", s.tags);
  c("id", s.id);
  c("name", s.name);
  c("owner", s.owner);
  c("ssmParameter", s.ssmParameter);
})

KARPENTER_JSON_FIELDS(PlacementGroupSelector, {
  c("name", s.name);
  c("id", s.id);
})

KARPENTER_JSON_FIELDS(KubeletConfiguration, {
  c("clusterDNS", s.clusterDNS);
  c("maxPods", s.maxPods);
  c("podsPerCore", s.podsPerCore);
  c("systemReserved", s.systemReserved);
  c("kubeReserved", s.kubeReserved);
  c("evictionHard", s.evictionHard);
  c("evictionSoft", s.evictionSoft);
  c("evictionSoftGracePeriod", s.evictionSoftGracePeriod);
  c("evictionMaxPodGracePeriod", s.evictionMaxPodGracePeriod);
  c("imageGCHighThresholdPercent", s.imageGCHighThresholdPercent);
  c("imageGCLowThresholdPercent", s.imageGCLowThresholdPercent);
  c("cpuCFSQuota", s.cpuCFSQuota);
})

KARPENTER_JSON_FIELDS(BlockDevice, {
  c("deleteOnTermination", s.deleteOnTermination);
  c("encrypted", s.encrypted);
  c("iops", s.iops);
  c("kmsKeyID", s.kmsKeyID);
  c("snapshotID", s.snapshotID);
  c("throughput", s.throughput);
  c("volumeInitializationRate", s.volumeInitializationRate);
  c("volumeSize", s.volumeSize);
  c("volumeType", s.volumeType);
})

KARPENTER_JSON_FIELDS(BlockDeviceMapping, {
  c("deviceName", s.deviceName);
  c("ebs", s.ebs);
  c("rootVolume", s.rootVolume);
})

KARPENTER_JSON_FIELDS(MetadataOptions, {
  c("httpEndpoint", s.httpEndpoint);
  c("httpProtocolIPv6", s.httpProtocolIPv6);
  c("httpPutResponseHopLimit", s.httpPutResponseHopLimit);
  c("httpTokens", s.httpTokens);
})

KARPENTER_JSON_FIELDS(NodeClassNetworkInterface, {
  c("networkCardIndex", s.networkCardIndex);
  c("deviceIndex", s.deviceIndex);
  c("interfaceType", s.interfaceType);
})

KARPENTER_JSON_FIELDS(ConnectionTracking, {
  c("tcpEstablishedTimeout", s.tcpEstablishedTimeout);
  c("udpStreamTimeout", s.udpStreamTimeout);
  c("udpTimeout", s.udpTimeout);
})

KARPENTER_JSON_FIELDS(CPUOptions, { c("nestedVirtualization", s.nestedVirtualization); })

KARPENTER_JSON_FIELDS(EC2NodeClassSpec, {
  c("subnetSelectorTerms", s.subnetSelectorTerms);
  c("securityGroupSelectorTerms", s.securityGroupSelectorTerms);
  c("capacityReservationSelectorTerms", s.capacityReservationSelectorTerms);
  c("placementGroupSelector", s.placementGroupSelector);
  c("associatePublicIPAddress", s.associatePublicIPAddress);
  c("ipPrefixCount", s.ipPrefixCount);
  c("amiSelectorTerms", s.amiSelectorTerms);
  c("amiFamily", s.amiFamily);
  c("userData", s.userData);
  c("role", s.role);
  c("instanceProfile", s.instanceProfile);
  c("tags", s.tags);
  c("kubelet", s.kubelet);
  c("blockDeviceMappings", s.blockDeviceMappings);
  c("instanceStorePolicy", s.instanceStorePolicy);
  c("networkInterfaces", s.networkInterfaces);
  c("detailedMonitoring", s.detailedMonitoring);
  c("metadataOptions", s.metadataOptions);
  c("connectionTracking", s.connectionTracking);
  c("context", s.context);
  c("cpuOptions", s.cpuOptions);
})

KARPENTER_JSON_FIELDS(SubnetStatus, {
  c("id", s.id);
  c("zone", s.zone);
  c("zoneID", s.zoneID);
})

KARPENTER_JSON_FIELDS(SecurityGroupStatus, {
  c("id", s.id);
  c("name", s.name);
})

KARPENTER_JSON_FIELDS(CapacityReservationStatus, {
  c("availabilityZone", s.availabilityZone);
  c("endTime", s.endTime);
  c("id", s.id);
  c("instanceMatchCriteria", s.instanceMatchCriteria);
  c("instanceType", s.instanceType);
  c("ownerID", s.ownerID);
  c("reservationType", s.reservationType);
  c("state", s.state);
  c("interruptible", s.interruptible);
})

KARPENTER_JSON_FIELDS(AMIStatus, {
  c("id", s.id);
  c("name", s.name);
  c("deprecated", s.deprecated);
  c("requirements", s.requirements);
})

KARPENTER_JSON_FIELDS(EC2NodeClassStatus, {
  c("subnets", s.subnets);
  c("securityGroups", s.securityGroups);
  c("capacityReservations", s.capacityReservations);
  c("amis", s.amis);
  c("instanceProfile", s.instanceProfile);
  c("conditions", s.conditions);
})

KARPENTER_JSON_FIELDS(EC2NodeClass, {
  c("apiVersion", s.apiVersion);
  c("kind", s.kind);
  c("metadata", s.metadata);
  c("spec", s.spec);
  c("status", s.status);
})

}  // namespace karpenter::api
