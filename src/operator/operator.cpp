#include "karpenter/operator/operator.hpp"

#include <atomic>
#include <optional>

#include <spdlog/spdlog.h>

#include "karpenter/metrics/registry.hpp"
#include "karpenter/server/https_server.hpp"

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

}  // namespace

struct Operator::Impl {
  OperatorOptions options;
  std::atomic<bool> ready{false};
  std::optional<server::HttpsServer> webhookServer;
  std::optional<server::HttpsServer> metricsServer;
  std::optional<server::HttpsServer> healthServer;

  std::shared_ptr<server::Router> webhookRouter() const {
    auto router = std::make_shared<server::Router>();
    if (!options.disableExtender) {
      // Until the cluster state is wired the extender answers 503, which kube-scheduler treats
      // as an ignorable extender's failure.
      server::addExtenderRoutes(*router, [] { return nullptr; });
    }
    return router;
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
  impl.ready = true;
  spdlog::info("karpenter serving: webhook {}, metrics {}, health probes {}", webhookPort(),
               metricsPort(), healthProbePort());
  return {};
}

void Operator::stop() {
  Impl& impl = *impl_;
  impl.ready = false;
  if (impl.webhookServer) {
    impl.webhookServer->stop(impl.options.shutdownGrace);
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
