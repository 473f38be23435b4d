// Test-only: runs one LeaderElector and prints "leading <id>" / "stopped <id>" lines, for the
// two-process failover test. Usage:
//   leader_elector (--server URL | --kubeconfig PATH) --identity ID --name LEASE
//                  [--namespace NS] [--lease-ms N] [--renew-ms N] [--retry-ms N]
// SIGTERM/SIGINT stop it gracefully (releasing the lease); SIGKILL is the test's crash.
#include <csignal>
#include <cstdio>
#include <thread>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "karpenter/kube/client.hpp"
#include "karpenter/kube/leader_election.hpp"

namespace {
volatile std::sig_atomic_t gSignalled = 0;
void onSignal(int) {
  gSignalled = 1;
}
}  // namespace

int main(int argc, char** argv) {
  using namespace karpenter::kube;
  CLI::App app{"leader elector (test)"};
  std::string server;
  std::string kubeconfig;
  LeaderElectionConfig config;
  int leaseMs = 2000;
  int renewMs = 1500;
  int retryMs = 300;
  app.add_option("--server", server);
  app.add_option("--kubeconfig", kubeconfig);
  app.add_option("--identity", config.identity)->required();
  app.add_option("--name", config.leaseName)->required();
  app.add_option("--namespace", config.leaseNamespace);
  app.add_option("--lease-ms", leaseMs);
  app.add_option("--renew-ms", renewMs);
  app.add_option("--retry-ms", retryMs);
  CLI11_PARSE(app, argc, argv);
  config.leaseDuration = std::chrono::milliseconds(leaseMs);
  config.renewDeadline = std::chrono::milliseconds(renewMs);
  config.retryPeriod = std::chrono::milliseconds(retryMs);
  if (auto valid = validate(config); !valid) {
    std::fprintf(stderr, "%s\n", valid.error().message.c_str());
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);

  RestConfig rest;
  if (!kubeconfig.empty()) {
    auto loaded = loadKubeconfig(kubeconfig);
    if (!loaded) {
      std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
      return 2;
    }
    rest = *loaded;
  } else {
    rest.server = server;
  }
  // Every call must end well within the renew deadline.
  HttpKubeClient client(rest, {.maxRetries = 0,
                               .connectTimeout = std::chrono::milliseconds(renewMs / 3),
                               .requestTimeout = std::chrono::milliseconds(renewMs / 3)});
  LeaderElector elector(client, config,
                        {.onStartedLeading =
                             [&] {
                               std::printf("leading %s\n", config.identity.c_str());
                               std::fflush(stdout);
                             },
                         .onStoppedLeading =
                             [&] {
                               std::printf("stopped %s\n", config.identity.c_str());
                               std::fflush(stdout);
                             }});

  std::signal(SIGTERM, onSignal);
  std::signal(SIGINT, onSignal);
  std::thread watcher([&] {
    while (!gSignalled) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    elector.stop();
  });
  elector.run();
  gSignalled = 1;
  watcher.join();
  return 0;
}
