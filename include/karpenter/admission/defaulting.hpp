#pragma once

#include <nlohmann/json.hpp>

namespace karpenter::admission {

// CRD defaults applied by the mutating webhook (karpenter-behaviour.md §1.1, §3; aws-ec2.md §1.1).
// Each function takes the object JSON as received and returns it with only the missing fields
// filled; present fields (even invalid ones) are never changed, so validation still sees them.
// The webhook answers with api::createJsonPatch(original, defaulted), which is empty when nothing
// was missing. Non-object input is returned unchanged. Pure and thread-safe.

// spec.template.spec.expireAfter "720h"; spec.disruption.consolidationPolicy
// "WhenEmptyOrUnderutilized", consolidateAfter "0s", budgets [{nodes: "10%"}]; a budget without
// nodes gets "10%".
nlohmann::json defaultNodePool(const nlohmann::json& pool);

// spec.expireAfter "720h".
nlohmann::json defaultNodeClaim(const nlohmann::json& claim);

// spec.metadataOptions {httpEndpoint: enabled, httpProtocolIPv6: disabled,
// httpPutResponseHopLimit: 1, httpTokens: required}, each field filled when missing; and when
// spec.blockDeviceMappings is absent, null or empty, the family's default volumes (family =
// spec.amiFamily, else the alias's): AL2/AL2023 /dev/xvda 20Gi; Bottlerocket /dev/xvda 4Gi +
// /dev/xvdb 20Gi; Windows* /dev/sda1 50Gi; all encrypted gp3. Custom or an unknown family: none.
nlohmann::json defaultEC2NodeClass(const nlohmann::json& nodeClass);

}  // namespace karpenter::admission
