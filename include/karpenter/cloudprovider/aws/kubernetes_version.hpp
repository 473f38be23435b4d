#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "karpenter/aws/eks_client.hpp"
#include "karpenter/cloudprovider/unavailable_offerings.hpp"
#include "karpenter/kube/client.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::cloudprovider::aws {

// The cluster's Kubernetes minor version ("1.31") that alias AMIs' SSM paths name (upstream
// pkg/providers/version): EKS DescribeCluster when an EKS client and cluster name are given;
// when they are not, or EKS cannot answer (not an EKS cluster, no permission, unreachable), the
// apiserver's GET /version (major.minor, "31+" read as 31). A version is kept for kTtl (an
// upgrade changes it); errors are not kept, so the next call asks again.
// Thread safety: get() may be called concurrently (one lookup at a time).
class KubernetesVersionProvider final {
 public:
  static constexpr std::chrono::minutes kTtl{15};

  struct Sources {
    std::shared_ptr<const karpenter::aws::EksClient> eks;  // may be null
    std::string clusterName;                               // EKS is asked only when set
    kube::KubeClient* apiserver = nullptr;                 // may be null; must outlive this
  };

  explicit KubernetesVersionProvider(Sources sources, Clock clock = {});

  // kUnavailable naming what each source answered when none gave a version.
  Result<std::string> get();
  // Which source the cached version came from: "eks", "apiserver", or "" before the first.
  std::string source() const;

 private:
  Result<std::string> fromApiserver();

  Sources sources_;
  Clock clock_;
  mutable std::mutex mutex_;
  std::optional<std::string> version_;
  std::string source_;
  std::chrono::system_clock::time_point fetched_;
};

}  // namespace karpenter::cloudprovider::aws
