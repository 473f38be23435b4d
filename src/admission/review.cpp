#include "karpenter/admission/review.hpp"

#include <string_view>

#include <openssl/evp.h>

#include "karpenter/api/codec.hpp"

namespace karpenter::admission {
namespace {

using WireJson = nlohmann::ordered_json;

Error fieldError(std::string_view field, std::string_view problem) {
  return invalidError(std::string(field) + ": " + std::string(problem));
}

std::string typeName(const WireJson& value) {
  return api::jsonTypeName(nlohmann::json(value));
}

// A string member: absent or null → "" (Go's zero value), another type → error.
Result<std::string> stringField(const WireJson& parent, const char* name, std::string_view path) {
  const auto it = parent.find(name);
  if (it == parent.end() || it->is_null()) {
    return std::string();
  }
  if (!it->is_string()) {
    return fieldError(path, "expected a string, got " + typeName(*it));
  }
  return it->get<std::string>();
}

Result<GroupVersionKind> gvkField(const WireJson& request) {
  const auto it = request.find("kind");
  if (it == request.end() || it->is_null()) {
    return fieldError("request.kind", "required");
  }
  if (!it->is_object()) {
    return fieldError("request.kind", "expected an object, got " + typeName(*it));
  }
  GroupVersionKind gvk;
  for (auto [name, target] : {std::pair{"group", &gvk.group}, std::pair{"version", &gvk.version},
                              std::pair{"kind", &gvk.kind}}) {
    auto value = stringField(*it, name, std::string("request.kind.") + name);
    if (!value) {
      return value.error();
    }
    *target = std::move(*value);
  }
  if (gvk.kind.empty()) {
    return fieldError("request.kind.kind", "required");
  }
  return gvk;
}

// object / oldObject: an object when `required`, null or an object otherwise.
Result<nlohmann::json> objectField(const WireJson& request, const char* name, bool required,
                                   const std::string& operation) {
  const std::string path = std::string("request.") + name;
  const auto it = request.find(name);
  if (it == request.end() || it->is_null()) {
    if (required) {
      return fieldError(path, "required for operation " + operation);
    }
    return nlohmann::json();
  }
  if (!it->is_object()) {
    return fieldError(path, "expected an object, got " + typeName(*it));
  }
  return nlohmann::json(*it);
}

Result<void> checkEnvelope(const WireJson& review) {
  if (!review.is_object()) {
    return fieldError("AdmissionReview", "expected an object, got " + typeName(review));
  }
  auto apiVersion = stringField(review, "apiVersion", "apiVersion");
  if (!apiVersion) {
    return apiVersion.error();
  }
  if (*apiVersion != kAdmissionApiVersion) {
    return fieldError("apiVersion", std::string("expected \"") + kAdmissionApiVersion +
                                        "\", got \"" + *apiVersion + "\"");
  }
  auto kind = stringField(review, "kind", "kind");
  if (!kind) {
    return kind.error();
  }
  if (*kind != kAdmissionKind) {
    return fieldError("kind",
                      std::string("expected \"") + kAdmissionKind + "\", got \"" + *kind + "\"");
  }
  return {};
}

}  // namespace

std::string GroupVersionKind::toString() const {
  const std::string groupVersion = group.empty() ? version : group + "/" + version;
  return groupVersion + ", Kind=" + kind;
}

Result<AdmissionRequest> decodeAdmissionReview(const WireJson& review) {
  if (auto envelope = checkEnvelope(review); !envelope) {
    return envelope.error();
  }
  const auto it = review.find("request");
  if (it == review.end() || it->is_null()) {
    return fieldError("request", "required");
  }
  if (!it->is_object()) {
    return fieldError("request", "expected an object, got " + typeName(*it));
  }
  const WireJson& request = *it;
  AdmissionRequest out;
  for (auto [name, target] :
       {std::pair{"uid", &out.uid}, std::pair{"subResource", &out.subResource},
        std::pair{"name", &out.name}, std::pair{"operation", &out.operation}}) {
    auto value = stringField(request, name, std::string("request.") + name);
    if (!value) {
      return value.error();
    }
    *target = std::move(*value);
  }
  if (out.uid.empty()) {
    return fieldError("request.uid", "required");
  }
  const auto& op = out.operation;
  if (op != "CREATE" && op != "UPDATE" && op != "DELETE" && op != "CONNECT") {
    return fieldError("request.operation",
                      "expected one of CREATE, UPDATE, DELETE, CONNECT, got \"" + op + "\"");
  }
  auto gvk = gvkField(request);
  if (!gvk) {
    return gvk.error();
  }
  out.kind = std::move(*gvk);
  auto object = objectField(request, "object", op == "CREATE" || op == "UPDATE", op);
  if (!object) {
    return object.error();
  }
  out.object = std::move(*object);
  auto oldObject = objectField(request, "oldObject", op == "UPDATE", op);
  if (!oldObject) {
    return oldObject.error();
  }
  out.oldObject = std::move(*oldObject);
  if (const auto dryRun = request.find("dryRun"); dryRun != request.end() && !dryRun->is_null()) {
    if (!dryRun->is_boolean()) {
      return fieldError("request.dryRun", "expected a boolean, got " + typeName(*dryRun));
    }
    out.dryRun = dryRun->get<bool>();
  }
  return out;
}

WireJson encodeAdmissionReview(const AdmissionResponse& response) {
  WireJson body = WireJson::object();
  body["uid"] = response.uid;
  body["allowed"] = response.allowed;
  if (response.status) {
    WireJson status = WireJson::object();
    status["metadata"] = WireJson::object();
    status["status"] = response.allowed ? "Success" : "Failure";
    status["message"] = response.status->message;
    if (!response.status->reason.empty()) {
      status["reason"] = response.status->reason;
    }
    status["code"] = response.status->code;
    body["status"] = std::move(status);
  }
  if (response.patch && !response.patch->empty()) {
    body["patch"] = base64Encode(response.patch->dump());
    body["patchType"] = "JSONPatch";
  }
  if (!response.warnings.empty()) {
    body["warnings"] = response.warnings;
  }
  WireJson review = WireJson::object();
  review["apiVersion"] = kAdmissionApiVersion;
  review["kind"] = kAdmissionKind;
  review["response"] = std::move(body);
  return review;
}

std::string base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

}  // namespace karpenter::admission
