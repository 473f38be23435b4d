#include "karpenter/util/logging.hpp"

#include <memory>

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

namespace karpenter {
namespace {

// %* in the pattern: the log message as JSON string content.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string escaped = jsonEscape(std::string(msg.payload.data(), msg.payload.size()));
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

}  // namespace

std::string jsonEscape(const std::string& text) {
  // nlohmann's serializer escapes as RFC 8259 requires; invalid UTF-8 becomes U+FFFD instead of
  // throwing, since a log line must never fail.
  const std::string quoted =
      nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

Result<void> configureLogging(const std::string& level, const std::string& format) {
  const auto parsed = spdlog::level::from_str(level);
  // from_str answers "off" for names it does not know; only an explicit "off" may mean that.
  if (parsed == spdlog::level::off && level != "off") {
    return invalidError("--log-level: unknown level \"" + level +
                        "\"; use debug, info, warn or error");
  }
  if (format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"level":"%l","time":"%Y-%m-%dT%H:%M:%S.%fZ","logger":"karpenter","message":"%*"})");
    spdlog::set_formatter(std::move(formatter));
  } else if (format == "text") {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  } else {
    return invalidError("--log-format: unknown format \"" + format + "\"; use json or text");
  }
  spdlog::set_level(parsed);
  return {};
}

}  // namespace karpenter
