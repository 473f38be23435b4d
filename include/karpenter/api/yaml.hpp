#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/util/result.hpp"

namespace karpenter::api {

// Reads Kubernetes manifests (YAML or JSON, as `kubectl get -o yaml|json` prints them) into JSON
// objects, the way kubectl does: scalars are typed by the YAML 1.2 core schema (true/false, null/~,
// integers, floats), quoted scalars stay strings, "---" separates documents, empty documents are
// skipped, and `kind: List` / `*List` objects are flattened into their items.

// Parses one text (which may hold several documents). Errors name `source` and the line.
Result<std::vector<nlohmann::json>> parseManifests(std::string_view text,
                                                   std::string_view source = "<input>");

// Reads a file, or every *.yaml, *.yml and *.json file below a directory (sorted by path).
Result<std::vector<nlohmann::json>> readManifests(const std::filesystem::path& path);

}  // namespace karpenter::api
