#pragma once

// Test-only access to the repository's deployment files (manifests/, webhooks/, certs/): where
// they are, and every YAML document in them as JSON, read with the product's own manifest reader
// (yaml-cpp, YAML 1.2 core schema).

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/api/yaml.hpp"

#ifndef KARPENTER_SOURCE_DIR
#error "KARPENTER_SOURCE_DIR must be defined (tests/CMakeLists.txt sets it for these areas)"
#endif

namespace karpenter::testing {

inline std::filesystem::path sourceDir() {
  return std::filesystem::path(KARPENTER_SOURCE_DIR);
}

// One YAML document and the file it came from.
struct ManifestDocument {
  std::filesystem::path file;
  nlohmann::json object;
};

// Every *.yaml below `dir`, sorted.
inline std::vector<std::filesystem::path> yamlFilesBelow(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Every document of one file; throws (failing the test) with the reader's message on bad YAML.
inline std::vector<ManifestDocument> readDocuments(const std::filesystem::path& file) {
  auto parsed = api::readManifests(file);
  if (!parsed) {
    throw std::runtime_error(file.string() + ": " + parsed.error().message);
  }
  std::vector<ManifestDocument> documents;
  for (auto& object : *parsed) {
    documents.push_back({file, std::move(object)});
  }
  return documents;
}

// Every document under manifests/ and webhooks/.
inline std::vector<ManifestDocument> allDeploymentDocuments() {
  std::vector<ManifestDocument> documents;
  for (const char* dir : {"manifests", "webhooks"}) {
    for (const auto& file : yamlFilesBelow(sourceDir() / dir)) {
      auto more = readDocuments(file);
      documents.insert(documents.end(), more.begin(), more.end());
    }
  }
  return documents;
}

// The one document with this kind and name (and namespace, when given); throws if there is not
// exactly one.
inline nlohmann::json findObject(const std::vector<ManifestDocument>& documents,
                                 const std::string& kind, const std::string& name,
                                 const std::string& ns = "") {
  const nlohmann::json* found = nullptr;
  for (const auto& document : documents) {
    const auto& object = document.object;
    const auto& metadata = object.value("metadata", nlohmann::json::object());
    if (object.value("kind", "") == kind && metadata.value("name", "") == name &&
        (ns.empty() || metadata.value("namespace", "") == ns)) {
      if (found != nullptr) {
        throw std::runtime_error("more than one " + kind + " " + ns + "/" + name);
      }
      found = &object;
    }
  }
  if (found == nullptr) {
    throw std::runtime_error("no " + kind + " " + ns + "/" + name);
  }
  return *found;
}

// The first document of this kind (for kinds without metadata, e.g. KubeSchedulerConfiguration).
inline nlohmann::json findKind(const std::vector<ManifestDocument>& documents,
                               const std::string& kind) {
  for (const auto& document : documents) {
    if (document.object.value("kind", "") == kind) {
      return document.object;
    }
  }
  throw std::runtime_error("no " + kind);
}

}  // namespace karpenter::testing
