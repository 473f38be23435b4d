#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace karpenter {

// Kubernetes timestamps (metav1.Time): RFC 3339 in UTC with whole seconds, "2024-01-02T03:04:05Z".
std::string formatRfc3339(std::chrono::system_clock::time_point time);
// Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)"; nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text);

}  // namespace karpenter
