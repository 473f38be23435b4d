#pragma once

// Test-only: the parts of the kube-apiserver's CRD handling that can be reproduced without an
// apiserver, applied to our CRDs' openAPIV3Schema:
// - validate(): the OpenAPI value validation (types, enums, patterns, bounds, required) plus
//   pruning (a field the schema does not declare would be silently dropped on write, which for
//   us means data loss, so it is reported as an error here);
// - applyDefaults(): structural defaulting (top-down; a defaulted value gets its own nested
//   defaults);
// - structuralProblems(): the structural-schema rules the apiserver enforces on a CRD.
// x-kubernetes-validations (CEL) are NOT evaluated: only their shape is checked.
// Patterns are compiled as ECMAScript regular expressions; the apiserver uses RE2 (Go). Our
// patterns use only the common subset (no lookaround, no backreferences, no possessives).

#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace karpenter::testing {

using nlohmann::json;

namespace schema_detail {

inline bool isIntOrString(const json& schema) {
  return schema.value("x-kubernetes-int-or-string", false);
}

inline bool hasType(const json& value, const std::string& type) {
  if (type == "object") {
    return value.is_object();
  }
  if (type == "array") {
    return value.is_array();
  }
  if (type == "string") {
    return value.is_string();
  }
  if (type == "integer") {
    return value.is_number_integer();
  }
  if (type == "number") {
    return value.is_number();
  }
  if (type == "boolean") {
    return value.is_boolean();
  }
  return false;
}

inline void checkBounds(const json& value, const json& schema, const std::string& path,
                        std::vector<std::string>& errors) {
  auto fail = [&](const std::string& what) { errors.push_back(path + ": " + what); };
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (schema.contains("minLength") && text.size() < schema["minLength"].get<size_t>()) {
      fail("shorter than minLength " + schema["minLength"].dump());
    }
    if (schema.contains("maxLength") && text.size() > schema["maxLength"].get<size_t>()) {
      fail("longer than maxLength " + schema["maxLength"].dump());
    }
    if (schema.contains("pattern")) {
      const std::regex pattern(schema["pattern"].get<std::string>(), std::regex::ECMAScript);
      if (!std::regex_search(text, pattern)) {
        fail("\"" + text + "\" does not match " + schema["pattern"].get<std::string>());
      }
    }
  }
  if (value.is_number()) {
    if (schema.contains("minimum") && value.get<double>() < schema["minimum"].get<double>()) {
      fail("below minimum " + schema["minimum"].dump());
    }
    if (schema.contains("maximum") && value.get<double>() > schema["maximum"].get<double>()) {
      fail("above maximum " + schema["maximum"].dump());
    }
  }
  if (value.is_array()) {
    if (schema.contains("minItems") && value.size() < schema["minItems"].get<size_t>()) {
      fail("fewer than minItems " + schema["minItems"].dump());
    }
    if (schema.contains("maxItems") && value.size() > schema["maxItems"].get<size_t>()) {
      fail("more than maxItems " + schema["maxItems"].dump());
    }
  }
  if (value.is_object()) {
    if (schema.contains("minProperties") && value.size() < schema["minProperties"].get<size_t>()) {
      fail("fewer than minProperties " + schema["minProperties"].dump());
    }
    if (schema.contains("maxProperties") && value.size() > schema["maxProperties"].get<size_t>()) {
      fail("more than maxProperties " + schema["maxProperties"].dump());
    }
  }
}

}  // namespace schema_detail

// Appends "path: problem" for every way `value` fails `schema`. `path` names `value`.
inline void validate(const json& value, const json& schema, const std::string& path,
                     std::vector<std::string>& errors) {
  using namespace schema_detail;
  if (isIntOrString(schema)) {
    if (!value.is_number_integer() && !value.is_string()) {
      errors.push_back(path + ": must be an integer or a string, not " + value.dump());
      return;
    }
  } else if (schema.contains("type") && !hasType(value, schema["type"].get<std::string>())) {
    errors.push_back(path + ": must be of type " + schema["type"].get<std::string>() + ", not " +
                     value.dump());
    return;
  }
  if (schema.contains("enum")) {
    const auto& options = schema["enum"];
    if (std::find(options.begin(), options.end(), value) == options.end()) {
      errors.push_back(path + ": " + value.dump() + " is not one of " + options.dump());
    }
  }
  checkBounds(value, schema, path, errors);

  if (value.is_object()) {
    for (const auto& name : schema.value("required", json::array())) {
      if (!value.contains(name.get<std::string>())) {
        errors.push_back(path + "." + name.get<std::string>() + ": required");
      }
    }
    const bool declaresFields = schema.contains("properties") ||
                                schema.contains("additionalProperties") ||
                                schema.value("x-kubernetes-preserve-unknown-fields", false);
    for (const auto& [key, child] : value.items()) {
      const std::string childPath = path + "." + key;
      if (schema.contains("properties") && schema["properties"].contains(key)) {
        validate(child, schema["properties"][key], childPath, errors);
      } else if (schema.contains("additionalProperties")) {
        validate(child, schema["additionalProperties"], childPath, errors);
      } else if (declaresFields || path != "metadata") {
        // Root metadata is validated by the apiserver itself; anything else undeclared is pruned.
        errors.push_back(childPath + ": not in the schema (the apiserver would prune it)");
      }
    }
  }
  if (value.is_array() && schema.contains("items")) {
    for (size_t i = 0; i < value.size(); ++i) {
      validate(value[i], schema["items"], path + "[" + std::to_string(i) + "]", errors);
    }
  }
}

// Validates a whole object against a CRD version's openAPIV3Schema.
inline std::vector<std::string> validateObject(const json& object, const json& rootSchema) {
  std::vector<std::string> errors;
  for (const auto& [key, child] : object.items()) {
    if (!rootSchema["properties"].contains(key)) {
      errors.push_back(key + ": not in the schema (the apiserver would prune it)");
    } else {
      validate(child, rootSchema["properties"][key], key, errors);
    }
  }
  return errors;
}

// Structural defaulting as the apiserver applies it when decoding a request.
inline void applyDefaults(json& value, const json& schema) {
  if (value.is_object() && schema.contains("properties")) {
    for (const auto& [key, child] : schema["properties"].items()) {
      if (!value.contains(key) && child.contains("default")) {
        value[key] = child["default"];
      }
    }
    for (auto& [key, child] : value.items()) {
      if (schema["properties"].contains(key)) {
        applyDefaults(child, schema["properties"][key]);
      }
    }
  } else if (value.is_object() && schema.contains("additionalProperties")) {
    for (auto& [key, child] : value.items()) {
      applyDefaults(child, schema["additionalProperties"]);
    }
  } else if (value.is_array() && schema.contains("items")) {
    for (auto& item : value) {
      applyDefaults(item, schema["items"]);
    }
  }
}

// Structural-schema violations (apiextensions "structural schema" rules, plus our own: every
// CEL rule has a message, and defaults validate against their own schema). `path` names `schema`.
inline void structuralProblems(const json& schema, const std::string& path,
                               std::vector<std::string>& problems) {
  using namespace schema_detail;
  auto problem = [&](const std::string& what) { problems.push_back(path + ": " + what); };
  if (isIntOrString(schema)) {
    // The only allowed type-less node: anyOf [{type: integer}, {type: string}].
    const json expected = json::parse(R"([{"type":"integer"},{"type":"string"}])");
    if (schema.contains("anyOf") && schema["anyOf"] != expected) {
      problem("int-or-string anyOf must be exactly [integer, string]");
    }
  } else if (!schema.contains("type")) {
    problem("no type");
  } else if (schema.contains("anyOf") || schema.contains("oneOf") || schema.contains("allOf")) {
    problem("anyOf/oneOf/allOf are only allowed for int-or-string here");
  }
  if (schema.contains("properties") && schema.contains("additionalProperties")) {
    problem("properties and additionalProperties together");
  }
  if (schema.value("x-kubernetes-preserve-unknown-fields", false)) {
    problem("x-kubernetes-preserve-unknown-fields: nothing here needs unknown fields");
  }
  if (schema.contains("pattern")) {
    try {
      std::regex(schema["pattern"].get<std::string>(), std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      problem("pattern does not compile: " + std::string(e.what()));
    }
  }
  for (const auto& rule : schema.value("x-kubernetes-validations", json::array())) {
    if (!rule.contains("rule") || !rule["rule"].is_string() ||
        rule["rule"].get<std::string>().empty()) {
      problem("x-kubernetes-validations entry without a rule");
    }
    if (!rule.contains("message") || !rule["message"].is_string() ||
        rule["message"].get<std::string>().empty()) {
      problem("x-kubernetes-validations entry without a message");
    }
  }
  if (schema.contains("enum") && schema.contains("type")) {
    for (const auto& option : schema["enum"]) {
      if (!hasType(option, schema["type"].get<std::string>())) {
        problem("enum value " + option.dump() + " is not a " + schema["type"].get<std::string>());
      }
    }
  }
  if (schema.contains("default")) {
    json defaulted = schema["default"];
    applyDefaults(defaulted, schema);
    std::vector<std::string> errors;
    validate(defaulted, schema, path + ".default", errors);
    problems.insert(problems.end(), errors.begin(), errors.end());
  }
  const json properties = schema.value("properties", json::object());
  for (const auto& [key, child] : properties.items()) {
    structuralProblems(child, path + "." + key, problems);
  }
  if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object()) {
    structuralProblems(schema["additionalProperties"], path + ".additionalProperties", problems);
  }
  if (schema.contains("items")) {
    structuralProblems(schema["items"], path + ".items", problems);
  }
}

}  // namespace karpenter::testing
