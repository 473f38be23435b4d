#pragma once

#include <string_view>

#include "karpenter/api/pod.hpp"
#include "karpenter/api/quantity.hpp"

namespace karpenter::api {

// The effective resource requests of a pod, exactly as kube-scheduler computes them
// (component-helpers/resource PodRequests with default options):
//   1. sum the regular containers' requests;
//   2. walk the init containers in order: a restartable sidecar (restartPolicy "Always") adds to
//      the sum and keeps running; a plain init container needs its own requests plus all sidecars
//      started before it; the init peak is the largest of these;
//   3. take max(sum, init peak) per resource;
//   4. pod-level spec.resources.requests override cpu, memory and hugepages-* when any of those
//      is set there;
//   5. add spec.overhead.
// Resources named anywhere keep their entry even when zero. Pure and thread-safe.
ResourceList podRequests(const PodSpec& spec);

// Resources that may be set in spec.resources: cpu, memory and hugepages-<size>.
bool isSupportedPodLevelResource(std::string_view name);

// True when spec.resources.requests names at least one supported pod-level resource.
bool hasPodLevelRequests(const PodSpec& spec);

}  // namespace karpenter::api
