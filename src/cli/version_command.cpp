#include <iostream>

#include "karpenter/cli/commands.hpp"

namespace karpenter::cli {

void addVersionCommand(CLI::App& app, int& exitCode) {
  auto* command = app.add_subcommand("version", "Print the version of this binary");
  command->callback([&exitCode] {
    std::cout << "karpenter " << KARPENTER_VERSION << " (C++" << __cplusplus / 100 % 100
              << ", built " << __DATE__ << ")\n";
    exitCode = 0;
  });
}

}  // namespace karpenter::cli
