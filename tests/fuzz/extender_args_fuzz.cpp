// The extender's request decoder as the product runs it: scanExtenderArgs, the streaming scanner
// behind POST /scheduler/filter and /scheduler/prioritize, differentially against
// decodeExtenderArgs, the tree decoder (non-cache requests and the wire tests) on the same bytes.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_targets.hpp"
#include "karpenter/api/codec.hpp"
#include "karpenter/api/pod.hpp"
#include "karpenter/extender/args_scanner.hpp"
#include "karpenter/extender/wire.hpp"

namespace karpenter::fuzz {
namespace {

// The scanner's nesting bound (args_scanner.cpp); nlohmann's parser has none.
constexpr size_t kScannerMaxDepth = 512;

[[noreturn]] void scannerDisagrees(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "scanExtenderArgs and decodeExtenderArgs disagree: %s %.*s\n", what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// Deepest bracket nesting of well-formed JSON (brackets inside strings do not count).
size_t jsonNestingDepth(std::string_view json) {
  size_t depth = 0;
  size_t deepest = 0;
  bool inString = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (inString) {
      i += c == '\\' ? 1 : 0;  // an escaped quote does not end the string
      inString = c != '"';
    } else if (c == '"') {
      inString = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

// Whether a number's exponent is beyond what Boost.JSON counts in an int (with the digits' bias):
// it rejects such a number even when its value is 0 or underflows to 0, as 1e-9999999999 does.
bool hasUncountableExponent(std::string_view json) {
  constexpr int64_t kLimit = INT32_MAX;
  for (size_t i = 0; i < json.size(); ++i) {
    if (json[i] != 'e' && json[i] != 'E') {
      continue;
    }
    size_t j = i + 1;
    j += j < json.size() && (json[j] == '+' || json[j] == '-') ? 1 : 0;
    int64_t exponent = 0;
    for (; j < json.size() && json[j] >= '0' && json[j] <= '9'; ++j) {
      exponent = std::min<int64_t>(exponent * 10 + (json[j] - '0'), kLimit);
    }
    if (exponent >= kLimit - static_cast<int64_t>(json.size())) {
      return true;
    }
  }
  return false;
}

// Inputs on which the two parsers legitimately differ about what is JSON: nesting past the
// scanner's bound; a leading UTF-8 byte order mark, which nlohmann skips and the scanner, like
// Go's encoding/json, rejects; exponents Boost.JSON cannot count.
bool scannerMayRejectValidJson(std::string_view text, std::string_view error) {
  return text.starts_with("\xEF\xBB\xBF") || jsonNestingDepth(text) > kScannerMaxDepth ||
         (error.ends_with("exponent overflow") && hasUncountableExponent(text));
}

// When both accept: the same NodeNames and the same pod facts. The scanner keeps only the fields
// podFacts reads, so a malformed field elsewhere in the Pod fails the tree's Pod decode (and
// zeroes its requests) but not the scanner's; requests are compared when the whole Pod decodes.
void compareArgs(const extender::ScannedArgs& scanned, const extender::ExtenderArgs& tree) {
  if (scanned.nodeNames.has_value() != tree.nodeNames.has_value()) {
    scannerDisagrees("on whether NodeNames is null");
  }
  if (scanned.nodeNames) {
    if (scanned.nodeNames->size() != tree.nodeNames->size()) {
      scannerDisagrees("on the number of NodeNames");
    }
    for (size_t i = 0; i < tree.nodeNames->size(); ++i) {
      if ((*scanned.nodeNames)[i] != (*tree.nodeNames)[i]) {
        scannerDisagrees("on NodeNames entry", (*tree.nodeNames)[i]);
      }
    }
  }
  const nlohmann::json pod(tree.pod);
  const extender::PodFacts facts = extender::podFacts(pod);
  if (scanned.pod.uid != facts.uid) {
    scannerDisagrees("on the pod UID", facts.uid);
  }
  if (api::decodeJson<api::Pod>(pod).ok() &&
      (scanned.pod.milliCpu != facts.milliCpu || scanned.pod.memoryBytes != facts.memoryBytes)) {
    scannerDisagrees("on the pod's requests");
  }
}

}  // namespace

int extenderArgs(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
    // nlohmann takes a NUL byte for the end of the input and ignores the rest; the scanner, like
    // Go's encoding/json, rejects the body. The two are compared on what nlohmann reads.
    if (extender::scanExtenderArgs(text).outcome != extender::ScanResult::Outcome::kInvalidJson) {
      scannerDisagrees("the scanner accepts a NUL byte");
    }
    text = text.substr(0, nul);
  }
  const extender::ScanResult scanned = extender::scanExtenderArgs(text);
  const auto json = extender::WireJson::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    if (scanned.outcome != extender::ScanResult::Outcome::kInvalidJson) {
      scannerDisagrees("the scanner accepts what is not JSON");
    }
    return 0;
  }
  if (scanned.outcome == extender::ScanResult::Outcome::kInvalidJson) {
    if (!scannerMayRejectValidJson(text, scanned.error)) {
      scannerDisagrees("the scanner rejects valid JSON:", scanned.error);
    }
    return 0;
  }
  auto tree = extender::decodeExtenderArgs(json);
  if (tree) {
    (void)tree->candidateNames();
  }
  if (scanned.args.hasNodes) {
    // The product decodes such a request again with decodeExtenderArgs (it keeps the Nodes).
    if (scanned.outcome != extender::ScanResult::Outcome::kOk || (tree && !tree->nodes)) {
      scannerDisagrees("on whether Nodes is set");
    }
    return 0;
  }
  if (!tree) {
    if (scanned.outcome != extender::ScanResult::Outcome::kInvalidArgs ||
        scanned.error != tree.error().message) {
      scannerDisagrees("on the error; the tree decoder says", tree.error().message);
    }
    return 0;
  }
  if (scanned.outcome != extender::ScanResult::Outcome::kOk) {
    scannerDisagrees("the scanner rejects valid ExtenderArgs:", scanned.error);
  }
  if (tree->nodes) {
    scannerDisagrees("the scanner missed Nodes");
  }
  compareArgs(scanned.args, *tree);
  return 0;
}

}  // namespace karpenter::fuzz

KARPENTER_FUZZ_ENTRY(extenderArgs)
