#include "karpenter/api/patch.hpp"

#include <string>

namespace karpenter::api {
namespace {

// nlohmann accepts a few patches RFC 6902 rejects; check those before applying.
Result<void> checkOperations(const nlohmann::json& patch) {
  if (!patch.is_array()) {
    return invalidError("JSON patch must be an array of operations");
  }
  for (size_t i = 0; i < patch.size(); ++i) {
    const auto& operation = patch[i];
    const std::string where = "operation " + std::to_string(i);
    if (!operation.is_object()) {
      return invalidError(where + ": must be an object");
    }
    auto op = operation.find("op");
    if (op == operation.end() || !op->is_string()) {
      return invalidError(where + ": \"op\" must be a string");
    }
    auto path = operation.find("path");
    if (path == operation.end() || !path->is_string()) {
      return invalidError(where + ": \"path\" must be a string");
    }
    const std::string& name = op->get_ref<const std::string&>();
    if ((name == "add" || name == "replace" || name == "test") && !operation.contains("value")) {
      return invalidError(where + " (" + name + "): missing \"value\"");
    }
    if ((name == "move" || name == "copy") &&
        (!operation.contains("from") || !operation["from"].is_string())) {
      return invalidError(where + " (" + name + "): \"from\" must be a string");
    }
  }
  return {};
}

}  // namespace

Result<nlohmann::json> applyJsonPatch(const nlohmann::json& document, const nlohmann::json& patch) {
  if (auto checked = checkOperations(patch); !checked) {
    return checked.error();
  }
  try {
    return document.patch(patch);
  } catch (const nlohmann::json::exception& error) {
    return invalidError(std::string("JSON patch failed: ") + error.what());
  }
}

nlohmann::json createJsonPatch(const nlohmann::json& from, const nlohmann::json& to) {
  return nlohmann::json::diff(from, to);
}

nlohmann::json applyMergePatch(const nlohmann::json& document, const nlohmann::json& patch) {
  nlohmann::json result = document;
  result.merge_patch(patch);
  return result;
}

nlohmann::json createMergePatch(const nlohmann::json& from, const nlohmann::json& to) {
  if (!from.is_object() || !to.is_object()) {
    return to;
  }
  nlohmann::json patch = nlohmann::json::object();
  for (auto it = from.begin(); it != from.end(); ++it) {
    auto target = to.find(it.key());
    if (target == to.end() || target->is_null()) {
      patch[it.key()] = nullptr;
    } else if (*target != it.value()) {
      patch[it.key()] = createMergePatch(it.value(), *target);
    }
  }
  for (auto it = to.begin(); it != to.end(); ++it) {
    if (!from.contains(it.key()) && !it.value().is_null()) {
      patch[it.key()] = it.value();
    }
  }
  return patch;
}

}  // namespace karpenter::api
