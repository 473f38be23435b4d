#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace karpenter::admission {

// Validates a disruption budget schedule: a standard 5-field cron expression (minute 0-59,
// hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-6 or SUN-SAT; each field a
// comma list of `*`, `?`, `N` or `N-M`, each optionally `/step`), or one of the macros
// @annually, @yearly, @monthly, @weekly, @daily, @midnight, @hourly. Returns nullopt when valid,
// otherwise a message naming the offending field and token. Pure and thread-safe.
std::optional<std::string> checkCronSchedule(std::string_view schedule);

}  // namespace karpenter::admission
