#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "karpenter/api/ec2nodeclass.hpp"
#include "karpenter/api/selectors.hpp"
#include "karpenter/util/result.hpp"

// Bootstrap user data per AMI family (upstream pkg/providers/amifamily/bootstrap): what the node
// needs to join the cluster, merged with the EC2NodeClass's spec.userData. Pure functions.
namespace karpenter::cloudprovider::aws {

struct BootstrapOptions {
  std::string clusterName;
  std::string clusterEndpoint;
  std::string caBundle;     // base64 PEM, as EKS hands it out; may be empty (nodeadm looks it up)
  std::string clusterCIDR;  // the service CIDR, for AL2023's NodeConfig; may be empty
  std::map<std::string, std::string> labels;  // --node-labels (restricted prefixes dropped)
  std::vector<api::Taint> taints;             // --register-with-taints (taints + startupTaints)
  api::KubeletConfiguration kubelet;
  std::optional<std::string> customUserData;  // spec.userData
};

// The user data (plain text; EC2 wants it base64) for `amiFamily`:
//  - AL2023: MIME multipart, the user's parts first (a non-MIME userData is one part), then a
//    nodeadm NodeConfig (application/node.eks.aws) with cluster and kubelet settings;
//  - Bottlerocket: TOML, the user's settings kept and Karpenter's settings.kubernetes keys
//    (cluster name, API server, certificate, max pods, labels, taints) winning;
//  - AL2: MIME multipart, the user's parts first, then /etc/eks/bootstrap.sh;
//  - Custom: spec.userData as written.
// kInvalid for user data the family cannot merge (unparsable MIME or TOML), naming the problem.
Result<std::string> bootstrapUserData(std::string_view amiFamily, const BootstrapOptions& options);

// The labels a kubelet may set on itself (upstream drops the rest from --node-labels).
bool kubeletMaySetLabel(std::string_view key);

}  // namespace karpenter::cloudprovider::aws
