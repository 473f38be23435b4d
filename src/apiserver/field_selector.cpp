#include "field_selector.hpp"

#include <algorithm>
#include <array>

namespace karpenter::apiserver {
namespace {

// The field labels upstream's registries add beyond metadata.name/namespace
// (pkg/registry/core/{pod,node,event,namespace}/strategy.go ToSelectableFields).
std::vector<std::string_view> extraFields(const std::string& group, const std::string& resource) {
  if (!group.empty()) {
    return {};
  }
  if (resource == "pods") {
    return {
        "spec.nodeName",    "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase",       "status.podIP",       "status.nominatedNodeName"};
  }
  if (resource == "nodes") {
    return {"spec.unschedulable"};
  }
  if (resource == "namespaces") {
    return {"status.phase"};
  }
  if (resource == "events") {
    return {"involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type"};
  }
  return {};
}

// The field's value as upstream renders it: strings as is, booleans "true"/"false", absent "".
std::string fieldValue(const nlohmann::json& object, const std::string& field) {
  const nlohmann::json* node = &object;
  size_t start = 0;
  while (start <= field.size()) {
    const size_t dot = std::min(field.find('.', start), field.size());
    const std::string part = field.substr(start, dot - start);
    if (!node->is_object()) {
      return "";
    }
    auto it = node->find(part);
    if (it == node->end()) {
      // Unset booleans select as "false" (Go zero values).
      return field == "spec.unschedulable" || field == "spec.hostNetwork" ? "false" : "";
    }
    node = &*it;
    start = dot + 1;
  }
  if (field == "source" && node->is_object()) {
    return node->value("component", "");
  }
  if (node->is_string()) {
    return node->get<std::string>();
  }
  if (node->is_boolean()) {
    return node->get<bool>() ? "true" : "false";
  }
  return node->is_null() ? "" : node->dump();
}

}  // namespace

ApiResult<FieldSelector> FieldSelector::parse(std::string_view text, const std::string& group,
                                              const std::string& resource) {
  FieldSelector selector;
  // Split on unescaped commas, then on the first unescaped operator.
  std::vector<std::string> parts;
  std::string current;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      current += text[i];
      current += text[++i];
    } else if (text[i] == ',') {
      parts.push_back(current);
      current.clear();
    } else {
      current += text[i];
    }
  }
  if (!text.empty()) {
    parts.push_back(current);
  }
  const std::vector<std::string_view> extra = extraFields(group, resource);
  for (const std::string& part : parts) {
    if (part.empty()) {
      continue;
    }
    Term term;
    size_t opAt = std::string::npos;
    size_t opLen = 0;
    for (size_t i = 0; i < part.size(); ++i) {
      if (part[i] == '\\') {
        ++i;
        continue;
      }
      if (part.compare(i, 2, "!=") == 0) {
        opAt = i, opLen = 2, term.equals = false;
      } else if (part.compare(i, 2, "==") == 0) {
        opAt = i, opLen = 2;
      } else if (part[i] == '=') {
        opAt = i, opLen = 1;
      }
      if (opAt != std::string::npos) {
        break;
      }
    }
    if (opAt == std::string::npos) {
      return badRequest("invalid selector: '" + std::string(text) + "'; can't understand '" + part +
                        "'");
    }
    term.field = part.substr(0, opAt);
    for (size_t i = opAt + opLen; i < part.size(); ++i) {
      if (part[i] == '\\' && i + 1 < part.size()) {
        ++i;
      }
      term.value += part[i];
    }
    const bool known = term.field == "metadata.name" || term.field == "metadata.namespace" ||
                       std::find(extra.begin(), extra.end(), term.field) != extra.end();
    if (!known) {
      return badRequest("field label not supported: " + term.field);
    }
    selector.terms_.push_back(std::move(term));
  }
  return selector;
}

bool FieldSelector::matches(const nlohmann::json& object) const {
  return std::all_of(terms_.begin(), terms_.end(), [&](const Term& term) {
    return (fieldValue(object, term.field) == term.value) == term.equals;
  });
}

}  // namespace karpenter::apiserver
