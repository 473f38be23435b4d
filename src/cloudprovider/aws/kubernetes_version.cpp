#include "karpenter/cloudprovider/aws/kubernetes_version.hpp"

#include <spdlog/spdlog.h>

namespace karpenter::cloudprovider::aws {

KubernetesVersionProvider::KubernetesVersionProvider(Sources sources, Clock clock)
    : sources_(std::move(sources)), clock_(std::move(clock)) {}

Result<std::string> KubernetesVersionProvider::fromApiserver() {
  if (sources_.apiserver == nullptr) {
    return Error{ErrorKind::kUnavailable, "no apiserver client"};
  }
  auto version = sources_.apiserver->serverVersion();
  if (!version) {
    return version.error();
  }
  std::string minor = version->minorVersion();
  if (minor.empty()) {
    return Error{ErrorKind::kUnavailable, "GET /version names no version (major \"" +
                                              version->major + "\", minor \"" + version->minor +
                                              "\", gitVersion \"" + version->gitVersion + "\")"};
  }
  return minor;
}

Result<std::string> KubernetesVersionProvider::get() {
  std::lock_guard lock(mutex_);
  const auto now = clock_ ? clock_() : std::chrono::system_clock::now();
  if (version_ && now - fetched_ < kTtl) {
    return *version_;
  }
  std::string eksProblem = "EKS is not configured (no cluster name)";
  if (sources_.eks && !sources_.clusterName.empty()) {
    auto cluster = sources_.eks->describeCluster(sources_.clusterName);
    if (cluster && !cluster->version.empty()) {
      version_ = cluster->version;
      source_ = "eks";
      fetched_ = now;
      return *version_;
    }
    eksProblem = cluster ? "EKS cluster " + sources_.clusterName + " has no version"
                         : "EKS cluster " + sources_.clusterName + ": " + cluster.error().message;
    spdlog::warn("the Kubernetes version: {}; asking the apiserver", eksProblem);
  }
  auto minor = fromApiserver();
  if (!minor) {
    return Error{ErrorKind::kUnavailable,
                 "the cluster's Kubernetes version is unknown: " + eksProblem +
                     "; apiserver GET /version: " + minor.error().message};
  }
  version_ = *minor;
  source_ = "apiserver";
  fetched_ = now;
  return *version_;
}

std::string KubernetesVersionProvider::source() const {
  std::lock_guard lock(mutex_);
  return source_;
}

}  // namespace karpenter::cloudprovider::aws
