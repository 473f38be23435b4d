#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "karpenter/util/result.hpp"

namespace karpenter::op {

// Everything `karpenter controller` is configured with. Each field has a flag and an environment
// variable named as upstream Karpenter names it (cli/controller_command.cpp lists them).
struct OperatorOptions {
  std::string bindAddress = "0.0.0.0";
  uint16_t webhookPort = 8443;
  uint16_t metricsPort = 8080;
  uint16_t healthProbePort = 8081;
  std::string tlsCertFile;
  std::string tlsKeyFile;
  std::string clientCaFile;      // non-empty: only clients with a certificate from this CA may call
  bool disableWebhook = false;   // no admission endpoints
  bool disableExtender = false;  // no scheduler-extender endpoints
  std::string kubeconfig;        // empty: in-cluster configuration
  double kubeClientQps = 200;
  int kubeClientBurst = 300;
  bool leaderElection = true;
  std::string leaderElectionName = "karpenter-leader-election";
  std::string leaderElectionNamespace = "karpenter";
  std::chrono::milliseconds batchIdleDuration{1000};
  std::chrono::milliseconds batchMaxDuration{10'000};
  std::chrono::milliseconds shutdownGrace{10'000};

  // Where capacity comes from: "aws", "simulated", or "" = aws when a cluster name is set (a
  // real deployment always sets it), else simulated (a laptop or CI run).
  std::string cloudProvider;
  // Upstream's AWS settings (aws-ec2.md; the region is AWS_REGION / AWS_DEFAULT_REGION).
  std::string clusterName;                 // CLUSTER_NAME
  std::string clusterEndpoint;             // CLUSTER_ENDPOINT
  std::string clusterCABundle;             // CLUSTER_CA_BUNDLE
  double vmMemoryOverheadPercent = 0.075;  // VM_MEMORY_OVERHEAD_PERCENT
  int reservedENIs = 0;                    // RESERVED_ENIS
  std::string interruptionQueue;           // INTERRUPTION_QUEUE
  bool isolatedVpc = false;                // ISOLATED_VPC

  // The provider these options select: "aws" or "simulated"; kInvalid for anything else, or
  // for aws without a cluster name.
  Result<std::string> effectiveCloudProvider() const;
};

}  // namespace karpenter::op
