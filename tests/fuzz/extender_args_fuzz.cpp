#include <string_view>

#include "fuzz/fuzz_targets.hpp"
#include "karpenter/extender/wire.hpp"

namespace karpenter::fuzz {

int extenderArgs(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // Invalid JSON is the Router's business (a 400 before any decoder runs).
  auto json = extender::WireJson::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return 0;
  }
  auto args = extender::decodeExtenderArgs(json);
  if (args) {
    (void)args->candidateNames();
  }
  return 0;
}

}  // namespace karpenter::fuzz

KARPENTER_FUZZ_ENTRY(extenderArgs)
