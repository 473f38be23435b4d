#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "karpenter/util/result.hpp"

namespace karpenter::api {

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

  static Quantity fromInt(int64_t value, Format format = Format::kDecimalSI);
  static Quantity fromMilli(int64_t milli, Format format = Format::kDecimalSI);

  // Canonical string, exactly as Quantity.String() in Go.
  std::string toString() const;
  // The exact decimal value, e.g. "102435.84" (Go: AsDec().String()).
  std::string toDecimalString() const;

  Format format() const { return format_; }
  bool isZero() const;
  int sign() const;

  // Value rounded up to an integer / to thousandths, as Go's Value()/MilliValue() (saturating).
  int64_t value() const;
  int64_t milliValue() const;
  // The value as int64 when it is an integer that fits, as Go's AsInt64().
  std::optional<int64_t> asInt64() const;
  double asApproximateFloat64() const;
  // Rounds up to 10^scale (scale -3 = milli); returns false if precision was lost (Go RoundUp).
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
  // The value is scaled_ × 10^-9 (nano units), exact within ±1.7e29; larger magnitudes saturate.
  __int128 scaled_ = 0;
  Format format_ = Format::kDecimalSI;
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

}  // namespace karpenter::api
