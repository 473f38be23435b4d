#include "karpenter/admission/cron.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <system_error>
#include <vector>

namespace karpenter::admission {
namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  // Three-letter names for values min.. (month from 1, day of week from 0), or empty.
  std::array<const char*, 12> names;
  int nameCount;
};

constexpr std::array<FieldSpec, 5> kFields = {{
    {"minute", 0, 59, {}, 0},
    {"hour", 0, 23, {}, 0},
    {"day of month", 1, 31, {}, 0},
    {"month",
     1,
     12,
     {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"},
     12},
    {"day of week", 0, 6, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}, 7},
}};

constexpr std::array<std::string_view, 7> kMacros = {
    "@annually", "@yearly", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) {
      return parts;
    }
    start = end + 1;
  }
}

std::vector<std::string_view> splitWhitespace(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) {
      ++i;
    }
    const std::size_t start = i;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) == 0) {
      ++i;
    }
    if (i > start) {
      parts.push_back(text.substr(start, i - start));
    }
  }
  return parts;
}

std::optional<int> parseNumber(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  int value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

// A number or (for month / day of week) a case-insensitive three-letter name.
std::optional<int> parseValue(std::string_view text, const FieldSpec& spec) {
  if (auto number = parseNumber(text)) {
    return number;
  }
  if (text.size() != 3) {
    return std::nullopt;
  }
  for (int i = 0; i < spec.nameCount; ++i) {
    const std::string_view name = spec.names[static_cast<std::size_t>(i)];
    bool equal = true;
    for (std::size_t c = 0; c < 3; ++c) {
      equal = equal && std::tolower(static_cast<unsigned char>(text[c])) == name[c];
    }
    if (equal) {
      return spec.min + i;
    }
  }
  return std::nullopt;
}

std::optional<std::string> checkItem(std::string_view item, const FieldSpec& spec) {
  const std::string prefix = std::string(spec.name) + " field: ";
  const auto where = " in \"" + std::string(item) + "\"";
  std::string_view range = item;
  const auto slash = item.find('/');
  if (slash != std::string_view::npos) {
    range = item.substr(0, slash);
    const auto step = parseNumber(item.substr(slash + 1));
    if (!step || *step <= 0) {
      return prefix + "step must be a positive integer" + where;
    }
  }
  if (range == "*" || range == "?") {
    return std::nullopt;
  }
  const auto dash = range.find('-');
  const auto low = parseValue(range.substr(0, dash), spec);
  const auto high = dash == std::string_view::npos ? low : parseValue(range.substr(dash + 1), spec);
  if (!low || !high) {
    return prefix + "cannot parse" + where;
  }
  if (*low < spec.min || *high > spec.max) {
    return prefix + "values must be between " + std::to_string(spec.min) + " and " +
           std::to_string(spec.max) + where;
  }
  if (*low > *high) {
    return prefix + "range start is after its end" + where;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> checkCronSchedule(std::string_view schedule) {
  if (!schedule.empty() && schedule.front() == '@') {
    for (const auto macro : kMacros) {
      if (schedule == macro) {
        return std::nullopt;
      }
    }
    return "unrecognized descriptor \"" + std::string(schedule) + "\"";
  }
  const auto fields = splitWhitespace(schedule);
  if (fields.size() != kFields.size()) {
    return "expected exactly 5 fields, found " + std::to_string(fields.size());
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    for (const auto item : split(fields[i], ',')) {
      if (auto error = checkItem(item, kFields[i])) {
        return error;
      }
    }
  }
  return std::nullopt;
}

}  // namespace karpenter::admission
