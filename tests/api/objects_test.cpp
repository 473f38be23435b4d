// Typed core objects: decode what `kubectl get -o json` prints, check the typed view, and check
// that encodeObject(decodeObject(x)) == x so unmodelled fields (managedFields, status we do not
// type, new upstream fields) survive a read-modify-write.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "karpenter/api/codec.hpp"
#include "karpenter/api/coordination.hpp"
#include "karpenter/api/node.hpp"
#include "karpenter/api/pod.hpp"
#include "karpenter/api/storage.hpp"
#include "karpenter/api/workloads.hpp"

namespace karpenter::api {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

template <typename T>
T decodeOrFail(const json& input) {
  auto decoded = decodeObject<T>(input);
  EXPECT_TRUE(decoded.ok()) << decoded.error().message;
  return decoded.ok() ? std::move(decoded).value() : T{};
}

template <typename T>
std::string decodeError(const json& input) {
  auto decoded = decodeObject<T>(input);
  EXPECT_FALSE(decoded.ok());
  return decoded.ok() ? std::string() : decoded.error().message;
}

Quantity q(std::string_view text) {
  return Quantity::mustParse(text);
}

const char* const kPodJson = R"({
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {
    "creationTimestamp": "2024-05-01T10:00:00Z",
    "generateName": "web-7d4b9c6f5-",
    "labels": {"app": "web", "pod-template-hash": "7d4b9c6f5"},
    "managedFields": [{"apiVersion": "v1", "fieldsType": "FieldsV1",
                       "fieldsV1": {"f:metadata": {"f:generateName": {}}},
                       "manager": "kube-controller-manager", "operation": "Update",
                       "time": "2024-05-01T10:00:00Z"}],
    "name": "web-7d4b9c6f5-x2x9k",
    "namespace": "default",
    "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true,
                         "kind": "ReplicaSet", "name": "web-7d4b9c6f5", "uid": "rs-uid"}],
    "resourceVersion": "123456",
    "uid": "pod-uid"
  },
  "spec": {
    "affinity": {
      "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "karpenter.sh/capacity-type", "operator": "In",
                               "values": ["spot", "on-demand"]}]}]}},
      "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"podAffinityTerm": {"labelSelector": {"matchLabels": {"app": "web"}},
                             "topologyKey": "kubernetes.io/hostname",
                             "matchLabelKeys": ["pod-template-hash"]},
         "weight": 100}]},
      "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchExpressions": [{"key": "tier", "operator": "Exists"}]},
         "namespaceSelector": {}, "topologyKey": "topology.kubernetes.io/zone"}]}
    },
    "containers": [{
      "env": [{"name": "PORT", "value": "8080"}],
      "image": "nginx:1.25",
      "imagePullPolicy": "IfNotPresent",
      "name": "web",
      "ports": [{"containerPort": 8080, "hostPort": 8080, "name": "http", "protocol": "TCP"}],
      "resources": {"limits": {"memory": "256Mi"}, "requests": {"cpu": "250m", "memory": "128Mi"}},
      "terminationMessagePath": "/dev/termination-log",
      "terminationMessagePolicy": "File",
      "volumeMounts": [{"mountPath": "/data", "name": "data"}]
    }],
    "dnsPolicy": "ClusterFirst",
    "enableServiceLinks": true,
    "initContainers": [{
      "image": "envoy:1.30", "name": "proxy", "resources": {"requests": {"cpu": "100m"}},
      "restartPolicy": "Always"
    }],
    "nodeName": "ip-10-0-1-23.us-west-2.compute.internal",
    "nodeSelector": {"kubernetes.io/os": "linux"},
    "overhead": {"cpu": "10m"},
    "preemptionPolicy": "PreemptLowerPriority",
    "priority": 0,
    "restartPolicy": "Always",
    "schedulerName": "default-scheduler",
    "securityContext": {},
    "serviceAccountName": "default",
    "terminationGracePeriodSeconds": 30,
    "tolerations": [
      {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
       "tolerationSeconds": 300},
      {"effect": "NoSchedule", "key": "dedicated", "operator": "Equal", "value": "web"}
    ],
    "topologySpreadConstraints": [{
      "labelSelector": {"matchLabels": {"app": "web"}}, "maxSkew": 1, "minDomains": 2,
      "nodeTaintsPolicy": "Honor", "topologyKey": "topology.kubernetes.io/zone",
      "whenUnsatisfiable": "DoNotSchedule"
    }],
    "volumes": [
      {"name": "data", "persistentVolumeClaim": {"claimName": "web-data"}},
      {"ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "1Gi"}}}}}, "name": "scratch"},
      {"name": "kube-api-access-abcde", "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}}
    ]
  },
  "status": {
    "conditions": [
      {"lastProbeTime": null, "lastTransitionTime": "2024-05-01T10:00:05Z", "status": "True",
       "type": "PodScheduled"},
      {"lastProbeTime": null, "lastTransitionTime": "2024-05-01T10:00:09Z", "status": "True",
       "type": "Ready"}
    ],
    "containerStatuses": [{"containerID": "containerd://abc", "image": "nginx:1.25",
                           "name": "web", "ready": true, "restartCount": 0,
                           "started": true, "state": {"running": {"startedAt": "2024-05-01T10:00:08Z"}}}],
    "hostIP": "10.0.1.23",
    "phase": "Running",
    "podIP": "10.0.1.50",
    "qosClass": "Burstable",
    "startTime": "2024-05-01T10:00:05Z"
  }
})";

TEST(PodObject, DecodesTypedFields) {
  Pod pod = decodeOrFail<Pod>(json::parse(kPodJson));
  EXPECT_EQ(pod.metadata.name, "web-7d4b9c6f5-x2x9k");
  EXPECT_EQ(pod.metadata.ownerReferences.at(0).kind, "ReplicaSet");
  const PodSpec& spec = pod.spec;
  EXPECT_EQ(spec.nodeName, "ip-10-0-1-23.us-west-2.compute.internal");
  EXPECT_EQ(spec.nodeSelector.at("kubernetes.io/os"), "linux");
  ASSERT_EQ(spec.containers.size(), 1u);
  EXPECT_EQ(spec.containers[0].image, "nginx:1.25");
  EXPECT_EQ(spec.containers[0].resources.requests.at("cpu"), q("250m"));
  EXPECT_EQ(spec.containers[0].resources.limits.at("memory"), q("256Mi"));
  EXPECT_EQ(spec.containers[0].ports.at(0).hostPort, 8080);
  EXPECT_EQ(spec.containers[0].ports.at(0).protocol, "TCP");
  EXPECT_FALSE(spec.containers[0].restartPolicy.has_value());
  ASSERT_EQ(spec.initContainers.size(), 1u);
  EXPECT_EQ(spec.initContainers[0].restartPolicy, "Always");
  EXPECT_EQ(spec.overhead.at("cpu"), q("10m"));

  ASSERT_TRUE(spec.affinity.has_value());
  const auto& required =
      spec.affinity->nodeAffinity->requiredDuringSchedulingIgnoredDuringExecution;
  ASSERT_TRUE(required.has_value());
  EXPECT_EQ(required->nodeSelectorTerms.at(0).matchExpressions.at(0).values,
            (std::vector<std::string>{"spot", "on-demand"}));
  const auto& anti =
      spec.affinity->podAntiAffinity->preferredDuringSchedulingIgnoredDuringExecution;
  ASSERT_EQ(anti.size(), 1u);
  EXPECT_EQ(anti[0].weight, 100);
  EXPECT_EQ(anti[0].podAffinityTerm.topologyKey, "kubernetes.io/hostname");
  EXPECT_EQ(anti[0].podAffinityTerm.matchLabelKeys, std::vector<std::string>{"pod-template-hash"});
  const auto& affinityTerm =
      spec.affinity->podAffinity->requiredDuringSchedulingIgnoredDuringExecution.at(0);
  ASSERT_TRUE(affinityTerm.namespaceSelector.has_value());
  EXPECT_EQ(*affinityTerm.namespaceSelector, LabelSelector{});  // {}: all namespaces
  EXPECT_EQ(affinityTerm.labelSelector->matchExpressions.at(0).op, "Exists");

  ASSERT_EQ(spec.tolerations.size(), 2u);
  EXPECT_EQ(spec.tolerations[0].tolerationSeconds, 300);
  EXPECT_EQ(spec.tolerations[1].value, "web");
  const TopologySpreadConstraint& spread = spec.topologySpreadConstraints.at(0);
  EXPECT_EQ(spread.maxSkew, 1);
  EXPECT_EQ(spread.minDomains, 2);
  EXPECT_EQ(spread.nodeTaintsPolicy, "Honor");
  EXPECT_FALSE(spread.nodeAffinityPolicy.has_value());
  ASSERT_EQ(spec.volumes.size(), 3u);
  EXPECT_EQ(spec.volumes[0].persistentVolumeClaim->claimName, "web-data");
  EXPECT_TRUE(spec.volumes[0].ephemeral.is_null());
  EXPECT_FALSE(spec.volumes[1].ephemeral.is_null());
  EXPECT_FALSE(spec.volumes[2].persistentVolumeClaim.has_value());
  EXPECT_EQ(spec.priority, 0);  // present and zero, unlike absent
  EXPECT_EQ(spec.schedulerName, "default-scheduler");
  EXPECT_EQ(spec.terminationGracePeriodSeconds, 30);
  EXPECT_EQ(spec.restartPolicy, "Always");
  EXPECT_FALSE(spec.hostNetwork);

  EXPECT_EQ(pod.status.phase, "Running");
  ASSERT_EQ(pod.status.conditions.size(), 2u);
  EXPECT_EQ(pod.status.conditions[0].type, "PodScheduled");
  EXPECT_EQ(pod.status.startTime, "2024-05-01T10:00:05Z");
}

TEST(PodObject, RoundTripIsLossless) {
  const json original = json::parse(kPodJson);
  EXPECT_EQ(encodeObject(decodeOrFail<Pod>(original)), original);
}

TEST(PodObject, ModifiedPodReencodesWithTheChange) {
  json original = json::parse(kPodJson);
  Pod pod = decodeOrFail<Pod>(original);
  pod.spec.nodeName = "other-node";
  pod.spec.containers[0].resources.requests["cpu"] = q("1");
  pod.spec.tolerations.pop_back();
  pod.status.nominatedNodeName = "nominated";
  pod.spec.schedulingGates.push_back({"example.com/gate"});

  json expected = original;
  expected["spec"]["nodeName"] = "other-node";
  expected["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "1";
  expected["spec"]["tolerations"].erase(1);
  expected["status"]["nominatedNodeName"] = "nominated";
  expected["spec"]["schedulingGates"] = json::parse(R"([{"name": "example.com/gate"}])");
  EXPECT_EQ(encodeObject(pod), expected);
}

TEST(PodObject, BuiltInCodeEncodesKindAndOmitsEmpty) {
  Pod pod;
  pod.metadata.name = "p";
  Container container;
  container.name = "c";
  container.resources.requests["cpu"] = q("1");
  pod.spec.containers.push_back(container);
  EXPECT_EQ(encodeObject(pod), json::parse(R"({
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
    "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1"}}}]}
  })"));
}

TEST(PodObject, QuantitiesAcceptBareNumbers) {
  json input = json::parse(R"({"spec": {"containers": [{"name": "c",
      "resources": {"requests": {"cpu": 0.5, "memory": 1073741824, "pods": 1}}}]}})");
  Pod pod = decodeOrFail<Pod>(input);
  const ResourceList& requests = pod.spec.containers.at(0).resources.requests;
  EXPECT_EQ(requests.at("cpu"), q("500m"));
  EXPECT_EQ(requests.at("memory"), q("1Gi"));
  EXPECT_EQ(requests.at("pods"), q("1"));
  // Unchanged values keep their original spelling; changed ones are written canonically.
  EXPECT_EQ(encodeObject(pod)["spec"]["containers"][0]["resources"]["requests"],
            json::parse(R"({"cpu": 0.5, "memory": 1073741824, "pods": 1})"));
  pod.spec.containers[0].resources.requests["cpu"] = q("1500m");
  pod.spec.containers[0].resources.requests["memory"] += q("1Gi");
  EXPECT_EQ(
      encodeObject(pod)["spec"]["containers"][0]["resources"]["requests"],
      json::parse(R"({"cpu": "1500m", "memory": "2147483648", "pods": 1})"));  // format of the left
                                                                               // operand, as Go
}

TEST(PodObject, BadFieldsNameTheirPath) {
  json bad = json::parse(kPodJson);
  bad["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "lots";
  EXPECT_THAT(decodeError<Pod>(bad), StartsWith("spec.containers[0].resources.requests.cpu: "));

  bad = json::parse(kPodJson);
  bad["spec"]["containers"][0]["resources"]["requests"]["cpu"] = true;
  EXPECT_EQ(decodeError<Pod>(bad),
            "spec.containers[0].resources.requests.cpu: expected a quantity (string or number), "
            "got a boolean");

  bad = json::parse(kPodJson);
  bad["spec"]["topologySpreadConstraints"][0]["maxSkew"] = "1";
  EXPECT_EQ(decodeError<Pod>(bad),
            "spec.topologySpreadConstraints[0].maxSkew: expected an integer, got a string");

  bad = json::parse(kPodJson);
  bad["spec"]["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
     ["podAffinityTerm"]["labelSelector"] = "app=web";
  EXPECT_EQ(decodeError<Pod>(bad),
            "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]"
            ".podAffinityTerm.labelSelector: expected an object, got a string");

  bad = json::parse(kPodJson);
  bad["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] = 7;
  EXPECT_EQ(decodeError<Pod>(bad),
            "spec.volumes[0].persistentVolumeClaim.claimName: expected a string, got an integer");
}

const char* const kNodeJson = R"({
  "apiVersion": "v1",
  "kind": "Node",
  "metadata": {
    "annotations": {"karpenter.sh/nodepool-hash": "123", "node.alpha.kubernetes.io/ttl": "0"},
    "creationTimestamp": "2024-05-01T09:58:00Z",
    "finalizers": ["karpenter.sh/termination"],
    "labels": {"karpenter.sh/nodepool": "default", "kubernetes.io/arch": "amd64",
               "node.kubernetes.io/instance-type": "m5.large",
               "topology.kubernetes.io/zone": "us-west-2a"},
    "managedFields": [{"manager": "kubelet", "operation": "Update", "subresource": "status"}],
    "name": "ip-10-0-1-23.us-west-2.compute.internal",
    "resourceVersion": "99",
    "uid": "node-uid"
  },
  "spec": {
    "podCIDR": "10.244.1.0/24",
    "podCIDRs": ["10.244.1.0/24"],
    "providerID": "aws:///us-west-2a/i-0123456789abcdef0",
    "taints": [{"effect": "NoSchedule", "key": "karpenter.sh/unregistered"}]
  },
  "status": {
    "addresses": [{"address": "10.0.1.23", "type": "InternalIP"},
                  {"address": "ip-10-0-1-23.us-west-2.compute.internal", "type": "Hostname"}],
    "allocatable": {"cpu": "1930m", "ephemeral-storage": "18242267924", "hugepages-1Gi": "0",
                    "hugepages-2Mi": "0", "memory": "7291168Ki", "pods": "29"},
    "capacity": {"cpu": "2", "ephemeral-storage": "20959212Ki", "hugepages-1Gi": "0",
                 "hugepages-2Mi": "0", "memory": "7929120Ki", "pods": "29"},
    "conditions": [
      {"lastHeartbeatTime": "2024-05-01T10:05:00Z", "lastTransitionTime": "2024-05-01T09:58:30Z",
       "message": "kubelet is posting ready status", "reason": "KubeletReady", "status": "True",
       "type": "Ready"},
      {"lastHeartbeatTime": "2024-05-01T10:05:00Z", "lastTransitionTime": "2024-05-01T09:58:00Z",
       "message": "kubelet has sufficient memory available", "reason": "KubeletHasSufficientMemory",
       "status": "False", "type": "MemoryPressure"}
    ],
    "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
    "images": [{"names": ["docker.io/library/nginx@sha256:abc", "docker.io/library/nginx:1.25"],
                "sizeBytes": 70000000}],
    "nodeInfo": {"architecture": "amd64", "bootID": "boot", "containerRuntimeVersion": "containerd://1.7.11",
                 "kernelVersion": "5.10.210", "kubeProxyVersion": "v1.29.0", "kubeletVersion": "v1.29.0",
                 "machineID": "m", "operatingSystem": "linux", "osImage": "Amazon Linux 2",
                 "systemUUID": "ec2-uuid"}
  }
})";

TEST(NodeObject, DecodesTypedFields) {
  Node node = decodeOrFail<Node>(json::parse(kNodeJson));
  EXPECT_EQ(node.spec.providerID, "aws:///us-west-2a/i-0123456789abcdef0");
  ASSERT_EQ(node.spec.taints.size(), 1u);
  EXPECT_EQ(node.spec.taints[0].key, "karpenter.sh/unregistered");
  EXPECT_EQ(node.spec.taints[0].effect, "NoSchedule");
  EXPECT_FALSE(node.spec.unschedulable);
  EXPECT_EQ(node.spec.podCIDR, "10.244.1.0/24");
  EXPECT_EQ(node.status.capacity.at("cpu"), q("2"));
  EXPECT_EQ(node.status.allocatable.at("cpu"), q("1930m"));
  EXPECT_EQ(node.status.allocatable.at("memory"), q("7291168Ki"));
  EXPECT_EQ(node.status.allocatable.at("pods"), q("29"));
  ASSERT_EQ(node.status.conditions.size(), 2u);
  EXPECT_EQ(node.status.conditions[0].type, "Ready");
  EXPECT_EQ(node.status.conditions[0].reason, "KubeletReady");
  EXPECT_EQ(node.status.conditions[1].lastHeartbeatTime, "2024-05-01T10:05:00Z");
  EXPECT_EQ(node.status.nodeInfo.architecture, "amd64");
  EXPECT_EQ(node.status.nodeInfo.operatingSystem, "linux");
  EXPECT_EQ(node.status.nodeInfo.kubeletVersion, "v1.29.0");
  EXPECT_EQ(node.status.addresses.at(0).address, "10.0.1.23");
  EXPECT_EQ(node.metadata.finalizers, std::vector<std::string>{"karpenter.sh/termination"});
}

TEST(NodeObject, RoundTripIsLosslessAndChangesShow) {
  const json original = json::parse(kNodeJson);
  Node node = decodeOrFail<Node>(original);
  EXPECT_EQ(encodeObject(node), original);

  node.spec.taints.clear();
  node.spec.taints.push_back(Taint{"karpenter.sh/disrupted", "", "NoSchedule"});
  node.spec.unschedulable = true;
  node.metadata.labels["karpenter.sh/initialized"] = "true";
  json expected = original;
  expected["spec"]["taints"] =
      json::parse(R"([{"effect": "NoSchedule", "key": "karpenter.sh/disrupted"}])");
  expected["spec"]["unschedulable"] = true;
  expected["metadata"]["labels"]["karpenter.sh/initialized"] = "true";
  EXPECT_EQ(encodeObject(node), expected);
}

TEST(NodeObject, BadFieldsNameTheirPath) {
  json bad = json::parse(kNodeJson);
  bad["status"]["allocatable"]["memory"] = "7Gb";
  EXPECT_THAT(decodeError<Node>(bad), StartsWith("status.allocatable.memory: "));
  bad = json::parse(kNodeJson);
  bad["spec"]["unschedulable"] = "true";
  EXPECT_EQ(decodeError<Node>(bad), "spec.unschedulable: expected a boolean, got a string");
  bad = json::parse(kNodeJson);
  bad["status"]["conditions"][1]["status"] = false;
  EXPECT_EQ(decodeError<Node>(bad),
            "status.conditions[1].status: expected a string, got a boolean");
}

const char* const kDaemonSetJson = R"({
  "apiVersion": "apps/v1",
  "kind": "DaemonSet",
  "metadata": {"annotations": {"deprecated.daemonset.template.generation": "1"},
               "generation": 1, "name": "aws-node", "namespace": "kube-system",
               "resourceVersion": "512", "uid": "ds-uid"},
  "spec": {
    "revisionHistoryLimit": 10,
    "selector": {"matchLabels": {"k8s-app": "aws-node"}},
    "template": {
      "metadata": {"creationTimestamp": null, "labels": {"k8s-app": "aws-node"}},
      "spec": {
        "containers": [{"image": "amazon-k8s-cni:v1.18.0", "name": "aws-node",
                        "resources": {"requests": {"cpu": "25m"}}}],
        "hostNetwork": true,
        "priorityClassName": "system-node-critical",
        "tolerations": [{"operator": "Exists"}]
      }
    },
    "updateStrategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "10%"},
                       "type": "RollingUpdate"}
  },
  "status": {"currentNumberScheduled": 3, "desiredNumberScheduled": 3, "numberMisscheduled": 0,
             "numberReady": 3, "observedGeneration": 1}
})";

TEST(DaemonSetObject, DecodesAndRoundTrips) {
  const json original = json::parse(kDaemonSetJson);
  DaemonSet ds = decodeOrFail<DaemonSet>(original);
  EXPECT_EQ(ds.metadata.namespace_, "kube-system");
  ASSERT_TRUE(ds.spec.selector.has_value());
  EXPECT_EQ(ds.spec.selector->matchLabels.at("k8s-app"), "aws-node");
  EXPECT_EQ(ds.spec.template_.metadata.labels.at("k8s-app"), "aws-node");
  EXPECT_TRUE(ds.spec.template_.spec.hostNetwork);
  EXPECT_EQ(ds.spec.template_.spec.priorityClassName, "system-node-critical");
  EXPECT_EQ(ds.spec.template_.spec.containers.at(0).resources.requests.at("cpu"), q("25m"));
  EXPECT_EQ(ds.spec.template_.spec.tolerations.at(0).op, "Exists");
  EXPECT_EQ(encodeObject(ds), original);

  ds.spec.template_.spec.containers[0].resources.requests["memory"] = q("64Mi");
  json expected = original;
  expected["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["memory"] = "64Mi";
  EXPECT_EQ(encodeObject(ds), expected);

  json bad = original;
  bad["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "1x";
  EXPECT_THAT(decodeError<DaemonSet>(bad),
              StartsWith("spec.template.spec.containers[0].resources.requests.cpu: "));
}

const char* const kPdbJson = R"({
  "apiVersion": "policy/v1",
  "kind": "PodDisruptionBudget",
  "metadata": {"generation": 1, "name": "web", "namespace": "default", "uid": "pdb-uid",
               "managedFields": [{"manager": "kubectl-client-side-apply"}]},
  "spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web"}},
           "unhealthyPodEvictionPolicy": "AlwaysAllow"},
  "status": {
    "conditions": [{"lastTransitionTime": "2024-05-01T10:01:00Z", "message": "",
                    "observedGeneration": 1, "reason": "SufficientPods", "status": "True",
                    "type": "DisruptionAllowed"}],
    "currentHealthy": 4, "desiredHealthy": 2, "disruptionsAllowed": 2, "expectedPods": 4,
    "observedGeneration": 1
  }
})";

TEST(PodDisruptionBudgetObject, DecodesAndRoundTrips) {
  const json original = json::parse(kPdbJson);
  PodDisruptionBudget pdb = decodeOrFail<PodDisruptionBudget>(original);
  EXPECT_EQ(pdb.spec.minAvailable, "50%");
  EXPECT_TRUE(pdb.spec.maxUnavailable.is_null());
  EXPECT_EQ(pdb.spec.selector->matchLabels.at("app"), "web");
  EXPECT_EQ(pdb.spec.unhealthyPodEvictionPolicy, "AlwaysAllow");
  EXPECT_EQ(pdb.status.currentHealthy, 4);
  EXPECT_EQ(pdb.status.desiredHealthy, 2);
  EXPECT_EQ(pdb.status.disruptionsAllowed, 2);
  EXPECT_EQ(pdb.status.expectedPods, 4);
  EXPECT_EQ(pdb.status.observedGeneration, 1);
  EXPECT_EQ(pdb.status.conditions.at(0).reason, "SufficientPods");
  EXPECT_EQ(encodeObject(pdb), original);

  pdb.spec.minAvailable = nullptr;
  pdb.spec.maxUnavailable = 1;
  json expected = original;
  expected["spec"].erase("minAvailable");
  expected["spec"]["maxUnavailable"] = 1;
  EXPECT_EQ(encodeObject(pdb), expected);
}

TEST(PodDisruptionBudgetObject, IntOrStringIsCheckedOnDecode) {
  json integer = json::parse(kPdbJson);
  integer["spec"]["minAvailable"] = 3;
  EXPECT_EQ(decodeOrFail<PodDisruptionBudget>(integer).spec.minAvailable, 3);

  json bad = json::parse(kPdbJson);
  bad["spec"]["maxUnavailable"] = true;
  EXPECT_EQ(decodeError<PodDisruptionBudget>(bad),
            "spec: maxUnavailable: expected an integer or a string, got a boolean");
  bad = json::parse(kPdbJson);
  bad["spec"]["minAvailable"] = 1.5;
  EXPECT_THAT(decodeError<PodDisruptionBudget>(bad),
              HasSubstr("minAvailable: expected an integer"));
  bad = json::parse(kPdbJson);
  bad["status"]["expectedPods"] = "4";
  EXPECT_EQ(decodeError<PodDisruptionBudget>(bad),
            "status.expectedPods: expected an integer, got a string");
}

const char* const kPvJson = R"({
  "apiVersion": "v1",
  "kind": "PersistentVolume",
  "metadata": {"annotations": {"pv.kubernetes.io/provisioned-by": "ebs.csi.aws.com"},
               "finalizers": ["kubernetes.io/pv-protection", "external-attacher/ebs-csi-aws-com"],
               "name": "pvc-1234", "uid": "pv-uid"},
  "spec": {
    "accessModes": ["ReadWriteOnce"],
    "capacity": {"storage": "10Gi"},
    "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": "web-data",
                 "namespace": "default", "resourceVersion": "777", "uid": "pvc-uid"},
    "csi": {"driver": "ebs.csi.aws.com", "fsType": "ext4",
            "volumeAttributes": {"storage.kubernetes.io/csiProvisionerIdentity": "x"},
            "volumeHandle": "vol-0abc"},
    "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
      {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["us-west-2a"]}]}]}},
    "persistentVolumeReclaimPolicy": "Delete",
    "storageClassName": "gp3",
    "volumeMode": "Filesystem"
  },
  "status": {"lastPhaseTransitionTime": "2024-05-01T10:00:03Z", "phase": "Bound"}
})";

const char* const kPvcJson = R"({
  "apiVersion": "v1",
  "kind": "PersistentVolumeClaim",
  "metadata": {"annotations": {"volume.kubernetes.io/selected-node": "ip-10-0-1-23"},
               "finalizers": ["kubernetes.io/pvc-protection"], "name": "web-data",
               "namespace": "default", "uid": "pvc-uid"},
  "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}},
           "storageClassName": "gp3", "volumeMode": "Filesystem", "volumeName": "pvc-1234"},
  "status": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"}, "phase": "Bound"}
})";

const char* const kStorageClassJson = R"({
  "allowVolumeExpansion": true,
  "allowedTopologies": [{"matchLabelExpressions": [
    {"key": "topology.ebs.csi.aws.com/zone", "values": ["us-west-2a", "us-west-2b"]}]}],
  "apiVersion": "storage.k8s.io/v1",
  "kind": "StorageClass",
  "metadata": {"annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
               "name": "gp3", "uid": "sc-uid"},
  "parameters": {"encrypted": "true", "type": "gp3"},
  "provisioner": "ebs.csi.aws.com",
  "reclaimPolicy": "Delete",
  "volumeBindingMode": "WaitForFirstConsumer"
})";

TEST(StorageObjects, PersistentVolume) {
  const json original = json::parse(kPvJson);
  PersistentVolume pv = decodeOrFail<PersistentVolume>(original);
  EXPECT_EQ(pv.spec.capacity.at("storage"), q("10Gi"));
  EXPECT_EQ(pv.spec.storageClassName, "gp3");
  ASSERT_TRUE(pv.spec.claimRef.has_value());
  EXPECT_EQ(pv.spec.claimRef->namespace_, "default");
  EXPECT_EQ(pv.spec.claimRef->name, "web-data");
  EXPECT_EQ(pv.spec.csi->driver, "ebs.csi.aws.com");
  ASSERT_TRUE(pv.spec.nodeAffinity && pv.spec.nodeAffinity->required);
  EXPECT_EQ(pv.spec.nodeAffinity->required->nodeSelectorTerms.at(0).matchExpressions.at(0).key,
            "topology.kubernetes.io/zone");
  EXPECT_EQ(pv.status.phase, "Bound");
  EXPECT_EQ(encodeObject(pv), original);

  json bad = original;
  bad["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]["values"] =
      "us-west-2a";
  EXPECT_EQ(decodeError<PersistentVolume>(bad),
            "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values: "
            "expected an array, got a string");
}

TEST(StorageObjects, PersistentVolumeClaim) {
  const json original = json::parse(kPvcJson);
  PersistentVolumeClaim pvc = decodeOrFail<PersistentVolumeClaim>(original);
  EXPECT_EQ(pvc.spec.storageClassName, "gp3");
  EXPECT_EQ(pvc.spec.volumeName, "pvc-1234");
  EXPECT_EQ(pvc.spec.resources.requests.at("storage"), q("10Gi"));
  EXPECT_EQ(pvc.spec.accessModes, std::vector<std::string>{"ReadWriteOnce"});
  EXPECT_EQ(pvc.status.phase, "Bound");
  EXPECT_EQ(encodeObject(pvc), original);

  // "" (no class) and absent (default class) differ.
  json noClass = original;
  noClass["spec"]["storageClassName"] = "";
  EXPECT_EQ(decodeOrFail<PersistentVolumeClaim>(noClass).spec.storageClassName, "");
  json defaultClass = original;
  defaultClass["spec"].erase("storageClassName");
  EXPECT_FALSE(decodeOrFail<PersistentVolumeClaim>(defaultClass).spec.storageClassName.has_value());

  json bad = original;
  bad["spec"]["resources"]["requests"]["storage"] = "ten";
  EXPECT_THAT(decodeError<PersistentVolumeClaim>(bad),
              StartsWith("spec.resources.requests.storage: "));
}

TEST(StorageObjects, StorageClass) {
  const json original = json::parse(kStorageClassJson);
  StorageClass sc = decodeOrFail<StorageClass>(original);
  EXPECT_EQ(sc.provisioner, "ebs.csi.aws.com");
  EXPECT_EQ(sc.volumeBindingMode, "WaitForFirstConsumer");
  EXPECT_EQ(sc.parameters.at("type"), "gp3");
  EXPECT_EQ(sc.allowVolumeExpansion, true);
  ASSERT_EQ(sc.allowedTopologies.size(), 1u);
  EXPECT_EQ(sc.allowedTopologies[0].matchLabelExpressions.at(0).values,
            (std::vector<std::string>{"us-west-2a", "us-west-2b"}));
  EXPECT_EQ(encodeObject(sc), original);

  sc.volumeBindingMode.reset();
  json expected = original;
  expected.erase("volumeBindingMode");
  EXPECT_EQ(encodeObject(sc), expected);

  json bad = original;
  bad["allowedTopologies"][0]["matchLabelExpressions"][0]["key"] = nullptr;
  bad["allowedTopologies"][0]["matchLabelExpressions"][0]["values"] = {"a", 1};
  EXPECT_EQ(decodeError<StorageClass>(bad),
            "allowedTopologies[0].matchLabelExpressions[0].values[1]: expected a string, got an "
            "integer");
}

const char* const kLeaseJson = R"({
  "apiVersion": "coordination.k8s.io/v1",
  "kind": "Lease",
  "metadata": {"creationTimestamp": "2024-05-01T09:00:00Z", "name": "karpenter-leader-election",
               "namespace": "kube-system", "resourceVersion": "4242", "uid": "lease-uid"},
  "spec": {"acquireTime": "2024-05-01T09:00:00.000000Z",
           "holderIdentity": "karpenter-6d9f7b5c4-abcde_8c1f0e1e-0000",
           "leaseDurationSeconds": 15, "leaseTransitions": 0,
           "renewTime": "2024-05-01T10:05:01.123456Z"}
})";

TEST(LeaseObject, DecodesAndRoundTrips) {
  const json original = json::parse(kLeaseJson);
  Lease lease = decodeOrFail<Lease>(original);
  EXPECT_EQ(lease.spec.holderIdentity, "karpenter-6d9f7b5c4-abcde_8c1f0e1e-0000");
  EXPECT_EQ(lease.spec.leaseDurationSeconds, 15);
  EXPECT_EQ(lease.spec.leaseTransitions, 0);  // present and zero
  EXPECT_EQ(lease.spec.renewTime, "2024-05-01T10:05:01.123456Z");
  EXPECT_EQ(encodeObject(lease), original);

  lease.spec.holderIdentity = "";  // released: written as "", not dropped
  lease.spec.renewTime = "2024-05-01T10:05:03.000001Z";
  lease.spec.leaseTransitions = 1;
  json expected = original;
  expected["spec"]["holderIdentity"] = "";
  expected["spec"]["renewTime"] = "2024-05-01T10:05:03.000001Z";
  expected["spec"]["leaseTransitions"] = 1;
  EXPECT_EQ(encodeObject(lease), expected);

  json bad = original;
  bad["spec"]["leaseDurationSeconds"] = "15s";
  EXPECT_EQ(decodeError<Lease>(bad),
            "spec.leaseDurationSeconds: expected an integer, got a string");
}

const char* const kEventJson = R"({
  "action": "",
  "apiVersion": "v1",
  "count": 3,
  "eventTime": null,
  "firstTimestamp": "2024-05-01T10:00:00Z",
  "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": "web-7d4b9c6f5-x2x9k",
                     "namespace": "default", "resourceVersion": "123456", "uid": "pod-uid"},
  "kind": "Event",
  "lastTimestamp": "2024-05-01T10:00:40Z",
  "message": "Pod should schedule on: nodeclaim/default-abcde",
  "metadata": {"creationTimestamp": "2024-05-01T10:00:00Z",
               "name": "web-7d4b9c6f5-x2x9k.17c9a1b2c3d4e5f6", "namespace": "default",
               "resourceVersion": "8888", "uid": "event-uid"},
  "reason": "Nominated",
  "reportingComponent": "karpenter",
  "reportingInstance": "",
  "source": {"component": "karpenter"},
  "type": "Normal"
})";

TEST(EventObject, DecodesAndRoundTrips) {
  const json original = json::parse(kEventJson);
  Event event = decodeOrFail<Event>(original);
  EXPECT_EQ(event.involvedObject.kind, "Pod");
  EXPECT_EQ(event.involvedObject.namespace_, "default");
  EXPECT_EQ(event.involvedObject.uid, "pod-uid");
  EXPECT_EQ(event.reason, "Nominated");
  EXPECT_EQ(event.type, "Normal");
  EXPECT_EQ(event.count, 3);
  EXPECT_EQ(event.source.component, "karpenter");
  EXPECT_EQ(event.firstTimestamp, "2024-05-01T10:00:00Z");
  EXPECT_EQ(event.eventTime, "");
  EXPECT_EQ(event.reportingComponent, "karpenter");
  EXPECT_EQ(encodeObject(event), original);

  event.count = 4;
  event.lastTimestamp = "2024-05-01T10:01:00Z";
  json expected = original;
  expected["count"] = 4;
  expected["lastTimestamp"] = "2024-05-01T10:01:00Z";
  EXPECT_EQ(encodeObject(event), expected);

  json bad = original;
  bad["involvedObject"]["name"] = json::array();
  EXPECT_EQ(decodeError<Event>(bad), "involvedObject.name: expected a string, got an array");
}

}  // namespace
}  // namespace karpenter::api
