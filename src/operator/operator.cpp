#include "karpenter/operator/operator.hpp"

#include <atomic>
#include <cstdlib>
#include <optional>
#include <thread>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "karpenter/admission/routes.hpp"
#include "karpenter/cloudprovider/aws/aws_environment.hpp"
#include "karpenter/cloudprovider/simulated/simulated_cloud.hpp"
#include "karpenter/kube/config.hpp"
#include "karpenter/kube/leader_election.hpp"
#include "karpenter/metrics/registry.hpp"
#include "karpenter/operator/aws_controllers.hpp"
#include "karpenter/operator/controller_manager.hpp"
#include "karpenter/server/https_server.hpp"
#include "karpenter/state/cluster_view.hpp"

namespace karpenter::op {
namespace {

server::Response textResponse(int status, std::string body, std::string contentType) {
  server::Response response;
  response.status = status;
  response.contentType = std::move(contentType);
  response.body = std::move(body);
  return response;
}

server::HttpsServer::Options plainServerOptions(const OperatorOptions& options, uint16_t port) {
  server::HttpsServer::Options serverOptions;
  serverOptions.tls = false;
  serverOptions.address = options.bindAddress;
  serverOptions.port = port;
  serverOptions.maxConnections = 64;
  return serverOptions;
}

// The kubeconfig named by the flag, else the in-cluster configuration, else none.
std::optional<kube::RestConfig> restConfig(const OperatorOptions& options) {
  if (!options.kubeconfig.empty()) {
    auto loaded = kube::loadKubeconfig(options.kubeconfig);
    if (!loaded) {
      spdlog::error("--kubeconfig: {}", loaded.error().message);
      return std::nullopt;
    }
    return *loaded;
  }
  auto inCluster = kube::inClusterConfig([](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    return value ? std::optional<std::string>(value) : std::nullopt;
  });
  return inCluster ? std::optional<kube::RestConfig>(*inCluster) : std::nullopt;
}

// POD_NAME (the Deployment sets it) plus the host name and pid, unique per replica.
std::string leaderIdentity() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  const char* pod = std::getenv("POD_NAME");
  return std::string(pod ? pod : host) + "_" + std::to_string(getpid());
}

}  // namespace

struct Operator::Impl {
  OperatorOptions options;
  std::atomic<bool> ready{false};
  std::optional<server::HttpsServer> webhookServer;
  std::optional<server::HttpsServer> metricsServer;
  std::optional<server::HttpsServer> healthServer;
  // Present when a Kubernetes configuration was found.
  std::unique_ptr<kube::HttpKubeClient> client;
  // The AWS clients and providers when --cloud-provider is aws (the seam the EC2NodeClass
  // reconciler and the interruption controller are wired to).
  std::unique_ptr<cloudprovider::aws::AwsEnvironment> aws;
  std::unique_ptr<cloudprovider::CloudProvider> cloud;
  std::unique_ptr<ControllerManager> manager;
  // The EC2NodeClass and interruption controllers with the AWS provider; declared after the
  // manager, so they go before the state they read.
  std::unique_ptr<AwsControllers> awsControllers;
  std::unique_ptr<kube::LeaderElector> elector;
  std::thread electorThread;
  std::atomic<bool> stopping{false};
  std::function<void()> leadershipLost;

  std::shared_ptr<server::Router> webhookRouter() {
    auto router = std::make_shared<server::Router>();
    if (!options.disableExtender) {
      // Until the state has synced the extender answers 503, which kube-scheduler treats as an
      // ignorable extender's failure.
      server::addExtenderRoutes(*router, [this]() -> std::shared_ptr<const extender::ClusterView> {
        if (!manager) {
          return nullptr;
        }
        auto snapshot = manager->state().snapshot();
        if (!snapshot->synced) {
          return nullptr;
        }
        return std::make_shared<state::SnapshotClusterView>(snapshot,
                                                            std::chrono::steady_clock::now());
      });
    }
    if (!options.disableWebhook) {
      admission::addAdmissionRoutes(*router);
    }
    return router;
  }

  // The node classes are reconciled first: NodePools wait for their class's Ready condition.
  void startLeaderControllers() {
    if (awsControllers) {
      awsControllers->start();
    }
    manager->startControllers();
  }

  void stopLeaderControllers() {
    manager->stopControllers();
    if (awsControllers) {
      awsControllers->stop();
    }
  }

  // Informers and state on every replica; the controllers on the elected leader.
  Result<void> startControllers() {
    auto config = restConfig(options);
    if (!config) {
      spdlog::warn(
          "no Kubernetes configuration (--kubeconfig or in-cluster): serving webhooks "
          "only, no controllers");
      return {};
    }
    kube::HttpKubeClient::Options clientOptions;
    clientOptions.qps = options.kubeClientQps;
    clientOptions.burst = options.kubeClientBurst;
    client = std::make_unique<kube::HttpKubeClient>(*config, clientOptions);
    auto provider = options.effectiveCloudProvider();
    if (!provider) {
      return provider.error();
    }
    if (*provider == "aws") {
      cloudprovider::aws::AwsSettings settings{
          options.clusterName,     options.clusterEndpoint,
          options.clusterCABundle, options.vmMemoryOverheadPercent,
          options.reservedENIs,    options.interruptionQueue,
          options.isolatedVpc};
      auto environment = cloudprovider::aws::AwsEnvironment::create(
          std::move(settings), karpenter::aws::processEnvironment());
      if (!environment) {
        return environment.error();
      }
      aws = std::move(*environment);
      // EC2NodeClasses come from the state's latest snapshot (the informers keep it current).
      cloud = aws->cloudProvider([this](const std::string& name) {
        std::shared_ptr<const api::EC2NodeClass> nodeClass;
        if (manager) {
          const auto snapshot = manager->state().snapshot();
          if (auto it = snapshot->nodeClasses->find(name); it != snapshot->nodeClasses->end()) {
            nodeClass = it->second;
          }
        }
        return nodeClass;
      });
      spdlog::info("cloud provider: aws (cluster {}, region {})", options.clusterName,
                   aws->config.region);
    } else {
      cloud = std::make_unique<cloudprovider::simulated::SimulatedCloud>(
          cloudprovider::simulated::SimulatedCloud::Options{});
      spdlog::info(
          "cloud provider: simulated (set --cluster-name or --cloud-provider aws for EC2)");
    }
    ControllerManager::Options managerOptions;
    managerOptions.provisioner.batchIdle = options.batchIdleDuration;
    managerOptions.provisioner.batchMax = options.batchMaxDuration;
    managerOptions.provisioner.nominationTtl =
        std::max<std::chrono::milliseconds>(2 * options.batchMaxDuration, std::chrono::seconds(10));
    manager = std::make_unique<ControllerManager>(*client, *cloud, managerOptions);
    if (aws) {
      auto built = AwsControllers::create(*aws, *client, manager->events(), manager->state());
      if (!built) {
        return built.error();
      }
      awsControllers = std::move(*built);
    }
    manager->startState();
    if (!options.leaderElection) {
      startLeaderControllers();
      return {};
    }
    kube::LeaderElectionConfig election;
    election.identity = leaderIdentity();
    election.leaseName = options.leaderElectionName;
    election.leaseNamespace = options.leaderElectionNamespace;
    if (auto valid = kube::validate(election); !valid) {
      return valid.error();
    }
    elector = std::make_unique<kube::LeaderElector>(
        *client, election,
        kube::LeaderCallbacks{
            .onStartedLeading =
                [this] {
                  spdlog::info("elected leader: starting the controllers");
                  startLeaderControllers();
                },
            .onStoppedLeading =
                [this] {
                  stopLeaderControllers();
                  if (stopping) {
                    spdlog::info("gave up the leader lease: controllers stopped");
                    return;
                  }
                  spdlog::error(
                      "leader election lost: controllers stopped; exiting so that a restarted "
                      "process campaigns again");
                  if (leadershipLost) {
                    leadershipLost();
                  }
                },
            .onNewLeader =
                [](const std::string& identity) { spdlog::info("leader is {}", identity); }});
    electorThread = std::thread([this] { elector->run(); });
    return {};
  }

  std::shared_ptr<server::Router> metricsRouter() const {
    auto router = std::make_shared<server::Router>();
    router->addPlainRoute("GET", "/metrics", [](const server::Request&) {
      return textResponse(200, metrics::defaultRegistry().exposition(),
                          "text/plain; version=0.0.4; charset=utf-8");
    });
    return router;
  }

  std::shared_ptr<server::Router> healthRouter() {
    auto router = std::make_shared<server::Router>();
    router->addPlainRoute("GET", "/healthz", [](const server::Request&) {
      return textResponse(200, "ok", "text/plain; charset=utf-8");
    });
    router->addPlainRoute("GET", "/readyz", [this](const server::Request&) {
      return ready ? textResponse(200, "ok", "text/plain; charset=utf-8")
                   : textResponse(503, "not ready", "text/plain; charset=utf-8");
    });
    return router;
  }

  Result<void> startWebhookServer() {
    if (options.disableWebhook && options.disableExtender) {
      return {};
    }
    if (options.tlsCertFile.empty() || options.tlsKeyFile.empty()) {
      return invalidError(
          "--tls-cert-file and --tls-key-file are required to serve the webhooks and the "
          "scheduler extender (or pass --disable-webhook --disable-extender)");
    }
    server::HttpsServer::Options serverOptions;
    serverOptions.address = options.bindAddress;
    serverOptions.port = options.webhookPort;
    serverOptions.threads = 2;
    serverOptions.certFile = options.tlsCertFile;
    serverOptions.keyFile = options.tlsKeyFile;
    serverOptions.clientCaFile = options.clientCaFile;
    webhookServer.emplace(webhookRouter(), serverOptions);
    return webhookServer->start();
  }
};

Operator::Operator(OperatorOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Operator::~Operator() {
  impl_->options.shutdownGrace = std::chrono::milliseconds(0);
  stop();
}

Result<void> Operator::start() {
  Impl& impl = *impl_;
  impl.healthServer.emplace(impl.healthRouter(),
                            plainServerOptions(impl.options, impl.options.healthProbePort));
  if (auto started = impl.healthServer->start(); !started) {
    return started.error().withContext("--health-probe-port");
  }
  impl.metricsServer.emplace(impl.metricsRouter(),
                             plainServerOptions(impl.options, impl.options.metricsPort));
  if (auto started = impl.metricsServer->start(); !started) {
    return started.error().withContext("--metrics-port");
  }
  if (auto started = impl.startWebhookServer(); !started) {
    return started.error().withContext("--webhook-port");
  }
  if (auto started = impl.startControllers(); !started) {
    return started.error();
  }
  impl.ready = true;
  spdlog::info("karpenter serving: webhook {}, metrics {}, health probes {}", webhookPort(),
               metricsPort(), healthProbePort());
  return {};
}

void Operator::onLeadershipLost(std::function<void()> handler) {
  impl_->leadershipLost = std::move(handler);
}

void Operator::stop() {
  Impl& impl = *impl_;
  impl.ready = false;
  impl.stopping = true;
  if (impl.webhookServer) {
    impl.webhookServer->stop(impl.options.shutdownGrace);
  }
  if (impl.elector) {
    impl.elector->stop();  // releases the lease and stops the controllers
    impl.electorThread.join();
    impl.elector.reset();
  }
  if (impl.awsControllers) {
    impl.awsControllers->stop();
  }
  if (impl.manager) {
    impl.manager->stop();
  }
  if (impl.metricsServer) {
    impl.metricsServer->stop(std::chrono::milliseconds(0));
  }
  if (impl.healthServer) {
    impl.healthServer->stop(std::chrono::milliseconds(0));
  }
}

uint16_t Operator::webhookPort() const {
  return impl_->webhookServer ? impl_->webhookServer->port() : 0;
}

uint16_t Operator::metricsPort() const {
  return impl_->metricsServer ? impl_->metricsServer->port() : 0;
}

uint16_t Operator::healthProbePort() const {
  return impl_->healthServer ? impl_->healthServer->port() : 0;
}

}  // namespace karpenter::op
