#include "karpenter/operator/aws_controllers.hpp"

#include <chrono>
#include <mutex>
#include <optional>

#include <spdlog/spdlog.h>

namespace karpenter::op {
namespace {

constexpr std::chrono::minutes kVersionTtl{15};

// The cluster's Kubernetes minor version from EKS, asked again after kVersionTtl (an upgrade
// changes it) and after every failure (errors are not kept).
class EksVersion final {
 public:
  EksVersion(std::shared_ptr<const karpenter::aws::EksClient> eks, std::string clusterName)
      : eks_(std::move(eks)), clusterName_(std::move(clusterName)) {}

  Result<std::string> operator()() {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (version_ && now - fetched_ < kVersionTtl) {
      return *version_;
    }
    auto cluster = eks_->describeCluster(clusterName_);
    if (!cluster) {
      return cluster.error().withContext("the Kubernetes version of EKS cluster " + clusterName_);
    }
    version_ = cluster->version;
    fetched_ = now;
    return *version_;
  }

 private:
  std::shared_ptr<const karpenter::aws::EksClient> eks_;
  std::string clusterName_;
  std::mutex mutex_;
  std::optional<std::string> version_;
  std::chrono::steady_clock::time_point fetched_;
};

}  // namespace

Result<std::unique_ptr<AwsControllers>> AwsControllers::create(
    const cloudprovider::aws::AwsEnvironment& environment, kube::KubeClient& client,
    controllers::EventRecorder& events, state::ClusterState& state) {
  std::unique_ptr<AwsControllers> controllers(new AwsControllers());
  cloudprovider::aws::EC2NodeClassController::Options nodeClassOptions;
  nodeClassOptions.clusterName = environment.settings.clusterName;
  nodeClassOptions.region = environment.config.region;
  nodeClassOptions.kubernetesVersion =
      [version = std::make_shared<EksVersion>(environment.eks, environment.settings.clusterName)] {
        return (*version)();
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
