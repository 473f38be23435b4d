#pragma once

// Karpenter objects as `kubectl get <kind> <name> -o json` prints them, used by
// karpenter_objects_test.cpp. Each also carries fields the typed structs do not model, to check
// that decode + encode loses nothing.

namespace karpenter::api::fixtures {

// As `kubectl get nodepool default -o json` prints it, plus fields this version does not model
// (managedFields, spec.disruption.futureKnob, a budget's "x-extension", status.futureStatus).
constexpr const char* kNodePoolJson = R"({
  "apiVersion": "karpenter.sh/v1",
  "kind": "NodePool",
  "metadata": {
    "annotations": {"karpenter.sh/nodepool-hash": "6821555240594823858",
                    "karpenter.sh/nodepool-hash-version": "v3"},
    "creationTimestamp": "2024-08-20T09:12:44Z",
    "generation": 4,
    "managedFields": [{"apiVersion": "karpenter.sh/v1", "fieldsType": "FieldsV1",
                       "fieldsV1": {"f:spec": {"f:weight": {}}}, "manager": "kubectl",
                       "operation": "Apply", "time": "2024-08-20T09:12:44Z"}],
    "name": "default",
    "resourceVersion": "918273",
    "uid": "4a1c3b1e-2f6d-4c1e-9d55-0b8f3c2a7e10"
  },
  "spec": {
    "disruption": {
      "budgets": [
        {"nodes": "10%", "x-extension": {"owner": "sre"}},
        {"duration": "8h", "nodes": "0", "reasons": ["Drifted", "Underutilized"],
         "schedule": "0 9 * * mon-fri"}
      ],
      "consolidateAfter": "30s",
      "consolidationPolicy": "WhenEmptyOrUnderutilized",
      "futureKnob": true
    },
    "limits": {"cpu": "100", "memory": "1000Gi"},
    "template": {
      "metadata": {"annotations": {"example.com/owner": "team-a"},
                   "labels": {"team": "a", "tier": "general"}},
      "spec": {
        "expireAfter": "720h",
        "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
        "requirements": [
          {"key": "karpenter.k8s.aws/instance-category", "operator": "In",
           "values": ["c", "m", "r"]},
          {"key": "node.kubernetes.io/instance-type", "minValues": 3, "operator": "Exists"},
          {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot", "on-demand"]},
          {"key": "karpenter.k8s.aws/instance-generation", "operator": "Gt", "values": ["2"]}
        ],
        "startupTaints": [{"effect": "NoExecute", "key": "node.cilium.io/agent-not-ready",
                           "value": "true"}],
        "taints": [{"effect": "NoSchedule", "key": "example.com/special"}],
        "terminationGracePeriod": "48h"
      }
    },
    "weight": 10
  },
  "status": {
    "conditions": [
      {"lastTransitionTime": "2024-08-20T09:12:45Z", "message": "", "observedGeneration": 4,
       "reason": "ValidationSucceeded", "status": "True", "type": "ValidationSucceeded"},
      {"lastTransitionTime": "2024-08-20T09:12:46Z", "message": "", "observedGeneration": 4,
       "reason": "Ready", "status": "True", "type": "Ready"}
    ],
    "futureStatus": {"a": 1},
    "nodeClassObservedGeneration": 2,
    "nodes": 3,
    "resources": {"cpu": "12", "ephemeral-storage": "61904460Ki", "memory": "47867480Ki",
                  "nodes": "3", "pods": "174"}
  }
})";

constexpr const char* kNodeClaimJson = R"({
  "apiVersion": "karpenter.sh/v1",
  "kind": "NodeClaim",
  "metadata": {
    "annotations": {"compatibility.karpenter.k8s.aws/cluster-name-tagged": "true",
                    "karpenter.sh/nodepool-hash": "6821555240594823858"},
    "creationTimestamp": "2024-08-21T07:00:01Z",
    "finalizers": ["karpenter.sh/termination"],
    "generateName": "default-",
    "generation": 1,
    "labels": {"karpenter.sh/nodepool": "default", "karpenter.sh/capacity-type": "spot",
               "node.kubernetes.io/instance-type": "m5.xlarge",
               "topology.kubernetes.io/zone": "us-west-2a"},
    "managedFields": [{"manager": "karpenter", "operation": "Update",
                       "subresource": "status", "time": "2024-08-21T07:01:10Z"}],
    "name": "default-x7k2p",
    "ownerReferences": [{"apiVersion": "karpenter.sh/v1", "blockOwnerDeletion": true,
                         "kind": "NodePool", "name": "default",
                         "uid": "4a1c3b1e-2f6d-4c1e-9d55-0b8f3c2a7e10"}],
    "resourceVersion": "920001",
    "uid": "0f5e8d7c-6b5a-4938-8271-6f5e4d3c2b1a"
  },
  "spec": {
    "expireAfter": "Never",
    "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
    "requirements": [
      {"key": "karpenter.sh/nodepool", "operator": "In", "values": ["default"]},
      {"key": "node.kubernetes.io/instance-type", "minValues": 2, "operator": "In",
       "values": ["m5.xlarge", "m5a.xlarge", "m6i.xlarge"]}
    ],
    "resources": {"requests": {"cpu": "3150m", "memory": "4608Mi", "pods": "7"}},
    "taints": [{"effect": "NoSchedule", "key": "example.com/special"}]
  },
  "status": {
    "allocatable": {"cpu": "3920m", "ephemeral-storage": "17Gi", "memory": "14162Mi",
                    "pods": "58"},
    "capacity": {"cpu": "4", "ephemeral-storage": "20Gi", "memory": "15155Mi", "pods": "58"},
    "conditions": [
      {"lastTransitionTime": "2024-08-21T07:00:03Z", "message": "", "reason": "Launched",
       "status": "True", "type": "Launched"},
      {"lastTransitionTime": "2024-08-21T07:00:40Z", "message": "", "reason": "Registered",
       "status": "True", "type": "Registered"},
      {"lastTransitionTime": "2024-08-21T07:01:10Z", "message": "", "reason": "Initialized",
       "status": "True", "type": "Initialized"},
      {"lastTransitionTime": "2024-08-21T07:01:10Z", "message": "", "reason": "Ready",
       "status": "True", "type": "Ready"}
    ],
    "imageID": "ami-0a1b2c3d4e5f67890",
    "lastPodEventTime": "2024-08-21T07:02:00Z",
    "nodeName": "ip-10-0-12-34.us-west-2.compute.internal",
    "providerID": "aws:///us-west-2a/i-0123456789abcdef0"
  }
})";

constexpr const char* kEC2NodeClassJson = R"({
  "apiVersion": "karpenter.k8s.aws/v1",
  "kind": "EC2NodeClass",
  "metadata": {
    "annotations": {"karpenter.k8s.aws/ec2nodeclass-hash": "3190283749823",
                    "karpenter.k8s.aws/ec2nodeclass-hash-version": "v4"},
    "creationTimestamp": "2024-08-20T09:10:00Z",
    "finalizers": ["karpenter.k8s.aws/termination"],
    "generation": 2,
    "managedFields": [{"manager": "kubectl", "operation": "Apply"}],
    "name": "default",
    "resourceVersion": "917001",
    "uid": "9e8d7c6b-5a49-4837-a261-5f4e3d2c1b0a"
  },
  "spec": {
    "amiFamily": "AL2023",
    "amiSelectorTerms": [{"alias": "al2023@latest"}],
    "blockDeviceMappings": [
      {"deviceName": "/dev/xvda", "rootVolume": true,
       "ebs": {"deleteOnTermination": true, "encrypted": true, "iops": 3000,
               "kmsKeyID": "arn:aws:kms:us-west-2:111122223333:key/abcd", "throughput": 125,
               "volumeSize": "1024Gi", "volumeType": "gp3"}},
      {"deviceName": "/dev/xvdb", "ebs": {"snapshotID": "snap-0123456789abcdef0",
                                          "volumeInitializationRate": 200}}
    ],
    "capacityReservationSelectorTerms": [{"ownerID": "111122223333",
                                          "tags": {"team": "a"}}],
    "detailedMonitoring": false,
    "instanceStorePolicy": "RAID0",
    "kubelet": {
      "clusterDNS": ["10.100.0.10"],
      "cpuCFSQuota": true,
      "evictionHard": {"memory.available": "5%", "nodefs.available": "10%"},
      "evictionMaxPodGracePeriod": 60,
      "evictionSoft": {"memory.available": "500Mi"},
      "evictionSoftGracePeriod": {"memory.available": "1m30s"},
      "imageGCHighThresholdPercent": 85,
      "imageGCLowThresholdPercent": 80,
      "kubeReserved": {"cpu": "200m", "memory": "100Mi"},
      "maxPods": 110,
      "podsPerCore": 0,
      "systemReserved": {"cpu": "100m"}
    },
    "metadataOptions": {"httpEndpoint": "enabled", "httpProtocolIPv6": "disabled",
                        "httpPutResponseHopLimit": 1, "httpTokens": "required"},
    "role": "KarpenterNodeRole-my-cluster",
    "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": "my-cluster"}},
                                   {"name": "eks-cluster-sg-my-cluster"}],
    "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": "my-cluster"}},
                            {"id": "subnet-0a1b2c3d"}],
    "tags": {"team": "a", "cost-center": "1234"},
    "userData": "[settings.kubernetes]\nmax-pods = 110\n",
    "futureSpec": {"enabled": true}
  },
  "status": {
    "amis": [
      {"id": "ami-0aaa", "name": "amazon-eks-node-al2023-x86_64-standard-1.30-v20240807",
       "requirements": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]},
                        {"key": "karpenter.k8s.aws/instance-gpu-count", "operator": "DoesNotExist"}]},
      {"deprecated": true, "id": "ami-0bbb", "name": "old",
       "requirements": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["arm64"]}]}
    ],
    "capacityReservations": [
      {"availabilityZone": "us-west-2a", "endTime": "2024-09-01T00:00:00Z",
       "id": "cr-0123456789abcdef0", "instanceMatchCriteria": "targeted",
       "instanceType": "p5.48xlarge", "ownerID": "111122223333",
       "reservationType": "capacity-block", "state": "active"}
    ],
    "conditions": [{"lastTransitionTime": "2024-08-20T09:10:05Z", "message": "",
                    "observedGeneration": 2, "reason": "Ready", "status": "True",
                    "type": "Ready"}],
    "instanceProfile": "my-cluster_1234567890",
    "securityGroups": [{"id": "sg-0123", "name": "eks-cluster-sg-my-cluster"}],
    "subnets": [{"id": "subnet-0a1b2c3d", "zone": "us-west-2a", "zoneID": "usw2-az1"},
                {"id": "subnet-0e0f", "zone": "us-west-2b", "zoneID": "usw2-az2"}]
  }
})";

}  // namespace karpenter::api::fixtures
