#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/util/result.hpp"

namespace karpenter::apiserver {

// An apiserver error exactly as it goes on the wire: a meta/v1 Status with an HTTP code and a
// StatusReason (k8s.io/apimachinery/pkg/api/errors). Plain value type.
struct ApiError {
  int code = 500;
  std::string reason;  // "NotFound", "AlreadyExists", "Conflict", "Invalid", "Gone", ...
  std::string message;
  nlohmann::json details = nlohmann::json::object();  // {name, group, kind, causes, ...}

  // {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",...}
  nlohmann::json toStatus() const;
  // The coarse kind callers of Result<T> steer on (404 → kNotFound, 409/410 → kConflict, ...).
  Error toError() const;
};

// The builders mirror k8s.io/apimachinery/pkg/api/errors (New<Reason>) and its message wording.
// `resource` is the plural resource with its group when it has one ("pods",
// "nodeclaims.karpenter.sh").
ApiError notFound(const std::string& group, const std::string& resource, const std::string& name);
ApiError alreadyExists(const std::string& group, const std::string& resource,
                       const std::string& name);
// "Operation cannot be fulfilled on <resource> \"<name>\": <why>"
ApiError conflict(const std::string& group, const std::string& resource, const std::string& name,
                  const std::string& why);
// "<Kind> \"<name>\" is invalid: <field>: <why>" with one cause.
ApiError invalid(const std::string& group, const std::string& kind, const std::string& name,
                 const std::string& field, const std::string& why);
ApiError badRequest(std::string message);
ApiError methodNotSupported(const std::string& resource, const std::string& verb);
// 410 Gone with reason Expired (watch from a compacted resourceVersion, expired continue token).
ApiError expired(std::string message);
ApiError tooManyRequests(std::string message, nlohmann::json details);
ApiError internalError(std::string message);
// 415 listing the patch (or body) media types the resource accepts.
ApiError unsupportedMediaType(const std::vector<std::string>& accepted);

// A successful Status, as eviction and binding return ({"status":"Success","code":201}).
nlohmann::json successStatus(int code);

// Either a T or an ApiError; the apiserver's Result<T> (its errors need code and reason).
// Accessing value() on an error, or error() on a value, aborts.
template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : state_(std::in_place_index<0>, std::move(value)) {}         // NOLINT
  ApiResult(ApiError error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const ApiError& error() const { return std::get<1>(state_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, ApiError> state_;
};

}  // namespace karpenter::apiserver
