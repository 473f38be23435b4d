#pragma once

#include <vector>

#include "karpenter/api/ec2nodeclass.hpp"
#include "karpenter/aws/ec2_client.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::cloudprovider::aws {

// Appends a selector term's tag filters: tag:<key>=<value>, or tag-key=<key> when the value is
// "*" (any value). Shared by the subnet, security-group and AMI selectors.
void addTagFilters(const api::StringMap& tags, std::vector<karpenter::aws::Filter>& filters);

// The DescribeSubnets filters of one selector term (upstream pkg/providers/subnet): `id` ⇒
// subnet-id; each tag ⇒ tag:<key>=<value>, or tag-key=<key> when the value is "*".
std::vector<karpenter::aws::Filter> subnetFilters(const api::SubnetSelectorTerm& term);
// The DescribeSecurityGroups filters of one term: group-id, group-name, tags as above.
std::vector<karpenter::aws::Filter> securityGroupFilters(
    const api::SecurityGroupSelectorTerm& term);

// Every subnet any term matches (terms ORed, one DescribeSubnets each), once, most free IPv4
// addresses first (ties by id), as EC2NodeClass status.subnets lists them. An empty result is
// not an error: the caller reports it as a condition.
Result<std::vector<api::SubnetStatus>> resolveSubnets(
    const karpenter::aws::Ec2Client& ec2, const std::vector<api::SubnetSelectorTerm>& terms);
// Every security group any term matches, once, sorted by id.
Result<std::vector<api::SecurityGroupStatus>> resolveSecurityGroups(
    const karpenter::aws::Ec2Client& ec2, const std::vector<api::SecurityGroupSelectorTerm>& terms);

}  // namespace karpenter::cloudprovider::aws
