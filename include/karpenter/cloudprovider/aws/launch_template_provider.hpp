#pragma once

#include <mutex>
#include <set>
#include <string>

#include "karpenter/aws/ec2_client.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::cloudprovider::aws {

// Launch templates named karpenter.k8s.aws/<hash of their data>, so identical launch options
// share one template and changed options make a new one (upstream pkg/providers/launchtemplate).
// ensure() looks in its cache, then describes the name, then creates it on NotFound; a template
// someone deleted is recreated after invalidate(). Thread safety: every method is thread-safe.
class LaunchTemplateProvider final {
 public:
  // `ec2` must outlive this.
  explicit LaunchTemplateProvider(const karpenter::aws::Ec2Client* ec2);

  // The name for `request`'s data (request.name is ignored): "karpenter.k8s.aws/" + 16 hex
  // digits of SHA-256 over the data and tags.
  static std::string nameFor(const karpenter::aws::CreateLaunchTemplateRequest& request);
  // The launch template's name, after making sure it exists.
  Result<std::string> ensure(karpenter::aws::CreateLaunchTemplateRequest request);
  // Forgets a name (CreateFleet said it does not exist).
  void invalidate(const std::string& name);

 private:
  const karpenter::aws::Ec2Client* ec2_;
  std::mutex mutex_;
  std::set<std::string> known_;
};

}  // namespace karpenter::cloudprovider::aws
