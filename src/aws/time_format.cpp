#include "karpenter/aws/time_format.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace karpenter::aws {

std::optional<std::chrono::system_clock::time_point> parseIso8601(std::string_view text) {
  std::tm utc{};
  int consumed = 0;
  const std::string copy(text);
  if (sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &utc.tm_year, &utc.tm_mon, &utc.tm_mday,
             &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  auto time = std::chrono::system_clock::from_time_t(timegm(&utc));
  size_t pos = 19;
  if (pos < copy.size() && copy[pos] == '.') {
    std::string digits;
    for (++pos; pos < copy.size() && std::isdigit(static_cast<unsigned char>(copy[pos])); ++pos) {
      digits.push_back(copy[pos]);
    }
    digits = (digits + "000").substr(0, 3);
    time += std::chrono::milliseconds(std::stoi(digits));
  }
  if (pos == copy.size()) {
    return time;  // no zone: AWS means UTC
  }
  if (copy[pos] == 'Z' && pos + 1 == copy.size()) {
    return time;
  }
  int hours = 0;
  int minutes = 0;
  if ((copy[pos] == '+' || copy[pos] == '-') &&
      sscanf(copy.c_str() + pos + 1, "%2d:%2d", &hours, &minutes) == 2) {
    const auto offset = std::chrono::hours(hours) + std::chrono::minutes(minutes);
    return copy[pos] == '+' ? time - offset : time + offset;
  }
  return std::nullopt;
}

std::string formatIso8601(std::chrono::system_clock::time_point time) {
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis < 0 ? 0 : millis));
  return buffer;
}

}  // namespace karpenter::aws
