#include "managed_fields.hpp"

#include <algorithm>

#include "patch_schema.hpp"

namespace karpenter::apiserver {
namespace {

using nlohmann::json;
using FieldMap = std::map<FieldPath, const json*>;

// Metadata the server owns; never part of anyone's field set (fieldmanager's stripMeta).
bool serverOwnedMetadata(const std::string& key) {
  static const std::set<std::string, std::less<>> kKeys = {"name",
                                                           "namespace",
                                                           "uid",
                                                           "generation",
                                                           "creationTimestamp",
                                                           "resourceVersion",
                                                           "selfLink",
                                                           "managedFields",
                                                           "deletionTimestamp",
                                                           "deletionGracePeriodSeconds"};
  return kKeys.contains(key);
}

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

json keyOf(const json& element, const ListRule& rule) {
  return json{{rule.key, element[rule.key]}};
}

void walk(std::string_view kind, const json& value, const std::string& schemaPath, FieldPath& path,
          FieldMap& out) {
  if (value.is_object()) {
    if (value.empty()) {
      out[path] = &value;
      return;
    }
    for (const auto& [key, child] : value.items()) {
      path.push_back("f:" + key);
      walk(kind, child, join(schemaPath, key), path, out);
      path.pop_back();
    }
    return;
  }
  if (!value.is_array()) {
    out[path] = &value;
    return;
  }
  const ListRule rule = listRule(kind, schemaPath);
  const bool keyed = rule.type == ListType::kMap &&
                     std::all_of(value.begin(), value.end(), [&](const json& element) {
                       return element.is_object() && element.contains(rule.key);
                     });
  if (keyed) {
    for (const json& element : value) {
      path.push_back("k:" + keyOf(element, rule).dump());
      out[path] = nullptr;
      for (const auto& [key, child] : element.items()) {
        path.push_back("f:" + key);
        walk(kind, child, join(schemaPath, key), path, out);
        path.pop_back();
      }
      path.pop_back();
    }
    return;
  }
  if (rule.type == ListType::kSet) {
    for (const json& item : value) {
      path.push_back("v:" + item.dump());
      out[path] = &item;
      path.pop_back();
    }
    return;
  }
  out[path] = &value;  // atomic
}

// The index in `list` of the member `element` names (a "k:" or "v:" path element), or -1.
int findMember(const json& list, const std::string& element) {
  if (!list.is_array() || element.size() < 2) {
    return -1;
  }
  const json wanted = json::parse(element.substr(2), nullptr, false);
  for (size_t i = 0; i < list.size(); ++i) {
    const json& item = list[i];
    if (element.starts_with("v:") && item == wanted) {
      return static_cast<int>(i);
    }
    if (element.starts_with("k:") && wanted.is_object() && item.is_object()) {
      bool match = true;
      for (const auto& [key, keyValue] : wanted.items()) {
        match = match && item.contains(key) && item[key] == keyValue;
      }
      if (match) {
        return static_cast<int>(i);
      }
    }
  }
  return -1;
}

json* child(json& node, const std::string& element) {
  if (element.starts_with("f:")) {
    if (!node.is_object()) {
      return nullptr;
    }
    auto it = node.find(element.substr(2));
    return it == node.end() ? nullptr : &*it;
  }
  const int at = findMember(node, element);
  return at < 0 ? nullptr : &node[static_cast<size_t>(at)];
}

}  // namespace

std::map<FieldPath, const json*> collectFields(std::string_view kind, const json& object,
                                               FieldScope scope) {
  FieldMap out;
  if (!object.is_object()) {
    return out;
  }
  FieldPath path;
  for (const auto& [key, value] : object.items()) {
    if (key == "apiVersion" || key == "kind") {
      continue;
    }
    const bool status = key == "status";
    if ((status && !scope.withStatus) || (!status && scope.onlyStatus)) {
      continue;
    }
    path.push_back("f:" + key);
    if (key == "metadata" && value.is_object()) {
      for (const auto& [field, child] : value.items()) {
        if (serverOwnedMetadata(field)) {
          continue;
        }
        path.push_back("f:" + field);
        walk(kind, child, "metadata." + field, path, out);
        path.pop_back();
      }
    } else {
      walk(kind, value, key, path, out);
    }
    path.pop_back();
  }
  return out;
}

const json* fieldAt(const json& object, const FieldPath& path) {
  const json* node = &object;
  for (const std::string& element : path) {
    node = child(const_cast<json&>(*node), element);
    if (node == nullptr) {
      return nullptr;
    }
  }
  return node;
}

void removeField(json& object, const FieldPath& path) {
  if (path.empty()) {
    return;
  }
  json* parent = &object;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    parent = child(*parent, path[i]);
    if (parent == nullptr) {
      return;
    }
  }
  const std::string& last = path.back();
  if (last.starts_with("f:")) {
    if (parent->is_object()) {
      parent->erase(last.substr(2));
    }
    return;
  }
  if (const int at = findMember(*parent, last); at >= 0) {
    parent->erase(static_cast<size_t>(at));
  }
}

json encodeFieldsV1(const FieldSet& fields) {
  json root = json::object();
  for (const FieldPath& path : fields) {
    json* node = &root;
    for (const std::string& element : path) {
      json& next = (*node)[element];
      if (next.is_null()) {
        next = json::object();
      }
      node = &next;
    }
    (*node)["."] = json::object();
  }
  // A member with nothing below it is written as {} rather than {".":{}}.
  auto tidy = [](auto& self, json& node) -> void {
    for (auto& [key, value] : node.items()) {
      if (key != ".") {
        self(self, value);
      }
    }
    if (node.size() == 1 && node.contains(".")) {
      node.erase(".");
    }
  };
  tidy(tidy, root);
  return root;
}

FieldSet decodeFieldsV1(const json& fields) {
  FieldSet out;
  FieldPath path;
  auto visit = [&](auto& self, const json& node) -> void {
    for (const auto& [key, value] : node.items()) {
      if (key == ".") {
        out.insert(path);
        continue;
      }
      path.push_back(key);
      if (value.is_object() && !value.empty()) {
        self(self, value);
      } else {
        out.insert(path);
      }
      path.pop_back();
    }
  };
  if (fields.is_object()) {
    visit(visit, fields);
  }
  return out;
}

std::string pathString(const FieldPath& path) {
  std::string out;
  for (const std::string& element : path) {
    if (element.starts_with("f:")) {
      out += "." + element.substr(2);
      continue;
    }
    const json value = json::parse(element.substr(2), nullptr, false);
    if (element.starts_with("v:")) {
      out += "[=" + value.dump() + "]";
      continue;
    }
    std::string keys;
    for (const auto& [key, keyValue] : value.items()) {
      keys += (keys.empty() ? "" : ",") + key + "=" + keyValue.dump();
    }
    out += "[" + keys + "]";
  }
  return out;
}

std::vector<ManagedEntry> readManagedFields(const json& object) {
  std::vector<ManagedEntry> entries;
  const json* managed = fieldAt(object, {"f:metadata", "f:managedFields"});
  if (managed == nullptr || !managed->is_array()) {
    return entries;
  }
  for (const json& item : *managed) {
    if (!item.is_object()) {
      continue;
    }
    entries.push_back({item.value("manager", ""), item.value("operation", ""),
                       item.value("apiVersion", ""), item.value("time", ""),
                       item.value("subresource", ""),
                       decodeFieldsV1(item.value("fieldsV1", json::object()))});
  }
  return entries;
}

void writeManagedFields(json& object, const std::vector<ManagedEntry>& entries) {
  json list = json::array();
  for (const ManagedEntry& entry : entries) {
    if (entry.fields.empty()) {
      continue;
    }
    json item = {{"manager", entry.manager},       {"operation", entry.operation},
                 {"apiVersion", entry.apiVersion}, {"time", entry.time},
                 {"fieldsType", "FieldsV1"},       {"fieldsV1", encodeFieldsV1(entry.fields)}};
    if (!entry.subresource.empty()) {
      item["subresource"] = entry.subresource;
    }
    list.push_back(std::move(item));
  }
  if (list.empty()) {
    object["metadata"].erase("managedFields");
  } else {
    object["metadata"]["managedFields"] = std::move(list);
  }
}

void recordUpdate(std::string_view kind, const json* before, json& after,
                  const ManagedEntry& manager) {
  std::vector<ManagedEntry> entries;
  FieldMap beforeFields;
  if (before != nullptr) {
    entries = readManagedFields(*before);
    beforeFields = collectFields(kind, *before, {});
  }
  const FieldMap afterFields = collectFields(kind, after, {});
  FieldSet changed;
  for (const auto& [path, value] : afterFields) {
    auto it = beforeFields.find(path);
    if (it == beforeFields.end() || (value != nullptr && *value != *it->second)) {
      changed.insert(path);
    }
  }
  bool touched = !changed.empty();
  for (ManagedEntry& entry : entries) {
    for (auto it = entry.fields.begin(); it != entry.fields.end();) {
      const bool gone = !afterFields.contains(*it);
      const bool taken = !entry.sameOwner(manager) && changed.contains(*it);
      if (gone || taken) {
        it = entry.fields.erase(it);
        touched = true;
      } else {
        ++it;
      }
    }
  }
  if (!touched) {
    // Nothing changed hands: keep the stored entries (and their times) as they were.
    const json* kept = before ? fieldAt(*before, {"f:metadata", "f:managedFields"}) : nullptr;
    if (kept != nullptr) {
      after["metadata"]["managedFields"] = *kept;
    } else {
      after["metadata"].erase("managedFields");
    }
    return;
  }
  if (!changed.empty()) {
    auto own = std::find_if(entries.begin(), entries.end(),
                            [&](const ManagedEntry& entry) { return entry.sameOwner(manager); });
    if (own == entries.end()) {
      entries.push_back(manager);
      own = std::prev(entries.end());
    }
    own->fields.insert(changed.begin(), changed.end());
    own->time = manager.time;
    own->apiVersion = manager.apiVersion;
  }
  writeManagedFields(after, entries);
}

}  // namespace karpenter::apiserver
