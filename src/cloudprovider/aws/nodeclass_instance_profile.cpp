#include "karpenter/cloudprovider/aws/nodeclass_instance_profile.hpp"

#include <spdlog/spdlog.h>

#include "karpenter/api/well_known.hpp"
#include "karpenter/cloudprovider/aws/nodeclass_hash.hpp"

namespace karpenter::cloudprovider::aws {

using karpenter::aws::isAlreadyExists;
using karpenter::aws::roleNameFromPath;

InstanceProfileManager::InstanceProfileManager(std::shared_ptr<const karpenter::aws::IamClient> iam,
                                               Clock now, Options options)
    : iam_(std::move(iam)), now_(std::move(now)), options_(std::move(options)) {}

std::string InstanceProfileManager::generatedName(const std::string& clusterName,
                                                  const std::string& region,
                                                  const api::EC2NodeClass& nodeClass) {
  return clusterName + "_" +
         std::to_string(fnv1a64(region + nodeClass.metadata.name + nodeClass.metadata.uid));
}

karpenter::aws::Tags InstanceProfileManager::profileTags(const api::EC2NodeClass& nodeClass) const {
  karpenter::aws::Tags tags(nodeClass.spec.tags.begin(), nodeClass.spec.tags.end());
  tags["kubernetes.io/cluster/" + options_.clusterName] = "owned";
  tags["eks:eks-cluster-name"] = options_.clusterName;
  tags["karpenter.k8s.aws/ec2nodeclass"] = nodeClass.metadata.name;
  tags[std::string(api::kLabelTopologyRegion)] = options_.region;
  return tags;
}

bool InstanceProfileManager::cached(const std::string& name, const std::string& role) {
  std::lock_guard lock(mutex_);
  auto it = checked_.find(name);
  return it != checked_.end() && it->second.first == role && now_() < it->second.second;
}

void InstanceProfileManager::remember(const std::string& name, const std::string& role) {
  std::lock_guard lock(mutex_);
  checked_[name] = {role, now_() + options_.cacheTtl};
}

Result<std::string> InstanceProfileManager::ensure(const api::EC2NodeClass& nodeClass) {
  if (nodeClass.spec.instanceProfile && !nodeClass.spec.instanceProfile->empty()) {
    return ensureGiven(*nodeClass.spec.instanceProfile);
  }
  if (nodeClass.spec.role.empty()) {
    return invalidError("neither spec.role nor spec.instanceProfile is set");
  }
  return ensureGenerated(nodeClass);
}

Result<std::string> InstanceProfileManager::ensureGiven(const std::string& name) {
  if (cached(name, "")) {
    return name;
  }
  auto profile = iam_->getInstanceProfile(name);
  if (!profile) {
    if (profile.error().kind == ErrorKind::kNotFound) {
      return notFoundError("instance profile " + name + " (spec.instanceProfile) does not exist");
    }
    return profile.error();
  }
  if (profile->roles.empty()) {
    return invalidError("instance profile " + name +
                        " (spec.instanceProfile) has no role; add the node role to it");
  }
  remember(name, "");
  return name;
}

Result<std::string> InstanceProfileManager::ensureGenerated(const api::EC2NodeClass& nodeClass) {
  const std::string name = generatedName(options_.clusterName, options_.region, nodeClass);
  const std::string role = roleNameFromPath(nodeClass.spec.role);
  if (cached(name, role)) {
    return name;
  }
  // Checking the role first keeps a typo in spec.role from leaving an empty profile behind.
  if (auto found = iam_->getRole(role); !found) {
    if (found.error().kind == ErrorKind::kNotFound) {
      return notFoundError("role " + nodeClass.spec.role + " (spec.role) does not exist");
    }
    return found.error();
  }
  const auto tags = profileTags(nodeClass);
  auto profile = iam_->getInstanceProfile(name);
  if (!profile && profile.error().kind == ErrorKind::kNotFound) {
    auto created = iam_->createInstanceProfile(name, tags, options_.path);
    if (!created && isAlreadyExists(created.error())) {
      created = iam_->getInstanceProfile(name);  // another replica won the race
    } else if (created) {
      spdlog::info("ec2nodeclass {}: created instance profile {}", nodeClass.metadata.name, name);
    }
    profile = std::move(created);
  }
  if (!profile) {
    return profile.error();
  }
  bool hasRole = false;
  for (const auto& attached : profile->roles) {
    if (attached.name == role) {
      hasRole = true;
      continue;
    }
    // A profile holds one role: the old one must go before spec.role can be added.
    if (auto removed = iam_->removeRoleFromInstanceProfile(name, attached.name);
        !removed && removed.error().kind != ErrorKind::kNotFound) {
      return removed.error();
    }
  }
  if (!hasRole) {
    if (auto added = iam_->addRoleToInstanceProfile(name, role); !added) {
      return added.error();
    }
  }
  karpenter::aws::Tags missing;
  for (const auto& [key, value] : tags) {
    auto it = profile->tags.find(key);
    if (it == profile->tags.end() || it->second != value) {
      missing[key] = value;
    }
  }
  if (!missing.empty()) {
    if (auto tagged = iam_->tagInstanceProfile(name, missing); !tagged) {
      return tagged.error();
    }
  }
  remember(name, role);
  return name;
}

Result<void> InstanceProfileManager::remove(const api::EC2NodeClass& nodeClass) {
  if (nodeClass.spec.role.empty()) {
    return {};  // a given profile belongs to whoever made it
  }
  const std::string name = generatedName(options_.clusterName, options_.region, nodeClass);
  {
    std::lock_guard lock(mutex_);
    checked_.erase(name);
  }
  auto profile = iam_->getInstanceProfile(name);
  if (!profile) {
    return profile.error().kind == ErrorKind::kNotFound ? Result<void>() : profile.error();
  }
  for (const auto& attached : profile->roles) {
    if (auto removed = iam_->removeRoleFromInstanceProfile(name, attached.name);
        !removed && removed.error().kind != ErrorKind::kNotFound) {
      return removed.error();
    }
  }
  auto deleted = iam_->deleteInstanceProfile(name);
  if (!deleted && deleted.error().kind != ErrorKind::kNotFound) {
    return deleted.error();
  }
  spdlog::info("ec2nodeclass {}: deleted instance profile {}", nodeClass.metadata.name, name);
  return {};
}

}  // namespace karpenter::cloudprovider::aws
