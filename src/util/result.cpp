#include "karpenter/util/result.hpp"

namespace karpenter {

const char* errorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalid:
      return "Invalid";
    case ErrorKind::kNotFound:
      return "NotFound";
    case ErrorKind::kConflict:
      return "Conflict";
    case ErrorKind::kGone:
      return "Gone";
    case ErrorKind::kThrottled:
      return "Throttled";
    case ErrorKind::kInsufficientCapacity:
      return "InsufficientCapacity";
    case ErrorKind::kUnavailable:
      return "Unavailable";
    case ErrorKind::kInternal:
      return "Internal";
  }
  return "Unknown";
}

Error Error::withContext(const std::string& context) const {
  return Error{kind, message.empty() ? context : context + ": " + message, retryAfter};
}

}  // namespace karpenter
