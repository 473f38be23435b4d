#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace karpenter::admission {

// Field errors as apimachinery's field.Error prints them, collected so a webhook reports every
// violation at once. Values are plain data; a FieldErrors is not thread-safe but is cheap to
// build per request.

enum class FieldErrorType { kRequired, kInvalid, kNotSupported, kDuplicate, kForbidden, kTooMany };

struct FieldError {
  FieldErrorType type = FieldErrorType::kInvalid;
  std::string field;     // "spec.template.spec.requirements[0].operator"
  std::string badValue;  // already rendered: `"Foo"` for strings, `101` for numbers; may be empty
  std::string detail;
  bool operator==(const FieldError&) const = default;

  // "<field>: Invalid value: 101: must be between 1 and 100", "<field>: Required value",
  // `<field>: Unsupported value: "Foo": supported values: "A", "B"`, "<field>: Forbidden: <d>".
  std::string toString() const;
};

// Path builders: child("spec", "weight") = "spec.weight", index("x", 2) = "x[2]",
// key("metadata.labels", "a/b") = "metadata.labels[a/b]" (Go field.Path spelling).
std::string child(std::string_view path, std::string_view name);
std::string index(std::string_view path, std::size_t i);
std::string key(std::string_view path, std::string_view mapKey);

// Go's %q rendering of a string bad value.
std::string quote(std::string_view value);

class FieldErrors final {
 public:
  void required(std::string field, std::string detail = {});
  void invalid(std::string field, std::string_view value, std::string detail);  // quotes value
  void invalidInt(std::string field, int64_t value, std::string detail);
  // As invalid, with the bad value already rendered (a number, `"object"`, a JSON list).
  void invalidRendered(std::string field, std::string renderedValue, std::string detail);
  void notSupported(std::string field, std::string_view value,
                    std::initializer_list<std::string_view> supported);
  void duplicate(std::string field, std::string_view value);
  void forbidden(std::string field, std::string detail);
  void tooMany(std::string field, std::size_t actual, std::size_t max);
  // The OpenAPI pattern failure the API server reports: `<f> in body should match '<pattern>'`.
  void pattern(std::string field, std::string_view value, std::string_view regex);

  void append(const FieldErrors& other);
  bool empty() const { return errors_.empty(); }
  std::size_t size() const { return errors_.size(); }
  const std::vector<FieldError>& errors() const { return errors_; }
  // One string per error, in the order they were found.
  std::vector<std::string> messages() const;
  // utilerrors.NewAggregate(...).Error(): "" when empty, the message alone for one error,
  // "[a, b]" for several.
  std::string aggregate() const;

 private:
  std::vector<FieldError> errors_;
};

}  // namespace karpenter::admission
