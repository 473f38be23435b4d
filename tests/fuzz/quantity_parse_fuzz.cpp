#include <cstdlib>
#include <string_view>

#include "fuzz/fuzz_targets.hpp"
#include "karpenter/api/quantity.hpp"

namespace karpenter::fuzz {

int quantityParse(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto quantity = api::Quantity::parse(text);
  if (!quantity) {
    return 0;
  }
  auto again = api::Quantity::parse(quantity->toString());
  if (!again || (*again <=> *quantity) != 0) {
    std::abort();  // the canonical form must parse back to the same value
  }
  return 0;
}

}  // namespace karpenter::fuzz

KARPENTER_FUZZ_ENTRY(quantityParse)
