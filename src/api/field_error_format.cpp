#include "field_error_format.hpp"

#include <cstdio>

namespace karpenter::api::detail {

std::string goQuote(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out += '"';
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\x%02x", byte);
          out += escaped;
        } else {
          out += c;
        }
      }
    }
  }
  out += '"';
  return out;
}

std::string jsonStringList(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    // Label values that reach an error message may hold anything; goQuote's escapes are valid
    // JSON for the characters that matter here (quotes, backslashes, common controls).
    out += goQuote(values[i]);
  }
  out += ']';
  return out;
}

std::string invalidValue(std::string_view field, std::string_view renderedBadValue,
                         std::string_view detail) {
  std::string out;
  if (!field.empty()) {
    out += field;
    out += ": ";
  }
  out += "Invalid value: ";
  out += renderedBadValue;
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

std::string joinMessages(const std::vector<std::string>& messages, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) {
      out += separator;
    }
    out += messages[i];
  }
  return out;
}

}  // namespace karpenter::api::detail
