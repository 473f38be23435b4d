#include "existing_node.hpp"

#include <algorithm>

#include "karpenter/api/pod_requests.hpp"
#include "karpenter/scheduling/taints.hpp"

namespace karpenter::scheduling::solver {

namespace {

bool ownedByDaemonSet(const api::Pod& pod, const DaemonPod& daemon) {
  if (pod.metadata.namespace_ != daemon.namespace_) {
    return false;
  }
  return std::any_of(pod.metadata.ownerReferences.begin(), pod.metadata.ownerReferences.end(),
                     [&](const api::OwnerReference& owner) {
                       return owner.kind == "DaemonSet" && owner.name == daemon.name;
                     });
}

}  // namespace

ExistingNodeState::ExistingNodeState(const ExistingNode& node, size_t index,
                                     const std::vector<DaemonPod>& daemonPods,
                                     const VolumeTopology& volumes, Topology* topology)
    : node_(&node),
      index_(index),
      topology_(topology),
      requirements_(Requirements::fromLabels(node.labels)) {
  available_ = ResourceVector::fromList(node.allocatable);
  for (const auto* pod : node.pods) {
    ResourceVector requests = ResourceVector::fromList(api::podRequests(pod->spec));
    requests.setCore(ResourceVector::kPods, 1000);
    available_ -= requests;
    hostPorts_.add(hostPorts(pod->spec));
    volumes_.add(volumes.csiVolumes(*pod));
  }
  // DaemonSet pods that will land on the node but are not there yet reserve their share now,
  // or the solver would hand it to pending pods.
  for (const auto& daemon : daemonPods) {
    bool present = std::any_of(node.pods.begin(), node.pods.end(),
                               [&](const api::Pod* pod) { return ownedByDaemonSet(*pod, daemon); });
    if (!present && daemonPodFits(daemon, node.taints, requirements_, false)) {
      available_ -= daemon.requests;
    }
  }
}

bool ExistingNodeState::tryAdd(const PreparedPod& pod) {
  if (!pod.requests().fitsIn(available_)) {
    return false;
  }
  if (!toleratesAll(pod.pod().spec.tolerations, node_->taints, pod.taintScope())) {
    return false;
  }
  if (!requirements_.isCompatible(pod.requirements()) || !pod.nodeNames().admits(node_->name)) {
    return false;
  }
  if (hostPorts_.firstConflict(pod.hostPorts()) != nullptr ||
      !volumes_.fits(pod.volumes(), node_->volumeLimits)) {
    return false;
  }
  if (pod.topology().constrained() &&
      !topology_->admitsExisting(pod, index_, requirements_, node_->taints, nullptr)) {
    return false;
  }
  if (pod.topology().recorded()) {
    topology_->recordExisting(pod, index_, requirements_, node_->taints);
  }
  available_ -= pod.requests();
  hostPorts_.add(pod.hostPorts());
  volumes_.add(pod.volumes());
  added_.push_back(&pod.pod());
  return true;
}

}  // namespace karpenter::scheduling::solver
