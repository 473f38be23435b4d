#include <atomic>
#include <iostream>
#include <memory>
#include <tuple>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "karpenter/api/duration.hpp"
#include "karpenter/cli/commands.hpp"
#include "karpenter/operator/operator.hpp"
#include "karpenter/util/logging.hpp"
#include "signals.hpp"

namespace karpenter::cli {
namespace {

struct ControllerFlags {
  op::OperatorOptions options;
  std::string logLevel = "info";
  std::string logFormat = "json";
  std::string batchIdleDuration = "1s";
  std::string batchMaxDuration = "10s";
  bool disableLeaderElection = false;
};

int runController(ControllerFlags& flags) {
  if (auto configured = configureLogging(flags.logLevel, flags.logFormat); !configured) {
    std::cerr << "karpenter controller: " << configured.error().message << "\n";
    return 2;
  }
  for (auto [text, target, flag] :
       {std::tuple{&flags.batchIdleDuration, &flags.options.batchIdleDuration,
                   "--batch-idle-duration"},
        std::tuple{&flags.batchMaxDuration, &flags.options.batchMaxDuration,
                   "--batch-max-duration"}}) {
    auto duration = api::parseGoDuration(*text);
    if (!duration || duration->count() <= 0) {
      std::cerr << "karpenter controller: " << flag << ": want a positive duration like 1s, got \""
                << *text << "\"\n";
      return 2;
    }
    *target = std::chrono::duration_cast<std::chrono::milliseconds>(*duration);
  }
  flags.options.leaderElection = !flags.disableLeaderElection;
  const sigset_t signals = blockTerminationSignals();
  op::Operator karpenter(flags.options);
  // Losing the lease ends the process (exit 1) as upstream's does; the signal wakes the wait
  // below, which every other thread leaves to the main thread.
  static std::atomic<bool> leadershipLost{false};
  karpenter.onLeadershipLost([] {
    leadershipLost = true;
    ::kill(::getpid(), SIGTERM);
  });
  if (auto started = karpenter.start(); !started) {
    spdlog::error("karpenter controller cannot start: {}", started.error().message);
    return 1;
  }
  const int signal = waitForTermination(signals);
  if (leadershipLost) {
    karpenter.stop();
    spdlog::error("karpenter controller exiting: leader election lost");
    return 1;
  }
  spdlog::info("received {}, shutting down", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  karpenter.stop();
  return 0;
}

}  // namespace

void addControllerCommand(CLI::App& app, int& exitCode) {
  auto flags = std::make_shared<ControllerFlags>();
  op::OperatorOptions& o = flags->options;
  auto* command = app.add_subcommand(
      "controller",
      "Run Karpenter: admission webhooks and the scheduler extender on every replica, the "
      "controllers on the elected leader");
  command->add_option("--webhook-port", o.webhookPort, "HTTPS port for webhooks and the extender")
      ->envname("WEBHOOK_PORT")
      ->capture_default_str();
  command->add_option("--metrics-port", o.metricsPort, "HTTP port for /metrics")
      ->envname("METRICS_PORT")
      ->capture_default_str();
  command->add_option("--health-probe-port", o.healthProbePort, "HTTP port for /healthz, /readyz")
      ->envname("HEALTH_PROBE_PORT")
      ->capture_default_str();
  command->add_option("--bind-address", o.bindAddress, "Address every server listens on")
      ->envname("BIND_ADDRESS")
      ->capture_default_str();
  command
      ->add_option("--tls-cert-file", o.tlsCertFile, "PEM serving certificate (re-read on change)")
      ->envname("TLS_CERT_FILE");
  command->add_option("--tls-key-file", o.tlsKeyFile, "PEM serving key (re-read on change)")
      ->envname("TLS_KEY_FILE");
  command
      ->add_option("--client-ca-file", o.clientCaFile,
                   "PEM CA bundle; when set, HTTPS clients must present a certificate from it")
      ->envname("CLIENT_CA_FILE");
  command->add_flag("--disable-webhook", o.disableWebhook, "Do not serve admission webhooks")
      ->envname("DISABLE_WEBHOOK");
  command->add_flag("--disable-extender", o.disableExtender, "Do not serve the scheduler extender")
      ->envname("DISABLE_EXTENDER");
  command->add_option("--kubeconfig", o.kubeconfig, "kubeconfig path (default: in-cluster)")
      ->envname("KUBECONFIG");
  command->add_option("--kube-client-qps", o.kubeClientQps, "Client-side QPS limit")
      ->envname("KUBE_CLIENT_QPS")
      ->capture_default_str();
  command->add_option("--kube-client-burst", o.kubeClientBurst, "Client-side burst")
      ->envname("KUBE_CLIENT_BURST")
      ->capture_default_str();
  command
      ->add_flag("--disable-leader-election", flags->disableLeaderElection,
                 "Run the controllers without electing a leader (one replica only)")
      ->envname("DISABLE_LEADER_ELECTION");
  command
      ->add_option("--leader-election-namespace", o.leaderElectionNamespace,
                   "Namespace of the leader-election Lease")
      ->envname("LEADER_ELECTION_NAMESPACE")
      ->capture_default_str();
  command
      ->add_option("--batch-idle-duration", flags->batchIdleDuration,
                   "Provisioning batch: time without a new pod that ends a batch")
      ->envname("BATCH_IDLE_DURATION")
      ->capture_default_str();
  command
      ->add_option("--batch-max-duration", flags->batchMaxDuration,
                   "Provisioning batch: longest batch")
      ->envname("BATCH_MAX_DURATION")
      ->capture_default_str();
  command
      ->add_option("--cloud-provider", o.cloudProvider,
                   "aws or simulated (default: aws when --cluster-name is set, else simulated)")
      ->envname("CLOUD_PROVIDER");
  command->add_option("--cluster-name", o.clusterName, "EKS cluster name (tags, user data)")
      ->envname("CLUSTER_NAME");
  command
      ->add_option("--cluster-endpoint", o.clusterEndpoint,
                   "Kubernetes API server URL the nodes join")
      ->envname("CLUSTER_ENDPOINT");
  command
      ->add_option("--cluster-ca-bundle", o.clusterCABundle,
                   "Base64 cluster CA the nodes trust (default: nodeadm looks it up)")
      ->envname("CLUSTER_CA_BUNDLE");
  command
      ->add_option("--vm-memory-overhead-percent", o.vmMemoryOverheadPercent,
                   "Share of instance memory the hypervisor keeps")
      ->envname("VM_MEMORY_OVERHEAD_PERCENT")
      ->capture_default_str();
  command
      ->add_option("--reserved-enis", o.reservedENIs,
                   "ENIs kept out of the max-pods calculation (e.g. for Cilium)")
      ->envname("RESERVED_ENIS")
      ->capture_default_str();
  command
      ->add_option("--interruption-queue", o.interruptionQueue,
                   "SQS queue of EC2 interruption events")
      ->envname("INTERRUPTION_QUEUE");
  command
      ->add_flag("--isolated-vpc", o.isolatedVpc,
                 "No internet access: use the built-in on-demand prices, not the Price List API")
      ->envname("ISOLATED_VPC");
  command->add_option("--log-level", flags->logLevel, "debug, info, warn or error")
      ->envname("LOG_LEVEL")
      ->capture_default_str();
  command->add_option("--log-format", flags->logFormat, "json or text")
      ->envname("LOG_FORMAT")
      ->capture_default_str();
  command->callback([flags, &exitCode] { exitCode = runController(*flags); });
}

}  // namespace karpenter::cli
