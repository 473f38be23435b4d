#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "karpenter/aws/ec2_client.hpp"
#include "karpenter/aws/iam_client.hpp"
#include "karpenter/aws/ssm_client.hpp"
#include "karpenter/kube/client.hpp"
#include "karpenter/state/cluster_state.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::cloudprovider::aws {

// The EC2NodeClass controller (upstream pkg/controllers/nodeclass), one reconcile per
// EC2NodeClass on a work queue fed by cluster-state changes and requeued every
// `resolveInterval` (upstream 1 min, so new subnets and AMI releases are picked up):
//  1. deleting: wait while NodeClaims reference the class (their instances use its profile),
//     then delete the generated instance profile and drop the finalizer;
//  2. add the finalizer karpenter.k8s.aws/termination;
//  3. annotate karpenter.k8s.aws/ec2nodeclass-hash(-version) (nodeclass_hash.hpp);
//  4. resolve subnets, security groups, AMIs (alias via SSM with the cluster's Kubernetes
//     version) and the instance profile into status, with conditions SubnetsReady,
//     SecurityGroupsReady, AMIsReady, InstanceProfileReady, ValidationSucceeded (the admission
//     rules, for classes stored without the webhook) and Ready (all of them); a False condition
//     names what did not resolve. Status is merge-patched on /status only when it changed.
// Thread safety: start()/stop() from the owner; reconcile() from one thread at a time per name.
class EC2NodeClassController final {
 public:
  struct Options {
    std::string clusterName;  // CLUSTER_NAME
    std::string region;       // the region instances launch in
    // The cluster's Kubernetes minor version ("1.31") for alias AMIs; e.g. from
    // EksClient::describeCluster or the apiserver's /version. Called on each reconcile that
    // resolves an alias; an error leaves AMIsReady False with its message.
    std::function<Result<std::string>()> kubernetesVersion;
    std::chrono::seconds resolveInterval{60};
    std::chrono::seconds deletionRecheck{10};  // while NodeClaims still reference the class
    std::string instanceProfilePath = "/";
    int workers = 1;
    std::chrono::milliseconds pollInterval{100};  // how often the state is checked for changes
    // Wall-clock time for conditions, AMI deprecation and the SSM/IAM caches.
    std::function<std::chrono::system_clock::time_point()> clock;
  };

  struct Clients {
    std::shared_ptr<const karpenter::aws::Ec2Client> ec2;
    std::shared_ptr<const karpenter::aws::SsmClient> ssm;
    std::shared_ptr<const karpenter::aws::IamClient> iam;
  };

  EC2NodeClassController(kube::KubeClient& client, state::ClusterState& state, Clients clients,
                         Options options);
  ~EC2NodeClassController();  // stops
  EC2NodeClassController(const EC2NodeClassController&) = delete;
  EC2NodeClassController& operator=(const EC2NodeClassController&) = delete;

  // May be called again after stop() (a replica that lost and regained the lease).
  void start();
  void stop();
  // One reconcile of the named EC2NodeClass over the current snapshot. Returns when to look
  // again (0 = only on change). kUnavailable while the state has not synced.
  Result<std::chrono::seconds> reconcile(const std::string& name);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace karpenter::cloudprovider::aws
