#pragma once

#include "karpenter/admission/review.hpp"

namespace karpenter::admission {

// The decisions of the validating and defaulting webhooks, from a decoded AdmissionRequest to
// the AdmissionResponse (uid echoed). Pure and thread-safe; dryRun changes nothing because
// neither webhook has side effects.
//
// Both webhooks, in order:
// - DELETE and CONNECT: allowed, no work.
// - a request for a subresource (status, scale): allowed, no work; such writes cannot change the
//   spec these webhooks check.
// - a kind other than the one served: denied, code 400, naming both kinds (a webhook
//   configuration that routes the wrong resource here should fail loudly, not pass silently).
// Validating: the object (and for UPDATE the old object) is decoded into the typed model (a
// decode error is denied with code 400 naming the field) and checked with the rules of
// nodepool_validation.hpp / ec2nodeclass_validation.hpp; violations are denied with code 403,
// reason Forbidden, and the message `<Kind>.<group> "<name>" is invalid: [<field errors>]`.
// Defaulting: always allowed; a JSON Patch from the object to defaulting.hpp's result is
// attached when it is not empty.

enum class AdmissionResource { kNodePool, kNodeClaim, kEC2NodeClass };

// karpenter.sh/v1 NodePool, karpenter.sh/v1 NodeClaim, karpenter.k8s.aws/v1 EC2NodeClass.
GroupVersionKind servedKind(AdmissionResource resource);

AdmissionResponse validateAdmission(AdmissionResource resource, const AdmissionRequest& request);
AdmissionResponse defaultAdmission(AdmissionResource resource, const AdmissionRequest& request);

}  // namespace karpenter::admission
