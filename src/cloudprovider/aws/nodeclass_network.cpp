#include "karpenter/cloudprovider/aws/nodeclass_network.hpp"

#include <algorithm>
#include <map>

namespace karpenter::cloudprovider::aws {
using karpenter::aws::Filter;

void addTagFilters(const api::StringMap& tags, std::vector<Filter>& filters) {
  for (const auto& [key, value] : tags) {
    if (value == "*") {
      filters.push_back({"tag-key", {key}});
    } else {
      filters.push_back({"tag:" + key, {value}});
    }
  }
}

std::vector<Filter> subnetFilters(const api::SubnetSelectorTerm& term) {
  std::vector<Filter> filters;
  if (!term.id.empty()) {
    filters.push_back({"subnet-id", {term.id}});
  }
  addTagFilters(term.tags, filters);
  return filters;
}

std::vector<Filter> securityGroupFilters(const api::SecurityGroupSelectorTerm& term) {
  std::vector<Filter> filters;
  if (!term.id.empty()) {
    filters.push_back({"group-id", {term.id}});
  }
  if (!term.name.empty()) {
    filters.push_back({"group-name", {term.name}});
  }
  addTagFilters(term.tags, filters);
  return filters;
}

Result<std::vector<api::SubnetStatus>> resolveSubnets(
    const karpenter::aws::Ec2Client& ec2, const std::vector<api::SubnetSelectorTerm>& terms) {
  std::map<std::string, karpenter::aws::Subnet> byId;
  for (const auto& term : terms) {
    auto subnets = ec2.describeSubnets(subnetFilters(term));
    if (!subnets) {
      return subnets.error();
    }
    for (auto& subnet : *subnets) {
      byId[subnet.id] = std::move(subnet);
    }
  }
  std::vector<karpenter::aws::Subnet> sorted;
  for (auto& [id, subnet] : byId) {
    sorted.push_back(std::move(subnet));
  }
  // Launches take the first subnet of a zone, so the emptiest goes first.
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.availableIpAddressCount > b.availableIpAddressCount;
  });
  std::vector<api::SubnetStatus> out;
  for (const auto& subnet : sorted) {
    out.push_back({subnet.id, subnet.availabilityZone, subnet.availabilityZoneId});
  }
  return out;
}

Result<std::vector<api::SecurityGroupStatus>> resolveSecurityGroups(
    const karpenter::aws::Ec2Client& ec2,
    const std::vector<api::SecurityGroupSelectorTerm>& terms) {
  std::map<std::string, std::string> byId;
  for (const auto& term : terms) {
    auto groups = ec2.describeSecurityGroups(securityGroupFilters(term));
    if (!groups) {
      return groups.error();
    }
    for (const auto& group : *groups) {
      byId[group.id] = group.name;
    }
  }
  std::vector<api::SecurityGroupStatus> out;
  for (const auto& [id, name] : byId) {
    out.push_back({id, name});
  }
  return out;
}

}  // namespace karpenter::cloudprovider::aws
