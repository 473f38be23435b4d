#include <iostream>
#include <memory>

#include <spdlog/spdlog.h>

#include "karpenter/api/yaml.hpp"
#include "karpenter/cli/commands.hpp"
#include "karpenter/simulation/simulator.hpp"
#include "karpenter/util/logging.hpp"

namespace karpenter::cli {
namespace {

struct SimulateFlags {
  std::vector<std::string> paths;
  std::string output = "table";
  std::string catalog;
  int timeoutSeconds = 120;
  std::string logLevel = "warn";
};

int runSimulate(const SimulateFlags& flags) {
  if (auto configured = configureLogging(flags.logLevel, "text"); !configured) {
    std::cerr << "karpenter simulate: " << configured.error().message << "\n";
    return 2;
  }
  std::vector<nlohmann::json> manifests;
  for (const auto& path : flags.paths) {
    auto read = api::readManifests(path);
    if (!read) {
      std::cerr << "karpenter simulate: " << read.error().message << "\n";
      return 1;
    }
    manifests.insert(manifests.end(), read->begin(), read->end());
  }
  simulation::SimulateOptions options;
  options.catalogFile = flags.catalog;
  options.timeout = std::chrono::seconds(flags.timeoutSeconds);
  auto plan = simulation::simulate(manifests, options);
  if (!plan) {
    std::cerr << "karpenter simulate: " << plan.error().message << "\n";
    return 1;
  }
  if (flags.output == "json") {
    std::cout << simulation::renderJson(*plan);
  } else if (flags.output == "yaml") {
    std::cout << simulation::renderYaml(*plan);
  } else {
    std::cout << simulation::renderTable(*plan);
  }
  return 0;
}

}  // namespace

void addSimulateCommand(CLI::App& app, int& exitCode) {
  auto flags = std::make_shared<SimulateFlags>();
  auto* command = app.add_subcommand(
      "simulate",
      "Plan and price the capacity Karpenter would launch for the workloads, NodePools and nodes "
      "in manifest files, by running its controllers on an embedded apiserver and simulated "
      "cloud");
  command->add_option("paths", flags->paths, "YAML/JSON files or directories of manifests")
      ->required();
  command->add_option("-o,--output", flags->output, "table, json or yaml")
      ->check(CLI::IsMember({"table", "json", "yaml"}))
      ->capture_default_str();
  command->add_option("--catalog", flags->catalog,
                      "Instance-type catalog file (YAML/JSON) for the simulated cloud");
  command->add_option("--timeout", flags->timeoutSeconds, "Give up waiting after this many seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--log-level", flags->logLevel, "debug, info, warn or error")
      ->capture_default_str();
  command->callback([flags, &exitCode] { exitCode = runSimulate(*flags); });
}

}  // namespace karpenter::cli
