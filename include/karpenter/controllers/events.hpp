#pragma once

#include <string>

#include "karpenter/kube/client.hpp"

namespace karpenter::controllers {

// The object an Event is about (core/v1 ObjectReference fields Events carry).
struct InvolvedObject {
  std::string apiVersion;
  std::string kind;
  std::string nameSpace;  // empty for cluster-scoped objects
  std::string name;
  std::string uid;
};

// Records a core/v1 Event ("Normal" or "Warning") with source component "karpenter", in the
// object's namespace ("default" for cluster-scoped objects, as client-go does). Best effort:
// failures are logged, never returned — an Event must not fail a reconcile.
void recordEvent(kube::KubeClient& client, const InvolvedObject& object, const std::string& type,
                 const std::string& reason, const std::string& message);

}  // namespace karpenter::controllers
