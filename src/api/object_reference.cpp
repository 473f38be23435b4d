#include "karpenter/api/object_reference.hpp"

namespace karpenter::api {

KARPENTER_JSON_FIELDS(ObjectReference, {
  c("kind", s.kind);
  c("namespace", s.namespace_);
  c("name", s.name);
  c("uid", s.uid);
  c("apiVersion", s.apiVersion);
  c("resourceVersion", s.resourceVersion);
  c("fieldPath", s.fieldPath);
})

}  // namespace karpenter::api
