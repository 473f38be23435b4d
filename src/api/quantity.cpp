#include "karpenter/api/quantity.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace karpenter::api {
namespace {

using Int128 = detail::QuantityInt128;
__extension__ typedef unsigned __int128 UInt128;

// Symmetric bounds, so negating a saturated value never overflows.
constexpr Int128 kMaxNanos = static_cast<Int128>(~static_cast<UInt128>(0) >> 1);
constexpr Int128 kNanosPerUnit = 1'000'000'000;
constexpr Int128 kNanosPerMilli = 1'000'000;
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
// Go caps parsed BinarySI values at 2^63-1.
constexpr Int128 kBinaryCapNanos = static_cast<Int128>(kInt64Max) * kNanosPerUnit;
constexpr int kGoMinScale = -9;
constexpr int kGoMaxScale = 100;

constexpr std::string_view kFormatRegex = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

constexpr std::array<Int128, 39> kPow10 = [] {
  std::array<Int128, 39> table{};
  table[0] = 1;
  for (std::size_t i = 1; i < table.size(); ++i) {
    table[i] = table[i - 1] * 10;
  }
  return table;
}();

// Go keeps an int64 mantissa m at scale s, i.e. nanos = m × 10^(s+9). These are the nanos bounds
// for which m fits in int64, indexed by s+9 (from 20 on, every representable value fits).
constexpr int kFitTableSize = 20;
constexpr std::array<Int128, kFitTableSize> kInt64MaxAtScale = [] {
  std::array<Int128, kFitTableSize> table{};
  for (int i = 0; i < kFitTableSize; ++i) {
    table[i] = static_cast<Int128>(kInt64Max) * kPow10[i];
  }
  return table;
}();
constexpr std::array<Int128, kFitTableSize> kInt64MinAtScale = [] {
  std::array<Int128, kFitTableSize> table{};
  for (int i = 0; i < kFitTableSize; ++i) {
    table[i] = static_cast<Int128>(kInt64Min) * kPow10[i];
  }
  return table;
}();

bool mantissaFits(Int128 nanos, int goScale) {
  const int index = goScale + 9;
  if (index >= kFitTableSize) {
    return true;
  }
  return nanos <= kInt64MaxAtScale[index] && nanos >= kInt64MinAtScale[index];
}

Int128 saturate(Int128 value, bool& saturated) {
  if (value > kMaxNanos || value < -kMaxNanos) {
    saturated = true;
    return value > 0 ? kMaxNanos : -kMaxNanos;
  }
  return value;
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

bool isSuffixLetter(char c) {
  return std::string_view("eEinumkKMGTP").find(c) != std::string_view::npos;
}

std::string describeChar(char c) {
  if (c >= 0x20 && c < 0x7f) {
    return std::string("'") + c + "'";
  }
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "'\\x%02x'", static_cast<unsigned char>(c));
  return buffer;
}

Error formatError(std::string_view text, const std::string& what) {
  return invalidError("quantity \"" + std::string(text) + "\": " + what +
                      "; quantities must match the regular expression '" +
                      std::string(kFormatRegex) + "'");
}

// The pieces of "<sign><num>.<denom><suffix>", split as Go's parseQuantityString splits them:
// num without leading zeros ("0" when none are left), denom verbatim.
struct Scanned {
  bool negative = false;
  std::string_view num;
  std::string_view denom;
  std::string_view suffix;
};

// Returns an error detail, or nothing when the text scanned.
std::optional<std::string> scan(std::string_view text, Scanned& out) {
  const std::size_t end = text.size();
  std::size_t pos = 0;
  if (pos < end && (text[pos] == '-' || text[pos] == '+')) {
    out.negative = text[pos] == '-';
    ++pos;
  }
  while (pos < end && text[pos] == '0') {
    ++pos;
  }
  if (pos >= end) {
    out.num = "0";
    return std::nullopt;
  }
  std::size_t start = pos;
  while (pos < end && isDigit(text[pos])) {
    ++pos;
  }
  out.num = pos == start ? std::string_view("0") : text.substr(start, pos - start);
  if (pos >= end) {
    return std::nullopt;
  }
  if (text[pos] == '.') {
    start = ++pos;
    while (pos < end && isDigit(text[pos])) {
      ++pos;
    }
    out.denom = text.substr(start, pos - start);
    if (pos >= end) {
      return std::nullopt;
    }
  }
  const std::size_t suffixStart = pos;
  while (pos < end && isSuffixLetter(text[pos])) {
    ++pos;
  }
  if (pos < end && (text[pos] == '-' || text[pos] == '+')) {
    ++pos;
  }
  while (pos < end && isDigit(text[pos])) {
    ++pos;
  }
  if (pos < end) {
    return "unexpected character " + describeChar(text[pos]);
  }
  out.suffix = text.substr(suffixStart);
  return std::nullopt;
}

struct SuffixMeaning {
  int base = 10;
  int32_t exponent = 0;
  Quantity::Format format = Quantity::Format::kDecimalSI;
};

// strconv.ParseInt(text, 10, 64): optional sign, at least one digit, within int64.
std::optional<int64_t> parseGoInt64(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) {
    return std::nullopt;
  }
  UInt128 magnitude = 0;
  for (char c : text) {
    if (!isDigit(c)) {
      return std::nullopt;
    }
    magnitude = magnitude * 10 + static_cast<unsigned>(c - '0');
    if (magnitude > static_cast<UInt128>(kInt64Max) + 1) {
      return std::nullopt;
    }
  }
  if (!negative && magnitude > static_cast<UInt128>(kInt64Max)) {
    return std::nullopt;
  }
  return negative ? static_cast<int64_t>(-static_cast<Int128>(magnitude))
                  : static_cast<int64_t>(magnitude);
}

std::optional<SuffixMeaning> interpretSuffix(std::string_view suffix) {
  using Format = Quantity::Format;
  static constexpr std::array<std::pair<std::string_view, int32_t>, 10> kDecimal = {{
      {"n", -9},
      {"u", -6},
      {"m", -3},
      {"", 0},
      {"k", 3},
      {"M", 6},
      {"G", 9},
      {"T", 12},
      {"P", 15},
      {"E", 18},
  }};
  static constexpr std::array<std::pair<std::string_view, int32_t>, 6> kBinary = {{
      {"Ki", 10},
      {"Mi", 20},
      {"Gi", 30},
      {"Ti", 40},
      {"Pi", 50},
      {"Ei", 60},
  }};
  for (const auto& [name, exponent] : kDecimal) {
    if (suffix == name) {
      return SuffixMeaning{10, exponent, Format::kDecimalSI};
    }
  }
  for (const auto& [name, exponent] : kBinary) {
    if (suffix == name) {
      return SuffixMeaning{2, exponent, Format::kBinarySI};
    }
  }
  if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    auto parsed = parseGoInt64(suffix.substr(1));
    if (!parsed) {
      return std::nullopt;
    }
    // Go narrows the exponent to int32 the same way.
    return SuffixMeaning{10, static_cast<int32_t>(*parsed), Format::kDecimalExponent};
  }
  return std::nullopt;
}

// digits (most significant first) × factor, in place.
void multiplyDigits(std::string& digits, unsigned factor) {
  unsigned carry = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    const unsigned product = static_cast<unsigned>(*it - '0') * factor + carry;
    *it = static_cast<char>('0' + product % 10);
    carry = product / 10;
  }
  while (carry > 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + carry % 10));
    carry /= 10;
  }
}

// ceil(digits × 10^shift) for a digit string without leading zeros; saturates at kMaxNanos.
Int128 ceilScaled(std::string_view digits, int64_t shift, bool& saturated) {
  if (digits.empty()) {
    return 0;
  }
  const int64_t integerDigits = static_cast<int64_t>(digits.size()) + shift;
  if (integerDigits <= 0) {
    return 1;  // a non-zero value below one nano rounds up to one nano
  }
  if (integerDigits > 39) {
    saturated = true;
    return kMaxNanos;
  }
  const std::size_t kept = static_cast<std::size_t>(
      std::min<int64_t>(integerDigits, static_cast<int64_t>(digits.size())));
  Int128 value = 0;
  for (std::size_t i = 0; i < static_cast<std::size_t>(integerDigits); ++i) {
    const int digit = i < kept ? digits[i] - '0' : 0;
    if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, digit, &value)) {
      saturated = true;
      return kMaxNanos;
    }
  }
  if (digits.substr(kept).find_first_not_of('0') != std::string_view::npos) {
    if (value == kMaxNanos) {
      saturated = true;
      return kMaxNanos;
    }
    ++value;
  }
  return value;
}

std::string int128ToString(Int128 value) {
  const bool negative = value < 0;
  UInt128 magnitude = negative ? static_cast<UInt128>(-value) : static_cast<UInt128>(value);
  char buffer[48];
  char* end = buffer + sizeof(buffer);
  char* cursor = end;
  do {
    *--cursor = static_cast<char>('0' + static_cast<int>(magnitude % 10));
    magnitude /= 10;
  } while (magnitude != 0);
  if (negative) {
    *--cursor = '-';
  }
  return std::string(cursor, end);
}

// value / divisor rounded away from zero, saturated to int64.
int64_t divideAwayFromZero(Int128 value, Int128 divisor) {
  Int128 quotient = value / divisor;
  if (value % divisor != 0) {
    quotient += value > 0 ? 1 : -1;
  }
  if (quotient > kInt64Max) {
    return kInt64Max;
  }
  if (quotient < kInt64Min) {
    return kInt64Min;
  }
  return static_cast<int64_t>(quotient);
}

}  // namespace

const char* formatName(Quantity::Format format) {
  switch (format) {
    case Quantity::Format::kDecimalSI:
      return "DecimalSI";
    case Quantity::Format::kBinarySI:
      return "BinarySI";
    case Quantity::Format::kDecimalExponent:
      return "DecimalExponent";
  }
  return "DecimalSI";
}

Result<Quantity> Quantity::parse(std::string_view text) {
  if (text.empty()) {
    return formatError(text, "empty string");
  }
  Scanned scanned;
  if (auto problem = scan(text, scanned)) {
    return formatError(text, *problem);
  }
  auto meaning = interpretSuffix(scanned.suffix);
  if (!meaning) {
    return invalidError("quantity \"" + std::string(text) +
                        "\": unable to parse quantity's suffix \"" + std::string(scanned.suffix) +
                        "\"");
  }
  const bool binary = meaning->base == 2;
  const auto denomLength = static_cast<int64_t>(scanned.denom.size());

  // The exact magnitude, rounded away from zero to a whole nano.
  std::string digits;
  digits.reserve(scanned.num.size() + scanned.denom.size() + 20);
  digits.append(scanned.num).append(scanned.denom);
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  int64_t shift = 9 - denomLength;
  if (binary) {
    if (!digits.empty()) {
      for (int32_t bits = meaning->exponent; bits > 0; bits -= 10) {
        multiplyDigits(digits, 1024);
      }
    }
  } else {
    shift += meaning->exponent;
  }
  bool saturated = false;
  Int128 magnitude = ceilScaled(digits, shift, saturated);

  Quantity result;
  result.format_ = meaning->format;
  if (binary && magnitude > kBinaryCapNanos) {
    magnitude = kBinaryCapNanos;
    saturated = false;
  }
  if (binary && magnitude > 0 && magnitude < kNanosPerUnit) {
    result.format_ = Format::kDecimalSI;  // Go: a binary fraction below one is shown in decimal
  }
  result.nanos_ = scanned.negative ? -magnitude : magnitude;

  // Mirror Go's choice between its int64 fast path and inf.Dec (see goScale_).
  const auto numLength = static_cast<int64_t>(scanned.num.size());
  int64_t precision = -1;
  if (!binary) {
    precision = 18 - (numLength + denomLength);
  } else if (denomLength == 0) {
    precision = 15 - numLength - meaning->exponent * 3 / 10 - 1;
  }
  result.goScale_ = kDecRepresentation;
  if (precision >= 0) {
    const int64_t scale = (binary ? 0 : meaning->exponent) - denomLength;
    if (scale >= kGoMinScale) {
      std::string shifted;
      shifted.append(scanned.num).append(scanned.denom);
      int64_t value = 0;
      for (char c : shifted) {
        value = value * 10 + (c - '0');  // at most 18 digits
      }
      const int64_t multiplier = binary ? (int64_t{1} << meaning->exponent) : 1;
      int64_t product = 0;
      if (!__builtin_mul_overflow(value, multiplier, &product)) {
        if (!saturated) {
          result.goScale_ =
              static_cast<int8_t>(std::clamp<int64_t>(scale, kGoMinScale, kGoMaxScale));
        }
        const bool canonical =
            binary ? (value & 0x07) != 0
                   : scale % 3 == 0 && !shifted.ends_with("000") && shifted[0] != '0';
        if (canonical && text.size() <= kTextCapacity) {
          text.copy(result.text_, text.size());
          result.textLength_ = static_cast<uint8_t>(text.size());
        }
      }
    }
  }
  return result;
}

Quantity Quantity::mustParse(std::string_view text) {
  auto parsed = parse(text);
  if (!parsed) {
    std::fprintf(stderr, "Quantity::mustParse: %s\n", parsed.error().message.c_str());
    std::abort();
  }
  return *parsed;
}

Result<Quantity> Quantity::parseTrimmed(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) {
    return parse("");
  }
  const auto last = text.find_last_not_of(kSpace);
  return parse(text.substr(first, last - first + 1));
}

Quantity Quantity::fromInt(int64_t value, Format format) {
  Quantity result;
  result.nanos_ = static_cast<Int128>(value) * kNanosPerUnit;
  result.format_ = format;
  return result;
}

Quantity Quantity::fromMilli(int64_t milli, Format format) {
  Quantity result;
  result.nanos_ = static_cast<Int128>(milli) * kNanosPerMilli;
  result.format_ = format;
  result.goScale_ = -3;
  return result;
}

Quantity Quantity::withFormat(Format format) const {
  Quantity result = *this;
  result.format_ = format;
  result.clearText();
  return result;
}

std::string Quantity::toString() const {
  if (textLength_ > 0) {
    return std::string(text_, textLength_);
  }
  if (nanos_ == 0) {
    return "0";
  }
  Format format = format_;
  if (format == Format::kBinarySI) {
    const Int128 limit = 1024 * kNanosPerUnit;
    if ((nanos_ > -limit && nanos_ < limit) || nanos_ % kNanosPerUnit != 0) {
      // Small or fractional binary values would need rounding, so Go shows them in decimal.
      format = Format::kDecimalSI;
    }
  }
  if (format == Format::kBinarySI) {
    static constexpr std::array<std::string_view, 7> kSuffixes = {"",   "Ki", "Mi", "Gi",
                                                                  "Ti", "Pi", "Ei"};
    Int128 mantissa = nanos_ / kNanosPerUnit;
    std::size_t exponent = 0;
    // Go has no binary suffix past Ei and would drop the exponent; stopping at Ei keeps the value.
    while (exponent + 1 < kSuffixes.size() && mantissa % 1024 == 0) {
      mantissa /= 1024;
      ++exponent;
    }
    return int128ToString(mantissa) + std::string(kSuffixes[exponent]);
  }

  Int128 mantissa = nanos_;
  int exponent = -9;
  while (mantissa % 10 == 0) {
    mantissa /= 10;
    ++exponent;
  }
  while (exponent % 3 != 0) {
    mantissa *= 10;  // cannot overflow: it only restores factors removed above
    --exponent;
  }
  // Go's inf.Dec path (also taken when the int64 mantissa overflows) keeps exponents at or
  // below E; its int64 path does not, and then DecimalSI falls back to "e" notation.
  const bool goUsesDec =
      goScale_ == kDecRepresentation || mantissa > kInt64Max || mantissa < kInt64Min;
  if (goUsesDec) {
    while (exponent > 18) {
      mantissa *= 10;
      --exponent;
    }
  }
  std::string out = int128ToString(mantissa);
  if (format == Format::kDecimalSI && exponent <= 18) {
    static constexpr std::array<std::string_view, 10> kSuffixes = {"n", "u", "m", "",  "k",
                                                                   "M", "G", "T", "P", "E"};
    out += kSuffixes[static_cast<std::size_t>((exponent + 9) / 3)];
  } else if (exponent != 0) {
    out += 'e';
    out += std::to_string(exponent);
  }
  return out;
}

std::string Quantity::toDecimalString() const {
  const bool negative = nanos_ < 0;
  const Int128 magnitude = negative ? -nanos_ : nanos_;
  std::string out = negative ? "-" : "";
  out += int128ToString(magnitude / kNanosPerUnit);
  auto fraction = static_cast<int64_t>(magnitude % kNanosPerUnit);
  if (fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, 9 - digits.size(), '0');
    digits.erase(digits.find_last_not_of('0') + 1);
    out += '.';
    out += digits;
  }
  return out;
}

bool Quantity::isZero() const {
  return nanos_ == 0;
}

int Quantity::sign() const {
  return nanos_ > 0 ? 1 : (nanos_ < 0 ? -1 : 0);
}

int64_t Quantity::value() const {
  return divideAwayFromZero(nanos_, kNanosPerUnit);
}

int64_t Quantity::milliValue() const {
  return divideAwayFromZero(nanos_, kNanosPerMilli);
}

std::optional<int64_t> Quantity::asInt64() const {
  // Go answers only from its int64 form at a non-negative scale, so "1000m" and 19-digit
  // literals report false even though their values fit.
  if (goScale_ == kDecRepresentation || goScale_ < 0 || nanos_ % kNanosPerUnit != 0) {
    return std::nullopt;
  }
  const Int128 units = nanos_ / kNanosPerUnit;
  if (units > kInt64Max || units < kInt64Min) {
    return std::nullopt;
  }
  return static_cast<int64_t>(units);
}

double Quantity::asApproximateFloat64() const {
  constexpr Int128 kExactInDouble = Int128{1} << 53;
  if (nanos_ < kExactInDouble && nanos_ > -kExactInDouble) {
    return static_cast<double>(static_cast<int64_t>(nanos_)) / 1e9;
  }
  return static_cast<double>(static_cast<long double>(nanos_) / 1e9L);
}

bool Quantity::roundUp(int32_t scale) {
  const bool goDec = goScale_ == kDecRepresentation;
  if (!goDec && goScale_ >= scale) {
    return true;  // already at least this coarse; Go keeps its cached text too
  }
  clearText();
  bool exact = true;
  const int64_t index = static_cast<int64_t>(scale) + 9;
  bool saturated = false;
  if (index > 0 && nanos_ != 0) {
    if (index >= static_cast<int64_t>(kPow10.size())) {
      exact = false;
      saturated = true;
      nanos_ = nanos_ > 0 ? kMaxNanos : -kMaxNanos;
    } else {
      const Int128 step = kPow10[static_cast<std::size_t>(index)];
      if (nanos_ % step != 0) {
        exact = false;
        Int128 steps = nanos_ / step + (nanos_ > 0 ? 1 : -1);
        Int128 rounded = 0;
        if (__builtin_mul_overflow(steps, step, &rounded)) {
          rounded = nanos_ > 0 ? kMaxNanos : -kMaxNanos;
          saturated = true;
        }
        nanos_ = saturate(rounded, saturated);
      }
    }
  }
  if (!goDec) {
    goScale_ = saturated
                   ? kDecRepresentation
                   : static_cast<int8_t>(std::clamp<int64_t>(scale, kGoMinScale, kGoMaxScale));
  }
  return exact;
}

std::strong_ordering Quantity::operator<=>(const Quantity& other) const {
  return nanos_ <=> other.nanos_;
}

bool Quantity::operator==(const Quantity& other) const {
  return nanos_ == other.nanos_;
}

Quantity& Quantity::operator+=(const Quantity& other) {
  clearText();
  if (nanos_ == 0) {
    format_ = other.format_;  // Go: adding to zero adopts the other operand's format
  }
  bool saturated = false;
  Int128 sum = 0;
  if (__builtin_add_overflow(nanos_, other.nanos_, &sum)) {
    saturated = true;
    sum = other.nanos_ > 0 ? kMaxNanos : -kMaxNanos;
  }
  sum = saturate(sum, saturated);

  // Go stays on its int64 form while the operands, aligned to the finer scale, and their sum
  // all fit in int64.
  if (saturated || goScale_ == kDecRepresentation || other.goScale_ == kDecRepresentation) {
    goScale_ = kDecRepresentation;
  } else if (other.nanos_ == 0) {
    // unchanged
  } else if (nanos_ == 0) {
    goScale_ = other.goScale_;
  } else {
    const int finer = std::min<int>(goScale_, other.goScale_);
    const Int128 coarser = goScale_ > other.goScale_ ? nanos_ : other.nanos_;
    const bool fits =
        (goScale_ == other.goScale_ || mantissaFits(coarser, finer)) && mantissaFits(sum, finer);
    goScale_ = fits ? static_cast<int8_t>(finer) : kDecRepresentation;
  }
  nanos_ = sum;
  return *this;
}

Quantity& Quantity::operator-=(const Quantity& other) {
  return *this += -other;
}

Quantity Quantity::operator+(const Quantity& other) const {
  Quantity result = *this;
  result += other;
  return result;
}

Quantity Quantity::operator-(const Quantity& other) const {
  Quantity result = *this;
  result -= other;
  return result;
}

Quantity Quantity::operator-() const {
  Quantity result = *this;
  result.clearText();
  result.nanos_ = -nanos_;
  // -(2^63) does not fit Go's int64 mantissa, so Go moves it to inf.Dec.
  if (goScale_ != kDecRepresentation && goScale_ + 9 < kFitTableSize &&
      nanos_ == kInt64MinAtScale[static_cast<std::size_t>(goScale_ + 9)]) {
    result.goScale_ = kDecRepresentation;
  }
  return result;
}

Quantity& Quantity::operator*=(int64_t factor) {
  clearText();
  bool saturated = false;
  Int128 product = 0;
  if (__builtin_mul_overflow(nanos_, static_cast<Int128>(factor), &product)) {
    saturated = true;
    product = (nanos_ > 0) == (factor > 0) ? kMaxNanos : -kMaxNanos;
  }
  product = saturate(product, saturated);
  if (saturated) {
    goScale_ = kDecRepresentation;
  } else if (goScale_ != kDecRepresentation && nanos_ != 0) {
    if (factor == 0) {
      goScale_ = 0;
    } else if (!mantissaFits(product, goScale_)) {
      goScale_ = kDecRepresentation;
    }
  }
  nanos_ = product;
  return *this;
}

Quantity Quantity::operator*(int64_t factor) const {
  Quantity result = *this;
  result *= factor;
  return result;
}

}  // namespace karpenter::api
