#include "karpenter/provisioning/pod_filter.hpp"

#include <gtest/gtest.h>

#include "karpenter/api/codec.hpp"

namespace karpenter::provisioning {
namespace {

api::Pod pendingPod() {
  return api::decodeJson<api::Pod>(nlohmann::json::parse(R"({
    "metadata": {"name": "p", "namespace": "default", "uid": "u1"},
    "spec": {"containers": [{"name": "c"}]},
    "status": {"phase": "Pending", "conditions": [
      {"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}})"))
      .value();
}

TEST(PodFilter, AnUnschedulablePendingPodIsProvisionable) {
  EXPECT_TRUE(isProvisionable(pendingPod()));
}

TEST(PodFilter, EachExclusionHasItsReason) {
  struct Case {
    const char* name;
    void (*mutate)(api::Pod&);
    const char* reason;
  };
  const Case cases[] = {
      {"bound", [](api::Pod& p) { p.spec.nodeName = "n1"; }, "bound to node n1"},
      {"terminating", [](api::Pod& p) { p.metadata.deletionTimestamp = "2024-01-01T00:00:00Z"; },
       "terminating"},
      {"succeeded", [](api::Pod& p) { p.status.phase = "Succeeded"; }, "finished (Succeeded)"},
      {"gated", [](api::Pod& p) { p.spec.schedulingGates.push_back({"example.com/wait"}); },
       "scheduling gated by example.com/wait"},
      {"preempting", [](api::Pod& p) { p.status.nominatedNodeName = "n2"; },
       "nominated by kube-scheduler to n2"},
      {"daemonset",
       [](api::Pod& p) {
         p.metadata.ownerReferences.push_back(
             {.apiVersion = "apps/v1", .kind = "DaemonSet", .name = "ds", .controller = true});
       },
       "owned by a DaemonSet"},
      {"mirror", [](api::Pod& p) { p.metadata.annotations["kubernetes.io/config.mirror"] = "x"; },
       "a mirror pod"},
      {"not yet tried by kube-scheduler", [](api::Pod& p) { p.status.conditions.clear(); },
       "not marked Unschedulable by kube-scheduler"},
      {"scheduling gated condition",
       [](api::Pod& p) { p.status.conditions[0].reason = "SchedulingGated"; },
       "not marked Unschedulable by kube-scheduler"},
  };
  for (const Case& c : cases) {
    api::Pod pod = pendingPod();
    c.mutate(pod);
    EXPECT_EQ(notProvisionableReason(pod), c.reason) << c.name;
  }
}

TEST(PodFilter, ADaemonSetReferenceThatIsNotTheControllerDoesNotCount) {
  api::Pod pod = pendingPod();
  pod.metadata.ownerReferences.push_back(
      {.apiVersion = "apps/v1", .kind = "DaemonSet", .name = "ds"});
  EXPECT_FALSE(isOwnedByDaemonSet(pod));
  EXPECT_TRUE(isProvisionable(pod));
}

}  // namespace
}  // namespace karpenter::provisioning
