#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace karpenter {

// True when `value` is in `sorted` (ascending); looks it up without building a std::string.
inline bool sortedContains(const std::vector<std::string>& sorted, std::string_view value) {
  return std::binary_search(sorted.begin(), sorted.end(), value,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

}  // namespace karpenter
