#include <cstdlib>
#include <string_view>

#include "fuzz/fuzz_targets.hpp"
#include "karpenter/api/label_selector.hpp"

namespace karpenter::fuzz {

int labelSelectorParse(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto selector = api::parseSelector(text);
  if (!selector) {
    return 0;
  }
  auto again = api::parseSelector(selector->toString());
  if (!again || !(*again == *selector)) {
    std::abort();  // String() must parse back to the same selector
  }
  return 0;
}

}  // namespace karpenter::fuzz

KARPENTER_FUZZ_ENTRY(labelSelectorParse)
