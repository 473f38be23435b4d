#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace karpenter::aws {

// ISO 8601 as AWS writes it: 2024-05-01T12:00:00Z, with optional fraction and ±HH:MM offset.
std::optional<std::chrono::system_clock::time_point> parseIso8601(std::string_view text);
// 2024-05-01T12:00:00.000Z (the EC2 XML form).
std::string formatIso8601(std::chrono::system_clock::time_point time);

}  // namespace karpenter::aws
