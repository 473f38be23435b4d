#pragma once

#include <CLI/CLI.hpp>

namespace karpenter::cli {

// Each function adds one subcommand to `app`; its callback runs the command and sets `exitCode`.
void addVersionCommand(CLI::App& app, int& exitCode);
void addRequestsCommand(CLI::App& app, int& exitCode);
void addControllerCommand(CLI::App& app, int& exitCode);
void addApiserverCommand(CLI::App& app, int& exitCode);
void addSimulateCommand(CLI::App& app, int& exitCode);

}  // namespace karpenter::cli
