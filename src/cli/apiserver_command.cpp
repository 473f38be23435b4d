#include <fstream>
#include <iostream>
#include <memory>

#include <spdlog/spdlog.h>

#include "karpenter/api/yaml.hpp"
#include "karpenter/apiserver/server.hpp"
#include "karpenter/apiserver/store.hpp"
#include "karpenter/cli/commands.hpp"
#include "signals.hpp"

namespace karpenter::cli {
namespace {

struct ApiserverFlags {
  std::string address = "127.0.0.1";
  uint16_t port = 0;
  std::string kubeconfigOut;
  std::vector<std::string> load;
};

std::string kubeconfigFor(const std::string& server) {
  return "apiVersion: v1\nkind: Config\nclusters:\n- name: karpenter-test\n  cluster:\n"
         "    server: " +
         server +
         "\nusers:\n- name: karpenter-test\n  user: {}\ncontexts:\n- name: karpenter-test\n"
         "  context:\n    cluster: karpenter-test\n    user: karpenter-test\n"
         "current-context: karpenter-test\n";
}

// Creates every object of the manifests in `paths` (in file order) in the store.
Result<size_t> preload(apiserver::Store& store, const std::vector<std::string>& paths) {
  size_t created = 0;
  for (const auto& path : paths) {
    auto manifests = api::readManifests(path);
    if (!manifests) {
      return manifests.error();
    }
    for (const auto& object : *manifests) {
      const std::string apiVersion = object.value("apiVersion", "");
      const std::string kind = object.value("kind", "");
      const apiserver::ResourceInfo* info = nullptr;
      for (const auto& candidate : store.resources()) {
        if (candidate.apiVersion() == apiVersion && candidate.kind == kind) {
          info = &candidate;
        }
      }
      if (info == nullptr) {
        spdlog::warn("{}: skipping {} {}: not served by the test apiserver", path, apiVersion,
                     kind);
        continue;
      }
      std::string ns;
      if (info->namespaced) {
        ns = object["metadata"].value("namespace", "default");
      }
      nlohmann::json copy = object;
      if (info->namespaced) {
        copy["metadata"]["namespace"] = ns;
      }
      auto result = store.create({info->group, info->version, info->resource}, ns, copy);
      if (!result) {
        return invalidError(path + ": " + kind + " " + object["metadata"].value("name", "") + ": " +
                            result.error().message);
      }
      ++created;
    }
  }
  return created;
}

int runApiserver(const ApiserverFlags& flags) {
  const sigset_t signals = blockTerminationSignals();

  apiserver::Store store(apiserver::servedResources(),
                         {.clock = [] { return std::chrono::system_clock::now(); }});
  if (auto loaded = preload(store, flags.load); !loaded) {
    std::cerr << "karpenter apiserver: " << loaded.error().message << "\n";
    return 1;
  }
  apiserver::Server server(store, {.address = flags.address, .port = flags.port});
  if (auto started = server.start(); !started) {
    std::cerr << "karpenter apiserver: " << started.error().message << "\n";
    return 1;
  }
  const std::string url = "http://" + flags.address + ":" + std::to_string(server.port());
  if (!flags.kubeconfigOut.empty()) {
    std::ofstream(flags.kubeconfigOut) << kubeconfigFor(url);
  }
  std::cout << url << std::endl;
  waitForTermination(signals);
  server.stop();
  return 0;
}

}  // namespace

void addApiserverCommand(CLI::App& app, int& exitCode) {
  auto flags = std::make_shared<ApiserverFlags>();
  auto* command = app.add_subcommand(
      "apiserver",
      "Run the in-repo test kube-apiserver (plain HTTP, in memory, nothing persisted) until "
      "SIGTERM; prints its URL");
  command->add_option("--address", flags->address, "Listen address")->capture_default_str();
  command->add_option("--port", flags->port, "Listen port (0: any free port)")
      ->capture_default_str();
  command->add_option("--kubeconfig-out", flags->kubeconfigOut,
                      "Write a kubeconfig for this server to this file");
  command->add_option("--load", flags->load, "Manifest files or directories to create at start");
  command->callback([flags, &exitCode] { exitCode = runApiserver(*flags); });
}

}  // namespace karpenter::cli
