#include <iostream>

#include "karpenter/api/yaml.hpp"
#include "karpenter/cli/commands.hpp"
#include "karpenter/cli/workload_requests.hpp"

namespace karpenter::cli {

void addRequestsCommand(CLI::App& app, int& exitCode) {
  auto* command = app.add_subcommand(
      "requests",
      "Print the resource requests of the pods and workloads in manifest files, as "
      "kube-scheduler computes them (init containers, sidecars, overhead), and their total");
  static std::vector<std::string> paths;
  command->add_option("paths", paths, "YAML/JSON files or directories of manifests")->required();
  command->callback([&exitCode] {
    std::vector<nlohmann::json> manifests;
    for (const auto& path : paths) {
      auto read = api::readManifests(path);
      if (!read) {
        std::cerr << "error: " << read.error().message << '\n';
        exitCode = 1;
        return;
      }
      manifests.insert(manifests.end(), read->begin(), read->end());
    }
    auto workloads = workloadRequests(manifests);
    if (!workloads) {
      std::cerr << "error: " << workloads.error().message << '\n';
      exitCode = 1;
      return;
    }
    std::cout << formatRequestsTable(*workloads);
    exitCode = 0;
  });
}

}  // namespace karpenter::cli
