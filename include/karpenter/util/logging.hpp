#pragma once

#include <string>

#include "karpenter/util/result.hpp"

namespace karpenter {

// Configures spdlog's default logger: `level` is debug|info|warn|error (upstream's LOG_LEVEL
// values), `format` is json (one object per line: level, time, logger, message — what log
// pipelines in a cluster expect) or text. kInvalid naming the flag for anything else.
Result<void> configureLogging(const std::string& level, const std::string& format);

// `text` as the inside of a JSON string (quotes, backslashes and control characters escaped).
std::string jsonEscape(const std::string& text);

}  // namespace karpenter
