#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "karpenter/api/ec2nodeclass.hpp"
#include "karpenter/aws/iam_client.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::cloudprovider::aws {

// The instance profile an EC2NodeClass launches with (upstream pkg/providers/instanceprofile):
//  - spec.instanceProfile: must exist and hold a role; used as is, never modified;
//  - spec.role: Karpenter owns a profile named generatedName(), created with the tags of
//    aws-ec2.md §1.3 (spec tags + cluster ownership, eks:eks-cluster-name,
//    karpenter.k8s.aws/ec2nodeclass, topology.kubernetes.io/region), holding exactly that
//    role (a different role is swapped out), and deleted with the EC2NodeClass.
// A checked profile is remembered for `cacheTtl` (upstream 15 min) so steady-state reconciles
// make no IAM calls. `now` is the only clock.
// Thread safety: every method may be called concurrently.
class InstanceProfileManager final {
 public:
  struct Options {
    std::string clusterName;
    std::string region;
    std::string path = "/";  // IAM path of generated profiles
    std::chrono::seconds cacheTtl{15 * 60};
  };
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  InstanceProfileManager(std::shared_ptr<const karpenter::aws::IamClient> iam, Clock now,
                         Options options);

  // The profile name to put in status.instanceProfile. Errors: kNotFound when the given profile
  // or the role does not exist (the message names which), kInvalid when a given profile has no
  // role, others as IAM returned them.
  Result<std::string> ensure(const api::EC2NodeClass& nodeClass);
  // Deletes the generated profile of a role-based class (its roles first); a missing profile
  // is success, and a class with spec.instanceProfile deletes nothing.
  Result<void> remove(const api::EC2NodeClass& nodeClass);

  // <cluster>_<decimal hash of region + name + uid>, as upstream names generated profiles
  // (the hash is this project's own stable 64-bit FNV-1a).
  static std::string generatedName(const std::string& clusterName, const std::string& region,
                                   const api::EC2NodeClass& nodeClass);
  // The tags a generated profile carries.
  karpenter::aws::Tags profileTags(const api::EC2NodeClass& nodeClass) const;

 private:
  Result<std::string> ensureGiven(const std::string& name);
  Result<std::string> ensureGenerated(const api::EC2NodeClass& nodeClass);
  bool cached(const std::string& name, const std::string& role);
  void remember(const std::string& name, const std::string& role);

  std::shared_ptr<const karpenter::aws::IamClient> iam_;
  Clock now_;
  Options options_;
  std::mutex mutex_;
  // profile name → (role it was verified with, until when)
  std::map<std::string, std::pair<std::string, std::chrono::system_clock::time_point>> checked_;
};

}  // namespace karpenter::cloudprovider::aws
