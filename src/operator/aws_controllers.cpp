#include "karpenter/operator/aws_controllers.hpp"

#include <spdlog/spdlog.h>

#include "karpenter/cloudprovider/aws/kubernetes_version.hpp"

namespace karpenter::op {

Result<std::unique_ptr<AwsControllers>> AwsControllers::create(
    const cloudprovider::aws::AwsEnvironment& environment, kube::KubeClient& client,
    controllers::EventRecorder& events, state::ClusterState& state) {
  std::unique_ptr<AwsControllers> controllers(new AwsControllers());
  cloudprovider::aws::EC2NodeClassController::Options nodeClassOptions;
  nodeClassOptions.clusterName = environment.settings.clusterName;
  nodeClassOptions.region = environment.config.region;
  // EKS's version, or the apiserver's /version when EKS cannot say (not an EKS cluster).
  nodeClassOptions.kubernetesVersion =
      [version = std::make_shared<cloudprovider::aws::KubernetesVersionProvider>(
           cloudprovider::aws::KubernetesVersionProvider::Sources{
               environment.eks, environment.settings.clusterName, &client})] {
        return version->get();
      };
  controllers->nodeClasses_ = std::make_unique<cloudprovider::aws::EC2NodeClassController>(
      client, state,
      cloudprovider::aws::EC2NodeClassController::Clients{environment.ec2, environment.ssm,
                                                          environment.iam},
      nodeClassOptions);
  const std::string& queue = environment.settings.interruptionQueue;
  if (queue.empty()) {
    return controllers;
  }
  auto url = environment.sqs->getQueueUrl(queue);
  if (!url) {
    if (url.error().kind == ErrorKind::kNotFound) {
      return Error{ErrorKind::kInvalid, "INTERRUPTION_QUEUE (--interruption-queue): SQS queue \"" +
                                            queue + "\" does not exist in region " +
                                            environment.config.region +
                                            "; create it or fix the name"};
    }
    return url.error().withContext("INTERRUPTION_QUEUE (--interruption-queue) \"" + queue + "\"");
  }
  spdlog::info("interruption queue {}: {}", queue, *url);
  controllers->interruption_ = std::make_unique<controllers::interruption::InterruptionController>(
      *environment.sqs, client, events, state, *environment.unavailableOfferings,
      controllers::interruption::InterruptionController::Options{.queueUrl = *url});
  return controllers;
}

AwsControllers::~AwsControllers() {
  stop();
}

void AwsControllers::start() {
  nodeClasses_->start();
  if (interruption_) {
    interruption_->start();
  }
}

void AwsControllers::stop() {
  if (interruption_) {
    interruption_->stop();
  }
  nodeClasses_->stop();
}

}  // namespace karpenter::op
