#include "karpenter/admission/webhooks.hpp"

#include <string>
#include <vector>

#include "karpenter/admission/defaulting.hpp"
#include "karpenter/admission/ec2nodeclass_validation.hpp"
#include "karpenter/admission/nodepool_validation.hpp"
#include "karpenter/api/codec.hpp"
#include "karpenter/api/ec2nodeclass.hpp"
#include "karpenter/api/nodeclaim.hpp"
#include "karpenter/api/nodepool.hpp"
#include "karpenter/api/patch.hpp"

namespace karpenter::admission {
namespace {

AdmissionResponse allow(const AdmissionRequest& request) {
  AdmissionResponse response;
  response.uid = request.uid;
  return response;
}

AdmissionResponse deny(const AdmissionRequest& request, int code, std::string reason,
                       std::string message) {
  AdmissionResponse response = allow(request);
  response.allowed = false;
  response.status = AdmissionStatus{code, std::move(reason), std::move(message)};
  return response;
}

// The early answers shared by both webhooks; nullopt when the request needs real work.
std::optional<AdmissionResponse> screen(AdmissionResource resource,
                                        const AdmissionRequest& request) {
  if (request.operation == "DELETE" || request.operation == "CONNECT" ||
      !request.subResource.empty()) {
    return allow(request);
  }
  const GroupVersionKind served = servedKind(resource);
  if (!(request.kind == served)) {
    return deny(request, 400, "BadRequest",
                "this webhook serves " + served.toString() + ", but the request is for " +
                    request.kind.toString() + "; check the webhook configuration's rules");
  }
  return std::nullopt;
}

std::string objectName(const nlohmann::json& object) {
  const auto metadata = object.find("metadata");
  if (metadata != object.end() && metadata->is_object()) {
    const auto name = metadata->find("name");
    if (name != metadata->end() && name->is_string()) {
      return name->get<std::string>();
    }
  }
  return {};
}

// apimachinery's NewInvalid wording: `NodePool.karpenter.sh "default" is invalid: [...]`.
AdmissionResponse denyInvalid(AdmissionResource resource, const AdmissionRequest& request,
                              const FieldErrors& errors) {
  const GroupVersionKind served = servedKind(resource);
  const std::string name = request.name.empty() ? objectName(request.object) : request.name;
  return deny(
      request, 403, "Forbidden",
      served.kind + "." + served.group + " \"" + name + "\" is invalid: " + errors.aggregate());
}

template <typename T>
Result<T> decodeField(const nlohmann::json& object, const char* which) {
  auto decoded = api::decodeObject<T>(object);
  if (!decoded) {
    return decoded.error().withContext(which);
  }
  return decoded;
}

// Decodes object (and oldObject for UPDATE), runs `check(old, updated)` or `check(updated)`.
template <typename T, typename Create, typename Update>
AdmissionResponse validateTyped(AdmissionResource resource, const AdmissionRequest& request,
                                Create create, Update update,
                                std::vector<std::string> (*warn)(const T&) = nullptr) {
  auto object = decodeField<T>(request.object, "object");
  if (!object) {
    return deny(request, 400, "BadRequest", object.error().message);
  }
  FieldErrors errors;
  if (request.operation == "UPDATE") {
    auto old = decodeField<T>(request.oldObject, "oldObject");
    if (!old) {
      return deny(request, 400, "BadRequest", old.error().message);
    }
    errors = update(*old, *object);
  } else {
    errors = create(*object);
  }
  if (!errors.empty()) {
    return denyInvalid(resource, request, errors);
  }
  AdmissionResponse response = allow(request);
  if (warn != nullptr) {
    response.warnings = warn(*object);
  }
  return response;
}

// `latest` follows every AMI release, so nodes drift whenever AWS publishes one.
std::vector<std::string> nodeClassWarnings(const api::EC2NodeClass& nodeClass) {
  std::vector<std::string> warnings;
  for (const auto& term : nodeClass.spec.amiSelectorTerms) {
    if (term.alias.ends_with("@latest")) {
      warnings.push_back("amiSelectorTerms alias " + term.alias +
                         " drifts nodes on every AMI release; pin a version in production");
    }
  }
  return warnings;
}

}  // namespace

GroupVersionKind servedKind(AdmissionResource resource) {
  switch (resource) {
    case AdmissionResource::kNodePool:
      return {"karpenter.sh", "v1", "NodePool"};
    case AdmissionResource::kNodeClaim:
      return {"karpenter.sh", "v1", "NodeClaim"};
    case AdmissionResource::kEC2NodeClass:
      return {"karpenter.k8s.aws", "v1", "EC2NodeClass"};
  }
  return {};
}

AdmissionResponse validateAdmission(AdmissionResource resource, const AdmissionRequest& request) {
  if (auto early = screen(resource, request)) {
    return *early;
  }
  switch (resource) {
    case AdmissionResource::kNodePool:
      return validateTyped<api::NodePool>(resource, request, validateNodePool,
                                          validateNodePoolUpdate);
    case AdmissionResource::kNodeClaim:
      return validateTyped<api::NodeClaim>(resource, request, validateNodeClaim,
                                           validateNodeClaimUpdate);
    case AdmissionResource::kEC2NodeClass:
      return validateTyped<api::EC2NodeClass>(resource, request, validateEC2NodeClass,
                                              validateEC2NodeClassUpdate, nodeClassWarnings);
  }
  return allow(request);
}

AdmissionResponse defaultAdmission(AdmissionResource resource, const AdmissionRequest& request) {
  if (auto early = screen(resource, request)) {
    return *early;
  }
  nlohmann::json defaulted;
  switch (resource) {
    case AdmissionResource::kNodePool:
      defaulted = defaultNodePool(request.object);
      break;
    case AdmissionResource::kNodeClaim:
      defaulted = defaultNodeClaim(request.object);
      break;
    case AdmissionResource::kEC2NodeClass:
      defaulted = defaultEC2NodeClass(request.object);
      break;
  }
  AdmissionResponse response = allow(request);
  nlohmann::json patch = api::createJsonPatch(request.object, defaulted);
  if (!patch.empty()) {
    response.patch = std::move(patch);
  }
  return response;
}

}  // namespace karpenter::admission
