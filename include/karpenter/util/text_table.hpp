#pragma once

#include <string>
#include <vector>

namespace karpenter {

// Rows as left-aligned columns two spaces apart, one line per row (kubectl's table style).
std::string alignColumns(const std::vector<std::vector<std::string>>& rows);

}  // namespace karpenter
