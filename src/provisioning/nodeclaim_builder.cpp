#include "karpenter/provisioning/nodeclaim_builder.hpp"

#include <algorithm>
#include <cctype>

#include "karpenter/api/well_known.hpp"

namespace karpenter::provisioning {

std::string nodeClassLabelKey(const api::NodeClassReference& reference) {
  std::string kind = reference.kind;
  std::transform(kind.begin(), kind.end(), kind.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return reference.group + "/" + kind;
}

api::NodeClaim buildNodeClaim(const scheduling::NewNodeClaim& claim,
                              const api::NodePool& nodePool) {
  const api::NodeClaimTemplate& tmpl = nodePool.spec.template_;
  api::NodeClaim nodeClaim;
  nodeClaim.apiVersion = api::NodeClaim::kApiVersion;
  nodeClaim.kind = api::NodeClaim::kKind;
  nodeClaim.metadata.generateName = nodePool.metadata.name + "-";
  nodeClaim.metadata.annotations = tmpl.metadata.annotations;
  nodeClaim.metadata.labels = tmpl.metadata.labels;
  for (auto& [key, value] : claim.requirements.labels()) {
    if (key != api::kLabelHostname) {  // the placeholder is the solver's, not the node's
      nodeClaim.metadata.labels[key] = value;
    }
  }
  nodeClaim.metadata.labels[std::string(api::kNodePoolLabelKey)] = nodePool.metadata.name;
  if (!tmpl.spec.nodeClassRef.name.empty()) {
    nodeClaim.metadata.labels[nodeClassLabelKey(tmpl.spec.nodeClassRef)] =
        tmpl.spec.nodeClassRef.name;
  }
  nodeClaim.metadata.ownerReferences.push_back(api::OwnerReference{
      .apiVersion = api::NodePool::kApiVersion,
      .kind = api::NodePool::kKind,
      .name = nodePool.metadata.name,
      .uid = nodePool.metadata.uid,
      .controller = std::nullopt,
      .blockOwnerDeletion = true,
  });
  nodeClaim.spec.taints = tmpl.spec.taints;
  nodeClaim.spec.startupTaints = tmpl.spec.startupTaints;
  nodeClaim.spec.requirements = claim.requirements.toNodeSelectorRequirements();
  nodeClaim.spec.resources.requests = claim.requests;
  nodeClaim.spec.nodeClassRef = tmpl.spec.nodeClassRef;
  nodeClaim.spec.expireAfter =
      tmpl.spec.expireAfter.empty() ? std::string(api::kDefaultExpireAfter) : tmpl.spec.expireAfter;
  nodeClaim.spec.terminationGracePeriod = tmpl.spec.terminationGracePeriod;
  return nodeClaim;
}

}  // namespace karpenter::provisioning
