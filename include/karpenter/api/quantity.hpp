#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <climits>

#include "karpenter/util/result.hpp"

namespace karpenter::api {

namespace detail {
// 128-bit integers are a GCC/Clang extension; __extension__ keeps -Wpedantic quiet.
__extension__ typedef __int128 QuantityInt128;
}  // namespace detail

// A Kubernetes resource quantity (k8s.io/apimachinery/pkg/api/resource.Quantity) with its exact
// semantics: parsing of decimal SI (m, k, M, …), binary SI (Ki, Mi, …) and exponent (e3, E-2)
// forms, rounding up to nano precision, canonical output ("1536Mi", "1500m", "1.5" → "1500m"),
// exact comparison and arithmetic. Values are immutable-by-value; all operations are thread-safe
// on distinct objects.
class Quantity final {
 public:
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

  Quantity() = default;  // zero, DecimalSI

  // Parses the Kubernetes string form. Errors (kInvalid) say what is wrong with the input.
  static Result<Quantity> parse(std::string_view text);
  // Parses text known to be valid (tables, literals); aborts on invalid text.
  static Quantity mustParse(std::string_view text);
  // As Go's UnmarshalJSON on a string: surrounding whitespace is ignored (" 1" parses as 1).
  static Result<Quantity> parseTrimmed(std::string_view text);

  static Quantity fromInt(int64_t value, Format format = Format::kDecimalSI);
  static Quantity fromMilli(int64_t milli, Format format = Format::kDecimalSI);

  // Canonical string, exactly as Quantity.String() in Go.
  std::string toString() const;
  // The exact decimal value, e.g. "102435.84" (Go: AsDec().String()).
  std::string toDecimalString() const;

  Format format() const { return format_; }
  // The same value printed in `format` (Go: assigning q.Format).
  Quantity withFormat(Format format) const;
  bool isZero() const;
  int sign() const;

  // Value rounded up to an integer / to thousandths, as Go's Value()/MilliValue() (saturating).
  int64_t value() const;
  int64_t milliValue() const;
  // The value as int64 when it is an integer that fits, as Go's AsInt64().
  std::optional<int64_t> asInt64() const;
  double asApproximateFloat64() const;
  // Rounds away from zero to a multiple of 10^scale (scale -3 = milli); returns false if
  // precision was lost (Go RoundUp).
  bool roundUp(int32_t scale);

  std::strong_ordering operator<=>(const Quantity& other) const;
  bool operator==(const Quantity& other) const;

  Quantity& operator+=(const Quantity& other);
  Quantity& operator-=(const Quantity& other);
  Quantity operator+(const Quantity& other) const;
  Quantity operator-(const Quantity& other) const;
  Quantity operator-() const;
  Quantity& operator*=(int64_t factor);
  Quantity operator*(int64_t factor) const;

 private:
  using Int128 = detail::QuantityInt128;
  // goScale_ value meaning "Go holds this value as an inf.Dec".
  static constexpr int8_t kDecRepresentation = INT8_MIN;
  static constexpr std::size_t kTextCapacity = 26;  // keeps sizeof(Quantity) at 48

  void clearText() { textLength_ = 0; }

  // The value is nanos_ × 10^-9, exact within ±1.7e29; larger magnitudes saturate.
  Int128 nanos_ = 0;
  Format format_ = Format::kDecimalSI;
  // Go keeps small values as an int64 mantissa × 10^scale and others as an inf.Dec; only
  // AsInt64() and the canonical exponent cap observe the difference, so we track Go's choice
  // (the scale, or kDecRepresentation) instead of storing Go's representation itself.
  int8_t goScale_ = 0;
  // Go's String() returns the parsed text verbatim when its fast path deems it canonical
  // (e.g. "1.500", "+1"). We keep that text inline so copies stay trivial; arithmetic clears it.
  uint8_t textLength_ = 0;
  char text_[kTextCapacity] = {};
};

// A set of named resource amounts (v1.ResourceList): "cpu", "memory", "pods", extended resources.
// Missing names are zero. Keys are kept sorted so output is deterministic.
using ResourceList = std::map<std::string, Quantity, std::less<>>;

namespace resources {
ResourceList add(const ResourceList& a, const ResourceList& b);
// a − b per name (names only in b become negative).
ResourceList subtract(const ResourceList& a, const ResourceList& b);
// Per-name maximum.
ResourceList max(const ResourceList& a, const ResourceList& b);
// True when every non-zero request fits in `available` (missing names in available are zero).
bool fits(const ResourceList& requests, const ResourceList& available);
// Names whose request exceeds what is available, for messages like "Insufficient cpu".
std::vector<std::string> insufficient(const ResourceList& requests, const ResourceList& available);
std::string toString(const ResourceList& list);  // {"cpu":"1500m","memory":"1Gi"}
}  // namespace resources

// "DecimalSI", "BinarySI" or "DecimalExponent", as Go spells the format.
const char* formatName(Quantity::Format format);

}  // namespace karpenter::api
