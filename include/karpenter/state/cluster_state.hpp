#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>

#include "karpenter/state/snapshot.hpp"

namespace karpenter::state {

enum class Change { kUpsert, kDelete };

// Karpenter's in-memory mirror of the cluster (upstream pkg/controllers/state.Cluster), fed by
// informers through apply(), read through immutable snapshots.
//
// Snapshot model: writers apply changes to private indices under a writer mutex and mark what
// they touched dirty; publication builds a new ClusterSnapshot that shares every unchanged
// collection and every unchanged StateNode with the previous one (a pod event rebuilds one
// StateNode — its pod list and sums — plus the by-name index of node pointers), then swaps the
// published pointer under a mutex held only for that pointer copy. So snapshot() never waits
// for a writer and a writer never waits for a reader.
//
// Publication is batched: with publishInterval > 0 a background thread publishes at most that
// often when something changed; with 0 every apply() publishes before it returns. flush()
// publishes at once: a snapshot() taken after flush() reflects every apply() that returned
// before flush() was called (the determinism tests need).
//
// Thread safety: every method may be called from any thread.
class ClusterState final {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  struct Options {
    std::chrono::milliseconds publishInterval{10};
    Clock now;  // nominations' expiry; steady_clock when empty
  };

  ClusterState();
  explicit ClusterState(Options options);
  ~ClusterState();
  ClusterState(const ClusterState&) = delete;
  ClusterState& operator=(const ClusterState&) = delete;

  // The latest published snapshot. Never blocks on writers.
  std::shared_ptr<const ClusterSnapshot> snapshot() const;
  // Publishes pending changes now and returns the new snapshot.
  std::shared_ptr<const ClusterSnapshot> flush();

  // Informer input. An upsert replaces the object with the same key; a delete removes it.
  void apply(Change change, Ptr<api::Pod> pod);
  void apply(Change change, Ptr<api::Node> node);
  void apply(Change change, Ptr<api::NodeClaim> nodeClaim);
  void apply(Change change, Ptr<api::NodePool> nodePool);
  void apply(Change change, Ptr<api::EC2NodeClass> nodeClass);
  void apply(Change change, Ptr<api::DaemonSet> daemonSet);
  void apply(Change change, Ptr<api::PodDisruptionBudget> pdb);
  void apply(Change change, Ptr<api::PersistentVolume> pv);
  void apply(Change change, Ptr<api::PersistentVolumeClaim> pvc);
  void apply(Change change, Ptr<api::StorageClass> storageClass);
  // Keeps only the CSINode's volume limits, for the Node of the same name.
  void apply(Change change, Ptr<api::CSINode> csiNode);
  // Whether every informer has delivered its initial list.
  void setSynced(bool synced);

  // The provisioner's promise that a pod will land on `target` (a Node or NodeClaim name);
  // forgotten after `ttl`.
  void nominate(const std::string& podUid, const std::string& target,
                std::chrono::steady_clock::duration ttl);
  // Nodes / NodeClaims a disruption command is about to remove.
  void markForDeletion(const std::string& name);
  void unmarkForDeletion(const std::string& name);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A controller's watcher loop (kube::QueueWorkers::Watch): every `interval` until `stop` is
// requested, calls onChange with the latest snapshot when it is synced and its version differs
// from the one last handed over. The first look is one interval after the call.
void pollSnapshots(const ClusterState& state, std::chrono::milliseconds interval,
                   std::stop_token stop,
                   const std::function<void(const ClusterSnapshot& snapshot)>& onChange);

}  // namespace karpenter::state
