#include "karpenter/api/duration.hpp"

#include <array>
#include <cstdint>

namespace karpenter::api {
namespace {

constexpr uint64_t kNanosecond = 1;
constexpr uint64_t kMicrosecond = 1000 * kNanosecond;
constexpr uint64_t kMillisecond = 1000 * kMicrosecond;
constexpr uint64_t kSecond = 1000 * kMillisecond;
constexpr uint64_t kMinute = 60 * kSecond;
constexpr uint64_t kHour = 60 * kMinute;
// Go accumulates the magnitude in a uint64 and allows exactly 2^63 so that the most negative
// duration parses; everything is checked against this bound.
constexpr uint64_t kLimit = uint64_t{1} << 63;

struct Unit {
  std::string_view name;
  uint64_t nanos;
};

// Both micro signs: U+00B5 (micro sign) and U+03BC (Greek mu), as Go accepts.
constexpr std::array<Unit, 8> kUnits{{
    {"ns", kNanosecond},
    {"us", kMicrosecond},
    {"\xC2\xB5s", kMicrosecond},
    {"\xCE\xBCs", kMicrosecond},
    {"ms", kMillisecond},
    {"s", kSecond},
    {"m", kMinute},
    {"h", kHour},
}};

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

Error invalidDuration(std::string_view original) {
  return invalidError("time: invalid duration " + quoted(original));
}

// Consumes leading digits into `value`; false on overflow.
bool leadingInt(std::string_view& text, uint64_t& value) {
  value = 0;
  size_t i = 0;
  for (; i < text.size() && isDigit(text[i]); ++i) {
    if (value > kLimit / 10) {
      return false;
    }
    value = value * 10 + static_cast<uint64_t>(text[i] - '0');
    if (value > kLimit) {
      return false;
    }
  }
  text.remove_prefix(i);
  return true;
}

// Consumes fraction digits; digits past what fits are ignored (they cannot change the result).
void leadingFraction(std::string_view& text, uint64_t& value, double& scale) {
  value = 0;
  scale = 1;
  bool overflow = false;
  size_t i = 0;
  for (; i < text.size() && isDigit(text[i]); ++i) {
    if (overflow) {
      continue;
    }
    if (value > (kLimit - 1) / 10) {
      overflow = true;
      continue;
    }
    const uint64_t next = value * 10 + static_cast<uint64_t>(text[i] - '0');
    if (next > kLimit) {
      overflow = true;
      continue;
    }
    value = next;
    scale *= 10;
  }
  text.remove_prefix(i);
}

// Writes the fraction v / 10^precision (without trailing zeros, and without the dot when it is
// zero) in front of `out`, returning v / 10^precision.
uint64_t prependFraction(std::string& out, uint64_t value, int precision) {
  std::string digits;
  bool print = false;
  for (int i = 0; i < precision; ++i) {
    const uint64_t digit = value % 10;
    print = print || digit != 0;
    if (print) {
      digits.insert(digits.begin(), static_cast<char>('0' + digit));
    }
    value /= 10;
  }
  if (print) {
    out.insert(0, "." + digits);
  }
  return value;
}

void prependInt(std::string& out, uint64_t value) {
  out.insert(0, std::to_string(value));
}

}  // namespace

Result<std::chrono::nanoseconds> parseGoDuration(std::string_view text) {
  const std::string_view original = text;
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") {
    return std::chrono::nanoseconds(0);
  }
  if (text.empty()) {
    return invalidDuration(original);
  }
  uint64_t total = 0;
  while (!text.empty()) {
    if (text[0] != '.' && !isDigit(text[0])) {
      return invalidDuration(original);
    }
    const size_t before = text.size();
    uint64_t whole = 0;
    if (!leadingInt(text, whole)) {
      return invalidDuration(original);
    }
    const bool hadWhole = text.size() != before;

    uint64_t fraction = 0;
    double scale = 1;
    bool hadFraction = false;
    if (!text.empty() && text[0] == '.') {
      text.remove_prefix(1);
      const size_t fractionStart = text.size();
      leadingFraction(text, fraction, scale);
      hadFraction = text.size() != fractionStart;
    }
    if (!hadWhole && !hadFraction) {
      return invalidDuration(original);  // "." or ".s"
    }

    size_t unitLength = 0;
    while (unitLength < text.size() && text[unitLength] != '.' && !isDigit(text[unitLength])) {
      ++unitLength;
    }
    if (unitLength == 0) {
      return invalidError("time: missing unit in duration " + quoted(original));
    }
    const std::string_view unitName = text.substr(0, unitLength);
    text.remove_prefix(unitLength);
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      if (candidate.name == unitName) {
        unit = &candidate;
      }
    }
    if (unit == nullptr) {
      return invalidError("time: unknown unit " + quoted(unitName) + " in duration " +
                          quoted(original));
    }

    if (whole > kLimit / unit->nanos) {
      return invalidDuration(original);
    }
    whole *= unit->nanos;
    if (fraction > 0) {
      // Go computes the fractional part in float64; doing the same keeps results identical.
      whole += static_cast<uint64_t>(static_cast<double>(fraction) *
                                     (static_cast<double>(unit->nanos) / scale));
      if (whole > kLimit) {
        return invalidDuration(original);
      }
    }
    total += whole;
    if (total > kLimit) {
      return invalidDuration(original);
    }
  }
  if (negative) {
    // -(2^63) is representable; compute it without overflowing the signed type.
    return std::chrono::nanoseconds(static_cast<int64_t>(~total + 1));
  }
  if (total > kLimit - 1) {
    return invalidDuration(original);
  }
  return std::chrono::nanoseconds(static_cast<int64_t>(total));
}

Result<std::optional<std::chrono::seconds>> parseNillableDuration(std::string_view text) {
  if (text == kDurationNever) {
    return std::optional<std::chrono::seconds>();
  }
  auto parsed = parseGoDuration(text);
  if (!parsed) {
    return parsed.error();
  }
  return std::optional<std::chrono::seconds>(
      std::chrono::duration_cast<std::chrono::seconds>(*parsed));
}

std::string formatDuration(std::chrono::nanoseconds duration) {
  const int64_t count = duration.count();
  const bool negative = count < 0;
  // Unsigned negation handles the most negative value.
  uint64_t magnitude = negative ? ~static_cast<uint64_t>(count) + 1 : static_cast<uint64_t>(count);
  std::string out;
  if (magnitude < kSecond) {
    // Below a second Go switches to the largest unit that keeps an integer part: 1.2ms, 15µs.
    if (magnitude == 0) {
      return "0s";
    }
    int precision = 0;
    if (magnitude < kMicrosecond) {
      out = "ns";
    } else if (magnitude < kMillisecond) {
      precision = 3;
      out = "\xC2\xB5s";
    } else {
      precision = 6;
      out = "ms";
    }
    magnitude = prependFraction(out, magnitude, precision);
    prependInt(out, magnitude);
  } else {
    out = "s";
    magnitude = prependFraction(out, magnitude, 9);
    prependInt(out, magnitude % 60);
    magnitude /= 60;
    if (magnitude > 0) {
      out.insert(0, "m");
      prependInt(out, magnitude % 60);
      magnitude /= 60;
      if (magnitude > 0) {
        out.insert(0, "h");
        prependInt(out, magnitude);
      }
    }
  }
  if (negative) {
    out.insert(0, "-");
  }
  return out;
}

std::string formatNillableDuration(const std::optional<std::chrono::seconds>& duration) {
  if (!duration) {
    return std::string(kDurationNever);
  }
  return formatDuration(*duration);
}

}  // namespace karpenter::api
