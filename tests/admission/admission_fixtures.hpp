#pragma once

// Shared AdmissionReview requests for the webhook tests: valid objects of each served kind and
// a builder for the review envelope the API server sends.

#include <string>

#include <nlohmann/json.hpp>

namespace karpenter::testing {

inline nlohmann::json validNodePool() {
  return nlohmann::json::parse(R"({"apiVersion":"karpenter.sh/v1","kind":"NodePool",
    "metadata":{"name":"default"},
    "spec":{"template":{"spec":{
      "requirements":[{"key":"kubernetes.io/arch","operator":"In","values":["amd64"]}],
      "nodeClassRef":{"group":"karpenter.k8s.aws","kind":"EC2NodeClass","name":"default"}}}}})");
}

inline nlohmann::json validNodeClaim() {
  return nlohmann::json::parse(R"({"apiVersion":"karpenter.sh/v1","kind":"NodeClaim",
    "metadata":{"name":"default-abcde"},
    "spec":{"requirements":[{"key":"karpenter.sh/nodepool","operator":"In","values":["default"]}],
      "nodeClassRef":{"group":"karpenter.k8s.aws","kind":"EC2NodeClass","name":"default"}}})");
}

inline nlohmann::json validEC2NodeClass() {
  return nlohmann::json::parse(R"({"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass",
    "metadata":{"name":"default"},
    "spec":{"role":"KarpenterNodeRole","amiSelectorTerms":[{"alias":"bottlerocket@v1.20.3"}],
      "subnetSelectorTerms":[{"tags":{"karpenter.sh/discovery":"demo"}}],
      "securityGroupSelectorTerms":[{"id":"sg-0123"}]}})");
}

// An AdmissionReview request as kube-apiserver sends it (kube-wire.md §2.1).
inline nlohmann::json review(const std::string& operation, const std::string& group,
                             const std::string& kind, const nlohmann::json& object,
                             const nlohmann::json& oldObject = nullptr,
                             const std::string& uid = "705ab4f5-6393-11e8-b7cc-42010a800002") {
  const std::string resource = kind == "EC2NodeClass" ? "ec2nodeclasses"
                               : kind == "NodePool"   ? "nodepools"
                                                      : "nodeclaims";
  return nlohmann::json{
      {"apiVersion", "admission.k8s.io/v1"},
      {"kind", "AdmissionReview"},
      {"request",
       {{"uid", uid},
        {"kind", {{"group", group}, {"version", "v1"}, {"kind", kind}}},
        {"resource", {{"group", group}, {"version", "v1"}, {"resource", resource}}},
        {"requestKind", {{"group", group}, {"version", "v1"}, {"kind", kind}}},
        {"name", object.is_object() ? object["metadata"].value("name", "") : ""},
        {"operation", operation},
        {"userInfo", {{"username", "admin"}, {"groups", {"system:authenticated"}}}},
        {"object", object},
        {"oldObject", oldObject},
        {"dryRun", false},
        {"options", {{"apiVersion", "meta.k8s.io/v1"}, {"kind", "CreateOptions"}}}}}};
}

}  // namespace karpenter::testing
