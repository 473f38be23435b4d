#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace karpenter::testing {

// Directory of the shared public test vectors (../shared/testdata, or $KARPENTER_TESTDATA).
std::filesystem::path testdataDir();
// Reads a JSON file below testdataDir(); fails the calling test (via exception) if unreadable.
nlohmann::json readTestdataJson(const std::string& relativePath);
std::string readFile(const std::filesystem::path& path);

}  // namespace karpenter::testing
