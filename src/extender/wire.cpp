#include "karpenter/extender/wire.hpp"

#include <strings.h>

namespace karpenter::extender {
namespace {

// Reads fields of one JSON object the way Go's encoding/json does: an exact key match wins, else
// the first case-insensitive match; unknown keys are ignored. The first error is kept, with the
// path of the field.
class FieldReader final {
 public:
  FieldReader(const WireJson& object, std::string path) : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) {
      fail(path_, "expected an object, got " + std::string(object_.type_name()));
    }
  }

  const WireJson* find(std::string_view name) const {
    if (!object_.is_object()) {
      return nullptr;
    }
    if (auto exact = object_.find(std::string(name)); exact != object_.end()) {
      return exact->is_null() ? nullptr : &*exact;
    }
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      if (it.key().size() == name.size() &&
          strncasecmp(it.key().data(), name.data(), name.size()) == 0) {
        return it->is_null() ? nullptr : &*it;
      }
    }
    return nullptr;
  }

  std::string fieldPath(std::string_view name) const {
    return path_.empty() ? std::string(name) : path_ + "." + std::string(name);
  }

  void readString(std::string_view name, std::string& out) {
    if (const WireJson* value = find(name)) {
      readString(*value, fieldPath(name), out);
    }
  }

  void readInt(std::string_view name, int64_t& out) {
    const WireJson* value = find(name);
    if (value == nullptr) {
      return;
    }
    if (!value->is_number_integer()) {
      return fail(fieldPath(name), "expected an integer, got " + std::string(value->type_name()));
    }
    out = value->get<int64_t>();
  }

  void readObject(std::string_view name, WireJson& out) {
    if (const WireJson* value = find(name)) {
      if (!value->is_object()) {
        return fail(fieldPath(name), "expected an object, got " + std::string(value->type_name()));
      }
      out = *value;
    }
  }

  void readOptionalObject(std::string_view name, std::optional<WireJson>& out) {
    if (find(name) != nullptr) {
      out.emplace();
      readObject(name, *out);
    }
  }

  void readStrings(std::string_view name, std::optional<std::vector<std::string>>& out) {
    const WireJson* value = find(name);
    if (value == nullptr) {
      return;
    }
    if (!value->is_array()) {
      return fail(fieldPath(name), "expected an array, got " + std::string(value->type_name()));
    }
    out.emplace();
    for (size_t i = 0; i < value->size(); ++i) {
      readString((*value)[i], fieldPath(name) + "[" + std::to_string(i) + "]", out->emplace_back());
    }
  }

  void readStringMap(std::string_view name,
                     std::optional<std::map<std::string, std::string>>& out) {
    const WireJson* value = find(name);
    if (value == nullptr) {
      return;
    }
    if (!value->is_object()) {
      return fail(fieldPath(name), "expected an object, got " + std::string(value->type_name()));
    }
    out.emplace();
    for (auto it = value->begin(); it != value->end(); ++it) {
      readString(it.value(), fieldPath(name) + "." + it.key(), (*out)[it.key()]);
    }
  }

  template <typename T, typename Decode>
  void readMap(std::string_view name, std::optional<std::map<std::string, T>>& out, Decode decode) {
    const WireJson* value = find(name);
    if (value == nullptr) {
      return;
    }
    if (!value->is_object()) {
      return fail(fieldPath(name), "expected an object, got " + std::string(value->type_name()));
    }
    out.emplace();
    for (auto it = value->begin(); it != value->end() && !error_; ++it) {
      FieldReader nested(it.value(), fieldPath(name) + "." + it.key());
      decode(nested, (*out)[it.key()]);
      adopt(nested);
    }
  }

  template <typename T, typename Decode>
  void readList(std::string_view name, std::optional<std::vector<T>>& out, Decode decode) {
    const WireJson* value = find(name);
    if (value == nullptr) {
      return;
    }
    if (!value->is_array()) {
      return fail(fieldPath(name), "expected an array, got " + std::string(value->type_name()));
    }
    out.emplace();
    for (size_t i = 0; i < value->size() && !error_; ++i) {
      decode((*value)[i], fieldPath(name) + "[" + std::to_string(i) + "]", out->emplace_back(),
             *this);
    }
  }

  void fail(const std::string& path, const std::string& message) {
    if (!error_) {
      error_ = invalidError(path.empty() ? message : path + ": " + message);
    }
  }
  void adopt(const FieldReader& nested) {
    if (nested.error_ && !error_) {
      error_ = nested.error_;
    }
  }
  const std::optional<Error>& error() const { return error_; }

 private:
  void readString(const WireJson& value, const std::string& path, std::string& out) {
    if (!value.is_string()) {
      return fail(path, "expected a string, got " + std::string(value.type_name()));
    }
    out = value.get<std::string>();
  }

  const WireJson& object_;
  std::string path_;
  std::optional<Error> error_;
};

template <typename T>
Result<T> finish(const FieldReader& reader, T value) {
  if (reader.error()) {
    return *reader.error();
  }
  return value;
}

void decodeMetaVictims(FieldReader& reader, MetaVictims& out) {
  reader.readList(
      "Pods", out.pods,
      [](const WireJson& item, const std::string& path, MetaPod& pod, FieldReader& parent) {
        FieldReader nested(item, path);
        nested.readString("UID", pod.uid);
        parent.adopt(nested);
      });
  reader.readInt("NumPDBViolations", out.numPDBViolations);
}

void decodeVictims(FieldReader& reader, Victims& out) {
  reader.readList(
      "Pods", out.pods,
      [](const WireJson& item, const std::string& path, WireJson& pod, FieldReader& parent) {
        if (!item.is_object()) {
          return parent.fail(path, "expected a pod object");
        }
        pod = item;
      });
  reader.readInt("NumPDBViolations", out.numPDBViolations);
}

// Go's json.Marshal of a nil slice/map/pointer is null; of an empty one, [] or {}.
template <typename T, typename Encode>
WireJson nullable(const std::optional<T>& value, Encode encodeValue) {
  return value ? encodeValue(*value) : WireJson(nullptr);
}

WireJson encodeStringMap(const std::map<std::string, std::string>& map) {
  WireJson out = WireJson::object();
  for (const auto& [key, value] : map) {
    out[key] = value;
  }
  return out;
}

WireJson identity(const WireJson& value) {
  return value;
}

// Victims and MetaVictims share one shape: {"Pods": [...] | null, "NumPDBViolations": n}.
template <typename Pod, typename EncodePod>
WireJson encodeVictimsShape(const std::optional<std::vector<Pod>>& pods, int64_t numPDBViolations,
                            EncodePod encodePod) {
  WireJson out = WireJson::object();
  out["Pods"] = nullable(pods, [&](const std::vector<Pod>& list) {
    WireJson encoded = WireJson::array();
    for (const auto& pod : list) {
      encoded.push_back(encodePod(pod));
    }
    return encoded;
  });
  out["NumPDBViolations"] = numPDBViolations;
  return out;
}

WireJson encodeMetaVictims(const MetaVictims& victims) {
  return encodeVictimsShape(victims.pods, victims.numPDBViolations, [](const MetaPod& pod) {
    return WireJson{{"UID", pod.uid}};
  });
}

WireJson encodeVictims(const Victims& victims) {
  return encodeVictimsShape(victims.pods, victims.numPDBViolations, identity);
}

WireJson encodeMetaVictimsMap(const std::map<std::string, MetaVictims>& map) {
  WireJson out = WireJson::object();
  for (const auto& [node, victims] : map) {
    out[node] = encodeMetaVictims(victims);
  }
  return out;
}

WireJson encodeStrings(const std::vector<std::string>& values) {
  return WireJson(values);
}

}  // namespace

namespace {

// metadata.name, or "" when absent or not a string (json::value() would throw on the latter).
std::string nodeName(const WireJson& node) {
  const auto metadata = node.find("metadata");
  if (metadata == node.end() || !metadata->is_object()) {
    return {};
  }
  const auto name = metadata->find("name");
  return name != metadata->end() && name->is_string() ? name->get<std::string>() : std::string();
}

}  // namespace

std::vector<std::string> ExtenderArgs::candidateNames() const {
  if (nodeNames) {
    return *nodeNames;
  }
  std::vector<std::string> names;
  if (nodes) {
    if (auto items = nodeListItems(*nodes); items.ok()) {
      for (const WireJson* node : *items) {
        names.push_back(nodeName(*node));
      }
    }
  }
  return names;
}

Result<std::vector<const WireJson*>> nodeListItems(const WireJson& nodeList) {
  auto items = nodeList.find("items");
  if (items == nodeList.end() || items->is_null()) {
    return std::vector<const WireJson*>{};
  }
  if (!items->is_array()) {
    return invalidError("Nodes.items: expected an array, got " + std::string(items->type_name()));
  }
  std::vector<const WireJson*> out;
  out.reserve(items->size());
  for (size_t i = 0; i < items->size(); ++i) {
    const WireJson& node = (*items)[i];
    if (!node.is_object()) {
      return invalidError("Nodes.items[" + std::to_string(i) + "]: expected a node object");
    }
    out.push_back(&node);
  }
  return out;
}

Result<ExtenderArgs> decodeExtenderArgs(const WireJson& json) {
  FieldReader reader(json, "");
  ExtenderArgs args;
  reader.readObject("Pod", args.pod);
  reader.readOptionalObject("Nodes", args.nodes);
  reader.readStrings("NodeNames", args.nodeNames);
  if (!reader.error() && args.pod.is_null()) {
    reader.fail("Pod", "required");
  }
  if (!reader.error() && args.nodes) {
    if (auto items = nodeListItems(*args.nodes); !items) {
      return items.error();
    }
  }
  return finish(reader, std::move(args));
}

Result<ExtenderFilterResult> decodeExtenderFilterResult(const WireJson& json) {
  FieldReader reader(json, "");
  ExtenderFilterResult result;
  reader.readOptionalObject("Nodes", result.nodes);
  reader.readStrings("NodeNames", result.nodeNames);
  reader.readStringMap("FailedNodes", result.failedNodes);
  reader.readStringMap("FailedAndUnresolvableNodes", result.failedAndUnresolvableNodes);
  reader.readString("Error", result.error);
  return finish(reader, std::move(result));
}

Result<HostPriority> decodeHostPriority(const WireJson& json) {
  FieldReader reader(json, "");
  HostPriority priority;
  reader.readString("Host", priority.host);
  reader.readInt("Score", priority.score);
  return finish(reader, std::move(priority));
}

Result<HostPriorityList> decodeHostPriorityList(const WireJson& json) {
  if (!json.is_array()) {
    return invalidError("expected an array of host priorities, got " +
                        std::string(json.type_name()));
  }
  HostPriorityList list;
  for (size_t i = 0; i < json.size(); ++i) {
    auto priority = decodeHostPriority(json[i]);
    if (!priority) {
      return priority.error().withContext("[" + std::to_string(i) + "]");
    }
    list.push_back(std::move(priority).value());
  }
  return list;
}

Result<ExtenderBindingArgs> decodeExtenderBindingArgs(const WireJson& json) {
  FieldReader reader(json, "");
  ExtenderBindingArgs args;
  reader.readString("PodName", args.podName);
  reader.readString("PodNamespace", args.podNamespace);
  reader.readString("PodUID", args.podUID);
  reader.readString("Node", args.node);
  return finish(reader, std::move(args));
}

Result<ExtenderBindingResult> decodeExtenderBindingResult(const WireJson& json) {
  FieldReader reader(json, "");
  ExtenderBindingResult result;
  reader.readString("Error", result.error);
  return finish(reader, std::move(result));
}

Result<ExtenderPreemptionArgs> decodeExtenderPreemptionArgs(const WireJson& json) {
  FieldReader reader(json, "");
  ExtenderPreemptionArgs args;
  reader.readObject("Pod", args.pod);
  reader.readMap("NodeNameToVictims", args.nodeNameToVictims, decodeVictims);
  reader.readMap("NodeNameToMetaVictims", args.nodeNameToMetaVictims, decodeMetaVictims);
  return finish(reader, std::move(args));
}

Result<ExtenderPreemptionResult> decodeExtenderPreemptionResult(const WireJson& json) {
  FieldReader reader(json, "");
  ExtenderPreemptionResult result;
  reader.readMap("NodeNameToMetaVictims", result.nodeNameToMetaVictims, decodeMetaVictims);
  return finish(reader, std::move(result));
}

WireJson encode(const ExtenderArgs& value) {
  WireJson out = WireJson::object();
  out["Pod"] = value.pod;
  out["Nodes"] = nullable(value.nodes, identity);
  out["NodeNames"] = nullable(value.nodeNames, encodeStrings);
  return out;
}

WireJson encode(const ExtenderFilterResult& value) {
  WireJson out = WireJson::object();
  out["Nodes"] = nullable(value.nodes, identity);
  out["NodeNames"] = nullable(value.nodeNames, encodeStrings);
  out["FailedNodes"] = nullable(value.failedNodes, encodeStringMap);
  out["FailedAndUnresolvableNodes"] = nullable(value.failedAndUnresolvableNodes, encodeStringMap);
  out["Error"] = value.error;
  return out;
}

WireJson encode(const HostPriority& value) {
  WireJson out = WireJson::object();
  out["Host"] = value.host;
  out["Score"] = value.score;
  return out;
}

WireJson encode(const HostPriorityList& value) {
  WireJson out = WireJson::array();
  for (const auto& priority : value) {
    out.push_back(encode(priority));
  }
  return out;
}

WireJson encode(const ExtenderBindingArgs& value) {
  WireJson out = WireJson::object();
  out["PodName"] = value.podName;
  out["PodNamespace"] = value.podNamespace;
  out["PodUID"] = value.podUID;
  out["Node"] = value.node;
  return out;
}

WireJson encode(const ExtenderBindingResult& value) {
  WireJson out = WireJson::object();
  out["Error"] = value.error;
  return out;
}

WireJson encode(const ExtenderPreemptionArgs& value) {
  WireJson out = WireJson::object();
  out["Pod"] = value.pod;
  out["NodeNameToVictims"] =
      nullable(value.nodeNameToVictims, [](const std::map<std::string, Victims>& map) {
        WireJson victims = WireJson::object();
        for (const auto& [node, entry] : map) {
          victims[node] = encodeVictims(entry);
        }
        return victims;
      });
  out["NodeNameToMetaVictims"] = nullable(value.nodeNameToMetaVictims, encodeMetaVictimsMap);
  return out;
}

WireJson encode(const ExtenderPreemptionResult& value) {
  WireJson out = WireJson::object();
  out["NodeNameToMetaVictims"] = nullable(value.nodeNameToMetaVictims, encodeMetaVictimsMap);
  return out;
}

}  // namespace karpenter::extender
