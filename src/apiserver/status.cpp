#include "karpenter/apiserver/status.hpp"

namespace karpenter::apiserver {
namespace {

// "pods" for the core group, "nodeclaims.karpenter.sh" otherwise (schema.GroupResource.String()).
std::string qualified(const std::string& group, const std::string& resource) {
  return group.empty() ? resource : resource + "." + group;
}

nlohmann::json objectDetails(const std::string& group, const std::string& kind,
                             const std::string& name) {
  nlohmann::json details = nlohmann::json::object();
  if (!name.empty()) {
    details["name"] = name;
  }
  if (!group.empty()) {
    details["group"] = group;
  }
  details["kind"] = kind;
  return details;
}

}  // namespace

nlohmann::json ApiError::toStatus() const {
  nlohmann::json status = {
      {"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", nlohmann::json::object()},
      {"status", "Failure"}, {"message", message}, {"reason", reason},
      {"code", code}};
  if (!details.empty()) {
    status["details"] = details;
  }
  return status;
}

Error ApiError::toError() const {
  ErrorKind kind = ErrorKind::kInternal;
  switch (code) {
    case 400:
    case 405:
    case 415:
    case 422:
      kind = ErrorKind::kInvalid;
      break;
    case 404:
      kind = ErrorKind::kNotFound;
      break;
    case 409:
    case 410:
      kind = ErrorKind::kConflict;
      break;
    case 429:
      kind = ErrorKind::kThrottled;
      break;
    case 503:
    case 504:
      kind = ErrorKind::kUnavailable;
      break;
    default:
      break;
  }
  return Error{kind, message};
}

ApiError notFound(const std::string& group, const std::string& resource, const std::string& name) {
  return ApiError{404, "NotFound", qualified(group, resource) + " \"" + name + "\" not found",
                  objectDetails(group, resource, name)};
}

ApiError alreadyExists(const std::string& group, const std::string& resource,
                       const std::string& name) {
  return ApiError{409, "AlreadyExists",
                  qualified(group, resource) + " \"" + name + "\" already exists",
                  objectDetails(group, resource, name)};
}

ApiError conflict(const std::string& group, const std::string& resource, const std::string& name,
                  const std::string& why) {
  return ApiError{409, "Conflict",
                  "Operation cannot be fulfilled on " + qualified(group, resource) + " \"" + name +
                      "\": " + why,
                  objectDetails(group, resource, name)};
}

ApiError invalid(const std::string& group, const std::string& kind, const std::string& name,
                 const std::string& field, const std::string& why) {
  nlohmann::json details = objectDetails(group, kind, name);
  details["causes"] = nlohmann::json::array(
      {{{"reason", "FieldValueInvalid"}, {"message", why}, {"field", field}}});
  return ApiError{422, "Invalid", kind + " \"" + name + "\" is invalid: " + field + ": " + why,
                  std::move(details)};
}

ApiError badRequest(std::string message) {
  return ApiError{400, "BadRequest", std::move(message), nlohmann::json::object()};
}

ApiError methodNotSupported(const std::string& resource, const std::string& verb) {
  return ApiError{405, "MethodNotAllowed",
                  verb + " is not supported on resources of kind \"" + resource + "\"",
                  nlohmann::json::object()};
}

ApiError expired(std::string message) {
  return ApiError{410, "Expired", std::move(message), nlohmann::json::object()};
}

ApiError tooManyRequests(std::string message, nlohmann::json details) {
  return ApiError{429, "TooManyRequests", std::move(message), std::move(details)};
}

ApiError internalError(std::string message) {
  return ApiError{500,
                  "InternalError",
                  "Internal error occurred: " + message,
                  {{"causes", nlohmann::json::array({{{"message", message}}})}}};
}

ApiError unsupportedMediaType(const std::vector<std::string>& accepted) {
  std::string list;
  for (const std::string& type : accepted) {
    list += (list.empty() ? "" : ", ") + type;
  }
  return ApiError{415, "UnsupportedMediaType",
                  "the body of the request was in an unknown format - accepted media types "
                  "include: " +
                      list,
                  nlohmann::json::object()};
}

nlohmann::json successStatus(int code) {
  return {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", nlohmann::json::object()},
          {"status", "Success"},
          {"code", code}};
}

}  // namespace karpenter::apiserver
