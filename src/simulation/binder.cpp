#include "karpenter/simulation/binder.hpp"

#include <atomic>
#include <thread>

#include <spdlog/spdlog.h>

#include "karpenter/scheduling/taints.hpp"

namespace karpenter::simulation {
namespace {

bool isReady(const api::Node& node) {
  for (const auto& condition : node.status.conditions) {
    if (condition.type == "Ready") {
      return condition.status == "True";
    }
  }
  return false;
}

}  // namespace

struct NominationBinder::Impl {
  kube::KubeClient& client;
  state::ClusterState& state;
  Options options;
  std::atomic<bool> running{false};
  std::thread loop;

  size_t bindReady() {
    auto snapshot = state.flush();
    const auto now = std::chrono::steady_clock::now();
    size_t bound = 0;
    for (const auto& [key, pod] : *snapshot->pendingPods) {
      auto target = snapshot->nominatedTarget(pod->metadata.uid, now);
      if (!target) {
        continue;
      }
      const state::StateNode* entry = snapshot->node(*target);
      if (entry == nullptr) {
        entry = snapshot->nodeForNodeClaim(*target);
      }
      if (entry == nullptr || entry->node == nullptr || !isReady(*entry->node) ||
          entry->node->metadata.deletionTimestamp ||
          !scheduling::toleratesAll(pod->spec.tolerations, entry->node->spec.taints)) {
        continue;
      }
      const std::string& nodeName = entry->node->metadata.name;
      nlohmann::json binding = {
          {"apiVersion", "v1"},
          {"kind", "Binding"},
          {"metadata", {{"name", pod->metadata.name}, {"namespace", pod->metadata.namespace_}}},
          {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", nodeName}}}};
      auto result = client.create({.resource = "pods",
                                   .nameSpace = pod->metadata.namespace_,
                                   .name = pod->metadata.name,
                                   .subresource = "binding"},
                                  binding);
      if (result) {
        ++bound;
      } else {
        spdlog::debug("binder: {} → {}: {}", key, nodeName, result.error().message);
      }
    }
    return bound;
  }
};

NominationBinder::NominationBinder(kube::KubeClient& client, state::ClusterState& state,
                                   Options options)
    : impl_(new Impl{client, state, options}) {}

NominationBinder::~NominationBinder() {
  stop();
}

void NominationBinder::start() {
  if (impl_->running.exchange(true)) {
    return;
  }
  impl_->loop = std::thread([this] {
    while (impl_->running) {
      impl_->bindReady();
      std::this_thread::sleep_for(impl_->options.pollInterval);
    }
  });
}

void NominationBinder::stop() {
  if (impl_->running.exchange(false)) {
    impl_->loop.join();
  }
}

size_t NominationBinder::bindReady() {
  return impl_->bindReady();
}

}  // namespace karpenter::simulation
