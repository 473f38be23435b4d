#include "strategic_merge.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "patch_schema.hpp"

namespace karpenter::apiserver {
namespace {

using nlohmann::json;

constexpr std::string_view kPatch = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";

class Merger {
 public:
  explicit Merger(std::string_view kind) : kind_(kind) {}

  std::optional<ApiError> error;

  // The merged map, or nullopt when the patch deletes it (`$patch: delete`).
  std::optional<json> mergeMap(const json& original, const json& patch, const std::string& path) {
    if (auto directive = patch.find(kPatch); directive != patch.end()) {
      if (*directive == "replace") {
        json replaced = patch;
        replaced.erase(kPatch);
        return replaced;
      }
      if (*directive == "delete") {
        return std::nullopt;
      }
      if (*directive != "merge") {
        fail("Unknown patch type: " + directive->dump() + " in map: " + path);
        return json::object();
      }
    }
    json result = original.is_object() ? original : json::object();
    if (auto retain = patch.find(kRetainKeys); retain != patch.end() && retain->is_array()) {
      for (auto it = result.begin(); it != result.end();) {
        const bool kept = std::find(retain->begin(), retain->end(), it.key()) != retain->end();
        it = kept ? std::next(it) : result.erase(it);
      }
    }
    for (const auto& [key, value] : patch.items()) {
      if (key.starts_with(kDeleteFromPrimitiveList) && value.is_array()) {
        const std::string field = key.substr(kDeleteFromPrimitiveList.size());
        if (auto list = result.find(field); list != result.end() && list->is_array()) {
          json kept = json::array();
          for (const json& item : *list) {
            if (std::find(value.begin(), value.end(), item) == value.end()) {
              kept.push_back(item);
            }
          }
          *list = std::move(kept);
        }
      }
    }
    for (const auto& [key, value] : patch.items()) {
      if (key.starts_with('$')) {
        continue;
      }
      const std::string childPath = path.empty() ? key : path + "." + key;
      if (value.is_null()) {
        result.erase(key);
        continue;
      }
      auto existing = result.find(key);
      if (value.is_object()) {
        const json empty = json::object();
        const json& base = existing != result.end() && existing->is_object() ? *existing : empty;
        auto merged = mergeMap(base, value, childPath);
        if (merged) {
          result[key] = std::move(*merged);
        } else {
          result.erase(key);
        }
        continue;
      }
      const ListRule rule = listRule(kind_, childPath);
      if (value.is_array() && rule.type != ListType::kAtomic) {
        const json empty = json::array();
        const json& base = existing != result.end() && existing->is_array() ? *existing : empty;
        json merged = mergeList(base, value, rule, childPath);
        if (auto order = patch.find(std::string(kSetElementOrder) + key);
            order != patch.end() && order->is_array()) {
          merged = orderElements(merged, base, *order, rule);
        }
        result[key] = std::move(merged);
        continue;
      }
      result[key] = value;
    }
    // A `$setElementOrder` for a list the patch does not otherwise touch still reorders it.
    for (const auto& [key, order] : patch.items()) {
      if (!key.starts_with(kSetElementOrder) || !order.is_array()) {
        continue;
      }
      const std::string field = key.substr(kSetElementOrder.size());
      auto list = result.find(field);
      if (patch.contains(field) || list == result.end() || !list->is_array()) {
        continue;
      }
      const std::string childPath = path.empty() ? field : path + "." + field;
      *list = orderElements(*list, *list, order, listRule(kind_, childPath));
    }
    return result;
  }

 private:
  void fail(std::string message) {
    if (!error) {
      error = badRequest(std::move(message));
    }
  }

  static bool sameKey(const json& a, const json& b, const ListRule& rule) {
    if (rule.type == ListType::kSet) {
      return a == b;
    }
    return a.is_object() && b.is_object() && a.contains(rule.key) && b.contains(rule.key) &&
           a[rule.key] == b[rule.key];
  }

  static int indexOf(const json& list, const json& item, const ListRule& rule) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (sameKey(list[i], item, rule)) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  json mergeList(const json& original, const json& patch, const ListRule& rule,
                 const std::string& path) {
    if (rule.type == ListType::kSet) {
      json result = json::array();
      for (const json* list : {&original, &patch}) {
        for (const json& item : *list) {
          if (std::find(result.begin(), result.end(), item) == result.end()) {
            result.push_back(item);
          }
        }
      }
      return result;
    }
    for (const json& item : patch) {
      if (item.is_object() && item.size() == 1 && item.value(kPatch, "") == "replace") {
        json replaced = json::array();
        for (const json& other : patch) {
          if (&other != &item) {
            replaced.push_back(other);
          }
        }
        return replaced;
      }
    }
    json result = original;
    for (const json& item : patch) {
      if (!item.is_object() || !item.contains(rule.key)) {
        fail("map: " + item.dump() + " does not contain declared merge key: " + rule.key);
        return original;
      }
      const int at = indexOf(result, item, rule);
      if (item.value(kPatch, "") == "delete") {
        if (at >= 0) {
          result.erase(static_cast<size_t>(at));
        }
        continue;
      }
      const json empty = json::object();
      auto merged = mergeMap(at >= 0 ? result[static_cast<size_t>(at)] : empty, item, path);
      if (!merged) {
        continue;
      }
      if (at >= 0) {
        result[static_cast<size_t>(at)] = std::move(*merged);
      } else {
        result.push_back(std::move(*merged));
      }
    }
    return result;
  }

  // strategicpatch's normalizeElementOrder: elements named by `order` sorted by it, the others
  // (server-only) kept in their order, the two interleaved by position in `server`.
  static json orderElements(const json& merged, const json& server, const json& order,
                            const ListRule& rule) {
    std::vector<std::pair<int, json>> patched;
    std::vector<json> serverOnly;
    for (const json& item : merged) {
      const int at = indexOf(order, item, rule);
      if (at >= 0) {
        patched.emplace_back(at, item);
      } else {
        serverOnly.push_back(item);
      }
    }
    std::stable_sort(patched.begin(), patched.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    json result = json::array();
    size_t i = 0;
    size_t j = 0;
    while (i < serverOnly.size() || j < patched.size()) {
      if (j >= patched.size()) {
        result.push_back(serverOnly[i++]);
      } else if (i >= serverOnly.size()) {
        result.push_back(patched[j++].second);
      } else {
        const int left = indexOf(server, serverOnly[i], rule);
        const int right = indexOf(server, patched[j].second, rule);
        if (left >= 0 && right >= 0 && left < right) {
          result.push_back(serverOnly[i++]);
        } else {
          result.push_back(patched[j++].second);
        }
      }
    }
    return result;
  }

  std::string_view kind_;
};

}  // namespace

ApiResult<json> applyStrategicMerge(std::string_view kind, const json& original,
                                    const json& patch) {
  if (!patch.is_object()) {
    return badRequest("a strategic merge patch must be a JSON object");
  }
  Merger merger(kind);
  auto merged = merger.mergeMap(original, patch, "");
  if (merger.error) {
    return *merger.error;
  }
  return merged ? std::move(*merged) : json::object();
}

}  // namespace karpenter::apiserver
