#pragma once

#include <string>

#include "karpenter/api/codec.hpp"

namespace karpenter::api {

// core/v1 ObjectReference, as used by Event.involvedObject and PersistentVolume.spec.claimRef.
struct ObjectReference {
  std::string kind;
  std::string namespace_;  // JSON "namespace"
  std::string name;
  std::string uid;
  std::string apiVersion;
  std::string resourceVersion;
  std::string fieldPath;
  bool operator==(const ObjectReference&) const = default;
};

void describe(Decoder&, ObjectReference&);
void describe(Encoder&, const ObjectReference&);

}  // namespace karpenter::api
