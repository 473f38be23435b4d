#pragma once

#include <string_view>

#include "karpenter/server/http.hpp"

namespace karpenter::admission {

// The webhook paths; webhooks/ configurations point at exactly these.
inline constexpr std::string_view kValidateNodePoolsPath = "/validate/karpenter.sh/nodepools";
inline constexpr std::string_view kValidateNodeClaimsPath = "/validate/karpenter.sh/nodeclaims";
inline constexpr std::string_view kValidateEC2NodeClassesPath =
    "/validate/karpenter.k8s.aws/ec2nodeclasses";
inline constexpr std::string_view kDefaultNodePoolsPath = "/default/karpenter.sh/nodepools";
inline constexpr std::string_view kDefaultNodeClaimsPath = "/default/karpenter.sh/nodeclaims";
inline constexpr std::string_view kDefaultEC2NodeClassesPath =
    "/default/karpenter.k8s.aws/ec2nodeclasses";

// Registers POST on the six paths above with server::kDefaultBodyLimit. Each answers an
// AdmissionReview admission.k8s.io/v1 with 200 and an AdmissionReview carrying the response
// (webhooks.hpp); a body that is JSON but not a well-formed AdmissionReview request is a 400
// naming the field (`invalid AdmissionReview: request.uid: required`). The Router adds 405, 413,
// 415 and 400-for-bad-JSON. Handlers are stateless, so the Router stays safe to share.
void addAdmissionRoutes(server::Router& router);

}  // namespace karpenter::admission
