#include "karpenter/admission/field_errors.hpp"

#include <cstdio>

namespace karpenter::admission {

std::string FieldError::toString() const {
  std::string out = field.empty() ? std::string() : field + ": ";
  switch (type) {
    case FieldErrorType::kRequired:
      out += "Required value";
      break;
    case FieldErrorType::kInvalid:
      out += "Invalid value";
      break;
    case FieldErrorType::kNotSupported:
      out += "Unsupported value";
      break;
    case FieldErrorType::kDuplicate:
      out += "Duplicate value";
      break;
    case FieldErrorType::kForbidden:
      out += "Forbidden";
      break;
    case FieldErrorType::kTooMany:
      out += "Too many";
      break;
  }
  // Required and Forbidden omit the value, as upstream does.
  const bool showValue =
      type != FieldErrorType::kRequired && type != FieldErrorType::kForbidden && !badValue.empty();
  if (showValue) {
    out += ": " + badValue;
  }
  if (!detail.empty()) {
    out += ": " + detail;
  }
  return out;
}

std::string child(std::string_view path, std::string_view name) {
  if (path.empty()) {
    return std::string(name);
  }
  return std::string(path) + "." + std::string(name);
}

std::string index(std::string_view path, std::size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

std::string key(std::string_view path, std::string_view mapKey) {
  return std::string(path) + "[" + std::string(mapKey) + "]";
}

std::string quote(std::string_view value) {
  std::string out = "\"";
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof(buffer), "\\x%02x", byte);
      out += buffer;
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

void FieldErrors::required(std::string field, std::string detail) {
  errors_.push_back({FieldErrorType::kRequired, std::move(field), {}, std::move(detail)});
}

void FieldErrors::invalid(std::string field, std::string_view value, std::string detail) {
  errors_.push_back({FieldErrorType::kInvalid, std::move(field), quote(value), std::move(detail)});
}

void FieldErrors::invalidInt(std::string field, int64_t value, std::string detail) {
  errors_.push_back(
      {FieldErrorType::kInvalid, std::move(field), std::to_string(value), std::move(detail)});
}

void FieldErrors::invalidRendered(std::string field, std::string renderedValue,
                                  std::string detail) {
  errors_.push_back(
      {FieldErrorType::kInvalid, std::move(field), std::move(renderedValue), std::move(detail)});
}

void FieldErrors::notSupported(std::string field, std::string_view value,
                               std::initializer_list<std::string_view> supported) {
  std::string detail = "supported values: ";
  bool first = true;
  for (const auto s : supported) {
    detail += (first ? "" : ", ") + quote(s);
    first = false;
  }
  errors_.push_back(
      {FieldErrorType::kNotSupported, std::move(field), quote(value), std::move(detail)});
}

void FieldErrors::duplicate(std::string field, std::string_view value) {
  errors_.push_back({FieldErrorType::kDuplicate, std::move(field), quote(value), {}});
}

void FieldErrors::forbidden(std::string field, std::string detail) {
  errors_.push_back({FieldErrorType::kForbidden, std::move(field), {}, std::move(detail)});
}

void FieldErrors::tooMany(std::string field, std::size_t actual, std::size_t max) {
  errors_.push_back({FieldErrorType::kTooMany, std::move(field), std::to_string(actual),
                     "must have at most " + std::to_string(max) + " items"});
}

void FieldErrors::pattern(std::string field, std::string_view value, std::string_view regex) {
  std::string detail = field + " in body should match '" + std::string(regex) + "'";
  errors_.push_back({FieldErrorType::kInvalid, std::move(field), quote(value), std::move(detail)});
}

void FieldErrors::append(const FieldErrors& other) {
  errors_.insert(errors_.end(), other.errors_.begin(), other.errors_.end());
}

std::vector<std::string> FieldErrors::messages() const {
  std::vector<std::string> out;
  out.reserve(errors_.size());
  for (const auto& e : errors_) {
    out.push_back(e.toString());
  }
  return out;
}

std::string FieldErrors::aggregate() const {
  if (errors_.empty()) {
    return {};
  }
  if (errors_.size() == 1) {
    return errors_.front().toString();
  }
  std::string out = "[";
  for (std::size_t i = 0; i < errors_.size(); ++i) {
    out += (i == 0 ? "" : ", ") + errors_[i].toString();
  }
  return out + "]";
}

}  // namespace karpenter::admission
