#include "karpenter/extender/reply_writer.hpp"

#include <algorithm>
#include <charconv>
#include <utility>
#include <vector>

namespace karpenter::extender {
namespace {

// Bytes that need escaping: control characters, '"' and '\\'.
bool needsEscape(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\';
}

void appendEscaped(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default: {
      constexpr const char* kHex = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
}

void appendInt(std::string& out, int64_t value) {
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, end);
}

}  // namespace

void appendJsonString(std::string& out, std::string_view text) {
  out += '"';
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (needsEscape(c)) {
      out.append(text.substr(start, i - start));
      appendEscaped(out, c);
      start = i + 1;
    }
  }
  out.append(text.substr(start));
  out += '"';
}

std::string writeFilterReply(std::span<const std::string_view> names,
                             std::span<const char* const> reasons, bool namesPresent) {
  std::vector<std::pair<std::string_view, const char*>> failed;
  size_t bytes = 128;
  for (size_t i = 0; i < names.size(); ++i) {
    bytes += names[i].size() + 3;
    if (reasons[i] != nullptr) {
      failed.emplace_back(names[i], reasons[i]);
      bytes += 80;
    }
  }
  // FailedNodes is a Go map (and a std::map in ExtenderFilterResult): keys sorted bytewise, a
  // repeated name once. A repeated name gets the same verdict, so which copy stays is moot.
  std::stable_sort(failed.begin(), failed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  failed.erase(std::unique(failed.begin(), failed.end(),
                           [](const auto& a, const auto& b) { return a.first == b.first; }),
               failed.end());

  std::string out;
  out.reserve(bytes);
  out += R"({"Nodes":null,"NodeNames":)";
  if (namesPresent) {
    out += '[';
    bool first = true;
    for (size_t i = 0; i < names.size(); ++i) {
      if (reasons[i] == nullptr) {
        out += first ? "" : ",";
        appendJsonString(out, names[i]);
        first = false;
      }
    }
    out += ']';
  } else {
    out += "null";
  }
  out += R"(,"FailedNodes":{)";
  for (size_t i = 0; i < failed.size(); ++i) {
    out += i == 0 ? "" : ",";
    appendJsonString(out, failed[i].first);
    out += ':';
    appendJsonString(out, failed[i].second);
  }
  out += R"(},"FailedAndUnresolvableNodes":null,"Error":""})";
  return out;
}

std::string writeHostPriorities(std::span<const std::string_view> names,
                                std::span<const int64_t> scores) {
  std::string out;
  size_t bytes = 2;
  for (const auto& name : names) {
    bytes += name.size() + 24;
  }
  out.reserve(bytes);
  out += '[';
  for (size_t i = 0; i < names.size(); ++i) {
    out += i == 0 ? R"({"Host":)" : R"(,{"Host":)";
    appendJsonString(out, names[i]);
    out += R"(,"Score":)";
    appendInt(out, scores[i]);
    out += '}';
  }
  out += ']';
  return out;
}

}  // namespace karpenter::extender
