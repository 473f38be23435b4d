#include "karpenter/extender/args_scanner.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <strings.h>

#include <boost/json/basic_parser_impl.hpp>

namespace karpenter::extender {
namespace {

namespace bj = boost::json;

// Deeper than any Kubernetes object; Boost.JSON's parser recurses, so the bound protects the
// stack from a hostile body of nested brackets.
constexpr size_t kMaxDepth = 512;

enum class Kind { kNull, kBool, kNumber, kString, kObject, kArray };

// nlohmann's type_name(), which decodeExtenderArgs' messages use.
const char* typeName(Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "boolean";
    case Kind::kNumber:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kObject:
      return "object";
    case Kind::kArray:
      return "array";
  }
  return "value";
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Which occurrence of a top-level key decodeExtenderArgs would read (FieldReader over an
// ordered_json tree, where a repeated key keeps its first position and its last value): the
// last exact match, else the first case-insensitive spelling (its last occurrence).
class FieldMatch final {
 public:
  explicit FieldMatch(std::string_view name) : name_(name) {}
  bool matches(std::string_view key) const { return equalsIgnoreCase(key, name_); }
  // Called for a matching key; true when its value replaces what was read before.
  bool takes(std::string_view key) {
    if (key == name_) {
      exact_ = true;
      return true;
    }
    if (exact_ || (!spelling_.empty() && key != spelling_)) {
      return false;
    }
    spelling_ = key;
    return true;
  }

 private:
  std::string_view name_;
  bool exact_ = false;
  std::string spelling_;
};

// Builds the part of the Pod that podFacts reads (metadata.uid; spec.containers and
// initContainers with name, resources, restartPolicy; spec.resources; spec.overhead) from
// parser events; everything else is dropped as it streams past.
class PrunedPodBuilder final {
 public:
  void reset() {
    root_ = nullptr;
    frames_.clear();
  }
  const nlohmann::json& root() const { return root_; }

  void beginObject() { open(nlohmann::json::object()); }
  void beginArray() { open(nlohmann::json::array()); }
  void end() { frames_.pop_back(); }
  void key(std::string_view key) {
    pendingKey_.assign(key);
    pendingShape_ = childShape(frames_.back().shape, key);
  }
  void scalar(nlohmann::json value) { place(std::move(value), nextShape()); }

 private:
  enum class Shape : uint8_t { kSkip, kAll, kPod, kMetadata, kSpec, kContainers, kContainer };
  struct Frame {
    Shape shape;
    nlohmann::json* node;  // null while skipping
  };

  static Shape childShape(Shape parent, std::string_view key) {
    switch (parent) {
      case Shape::kSkip:
        return Shape::kSkip;
      case Shape::kPod:
        return key == "metadata" ? Shape::kMetadata : key == "spec" ? Shape::kSpec : Shape::kSkip;
      case Shape::kMetadata:
        return key == "uid" ? Shape::kAll : Shape::kSkip;
      case Shape::kSpec:
        if (key == "containers" || key == "initContainers") {
          return Shape::kContainers;
        }
        return key == "resources" || key == "overhead" ? Shape::kAll : Shape::kSkip;
      case Shape::kContainer:
        return key == "name" || key == "resources" || key == "restartPolicy" ? Shape::kAll
                                                                             : Shape::kSkip;
      default:
        return Shape::kAll;
    }
  }

  Shape nextShape() const {
    if (frames_.empty()) {
      return Shape::kPod;
    }
    const Frame& top = frames_.back();
    if (top.node == nullptr) {
      return Shape::kSkip;
    }
    if (top.node->is_object()) {
      return pendingShape_;
    }
    return top.shape == Shape::kContainers ? Shape::kContainer : Shape::kAll;
  }

  nlohmann::json* place(nlohmann::json value, Shape shape) {
    if (shape == Shape::kSkip) {
      return nullptr;
    }
    if (frames_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    nlohmann::json& parent = *frames_.back().node;
    if (parent.is_object()) {
      return &(parent[pendingKey_] = std::move(value));  // a repeated key: the last value wins
    }
    parent.push_back(std::move(value));
    return &parent.back();  // earlier siblings are complete, so reallocation is harmless
  }

  void open(nlohmann::json container) {
    const Shape shape = nextShape();
    nlohmann::json* node = place(std::move(container), shape);
    frames_.push_back({node == nullptr ? Shape::kSkip : shape, node});
  }

  nlohmann::json root_;
  std::vector<Frame> frames_;
  std::string pendingKey_;
  Shape pendingShape_ = Shape::kSkip;
};

// The SAX handler: follows the top-level keys and keeps Pod (pruned) and NodeNames.
class ArgsHandler final {
 public:
  static constexpr size_t max_object_size = static_cast<size_t>(-1);  // NOLINT: Boost's names
  static constexpr size_t max_array_size = static_cast<size_t>(-1);   // NOLINT
  static constexpr size_t max_key_size = static_cast<size_t>(-1);     // NOLINT
  static constexpr size_t max_string_size = static_cast<size_t>(-1);  // NOLINT

  explicit ArgsHandler(size_t bodySize) : bodySize_(bodySize) {}

  // ---- Boost.JSON basic_parser handler interface ----
  bool on_document_begin(bj::error_code&) { return true; }
  bool on_document_end(bj::error_code&) { return true; }
  bool on_object_begin(bj::error_code&) {
    openContainer(Kind::kObject);
    return true;
  }
  bool on_object_end(size_t, bj::error_code&) {
    closeContainer();
    return true;
  }
  bool on_array_begin(bj::error_code&) {
    openContainer(Kind::kArray);
    return true;
  }
  bool on_array_end(size_t, bj::error_code&) {
    closeContainer();
    return true;
  }
  bool on_key_part(bj::string_view part, size_t, bj::error_code&) {
    keyPart_.append(part.data(), part.size());
    return true;
  }
  bool on_key(bj::string_view last, size_t, bj::error_code&) {
    std::string_view key(last.data(), last.size());
    if (!keyPart_.empty()) {
      keyPart_.append(key);
      key = keyPart_;
    }
    onKey(key);
    keyPart_.clear();
    return true;
  }
  bool on_string_part(bj::string_view part, size_t, bj::error_code&) {
    stringPart_.append(part.data(), part.size());
    return true;
  }
  bool on_string(bj::string_view last, size_t, bj::error_code&) {
    std::string_view text(last.data(), last.size());
    if (!stringPart_.empty()) {
      stringPart_.append(text);
      text = stringPart_;
    }
    onString(text);
    stringPart_.clear();
    return true;
  }
  bool on_number_part(bj::string_view part, bj::error_code&) {
    numberPart_.append(part.data(), part.size());
    return true;
  }
  bool on_int64(int64_t value, bj::string_view, bj::error_code&) {
    numberPart_.clear();
    onScalar(Kind::kNumber, [&] { return nlohmann::json(value); });
    return true;
  }
  bool on_uint64(uint64_t value, bj::string_view, bj::error_code&) {
    numberPart_.clear();
    onScalar(Kind::kNumber, [&] { return nlohmann::json(value); });
    return true;
  }
  bool on_double(double value, bj::string_view last, bj::error_code& ec) {
    numberPart_.append(last.data(), last.size());
    // Correctly rounded, as nlohmann's strtod is (Boost 1.81's own conversion may be one ulp
    // off); a number too large for a double is an error, as it is for nlohmann.
    auto [end, error] =
        std::from_chars(numberPart_.data(), numberPart_.data() + numberPart_.size(), value);
    if (error == std::errc::result_out_of_range) {
      // from_chars says this of underflow too (1e-400), which nlohmann and Go read as 0;
      // strtod tells the two apart (±HUGE_VAL against ±0), and the product sets no locale.
      value = std::strtod(numberPart_.c_str(), nullptr);
    }
    numberPart_.clear();
    if (!std::isfinite(value)) {
      ec = bj::error::exponent_overflow;
      return false;
    }
    onScalar(Kind::kNumber, [&] { return nlohmann::json(value); });
    return true;
  }
  bool on_bool(bool value, bj::error_code&) {
    onScalar(Kind::kBool, [&] { return nlohmann::json(value); });
    return true;
  }
  bool on_null(bj::error_code&) {
    onScalar(Kind::kNull, [] { return nlohmann::json(nullptr); });
    return true;
  }
  bool on_comment_part(bj::string_view, bj::error_code&) { return true; }
  bool on_comment(bj::string_view, bj::error_code&) { return true; }

  // After a successful parse: the decoded args, or the first shape error.
  ScanResult finish() {
    ScanResult result;
    auto invalid = [&](std::string message) {
      result.outcome = ScanResult::Outcome::kInvalidArgs;
      result.error = std::move(message);
      return std::move(result);
    };
    if (rootError_) {
      return invalid(std::string("expected an object, got ") + rootError_);
    }
    if (nodesPresent_) {
      result.args.hasNodes = true;  // decodeExtenderArgs decides, and reports its errors
      return result;
    }
    if (podError_) {
      return invalid(std::string("Pod: expected an object, got ") + podError_);
    }
    if (namesError_) {
      return invalid(std::string("NodeNames: expected an array, got ") + namesError_);
    }
    if (!namesElementError_.empty()) {
      return invalid(std::move(namesElementError_));
    }
    if (!podPresent_) {
      return invalid("Pod: required");
    }
    result.args.pod = podFacts(pod_.root());
    if (namesPresent_) {
      result.args.nodeNames = std::move(names_);
    }
    return result;
  }

 private:
  enum class Field { kNone, kPod, kNodes, kNodeNames };
  // What the events inside an open container are for.
  enum class Role : uint8_t { kRoot, kSkip, kPod, kNodeNames };

  Role context() const { return frames_.empty() ? Role::kSkip : frames_.back(); }

  // A value starts (scalar or container) where the context says; returns the role its contents
  // get if it is a container.
  Role beginValue(Kind kind) {
    if (frames_.empty()) {  // the document itself
      if (kind != Kind::kObject) {
        rootError_ = typeName(kind);
        return Role::kSkip;
      }
      return Role::kRoot;
    }
    switch (frames_.back()) {
      case Role::kRoot:
        return beginField(kind);
      case Role::kPod:
        return Role::kPod;
      case Role::kNodeNames:
        if (kind != Kind::kString && namesElementError_.empty()) {
          namesElementError_ = "NodeNames[" + std::to_string(names_.size() + namesSkipped_) +
                               "]: expected a string, got " + typeName(kind);
        }
        namesSkipped_ += kind == Kind::kString ? 0 : 1;
        return Role::kSkip;
      case Role::kSkip:
        return Role::kSkip;
    }
    return Role::kSkip;
  }

  // The value of a top-level key.
  Role beginField(Kind kind) {
    switch (field_) {
      case Field::kPod:
        podPresent_ = kind == Kind::kObject;
        podError_ = kind == Kind::kObject || kind == Kind::kNull ? nullptr : typeName(kind);
        if (kind == Kind::kObject) {
          pod_.reset();
          return Role::kPod;
        }
        return Role::kSkip;
      case Field::kNodes:
        nodesPresent_ = kind != Kind::kNull;
        return Role::kSkip;
      case Field::kNodeNames:
        namesPresent_ = kind == Kind::kArray;
        namesError_ = kind == Kind::kArray || kind == Kind::kNull ? nullptr : typeName(kind);
        names_ = NodeNameList();
        namesSkipped_ = 0;
        namesElementError_.clear();
        if (kind == Kind::kArray) {
          // Names take about as many bytes as the body; one allocation for all of them.
          names_.reserveBytes(bodySize_);
          return Role::kNodeNames;
        }
        return Role::kSkip;
      case Field::kNone:
        return Role::kSkip;
    }
    return Role::kSkip;
  }

  void openContainer(Kind kind) {
    const Role role = beginValue(kind);
    if (role == Role::kPod) {
      kind == Kind::kObject ? pod_.beginObject() : pod_.beginArray();
    }
    frames_.push_back(role);
  }

  void closeContainer() {
    const Role role = frames_.back();
    frames_.pop_back();
    if (role == Role::kPod) {
      pod_.end();
    }
  }

  void onKey(std::string_view key) {
    switch (context()) {
      case Role::kRoot:
        field_ = podMatch_.matches(key) ? (podMatch_.takes(key) ? Field::kPod : Field::kNone)
                 : nodesMatch_.matches(key)
                     ? (nodesMatch_.takes(key) ? Field::kNodes : Field::kNone)
                 : nodeNamesMatch_.matches(key)
                     ? (nodeNamesMatch_.takes(key) ? Field::kNodeNames : Field::kNone)
                     : Field::kNone;
        return;
      case Role::kPod:
        pod_.key(key);
        return;
      default:
        return;
    }
  }

  void onString(std::string_view text) {
    if (context() == Role::kNodeNames) {
      names_.add(text);  // the hot path: thousands of names per request
      return;
    }
    onScalar(Kind::kString, [&] { return nlohmann::json(text); });
  }

  template <typename MakeJson>
  void onScalar(Kind kind, MakeJson make) {
    const bool inPod = context() == Role::kPod;
    beginValue(kind);
    if (inPod) {
      pod_.scalar(make());
    }
  }

  size_t bodySize_;
  std::vector<Role> frames_;
  std::string keyPart_;
  std::string stringPart_;
  std::string numberPart_;

  Field field_ = Field::kNone;
  FieldMatch podMatch_{"Pod"};
  FieldMatch nodesMatch_{"Nodes"};
  FieldMatch nodeNamesMatch_{"NodeNames"};

  const char* rootError_ = nullptr;
  bool podPresent_ = false;
  const char* podError_ = nullptr;
  PrunedPodBuilder pod_;
  bool nodesPresent_ = false;
  bool namesPresent_ = false;
  const char* namesError_ = nullptr;
  NodeNameList names_;
  size_t namesSkipped_ = 0;  // non-string elements, so errors name the right index
  std::string namesElementError_;
};

}  // namespace

void NodeNameList::add(std::string_view name) {
  spans_.emplace_back(static_cast<uint32_t>(storage_.size()), static_cast<uint32_t>(name.size()));
  storage_.append(name);
}

std::vector<std::string_view> NodeNameList::views() const {
  std::vector<std::string_view> out;
  out.reserve(spans_.size());
  for (size_t i = 0; i < spans_.size(); ++i) {
    out.push_back((*this)[i]);
  }
  return out;
}

ScanResult scanExtenderArgs(std::string_view body) {
  bj::parse_options options;
  options.max_depth = kMaxDepth;
  bj::basic_parser<ArgsHandler> parser(options, body.size());
  bj::error_code ec;
  const size_t consumed = parser.write_some(false, body.data(), body.size(), ec);
  if (!ec && consumed != body.size()) {
    ec = bj::error::extra_data;
  }
  if (ec) {
    ScanResult result;
    result.outcome = ScanResult::Outcome::kInvalidJson;
    result.error = "parse error at byte " + std::to_string(consumed) + ": " + ec.message();
    return result;
  }
  return parser.handler().finish();
}

}  // namespace karpenter::extender
