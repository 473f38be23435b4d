#pragma once

#include "karpenter/api/nodeclaim.hpp"
#include "karpenter/api/nodepool.hpp"
#include "karpenter/scheduling/scheduler.hpp"

namespace karpenter::provisioning {

// The NodeClaim the provisioner creates for one of the solver's new NodeClaims (upstream
// nodeclaimtemplate.go, karpenter-behaviour.md §4.5): generateName "<nodepool>-", owned by the
// NodePool; labels = the template's + karpenter.sh/nodepool + "<nodeclass group>/<kind>" =
// nodeclass name + every single-valued In requirement (hostname excepted); annotations = the
// template's; spec = the template's taints, startup taints, nodeClassRef, expireAfter and
// terminationGracePeriod, the solver's requirements (instance types cheapest first) and its
// requests (pods + DaemonSet overhead). Pure.
api::NodeClaim buildNodeClaim(const scheduling::NewNodeClaim& claim, const api::NodePool& nodePool);

// The label a NodeClaim carries for its node class: "karpenter.k8s.aws/ec2nodeclass".
std::string nodeClassLabelKey(const api::NodeClassReference& reference);

}  // namespace karpenter::provisioning
