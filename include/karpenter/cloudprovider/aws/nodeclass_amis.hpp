#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "karpenter/api/ec2nodeclass.hpp"
#include "karpenter/aws/ec2_client.hpp"
#include "karpenter/aws/ssm_client.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::cloudprovider::aws {

// One SSM parameter an alias resolves through, and the requirements instances must meet to
// use the AMI it names (architecture; GPU/accelerator variants; Windows).
struct AliasParameter {
  std::string path;
  std::vector<api::NodeSelectorRequirement> requirements;
};

// The EKS-optimized AMI parameters of `alias` (family@version, aws-ec2.md §1.3) for the
// cluster's Kubernetes minor version ("1.31"): AL2023 x86_64/arm64 × standard/nvidia/neuron
// (no arm64 neuron), AL2 standard/arm64/gpu (refused on Kubernetes ≥ 1.33), Bottlerocket
// x86_64/arm64 × standard/nvidia, Windows 2019/2022/2025 (latest only). `latest` ⇒ the
// recommended parameter. kInvalid naming the problem for an unknown family or version form.
Result<std::vector<AliasParameter>> aliasParameters(const std::string& alias,
                                                    const std::string& kubernetesVersion);

// Resolves amiSelectorTerms to status.amis (upstream pkg/providers/amifamily/ami.go):
//  - alias: each parameter through SSM (a missing variant is skipped), then DescribeImages by
//    id; requirements from the parameter;
//  - ssmParameter: the parameter's value is an image id;
//  - id / name / tags (+ owner; name and tag terms default to owners self and amazon):
//    DescribeImages with state=available; requirements = the image's architecture.
// Only x86_64 and arm64 images count. For each distinct requirement set the best image is kept
// (not deprecated over deprecated, then newest CreationDate, then lowest name); the result is
// ordered not-deprecated first, newest first, then by id. Empty is not an error.
Result<std::vector<api::AMIStatus>> resolveAmis(const karpenter::aws::Ec2Client& ec2,
                                                karpenter::aws::SsmParameterCache& ssm,
                                                const std::vector<api::AMISelectorTerm>& terms,
                                                const std::string& kubernetesVersion,
                                                std::chrono::system_clock::time_point now);

}  // namespace karpenter::cloudprovider::aws
