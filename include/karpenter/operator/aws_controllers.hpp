#pragma once

#include <memory>

#include "karpenter/cloudprovider/aws/aws_environment.hpp"
#include "karpenter/cloudprovider/aws/nodeclass_controller.hpp"
#include "karpenter/controllers/events.hpp"
#include "karpenter/controllers/interruption/controller.hpp"
#include "karpenter/kube/client.hpp"
#include "karpenter/state/cluster_state.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::op {

// The controllers only the AWS provider has, run on the leader next to the ControllerManager's:
//  - the EC2NodeClass controller over the environment's EC2, SSM and IAM clients, with the
//    cluster's Kubernetes version (for AMI aliases) from EKS DescribeCluster(CLUSTER_NAME),
//    kept for 15 minutes once known; an EKS error is retried on the next reconcile that needs
//    it (AMIsReady False with the error meanwhile);
//  - with INTERRUPTION_QUEUE, the interruption controller on that queue, marking offerings in
//    the provider's own unavailable-offerings cache.
// Thread safety: all methods from the owning thread.
class AwsControllers final {
 public:
  // Resolves the interruption queue's URL (GetQueueUrl): a queue that does not exist is a
  // startup error naming it. `environment`, `client`, `events` (the ControllerManager's) and
  // `state` must outlive the object.
  static Result<std::unique_ptr<AwsControllers>> create(
      const cloudprovider::aws::AwsEnvironment& environment, kube::KubeClient& client,
      controllers::EventRecorder& events, state::ClusterState& state);

  AwsControllers(const AwsControllers&) = delete;
  AwsControllers& operator=(const AwsControllers&) = delete;
  ~AwsControllers();  // stops

  // On election; stop() when the lease is lost (start() may follow again).
  void start();
  void stop();

 private:
  AwsControllers() = default;
  std::unique_ptr<cloudprovider::aws::EC2NodeClassController> nodeClasses_;
  std::unique_ptr<controllers::interruption::InterruptionController> interruption_;  // or null
};

}  // namespace karpenter::op
