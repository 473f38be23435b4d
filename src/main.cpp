#include <CLI/CLI.hpp>

#include "karpenter/cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Karpenter: a Kubernetes node autoscaler"};
  app.require_subcommand(1);
  int exitCode = 0;
  karpenter::cli::addVersionCommand(app, exitCode);
  karpenter::cli::addRequestsCommand(app, exitCode);
  karpenter::cli::addControllerCommand(app, exitCode);
  karpenter::cli::addApiserverCommand(app, exitCode);
  karpenter::cli::addSimulateCommand(app, exitCode);
  CLI11_PARSE(app, argc, argv);
  return exitCode;
}
