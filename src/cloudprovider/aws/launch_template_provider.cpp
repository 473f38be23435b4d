#include "karpenter/cloudprovider/aws/launch_template_provider.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "karpenter/aws/sigv4.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

template <typename T>
nlohmann::json optional(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

// Every field that ends up in the template, in a fixed order, so equal data hashes equally.
nlohmann::json canonical(const karpenter::aws::CreateLaunchTemplateRequest& request) {
  nlohmann::json devices = nlohmann::json::array();
  for (const auto& b : request.blockDeviceMappings) {
    devices.push_back({b.deviceName, optional(b.volumeSizeGiB), b.volumeType, optional(b.encrypted),
                       optional(b.deleteOnTermination), optional(b.iops), optional(b.throughput),
                       b.kmsKeyId, b.snapshotId});
  }
  nlohmann::json metadata;
  if (request.metadataOptions) {
    const auto& m = *request.metadataOptions;
    metadata = {m.httpEndpoint, m.httpProtocolIpv6, m.httpPutResponseHopLimit, m.httpTokens};
  }
  nlohmann::json tagSpecs = nlohmann::json::array();
  for (const auto& spec : request.dataTagSpecifications) {
    tagSpecs.push_back({spec.resourceType, spec.tags});
  }
  return {
      request.imageId, request.userData, request.securityGroupIds,   request.instanceProfileName,
      metadata,        devices,          request.detailedMonitoring, tagSpecs,
      request.tags};
}

}  // namespace

LaunchTemplateProvider::LaunchTemplateProvider(const karpenter::aws::Ec2Client* ec2) : ec2_(ec2) {}

std::string LaunchTemplateProvider::nameFor(
    const karpenter::aws::CreateLaunchTemplateRequest& request) {
  return "karpenter.k8s.aws/" + karpenter::aws::sha256Hex(canonical(request).dump()).substr(0, 16);
}

Result<std::string> LaunchTemplateProvider::ensure(
    karpenter::aws::CreateLaunchTemplateRequest request) {
  request.name = nameFor(request);
  {
    std::lock_guard lock(mutex_);
    if (known_.count(request.name) > 0) {
      return request.name;
    }
  }
  auto described = ec2_->describeLaunchTemplates({request.name});
  if (!described.ok() && described.error().kind != ErrorKind::kNotFound) {
    return described.error().withContext("describing launch template " + request.name);
  }
  if (!described.ok() || described->empty()) {
    auto created = ec2_->createLaunchTemplate(request);
    // Another replica (or call) may have created it in between: that is the same template.
    if (!created.ok() && created.error().kind != ErrorKind::kConflict) {
      return created.error().withContext("creating launch template " + request.name);
    }
    spdlog::info("launch template {} created (image {})", request.name, request.imageId);
  }
  std::lock_guard lock(mutex_);
  known_.insert(request.name);
  return request.name;
}

void LaunchTemplateProvider::invalidate(const std::string& name) {
  std::lock_guard lock(mutex_);
  known_.erase(name);
}

}  // namespace karpenter::cloudprovider::aws
