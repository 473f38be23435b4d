#include "karpenter/api/codec.hpp"

#include <cmath>
#include <limits>

namespace karpenter::api {
const char* jsonTypeName(const nlohmann::json& node) {
  switch (node.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "an integer";
    case nlohmann::json::value_t::number_float:
      return "a number";
    default:
      return "an unsupported value";
  }
}

void Decoder::fail(std::string message) {
  if (!error_) {
    error_ = invalidError(path_.empty() ? std::move(message) : path_ + ": " + message);
  }
}

void Decoder::fail(const nlohmann::json& node, const char* expected) {
  fail(std::string("expected ") + expected + ", got " + jsonTypeName(node));
}

void Decoder::read(const nlohmann::json& node, std::string& out) {
  if (!node.is_string()) {
    return fail(node, "a string");
  }
  out = node.get<std::string>();
}

void Decoder::read(const nlohmann::json& node, bool& out) {
  if (!node.is_boolean()) {
    return fail(node, "a boolean");
  }
  out = node.get<bool>();
}

void Decoder::read(const nlohmann::json& node, int64_t& out) {
  if (node.is_number_integer()) {
    if (node.is_number_unsigned() &&
        node.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return fail("integer out of range");
    }
    out = node.get<int64_t>();
    return;
  }
  // Go decodes 3.0 into an int field; 3.5 is an error.
  if (node.is_number_float()) {
    double value = node.get<double>();
    if (std::trunc(value) == value && std::abs(value) < 9.2e18) {
      out = static_cast<int64_t>(value);
      return;
    }
  }
  fail(node, "an integer");
}

void Decoder::read(const nlohmann::json& node, int& out) {
  int64_t wide = 0;
  read(node, wide);
  if (failed()) {
    return;
  }
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
    return fail("integer out of range: " + std::to_string(wide));
  }
  out = static_cast<int>(wide);
}

void Decoder::read(const nlohmann::json& node, double& out) {
  if (!node.is_number()) {
    return fail(node, "a number");
  }
  out = node.get<double>();
}

void Decoder::read(const nlohmann::json& node, Quantity& out) {
  std::string text;
  if (node.is_string()) {
    text = node.get<std::string>();
  } else if (node.is_number()) {
    // Kubernetes accepts bare JSON numbers for quantities ("cpu": 2, "cpu": 0.5).
    text = node.dump();
  } else {
    return fail(node, "a quantity (string or number)");
  }
  auto parsed = Quantity::parseTrimmed(text);  // Go's UnmarshalJSON trims surrounding space
  if (!parsed) {
    return fail(parsed.error().message);
  }
  out = std::move(parsed).value();
}

bool Encoder::write(const std::string& value, const nlohmann::json*, nlohmann::json& out) {
  out = value;
  return !value.empty();
}

bool Encoder::write(bool value, const nlohmann::json*, nlohmann::json& out) {
  out = value;
  return value;
}

bool Encoder::write(int value, const nlohmann::json*, nlohmann::json& out) {
  out = value;
  return value != 0;
}

bool Encoder::write(int64_t value, const nlohmann::json*, nlohmann::json& out) {
  out = value;
  return value != 0;
}

bool Encoder::write(double value, const nlohmann::json*, nlohmann::json& out) {
  out = value;
  return value != 0.0;
}

bool Encoder::write(const Quantity& value, const nlohmann::json* before, nlohmann::json& out) {
  if (before != nullptr && (before->is_string() || before->is_number())) {
    auto original =
        Quantity::parseTrimmed(before->is_string() ? before->get<std::string>() : before->dump());
    if (original.ok() && *original == value) {
      out = *before;
      return true;
    }
  }
  out = value.toString();
  return true;  // a quantity that is present is meaningful even when zero ("0")
}

bool Encoder::write(const nlohmann::json& value, const nlohmann::json*, nlohmann::json& out) {
  out = value;
  return !value.is_null();
}

bool Encoder::isEmptyJson(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return true;
    case nlohmann::json::value_t::object:
    case nlohmann::json::value_t::array:
      return value.empty();
    case nlohmann::json::value_t::string:
      return value.get_ref<const std::string&>().empty();
    case nlohmann::json::value_t::boolean:
      return !value.get<bool>();
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return value.get<int64_t>() == 0;
    case nlohmann::json::value_t::number_float:
      return value.get<double>() == 0.0;
    default:
      return false;
  }
}

bool Encoder::sameIdentity(const nlohmann::json* positional, const nlohmann::json& element,
                           const nlohmann::json*& original, const nlohmann::json& originals) {
  if (!element.is_object()) {
    return false;
  }
  for (const char* identity : {"name", "type", "key", "uid"}) {
    auto id = element.find(identity);
    if (id == element.end() || !id->is_string()) {
      continue;
    }
    auto matches = [&](const nlohmann::json& candidate) {
      return candidate.is_object() && candidate.value(identity, nlohmann::json()) == *id;
    };
    if (positional != nullptr && matches(*positional)) {
      original = positional;
      return true;
    }
    original = nullptr;
    for (const auto& candidate : originals) {
      if (matches(candidate)) {
        original = &candidate;
        break;
      }
    }
    return true;
  }
  return false;
}

Result<nlohmann::json> parseJson(std::string_view text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    return invalidError("invalid JSON at byte " + std::to_string(error.byte) + ": " + error.what());
  }
}

}  // namespace karpenter::api
