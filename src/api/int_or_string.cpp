#include "karpenter/api/int_or_string.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "karpenter/api/codec.hpp"

namespace karpenter::api {
namespace {

constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

bool isInt32Number(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    return value.get<uint64_t>() <= static_cast<uint64_t>(kInt32Max);
  }
  if (value.is_number_integer()) {
    const int64_t v = value.get<int64_t>();
    return v >= kInt32Min && v <= kInt32Max;
  }
  return false;
}

// What a value that is not an int32 or a string is, for error messages.
const char* describeType(const nlohmann::json& value) {
  if (value.is_number_float()) {
    return "a fractional number";
  }
  if (value.is_number_integer()) {
    return "an integer out of int32 range";
  }
  return jsonTypeName(value);
}

// Go's strconv.Atoi: optional sign, decimal digits only, must fit in int64.
std::optional<int64_t> parseAtoi(std::string_view text) {
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && text.front() == '-') {
      return std::nullopt;
    }
  }
  if (text.empty()) {
    return std::nullopt;
  }
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

bool isIntOrString(const nlohmann::json& value) {
  return value.is_string() || isInt32Number(value);
}

Result<int> scaledValue(const nlohmann::json& intOrString, int total, bool roundUp) {
  if (intOrString.is_null()) {
    return invalidError("nil value for IntOrString");
  }
  if (isInt32Number(intOrString)) {
    return static_cast<int>(intOrString.get<int64_t>());
  }
  if (!intOrString.is_string()) {
    return invalidError(std::string("invalid value for IntOrString: expected an integer or a "
                                    "string, got ") +
                        describeType(intOrString));
  }
  const auto& text = intOrString.get_ref<const std::string&>();
  if (text.empty() || text.back() != '%') {
    return invalidError("invalid value for IntOrString: invalid type: string \"" + text +
                        "\" is not a percentage");
  }
  auto percent = parseAtoi(std::string_view(text).substr(0, text.size() - 1));
  if (!percent) {
    return invalidError("invalid value for IntOrString: invalid value \"" + text + "\"");
  }
  // Go computes in float64 and then converts; so do we, refusing results that do not fit.
  const double exact = static_cast<double>(*percent) * static_cast<double>(total) / 100.0;
  const double scaled = roundUp ? std::ceil(exact) : std::floor(exact);
  if (scaled < static_cast<double>(std::numeric_limits<int>::min()) ||
      scaled > static_cast<double>(std::numeric_limits<int>::max())) {
    return invalidError("invalid value for IntOrString: \"" + text + "\" of " +
                        std::to_string(total) + " is out of range");
  }
  return static_cast<int>(scaled);
}

void checkIntOrString(Decoder& decoder, const char* field, const nlohmann::json& value) {
  if (decoder.failed() || value.is_null() || isIntOrString(value)) {
    return;
  }
  decoder.fail(std::string(field) + ": expected an integer or a string, got " +
               describeType(value));
}

}  // namespace karpenter::api
