#include <string_view>

#include "store_state.hpp"

namespace karpenter::apiserver {
namespace {

constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// base64.RawURLEncoding, as upstream encodes continue tokens.
std::string base64UrlEncode(std::string_view input) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : input) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) {
    out += kBase64[(buffer << (6 - bits)) & 0x3f];
  }
  return out;
}

std::optional<std::string> base64UrlDecode(std::string_view input) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : input) {
    const size_t value = kBase64.find(c);
    if (value == std::string_view::npos) {
      return std::nullopt;
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

struct ContinueToken {
  uint64_t resourceVersion = 0;
  std::string start;  // first key of the next page (inclusive)
};

// {"v":"meta.k8s.io/v1","rv":N,"start":"<key>\u0000"} like upstream's storage layer.
std::string encodeContinue(uint64_t rv, const std::string& lastKey) {
  const nlohmann::json token = {{"v", "meta.k8s.io/v1"}, {"rv", rv}, {"start", lastKey + '\0'}};
  return base64UrlEncode(token.dump());
}

ApiResult<ContinueToken> decodeContinue(const std::string& text) {
  const auto bytes = base64UrlDecode(text);
  const ApiError bad = badRequest("continue key is not valid: " + text);
  if (!bytes) {
    return bad;
  }
  const nlohmann::json token = nlohmann::json::parse(*bytes, nullptr, false);
  if (!token.is_object() || token.value("v", "") != "meta.k8s.io/v1" || !token.contains("rv") ||
      !token["rv"].is_number_unsigned() || !token.contains("start") ||
      !token["start"].is_string()) {
    return bad;
  }
  return ContinueToken{token["rv"].get<uint64_t>(), token["start"].get<std::string>()};
}

// The objects of resource `index` as they were at `rv`: the current ones with every newer change
// undone from the history (the caller has checked that rv is not compacted).
std::map<std::string, const nlohmann::json*, std::less<>> snapshotAt(const Store::State& state,
                                                                     size_t index, uint64_t rv) {
  std::map<std::string, const nlohmann::json*, std::less<>> view;
  for (const auto& [key, object] : state.objects[index]) {
    view.emplace(key, &object);
  }
  for (auto it = state.history.rbegin(); it != state.history.rend() && it->resourceVersion > rv;
       ++it) {
    if (it->resourceIndex != index) {
      continue;
    }
    if (it->previous) {
      view.insert_or_assign(it->key, &*it->previous);
    } else {
      view.erase(it->key);
    }
  }
  return view;
}

}  // namespace

ApiResult<nlohmann::json> Store::list(const Gvr& gvr, const std::string& ns,
                                      const ListOptions& options) const {
  std::lock_guard lock(state_->mutex);
  const auto index = state_->indexOf(gvr);
  if (!index) {
    return unknownResource();
  }
  const ResourceInfo& info = state_->resources[*index];
  auto selectors = parseSelectors(info, options.labelSelector, options.fieldSelector);
  if (!selectors) {
    return selectors.error();
  }
  const bool exactRv = !options.resourceVersion.empty() && options.resourceVersion != "0";
  uint64_t snapshotRv = state_->resourceVersion;
  std::string start;
  if (!options.continueToken.empty()) {
    if (exactRv) {
      return badRequest("specifying resource version is not allowed when using continue");
    }
    auto token = decodeContinue(options.continueToken);
    if (!token) {
      return token.error();
    }
    snapshotRv = token->resourceVersion;
    start = token->start;
    if (snapshotRv < state_->compactedThrough) {
      return expired(
          "The provided continue parameter is too old to display a consistent list result. You "
          "can start a new list without the continue parameter.");
    }
  } else if (exactRv) {
    uint64_t requested = 0;
    try {
      requested = std::stoull(options.resourceVersion);
    } catch (const std::exception&) {
      return badRequest("invalid resource version: " + options.resourceVersion);
    }
    if (requested > state_->resourceVersion) {
      return ApiError{
          504,
          "Timeout",
          "Too large resource version: " + options.resourceVersion +
              ", current: " + std::to_string(state_->resourceVersion),
          {{"causes", nlohmann::json::array({{{"reason", "ResourceVersionTooLarge"},
                                              {"message", "Too large resource version"}}})},
           {"retryAfterSeconds", 1}}};
    }
    // With a limit the list is served exactly at that version; without, "not older than".
    if (options.limit > 0) {
      if (requested < state_->compactedThrough) {
        return expired("too old resource version: " + options.resourceVersion + " (" +
                       std::to_string(state_->compactedThrough) + ")");
      }
      snapshotRv = requested;
    }
  }
  const auto view = snapshotAt(*state_, *index, snapshotRv);
  const std::string scope = info.namespaced && !ns.empty() ? ns + "/" : "";
  nlohmann::json items = nlohmann::json::array();
  std::string lastKey;
  bool more = false;
  int64_t remaining = 0;
  for (auto it = view.lower_bound(std::max(start, scope)); it != view.end(); ++it) {
    if (!scope.empty() && it->first.compare(0, scope.size(), scope) != 0) {
      break;
    }
    const nlohmann::json& object = *it->second;
    if (!labelsMatch(selectors->first, object) || !selectors->second.matches(object)) {
      continue;
    }
    if (options.limit > 0 && static_cast<int64_t>(items.size()) == options.limit) {
      more = true;
      ++remaining;
      continue;
    }
    items.push_back(object);
    lastKey = it->first;
  }
  nlohmann::json metadata = {{"resourceVersion", std::to_string(snapshotRv)}};
  if (more) {
    metadata["continue"] = encodeContinue(snapshotRv, lastKey);
    // Upstream only knows the count when nothing is filtered out after reading.
    if (options.labelSelector.empty() && options.fieldSelector.empty()) {
      metadata["remainingItemCount"] = remaining;
    }
  }
  return nlohmann::json{{"kind", info.kind + "List"},
                        {"apiVersion", info.apiVersion()},
                        {"metadata", std::move(metadata)},
                        {"items", std::move(items)}};
}

}  // namespace karpenter::apiserver
