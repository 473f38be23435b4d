#pragma once

#include <concepts>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/api/quantity.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::api {

// JSON codec for the typed Kubernetes objects.
//
// Every modelled struct S declares, next to its definition,
//     void describe(Decoder&, S&);
//     void describe(Encoder&, const S&);
// and implements both with one field list in its .cpp:
//     KARPENTER_JSON_FIELDS(Taint, {
//       c("key", s.key);
//       c("effect", s.effect);
//     })
// Decoding names the path of the first bad field ("spec.containers[1].resources.requests.cpu:
// expected a quantity ..."). Encoding starts from the JSON the object was decoded from (when kept),
// so fields the struct does not model are written back unchanged: read + write loses nothing.
// Arrays of structs are merged element by element when their length is unchanged, and by identity
// ("name", "type", "key" or "uid") when elements were added or removed; maps and
// scalars are written as they are in the struct (a quantity whose value is unchanged keeps its
// original spelling, e.g. a bare number). Empty values (""/0/false/empty containers/
// nullopt) are omitted like Go's omitempty, unless the original JSON had them, in which case the
// original spelling ({} or "") is kept. Use std::optional where zero is meaningful.

class Decoder final {
 public:
  explicit Decoder(const nlohmann::json& root) : current_(&root) {}

  // Reads the field `name` of the current object into `out`; an absent or null field leaves `out`
  // unchanged. After the first error, further reads are skipped.
  template <typename T>
  void operator()(const char* name, T& out) {
    if (failed()) {
      return;
    }
    auto it = current_->find(name);
    if (it == current_->end() || it->is_null()) {
      return;
    }
    const size_t mark = path_.size();
    path_ += path_.empty() ? name : std::string(".") + name;
    read(*it, out);
    if (!failed()) {
      path_.resize(mark);
    }
  }

  // Reads `node` (the current position) into `out`.
  void read(const nlohmann::json& node, std::string& out);
  void read(const nlohmann::json& node, bool& out);
  void read(const nlohmann::json& node, int& out);
  void read(const nlohmann::json& node, int64_t& out);
  void read(const nlohmann::json& node, double& out);
  void read(const nlohmann::json& node, Quantity& out);
  void read(const nlohmann::json& node, nlohmann::json& out) { out = node; }

  template <typename T>
  void read(const nlohmann::json& node, std::optional<T>& out) {
    if (!out) {
      out.emplace();
    }
    read(node, *out);
  }

  template <typename T>
  void read(const nlohmann::json& node, std::vector<T>& out) {
    if (!node.is_array()) {
      return fail(node, "an array");
    }
    out.clear();
    out.resize(node.size());
    for (size_t i = 0; i < node.size() && !failed(); ++i) {
      const size_t mark = path_.size();
      path_ += "[" + std::to_string(i) + "]";
      read(node[i], out[i]);
      if (!failed()) {
        path_.resize(mark);
      }
    }
  }

  template <typename T, typename Less>
  void read(const nlohmann::json& node, std::map<std::string, T, Less>& out) {
    if (!node.is_object()) {
      return fail(node, "an object");
    }
    out.clear();
    for (auto it = node.begin(); it != node.end() && !failed(); ++it) {
      const size_t mark = path_.size();
      path_ += "." + it.key();
      read(it.value(), out[it.key()]);
      if (!failed()) {
        path_.resize(mark);
      }
    }
  }

  // Any struct with a describe(Decoder&, T&) overload.
  template <typename T>
  requires requires(Decoder& d, T& t) { describe(d, t); }
  void read(const nlohmann::json& node, T& out) {
    if (!node.is_object()) {
      return fail(node, "an object");
    }
    const nlohmann::json* saved = current_;
    current_ = &node;
    describe(*this, out);
    current_ = saved;
  }

  // Records an error at the current path (the first error wins).
  void fail(std::string message);
  bool failed() const { return error_.has_value(); }
  const std::optional<Error>& error() const { return error_; }
  const std::string& path() const { return path_; }

 private:
  void fail(const nlohmann::json& node, const char* expected);

  const nlohmann::json* current_;
  std::string path_;
  std::optional<Error> error_;
};

class Encoder final {
 public:
  // `original` is the JSON the value was decoded from, or null when there is none.
  explicit Encoder(nlohmann::json& out, const nlohmann::json* original)
      : out_(&out), original_(original) {}

  template <typename T>
  void operator()(const char* name, const T& value) {
    const nlohmann::json* before = nullptr;
    if (original_ != nullptr && original_->is_object()) {
      auto it = original_->find(name);
      if (it != original_->end()) {
        before = &*it;
      }
    }
    nlohmann::json written;
    if (write(value, before, written)) {
      (*out_)[name] = std::move(written);
    } else if (before == nullptr || !isEmptyJson(*before)) {
      out_->erase(name);
    }
  }

  // Each write() fills `out` and returns false when the value is empty (to be omitted).
  static bool write(const std::string& value, const nlohmann::json*, nlohmann::json& out);
  static bool write(bool value, const nlohmann::json*, nlohmann::json& out);
  static bool write(int value, const nlohmann::json*, nlohmann::json& out);
  static bool write(int64_t value, const nlohmann::json*, nlohmann::json& out);
  static bool write(double value, const nlohmann::json*, nlohmann::json& out);
  static bool write(const Quantity& value, const nlohmann::json*, nlohmann::json& out);
  static bool write(const nlohmann::json& value, const nlohmann::json*, nlohmann::json& out);

  // Optionals are written even when their value is zero: that is what they are for.
  template <typename T>
  static bool write(const std::optional<T>& value, const nlohmann::json* before,
                    nlohmann::json& out) {
    if (!value) {
      return false;
    }
    write(*value, before, out);
    return true;
  }

  template <typename T>
  static bool write(const std::vector<T>& values, const nlohmann::json* before,
                    nlohmann::json& out) {
    out = nlohmann::json::array();
    const bool hasBefore = before != nullptr && before->is_array();
    for (size_t i = 0; i < values.size(); ++i) {
      // Elements with an identity find their original by it; others by position when the
      // length is unchanged.
      const nlohmann::json* positional =
          hasBefore && before->size() == values.size() ? &(*before)[i] : nullptr;
      nlohmann::json element;
      write(values[i], positional, element);
      if (hasBefore) {
        const nlohmann::json* original = nullptr;
        if (sameIdentity(positional, element, original, *before) && original != positional) {
          write(values[i], original, element);
        }
      }
      out.push_back(std::move(element));
    }
    return !values.empty();
  }

  template <typename T, typename Less>
  static bool write(const std::map<std::string, T, Less>& values, const nlohmann::json* before,
                    nlohmann::json& out) {
    out = nlohmann::json::object();
    const bool hasBefore = before != nullptr && before->is_object();
    for (const auto& [key, value] : values) {
      nlohmann::json element;
      const nlohmann::json* original = nullptr;
      if (hasBefore) {
        auto it = before->find(key);
        original = it == before->end() ? nullptr : &*it;
      }
      write(value, original, element);
      out[key] = std::move(element);
    }
    return !values.empty();
  }

  template <typename T>
  requires requires(Encoder& e, const T& t) { describe(e, t); }
  static bool write(const T& value, const nlohmann::json* before, nlohmann::json& out) {
    out = (before != nullptr && before->is_object()) ? *before : nlohmann::json::object();
    Encoder nested(out, before);
    describe(nested, value);
    return !out.empty();
  }

  static bool isEmptyJson(const nlohmann::json& value);
  // Looks up `element`'s original in `originals` by its identity ("name", "type", "key" or
  // "uid", the first it has). Returns false when the element has no identity (keep `positional`);
  // otherwise sets `original` to the match, or null when the element is new.
  static bool sameIdentity(const nlohmann::json* positional, const nlohmann::json& element,
                           const nlohmann::json*& original, const nlohmann::json& originals);

 private:
  nlohmann::json* out_;
  const nlohmann::json* original_;
};

// Decodes a whole value; the error names the path of the first bad field.
template <typename T>
Result<T> decodeJson(const nlohmann::json& json) {
  T value{};
  Decoder decoder(json);
  decoder.read(json, value);
  if (decoder.error()) {
    return *decoder.error();
  }
  return value;
}

// Encodes a value on top of `original` (the JSON it was read from), keeping unmodelled fields.
template <typename T>
nlohmann::json encodeJson(const T& value, const nlohmann::json* original = nullptr) {
  nlohmann::json out;
  Encoder::write(value, original, out);
  if (out.is_null()) {
    out = nlohmann::json::object();
  }
  return out;
}

// A JSON array of the values, each encoded on its own (no original JSON): for status and spec
// lists written whole in a patch. Unlike encodeJson(vector), an empty vector is [] rather than
// omitted, so a patch clears the list.
template <typename T>
nlohmann::json encodeJsonArray(const std::vector<T>& values) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& value : values) {
    out.push_back(encodeJson(value));
  }
  return out;
}

// A top-level Kubernetes kind: `static constexpr const char* kApiVersion`, `kKind`, members
// `apiVersion`, `kind`, `metadata` and `nlohmann::json original` (the JSON it was read from, empty
// when built in code or decoded with keepOriginal=false to save memory).
template <typename T>
concept TopLevelKind = requires(T t) {
  { T::kApiVersion } -> std::convertible_to<const char*>;
  { T::kKind } -> std::convertible_to<const char*>;
  t.apiVersion;
  t.kind;
  t.metadata;
  t.original;
};

template <TopLevelKind T>
Result<T> decodeObject(const nlohmann::json& json, bool keepOriginal = true) {
  auto decoded = decodeJson<T>(json);
  if (decoded.ok() && keepOriginal) {
    decoded->original = json;
  }
  return decoded;
}

// Encodes on top of the object's original JSON; apiVersion and kind default to the kind's own.
template <TopLevelKind T>
nlohmann::json encodeObject(const T& object) {
  nlohmann::json out = encodeJson(object, object.original.is_null() ? nullptr : &object.original);
  out["apiVersion"] = object.apiVersion.empty() ? T::kApiVersion : object.apiVersion;
  out["kind"] = object.kind.empty() ? T::kKind : object.kind;
  return out;
}

// Defines describe(Decoder&, Type&) and describe(Encoder&, const Type&) from one field list in
// which `c` is the codec and `s` the object. Use at namespace scope in a .cpp file.
#define KARPENTER_JSON_FIELDS(Type, ...)                                        \
  namespace {                                                                   \
  template <class Codec, class Self>                                            \
  void fieldsOf##Type(Codec& c, Self& s) __VA_ARGS__                            \
  }                                                                             \
  [[maybe_unused]] void describe(::karpenter::api::Decoder& c, Type& s) {       \
    fieldsOf##Type(c, s);                                                       \
  }                                                                             \
  [[maybe_unused]] void describe(::karpenter::api::Encoder& c, const Type& s) { \
    fieldsOf##Type(c, s);                                                       \
  }

// "an object", "a string", "an integer", ... for messages like "expected X, got an array".
const char* jsonTypeName(const nlohmann::json& value);

// Parses JSON text; syntax errors come back as kInvalid with the byte offset.
Result<nlohmann::json> parseJson(std::string_view text);

}  // namespace karpenter::api
