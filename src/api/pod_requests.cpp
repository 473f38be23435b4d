#include "karpenter/api/pod_requests.hpp"

namespace karpenter::api {
namespace {

constexpr std::string_view kHugePagesPrefix = "hugepages-";

// Unlike resources::add/max these keep every named entry, zero or not, as the Go helpers do
// (a container requesting "cpu: 0" still yields a "cpu" key).
void addInto(ResourceList& total, const ResourceList& more) {
  for (const auto& [name, quantity] : more) {
    auto [it, inserted] = total.try_emplace(name, quantity);
    if (!inserted) {
      it->second += quantity;
    }
  }
}

void maxInto(ResourceList& total, const ResourceList& other) {
  for (const auto& [name, quantity] : other) {
    auto [it, inserted] = total.try_emplace(name, quantity);
    if (!inserted && quantity > it->second) {
      it->second = quantity;
    }
  }
}

}  // namespace

bool isSupportedPodLevelResource(std::string_view name) {
  return name == "cpu" || name == "memory" || name.starts_with(kHugePagesPrefix);
}

bool hasPodLevelRequests(const PodSpec& spec) {
  for (const auto& [name, quantity] : spec.resources.requests) {
    if (isSupportedPodLevelResource(name)) {
      return true;
    }
  }
  return false;
}

ResourceList podRequests(const PodSpec& spec) {
  ResourceList requests;
  for (const Container& container : spec.containers) {
    addInto(requests, container.resources.requests);
  }

  // Sidecars started so far keep running while later init containers run, and after them.
  ResourceList sidecars;
  ResourceList initPeak;
  for (const Container& init : spec.initContainers) {
    if (init.restartPolicy == "Always") {
      addInto(requests, init.resources.requests);
      addInto(sidecars, init.resources.requests);
      maxInto(initPeak, sidecars);
    } else {
      ResourceList whileRunning = init.resources.requests;
      addInto(whileRunning, sidecars);
      maxInto(initPeak, whileRunning);
    }
  }
  maxInto(requests, initPeak);

  if (hasPodLevelRequests(spec)) {
    for (const auto& [name, quantity] : spec.resources.requests) {
      if (isSupportedPodLevelResource(name)) {
        requests.insert_or_assign(name, quantity);
      }
    }
  }

  addInto(requests, spec.overhead);
  return requests;
}

}  // namespace karpenter::api
