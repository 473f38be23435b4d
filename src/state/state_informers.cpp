#include "karpenter/state/state_informers.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include "karpenter/kube/informer.hpp"
#include "karpenter/state/transforms.hpp"

namespace karpenter::state {
namespace {

// Starts, stops and reports on an Informer<T> without knowing T.
class AnyInformer {
 public:
  virtual ~AnyInformer() = default;
  virtual void start() = 0;
  virtual void stop() = 0;
  virtual bool hasSynced() const = 0;
};

template <typename T>
class StateInformer final : public AnyInformer {
 public:
  StateInformer(kube::KubeClient& client, kube::InformerOptions options,
                typename kube::Informer<T>::Transform transform, ClusterState& state,
                std::function<void()> onSynced)
      : informer_(client, std::move(options), std::move(transform),
                  {.onAdd = [&state](const Ptr<T>& o) { state.apply(Change::kUpsert, o); },
                   .onUpdate = [&state](const Ptr<T>&,
                                        const Ptr<T>& o) { state.apply(Change::kUpsert, o); },
                   .onDelete = [&state](const Ptr<T>& o) { state.apply(Change::kDelete, o); },
                   .onSynced = std::move(onSynced)}) {}

  void start() override { informer_.start(); }
  void stop() override { informer_.stop(); }
  bool hasSynced() const override { return informer_.hasSynced(); }

 private:
  kube::Informer<T> informer_;
};

}  // namespace

struct StateInformers::Impl {
  ClusterState& state;
  std::vector<std::unique_ptr<AnyInformer>> informers;
  std::atomic<size_t> synced{0};

  explicit Impl(ClusterState& s) : state(s) {}

  template <typename T>
  void add(kube::KubeClient& client, const Options& options, kube::ResourceRef resource,
           typename kube::Informer<T>::Transform transform) {
    kube::InformerOptions informerOptions{.resource = std::move(resource),
                                          .pageSize = options.pageSize,
                                          .watchTimeout = options.watchTimeout,
                                          .resyncPeriod = options.resyncPeriod,
                                          .initialBackoff = options.initialBackoff,
                                          .maxBackoff = options.maxBackoff};
    informers.push_back(std::make_unique<StateInformer<T>>(client, std::move(informerOptions),
                                                           std::move(transform), state, [this] {
                                                             if (++synced == informers.size()) {
                                                               state.setSynced(true);
                                                             }
                                                           }));
  }
};

StateInformers::StateInformers(kube::KubeClient& client, ClusterState& state, Options options)
    : impl_(std::make_unique<Impl>(state)) {
  auto& i = *impl_;
  i.add<api::Node>(client, options, {.resource = "nodes"}, compactNode);
  i.add<api::Pod>(client, options, {.resource = "pods"}, compactPod);
  i.add<api::NodeClaim>(client, options, {.group = "karpenter.sh", .resource = "nodeclaims"},
                        compactNodeClaim);
  i.add<api::NodePool>(client, options, {.group = "karpenter.sh", .resource = "nodepools"},
                       compactNodePool);
  i.add<api::EC2NodeClass>(client, options,
                           {.group = "karpenter.k8s.aws", .resource = "ec2nodeclasses"},
                           compactEC2NodeClass);
  i.add<api::DaemonSet>(client, options, {.group = "apps", .resource = "daemonsets"},
                        compactDaemonSet);
  i.add<api::PodDisruptionBudget>(client, options,
                                  {.group = "policy", .resource = "poddisruptionbudgets"},
                                  compactPodDisruptionBudget);
  i.add<api::PersistentVolume>(client, options, {.resource = "persistentvolumes"},
                               compactPersistentVolume);
  i.add<api::PersistentVolumeClaim>(client, options, {.resource = "persistentvolumeclaims"},
                                    compactPersistentVolumeClaim);
  i.add<api::StorageClass>(client, options,
                           {.group = "storage.k8s.io", .resource = "storageclasses"},
                           compactStorageClass);
  i.add<api::CSINode>(client, options, {.group = "storage.k8s.io", .resource = "csinodes"},
                      compactCSINode);
}

StateInformers::~StateInformers() {
  stop();
}

void StateInformers::start() {
  for (auto& informer : impl_->informers) {
    informer->start();
  }
}

void StateInformers::stop() {
  // In parallel: each stop() waits up to about a second for its watch to notice.
  std::vector<std::thread> stoppers;
  for (auto& informer : impl_->informers) {
    stoppers.emplace_back([&informer] { informer->stop(); });
  }
  for (auto& stopper : stoppers) {
    stopper.join();
  }
}

bool StateInformers::hasSynced() const {
  for (const auto& informer : impl_->informers) {
    if (!informer->hasSynced()) {
      return false;
    }
  }
  return true;
}

}  // namespace karpenter::state
