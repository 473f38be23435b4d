#include "karpenter/api/yaml.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <regex>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace karpenter::api {
namespace {

// YAML 1.2 core schema resolution of a plain (unquoted) scalar.
nlohmann::json resolvePlainScalar(const std::string& text) {
  static const std::regex kNull("^(~|null|Null|NULL|)$");
  static const std::regex kTrue("^(true|True|TRUE)$");
  static const std::regex kFalse("^(false|False|FALSE)$");
  static const std::regex kInt("^[-+]?[0-9]+$");
  static const std::regex kOctal("^0o[0-7]+$");
  static const std::regex kHex("^0x[0-9a-fA-F]+$");
  static const std::regex kFloat("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$");
  static const std::regex kInfinity("^[-+]?\\.(inf|Inf|INF)$");
  static const std::regex kNan("^\\.(nan|NaN|NAN)$");
  // Most scalars are names and labels; skip the regexes unless the first byte could start one.
  static constexpr std::string_view kTypedStarts = "0123456789+-.~nNtTfF";
  if (!text.empty() && kTypedStarts.find(text.front()) == std::string_view::npos) {
    return text;
  }
  if (std::regex_match(text, kNull)) {
    return nullptr;
  }
  if (std::regex_match(text, kTrue)) {
    return true;
  }
  if (std::regex_match(text, kFalse)) {
    return false;
  }
  auto parseInteger = [&](std::string_view digits, int base) -> nlohmann::json {
    int64_t value = 0;
    bool negative = !digits.empty() && digits.front() == '-';
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) {
      digits.remove_prefix(1);
    }
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (error != std::errc() || end != digits.data() + digits.size()) {
      return text;  // out of int64 range: keep the text rather than lose digits
    }
    return negative ? -value : value;
  };
  if (std::regex_match(text, kInt)) {
    return parseInteger(text, 10);
  }
  if (std::regex_match(text, kOctal)) {
    return parseInteger(std::string_view(text).substr(2), 8);
  }
  if (std::regex_match(text, kHex)) {
    return parseInteger(std::string_view(text).substr(2), 16);
  }
  if (std::regex_match(text, kFloat)) {
    return std::stod(text);
  }
  if (std::regex_match(text, kInfinity) || std::regex_match(text, kNan)) {
    return text;  // JSON has no infinities; Kubernetes objects never hold them
  }
  return text;
}

Result<nlohmann::json> toJson(const YAML::Node& node, std::string_view source) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nlohmann::json(nullptr);
    case YAML::NodeType::Scalar:
      // yaml-cpp tags quoted scalars "!" and plain ones "?"; explicit !!str also stays a string.
      if (node.Tag() == "?") {
        return resolvePlainScalar(node.Scalar());
      }
      return nlohmann::json(node.Scalar());
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& element : node) {
        auto converted = toJson(element, source);
        if (!converted) {
          return converted;
        }
        array.push_back(std::move(converted).value());
      }
      return array;
    }
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          return invalidError(std::string(source) + ":" +
                              std::to_string(entry.first.Mark().line + 1) +
                              ": mapping keys must be strings");
        }
        auto converted = toJson(entry.second, source);
        if (!converted) {
          return converted;
        }
        object[entry.first.Scalar()] = std::move(converted).value();
      }
      return object;
    }
  }
  return nlohmann::json(nullptr);
}

void appendFlattened(nlohmann::json document, std::vector<nlohmann::json>& out) {
  if (document.is_null()) {
    return;
  }
  const bool isList = document.is_object() && document.contains("items") &&
                      document["items"].is_array() && document.value("kind", "").ends_with("List");
  if (!isList) {
    out.push_back(std::move(document));
    return;
  }
  for (auto& item : document["items"]) {
    appendFlattened(std::move(item), out);
  }
}

}  // namespace

Result<std::vector<nlohmann::json>> parseManifests(std::string_view text, std::string_view source) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& error) {
    return invalidError(std::string(source) + ":" + std::to_string(error.mark.line + 1) + ":" +
                        std::to_string(error.mark.column + 1) + ": " + error.msg);
  }
  std::vector<nlohmann::json> out;
  for (const auto& document : documents) {
    auto converted = toJson(document, source);
    if (!converted) {
      return converted.error();
    }
    if (!converted->is_null() && !converted->is_object()) {
      return invalidError(std::string(source) + ":" + std::to_string(document.Mark().line + 1) +
                          ": a manifest must be an object, got " + converted->type_name());
    }
    appendFlattened(std::move(converted).value(), out);
  }
  return out;
}

Result<std::vector<nlohmann::json>> readManifests(const std::filesystem::path& path) {
  std::error_code error;
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(path, error)) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(path, error)) {
      const auto extension = entry.path().extension();
      if (entry.is_regular_file() &&
          (extension == ".yaml" || extension == ".yml" || extension == ".json")) {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
  } else if (std::filesystem::exists(path, error)) {
    files.push_back(path);
  } else {
    return notFoundError(path.string() + ": no such file or directory");
  }
  std::vector<nlohmann::json> out;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      return notFoundError(file.string() + ": cannot be read");
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = parseManifests(text.str(), file.string());
    if (!parsed) {
      return parsed.error();
    }
    for (auto& document : *parsed) {
      out.push_back(std::move(document));
    }
  }
  return out;
}

}  // namespace karpenter::api
