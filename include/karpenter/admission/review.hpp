#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/util/result.hpp"

namespace karpenter::admission {

// AdmissionReview admission.k8s.io/v1 on the wire (k8s.io/api/admission/v1, kube-wire.md §2.1):
// the request half the API server sends and the response half a webhook returns. Only v1 is
// spoken; the API server picks it from the webhook configuration's admissionReviewVersions.
// Pure values; thread-safe.

inline constexpr const char* kAdmissionApiVersion = "admission.k8s.io/v1";
inline constexpr const char* kAdmissionKind = "AdmissionReview";

struct GroupVersionKind {
  std::string group;  // "" for the core group
  std::string version;
  std::string kind;
  bool operator==(const GroupVersionKind&) const = default;
  // "karpenter.sh/v1, Kind=NodePool", as apimachinery prints a GVK.
  std::string toString() const;
};

struct AdmissionRequest {
  std::string uid;
  GroupVersionKind kind;
  std::string subResource;  // "" for the main resource, "status", "scale", ...
  std::string name;
  std::string operation;     // CREATE | UPDATE | DELETE | CONNECT
  nlohmann::json object;     // an object for CREATE and UPDATE, else null
  nlohmann::json oldObject;  // an object for UPDATE, null or an object otherwise
  bool dryRun = false;
};

// metav1.Status as a denial carries it.
struct AdmissionStatus {
  int code = 403;
  std::string reason;  // "Forbidden", "BadRequest"
  std::string message;
};

struct AdmissionResponse {
  std::string uid;  // must equal the request's uid
  bool allowed = true;
  std::optional<AdmissionStatus> status;  // set on denial
  // JSON Patch operations (RFC 6902) for a mutating webhook; sent base64-encoded with
  // patchType "JSONPatch", and omitted (with patchType) when unset or empty.
  std::optional<nlohmann::json> patch;
  std::vector<std::string> warnings;
};

// Decodes an AdmissionReview request. Rejects (kInvalid, message naming the field, e.g.
// `request.uid: required`) what a conforming API server never sends: another apiVersion or kind,
// no request, an empty uid, an unknown operation, CREATE/UPDATE without an object, UPDATE
// without an oldObject, or a field of the wrong JSON type.
Result<AdmissionRequest> decodeAdmissionReview(const nlohmann::ordered_json& review);

// {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{...}} with the
// response fields in Go's order and Go's omitempty rules.
nlohmann::ordered_json encodeAdmissionReview(const AdmissionResponse& response);

// Standard base64 with padding, as Go's encoding/json writes a []byte.
std::string base64Encode(std::string_view bytes);

}  // namespace karpenter::admission
