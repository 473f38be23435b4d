#include "karpenter/extender/reply_writer.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <utility>
#include <vector>

namespace karpenter::extender {
namespace {

// Bytes that need escaping: control characters, '"' and '\\'.
bool needsEscape(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\';
}

// The high bit of each byte of `word` that needs escaping may be set, and the lowest set bit is
// exactly the first such byte (the usual "has zero byte" bit trick, which can only mark false
// positives above a true one). Bytes >= 0x80 (UTF-8) never match.
uint64_t escapeMask(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  const uint64_t control = word - kOnes * 0x20;  // borrows into bytes < 0x20
  const uint64_t quote = (word ^ (kOnes * '"')) - kOnes;
  const uint64_t backslash = (word ^ (kOnes * '\\')) - kOnes;
  return (control | quote | backslash) & ~word & kHighBits;
}

// Offset of the first byte of `text` at or after `from` that needs escaping, or text.size().
// Names are DNS subdomains that never need escaping, so whole words are skipped 8 bytes at a time.
size_t firstEscape(std::string_view text, size_t from) {
  static_assert(std::endian::native == std::endian::little, "countr_zero finds the first byte");
  size_t i = from;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, sizeof(word));  // unaligned load, little-endian
    if (const uint64_t mask = escapeMask(word); mask != 0) {
      return i + static_cast<size_t>(std::countr_zero(mask)) / 8;
    }
  }
  while (i < text.size() && !needsEscape(static_cast<unsigned char>(text[i]))) {
    ++i;
  }
  return i;
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
  for (size_t i = firstEscape(text, 0); i < text.size(); i = firstEscape(text, start)) {
    out.append(text.substr(start, i - start));
    appendEscaped(out, static_cast<unsigned char>(text[i]));
    start = i + 1;
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
