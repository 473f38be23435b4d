#pragma once

// Internal pieces of EC2NodeClass validation (ec2nodeclass_validation.hpp), one file per group
// of fields. Each appends every violation under its field path; none stops at the first.

#include <regex>
#include <string>
#include <string_view>

#include "karpenter/admission/field_errors.hpp"
#include "karpenter/api/ec2nodeclass.hpp"

namespace karpenter::admission::detail {

inline bool fullMatch(std::string_view value, const std::regex& re) {
  return std::regex_match(value.begin(), value.end(), re);
}

// subnetSelectorTerms, securityGroupSelectorTerms, capacityReservationSelectorTerms,
// amiSelectorTerms (incl. the alias rules) and placementGroupSelector.
void validateSelectorTerms(const api::EC2NodeClassSpec& spec, FieldErrors& errors);

// blockDeviceMappings and metadataOptions.
void validateBlockDeviceMappings(const std::vector<api::BlockDeviceMapping>& mappings,
                                 FieldErrors& errors);
void validateMetadataOptions(const api::MetadataOptions& options, FieldErrors& errors);

// spec.kubelet.
void validateKubelet(const api::KubeletConfiguration& kubelet, FieldErrors& errors);

}  // namespace karpenter::admission::detail
