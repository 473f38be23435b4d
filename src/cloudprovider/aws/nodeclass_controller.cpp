#include "karpenter/cloudprovider/aws/nodeclass_controller.hpp"

#include <algorithm>
#include <stop_token>
#include <vector>

#include <spdlog/spdlog.h>

#include "karpenter/admission/defaulting.hpp"
#include "karpenter/admission/ec2nodeclass_validation.hpp"
#include "karpenter/api/codec.hpp"
#include "karpenter/api/conditions.hpp"
#include "karpenter/cloudprovider/aws/nodeclass_amis.hpp"
#include "karpenter/cloudprovider/aws/nodeclass_hash.hpp"
#include "karpenter/cloudprovider/aws/nodeclass_instance_profile.hpp"
#include "karpenter/cloudprovider/aws/nodeclass_network.hpp"
#include "karpenter/kube/queue_workers.hpp"
#include "karpenter/util/time.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

using json = nlohmann::json;

const kube::ResourceRef kNodeClasses{.group = "karpenter.k8s.aws", .resource = "ec2nodeclasses"};
constexpr std::string_view kGroup = "karpenter.k8s.aws";
constexpr std::string_view kKind = "EC2NodeClass";

api::Condition condition(std::string_view type, bool ok, std::string reason, std::string message,
                         int64_t generation) {
  api::Condition c;
  c.type = type;
  c.status = ok ? api::kConditionTrue : api::kConditionFalse;
  c.reason = ok ? std::string(type) : std::move(reason);
  c.message = ok ? "" : std::move(message);
  c.observedGeneration = generation;
  return c;
}

// Terms as the user wrote them, for messages: [{"tags":{"a":"b"}}].
template <typename Term>
std::string describeTerms(const std::vector<Term>& terms) {
  return api::encodeJsonArray(terms).dump();
}

// The admission rules over the class as the API server stores it: a class written without the
// webhook is judged too, with the CRD defaults applied first (as NodePool status does).
api::Condition validation(const api::EC2NodeClass& nodeClass) {
  const int64_t generation = nodeClass.metadata.generation;
  auto defaulted = api::decodeObject<api::EC2NodeClass>(
      admission::defaultEC2NodeClass(api::encodeObject(nodeClass)), false);
  if (!defaulted) {
    return condition(api::kConditionTypeValidationSucceeded, false, "ValidationFailed",
                     defaulted.error().message, generation);
  }
  const auto errors = admission::validateEC2NodeClass(*defaulted);
  return condition(api::kConditionTypeValidationSucceeded, errors.empty(), "ValidationFailed",
                   errors.aggregate(), generation);
}

std::vector<std::string> nodeClaimsUsing(const state::ClusterSnapshot& snapshot,
                                         const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [claimName, claim] : *snapshot.nodeClaims) {
    const auto& ref = claim->spec.nodeClassRef;
    if (ref.name == name && ref.group == kGroup && ref.kind == kKind) {
      out.push_back(claimName);
    }
  }
  return out;
}

}  // namespace

struct EC2NodeClassController::Impl {
  kube::KubeClient& client;
  state::ClusterState& state;
  Clients clients;
  Options options;
  karpenter::aws::SsmParameterCache ssmCache;
  InstanceProfileManager profiles;
  // Last: its threads call into the members above, so it stops before they are destroyed.
  kube::QueueWorkers threads;

  Impl(kube::KubeClient& c, state::ClusterState& s, Clients cl, Options o)
      : client(c),
        state(s),
        clients(std::move(cl)),
        options(withClock(std::move(o))),
        ssmCache(*clients.ssm, options.clock),
        profiles(clients.iam, options.clock,
                 InstanceProfileManager::Options{.clusterName = options.clusterName,
                                                 .region = options.region,
                                                 .path = options.instanceProfilePath}),
        threads(
            options.workers, "ec2nodeclass",
            [this](const std::string& key) { return kube::requeueAfter(reconcile(key)); },
            [this](kube::WorkQueue& queue, std::stop_token stop) { watch(queue, stop); }) {}

  static Options withClock(Options o) {
    if (!o.clock) {
      o.clock = [] { return std::chrono::system_clock::now(); };
    }
    return o;
  }

  Result<std::chrono::seconds> reconcile(const std::string& name) {
    auto snapshot = state.snapshot();
    if (!snapshot->synced) {
      return Error{ErrorKind::kUnavailable, "the cluster state has not synced yet"};
    }
    auto found = snapshot->nodeClasses->find(name);
    if (found == snapshot->nodeClasses->end()) {
      return std::chrono::seconds(0);
    }
    const api::EC2NodeClass& nodeClass = *found->second;
    const auto& finalizers = nodeClass.metadata.finalizers;
    const bool finalized =
        std::find(finalizers.begin(), finalizers.end(), kNodeClassFinalizer) != finalizers.end();
    // 1. Deletion.
    if (nodeClass.metadata.deletionTimestamp) {
      return finalize(*snapshot, nodeClass, finalized);
    }
    // 2. The finalizer, so deletion waits for step 1.
    if (!finalized) {
      std::vector<std::string> updated = finalizers;
      updated.emplace_back(kNodeClassFinalizer);
      if (auto patched = patchMetadata(nodeClass, {{"finalizers", updated}}); !patched) {
        return patched.error();
      }
    }
    // 3. The drift hash.
    const std::string hash = nodeClassHash(nodeClass.spec);
    const auto& annotations = nodeClass.metadata.annotations;
    auto current = annotations.find(std::string(kNodeClassHashAnnotation));
    auto version = annotations.find(std::string(kNodeClassHashVersionAnnotation));
    if (current == annotations.end() || current->second != hash || version == annotations.end() ||
        version->second != kNodeClassHashVersion) {
      json patch = {{"annotations",
                     {{std::string(kNodeClassHashAnnotation), hash},
                      {std::string(kNodeClassHashVersionAnnotation), kNodeClassHashVersion}}}};
      if (auto patched = patchMetadata(nodeClass, patch, false); !patched) {
        return patched.error();
      }
    }
    // 4. Status.
    if (auto written = resolveStatus(nodeClass); !written) {
      return written.error();
    }
    return options.resolveInterval;
  }

  Result<std::chrono::seconds> finalize(const state::ClusterSnapshot& snapshot,
                                        const api::EC2NodeClass& nodeClass, bool finalized) {
    if (!finalized) {
      return std::chrono::seconds(0);
    }
    const auto users = nodeClaimsUsing(snapshot, nodeClass.metadata.name);
    if (!users.empty()) {
      spdlog::info("ec2nodeclass {}: deletion waits for {} NodeClaim(s), e.g. {}",
                   nodeClass.metadata.name, users.size(), users.front());
      return options.deletionRecheck;
    }
    if (auto removed = profiles.remove(nodeClass); !removed) {
      return removed.error().withContext("deleting the instance profile");
    }
    std::vector<std::string> remaining;
    for (const auto& f : nodeClass.metadata.finalizers) {
      if (f != kNodeClassFinalizer) {
        remaining.push_back(f);
      }
    }
    if (auto patched = patchMetadata(nodeClass, {{"finalizers", remaining}}); !patched) {
      return patched.error();
    }
    spdlog::info("ec2nodeclass {}: finalized", nodeClass.metadata.name);
    return std::chrono::seconds(0);
  }

  // A merge patch of metadata; finalizer lists are guarded by the resourceVersion the snapshot
  // saw, so another controller's finalizer is never dropped by a stale write.
  Result<void> patchMetadata(const api::EC2NodeClass& nodeClass, json metadata,
                             bool guarded = true) {
    if (guarded) {
      metadata["resourceVersion"] = nodeClass.metadata.resourceVersion;
    }
    auto patched = client.patch(kNodeClasses.named(nodeClass.metadata.name),
                                kube::PatchType::kMerge, {{"metadata", metadata}});
    if (!patched) {
      return patched.error();
    }
    return {};
  }

  Result<void> resolveStatus(const api::EC2NodeClass& nodeClass) {
    const int64_t generation = nodeClass.metadata.generation;
    const std::string& name = nodeClass.metadata.name;
    api::EC2NodeClassStatus desired = nodeClass.status;
    std::vector<api::Condition> conditions;

    auto subnets = resolveSubnets(*clients.ec2, nodeClass.spec.subnetSelectorTerms);
    desired.subnets = subnets ? *subnets : std::vector<api::SubnetStatus>{};
    conditions.push_back(
        !subnets
            ? condition(api::kConditionTypeSubnetsReady, false, "SubnetsResolutionFailed",
                        subnets.error().message, generation)
            : condition(api::kConditionTypeSubnetsReady, !subnets->empty(), "SubnetsNotFound",
                        "subnetSelectorTerms " + describeTerms(nodeClass.spec.subnetSelectorTerms) +
                            " matched no subnet",
                        generation));

    auto groups = resolveSecurityGroups(*clients.ec2, nodeClass.spec.securityGroupSelectorTerms);
    desired.securityGroups = groups ? *groups : std::vector<api::SecurityGroupStatus>{};
    conditions.push_back(
        !groups ? condition(api::kConditionTypeSecurityGroupsReady, false,
                            "SecurityGroupsResolutionFailed", groups.error().message, generation)
                : condition(api::kConditionTypeSecurityGroupsReady, !groups->empty(),
                            "SecurityGroupsNotFound",
                            "securityGroupSelectorTerms " +
                                describeTerms(nodeClass.spec.securityGroupSelectorTerms) +
                                " matched no security group",
                            generation));

    auto amis = resolveAmisOf(nodeClass);
    desired.amis = amis ? *amis : std::vector<api::AMIStatus>{};
    conditions.push_back(
        !amis ? condition(api::kConditionTypeAMIsReady, false, "AMIsResolutionFailed",
                          amis.error().message, generation)
              : condition(api::kConditionTypeAMIsReady, !amis->empty(), "AMINotFound",
                          "amiSelectorTerms " + describeTerms(nodeClass.spec.amiSelectorTerms) +
                              " matched no x86_64 or arm64 AMI",
                          generation));

    auto profile = profiles.ensure(nodeClass);
    if (profile) {
      desired.instanceProfile = *profile;
    }
    conditions.push_back(condition(api::kConditionTypeInstanceProfileReady, profile.ok(),
                                   !profile && profile.error().kind == ErrorKind::kNotFound
                                       ? "InstanceProfileNotFound"
                                       : "InstanceProfileFailed",
                                   profile ? "" : profile.error().message, generation));

    conditions.push_back(validation(nodeClass));

    api::Condition ready = condition(api::kConditionTypeReady, true, "", "", generation);
    for (const auto& c : conditions) {
      if (c.status != api::kConditionTrue) {
        ready = condition(api::kConditionTypeReady, false, c.reason,
                          c.type + "=False: " + c.message, generation);
        break;
      }
    }
    conditions.push_back(ready);
    const std::string now = formatRfc3339(options.clock());
    for (auto& c : conditions) {
      api::setCondition(desired.conditions, std::move(c), now);
    }
    if (desired == nodeClass.status) {
      return {};
    }
    spdlog::info("ec2nodeclass {}: {} subnets, {} security groups, {} AMIs, profile {}; {}", name,
                 desired.subnets.size(), desired.securityGroups.size(), desired.amis.size(),
                 desired.instanceProfile.empty() ? "-" : desired.instanceProfile,
                 ready.status == api::kConditionTrue ? "Ready" : "not ready: " + ready.message);
    json status = {{"subnets", api::encodeJsonArray(desired.subnets)},
                   {"securityGroups", api::encodeJsonArray(desired.securityGroups)},
                   {"amis", api::encodeJsonArray(desired.amis)},
                   {"conditions", api::encodeJsonArray(desired.conditions)}};
    status["instanceProfile"] =
        desired.instanceProfile.empty() ? json(nullptr) : json(desired.instanceProfile);
    kube::ResourceRef ref = kNodeClasses.named(name);
    ref.subresource = "status";
    auto patched = client.patch(ref, kube::PatchType::kMerge, {{"status", status}});
    if (!patched) {
      return patched.error();
    }
    return {};
  }

  Result<std::vector<api::AMIStatus>> resolveAmisOf(const api::EC2NodeClass& nodeClass) {
    std::string kubernetesVersion;
    const bool needsVersion =
        std::any_of(nodeClass.spec.amiSelectorTerms.begin(), nodeClass.spec.amiSelectorTerms.end(),
                    [](const auto& term) { return !term.alias.empty(); });
    if (needsVersion) {
      if (!options.kubernetesVersion) {
        return Error{ErrorKind::kInvalid,
                     "an alias AMI needs the cluster's Kubernetes version, and none is configured"};
      }
      auto version = options.kubernetesVersion();
      if (!version) {
        return version.error().withContext("the cluster's Kubernetes version");
      }
      kubernetesVersion = *version;
    }
    return resolveAmis(*clients.ec2, ssmCache, nodeClass.spec.amiSelectorTerms, kubernetesVersion,
                       options.clock());
  }

  // Every state change enqueues every EC2NodeClass: a class's deletion waits on NodeClaims,
  // and its own updates (spec, deletion) arrive the same way.
  void watch(kube::WorkQueue& queue, std::stop_token stop) {
    state::pollSnapshots(state, options.pollInterval, stop,
                         [&](const state::ClusterSnapshot& snapshot) {
                           for (const auto& [name, nodeClass] : *snapshot.nodeClasses) {
                             queue.add(name);
                           }
                         });
  }
};

EC2NodeClassController::EC2NodeClassController(kube::KubeClient& client, state::ClusterState& state,
                                               Clients clients, Options options)
    : impl_(std::make_unique<Impl>(client, state, std::move(clients), std::move(options))) {}

EC2NodeClassController::~EC2NodeClassController() {
  stop();
}

void EC2NodeClassController::start() {
  impl_->threads.start();
}

void EC2NodeClassController::stop() {
  impl_->threads.stop();
}

Result<std::chrono::seconds> EC2NodeClassController::reconcile(const std::string& name) {
  return impl_->reconcile(name);
}

}  // namespace karpenter::cloudprovider::aws
