#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "karpenter/api/node.hpp"
#include "karpenter/api/nodepool.hpp"
#include "karpenter/api/pod.hpp"
#include "karpenter/api/quantity.hpp"
#include "karpenter/api/storage.hpp"
#include "karpenter/api/workloads.hpp"
#include "karpenter/scheduling/instance_type.hpp"
#include "karpenter/scheduling/requirements.hpp"

namespace karpenter::scheduling {

// A NodePool with the instance types its provider offers for it. status.resources and
// status.nodes are the pool's current usage, against which spec.limits are enforced.
struct NodePoolInput {
  api::NodePool nodePool;
  std::vector<InstanceType> instanceTypes;
};

// A node (or an in-flight NodeClaim) pods may be packed onto as it is: its labels, taints,
// allocatable and the pods already bound to it (DaemonSet pods included, which is how the
// solver knows which DaemonSets still have to land there).
struct ExistingNode {
  std::string name;
  api::Labels labels;
  std::vector<api::Taint> taints;
  api::ResourceList allocatable;
  std::vector<const api::Pod*> pods;  // not owned; must outlive solve()
  bool initialized = true;
  // CSI driver → how many volumes it can attach here (the node's CSINode
  // spec.drivers[].allocatable.count, see csiVolumeLimits); a driver absent is not limited.
  std::map<std::string, int64_t> volumeLimits;

  // Labels, taints and status.allocatable of `node`; initialized from karpenter.sh/initialized
  // (nodes Karpenter does not manage count as initialized).
  static ExistingNode fromNode(const api::Node& node, std::vector<const api::Pod*> pods);
};

// The attach limits a CSINode reports: driver name → allocatable.count, for drivers that set one.
std::map<std::string, int64_t> csiVolumeLimits(const api::CSINode& csiNode);

struct SchedulerOptions {
  size_t maxInstanceTypes = kMaxInstanceTypes;
  // PREFERENCE_POLICY=Ignore: preferred node affinity is never treated as required.
  bool ignorePreferences = false;
};

// A namespace and its labels: what pod (anti-)affinity namespaceSelectors match against.
struct NamespaceInput {
  std::string name;
  api::Labels labels;
};

struct SchedulerInput {
  std::vector<NodePoolInput> nodePools;  // any order; the solver sorts them (§4.2)
  std::vector<ExistingNode> existingNodes;
  std::vector<api::DaemonSet> daemonSets;
  SchedulerOptions options;
  // Namespaces with their labels; only needed when pods use namespaceSelector in pod
  // (anti-)affinity terms (an empty selector {} matches every namespace even when this is empty).
  std::vector<NamespaceInput> namespaces;
  // Volume topology: the claims pods mount (by namespace and name), the volumes bound to them and
  // the storage classes of unbound claims. A pod whose claim is missing is reported, not placed.
  std::vector<api::PersistentVolumeClaim> persistentVolumeClaims;
  std::vector<api::PersistentVolume> persistentVolumes;
  std::vector<api::StorageClass> storageClasses;
};

// A NodeClaim to create: requirements include karpenter.sh/nodepool,
// node.kubernetes.io/instance-type In [instanceTypes] (cheapest first, at most
// maxInstanceTypes), karpenter.sh/capacity-type In [the capacity types the kept types offer
// compatibly and available] (only [reserved], plus karpenter.sh/reservation-id, when a reserved
// offering is among them), and any topology key the solver narrowed (a spread zone, say); the
// hostname placeholder is dropped. requests = the pods' requests plus the
// DaemonSet overhead (the smallest over its instance types), pods included.
struct NewNodeClaim {
  std::string nodePoolName;
  Requirements requirements;
  std::vector<const InstanceType*> instanceTypes;  // points into SchedulerInput
  std::vector<const api::Pod*> pods;
  api::ResourceList requests;
  api::ResourceList daemonSetOverhead;
};

struct ExistingNodePlacement {
  std::string nodeName;
  std::vector<const api::Pod*> pods;
};

// A pod the solver could not place and why, naming each NodePool's reason, e.g.
// `incompatible with nodepool "a": untolerated taint {k: v}; exceeds limits of nodepool "b"`.
struct PodError {
  const api::Pod* pod = nullptr;
  std::string reason;
};

struct Results {
  std::vector<NewNodeClaim> newNodeClaims;
  std::vector<ExistingNodePlacement> existingNodes;  // only nodes that received pods
  std::vector<PodError> podErrors;
};

// Upstream's provisioning Solve (karpenter-behaviour.md §4.3–4.5): pods are queued by CPU desc,
// memory desc, creationTimestamp asc, UID; each goes to the first existing node that takes it,
// else the open NodeClaim with the fewest pods that takes it, else a new NodeClaim from the first
// NodePool (weight desc, name desc) whose template accepts it, respecting limits and minValues
// (Strict). A pod that fails everywhere has its preferences relaxed one step at a time, in
// upstream's order — the first of several required node-affinity terms, the heaviest preferred
// pod affinity, the heaviest preferred pod anti-affinity, the heaviest preferred node affinity,
// one ScheduleAnyway spread constraint, PreferNoSchedule taints — before it is given up on.
// Until relaxed, preferences count as requirements (PREFERENCE_POLICY=Respect; Ignore drops them
// upfront).
//
// Honoured: requests (init containers, sidecars, overhead) and pod count; nodeSelector and node
// affinity; taints; host ports; volume topology (bound PV node affinity, else the StorageClass's
// allowedTopologies, ANDed into every required node-affinity term); topology spread (maxSkew,
// minDomains, nodeAffinityPolicy, nodeTaintsPolicy, matchLabelKeys; any topology key); pod
// affinity and anti-affinity (required and preferred, namespaces and namespaceSelector,
// matchLabelKeys/mismatchLabelKeys, the first-pod rule) and existing or already-placed pods'
// required anti-affinity towards a pod. On existing nodes these follow kube-scheduler's filters;
// on a new NodeClaim a spread constraint narrows its requirements to the least-loaded compatible
// domain, affinity to domains already holding a matching pod, anti-affinity to domains holding
// none (upstream topology.go). Hostname spread assumes a minimum of 0 when a NodePool can launch
// a fresh node. Node affinity matchFields (metadata.name In/NotIn) are
// matched against existing nodes' names; a new NodeClaim has no name yet, so a term with
// metadata.name In only ever matches an existing node, while NotIn is met by any new NodeClaim.
// Volume limits: a pod's CSI volumes (distinct claims per driver, bound pods' included) stay
// within an existing node's ExistingNode::volumeLimits and, on a new NodeClaim, within the
// InstanceType::volumeLimits of every type it keeps.
//
// New NodeClaims are sized for cost rather than filled up to the largest type (see
// solver/packing.hpp): each may only grow while some type no pricier than its cap holds its
// pods. After the queue, the pods of such NodeClaims that no topology constraint, host port or
// volume ties down are re-packed with cpu-heavy and memory-heavy pods side by side, and that plan
// replaces the queue's when it is cheaper. NodePools with limits keep upstream's fill-the-largest
// packing and are not re-packed.
//
// Pure: no I/O, no clock. Pointers in the result refer to `input` and `pods`, which must outlive
// it. Thread-safe for distinct inputs.
Results solve(const SchedulerInput& input, std::span<const api::Pod* const> pods);

}  // namespace karpenter::scheduling
