#include "karpenter/controllers/events.hpp"

#include <chrono>
#include <random>

#include <spdlog/spdlog.h>

#include "karpenter/util/time.hpp"

namespace karpenter::controllers {
namespace {

// client-go names events "<object>.<hex unix nanos>"; a random suffix serves the same purpose.
std::string eventName(const std::string& objectName) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random()));
  return objectName + "." + suffix;
}

}  // namespace

void recordEvent(kube::KubeClient& client, const InvolvedObject& object, const std::string& type,
                 const std::string& reason, const std::string& message) {
  const std::string ns = object.nameSpace.empty() ? "default" : object.nameSpace;
  const std::string now = formatRfc3339(std::chrono::system_clock::now());
  nlohmann::json event = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"name", eventName(object.name)}, {"namespace", ns}}},
      {"involvedObject",
       {{"apiVersion", object.apiVersion}, {"kind", object.kind}, {"name", object.name}}},
      {"type", type},
      {"reason", reason},
      {"message", message},
      {"source", {{"component", "karpenter"}}},
      {"reportingComponent", "karpenter"},
      {"firstTimestamp", now},
      {"lastTimestamp", now},
      {"count", 1},
  };
  if (!object.nameSpace.empty()) {
    event["involvedObject"]["namespace"] = object.nameSpace;
  }
  if (!object.uid.empty()) {
    event["involvedObject"]["uid"] = object.uid;
  }
  auto created = client.create({.resource = "events", .nameSpace = ns}, event);
  if (!created) {
    spdlog::debug("event {} for {} {}: {}", reason, object.kind, object.name,
                  created.error().message);
  }
}

}  // namespace karpenter::controllers
