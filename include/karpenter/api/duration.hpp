#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "karpenter/util/result.hpp"

namespace karpenter::api {

// Go duration strings as Karpenter's API carries them ("720h", "1h30m", "Never"). The API types
// keep the wire string; these functions give it meaning. All functions are pure and thread-safe.

// The spelling NillableDuration uses for "no duration" (expireAfter, consolidateAfter).
inline constexpr std::string_view kDurationNever = "Never";

// Parses exactly what Go's time.ParseDuration accepts: an optional sign, then one or more
// decimal numbers with optional fraction, each followed by a unit (ns, us, µs, μs, ms, s, m, h);
// "0" alone needs no unit. Errors (kInvalid) use Go's wording, e.g.
// `time: unknown unit "d" in duration "1d"`. Values beyond ±2^63 ns are errors, as in Go.
Result<std::chrono::nanoseconds> parseGoDuration(std::string_view text);

// Karpenter's NillableDuration: "Never" is std::nullopt, anything else goes through
// parseGoDuration and is truncated toward zero to whole seconds (the CRD patterns only admit
// whole h/m/s, so nothing is lost for valid objects).
Result<std::optional<std::chrono::seconds>> parseNillableDuration(std::string_view text);

// Go's Duration.String(): "1h0m0s", "1m30s", "1.5s", "300ms", "1µs", "0s", "-2s".
std::string formatDuration(std::chrono::nanoseconds duration);

// formatDuration, or "Never" for std::nullopt.
std::string formatNillableDuration(const std::optional<std::chrono::seconds>& duration);

}  // namespace karpenter::api
