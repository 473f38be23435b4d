#include "karpenter/admission/routes.hpp"

#include <string>

#include "karpenter/admission/review.hpp"
#include "karpenter/admission/webhooks.hpp"

namespace karpenter::admission {
namespace {

using Decide = AdmissionResponse (*)(AdmissionResource, const AdmissionRequest&);

server::JsonHandler reviewHandler(AdmissionResource resource, Decide decide) {
  return [resource, decide](const server::Request&, const nlohmann::ordered_json& body) {
    auto request = decodeAdmissionReview(body);
    if (!request) {
      return server::jsonError(400, "invalid AdmissionReview: " + request.error().message);
    }
    server::Response response;
    // Replace rather than throw on invalid UTF-8: messages quote parts of the request.
    response.body = encodeAdmissionReview(decide(resource, *request))
                        .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    return response;
  };
}

void add(server::Router& router, std::string_view path, AdmissionResource resource, Decide decide) {
  router.addJsonRoute("POST", std::string(path), reviewHandler(resource, decide),
                      server::kDefaultBodyLimit);
}

}  // namespace

void addAdmissionRoutes(server::Router& router) {
  add(router, kValidateNodePoolsPath, AdmissionResource::kNodePool, validateAdmission);
  add(router, kValidateNodeClaimsPath, AdmissionResource::kNodeClaim, validateAdmission);
  add(router, kValidateEC2NodeClassesPath, AdmissionResource::kEC2NodeClass, validateAdmission);
  add(router, kDefaultNodePoolsPath, AdmissionResource::kNodePool, defaultAdmission);
  add(router, kDefaultNodeClaimsPath, AdmissionResource::kNodeClaim, defaultAdmission);
  add(router, kDefaultEC2NodeClassesPath, AdmissionResource::kEC2NodeClass, defaultAdmission);
}

}  // namespace karpenter::admission
