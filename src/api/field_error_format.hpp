#pragma once

#include <string>
#include <string_view>
#include <vector>

// Private to src/api: renders errors the way apimachinery's field.Error.Error() prints them, so
// messages read exactly like the API server's.

namespace karpenter::api::detail {

// Go's %q for a string: double-quoted, with \", \\ and control bytes escaped.
std::string goQuote(std::string_view value);

// JSON array of strings, as field errors render a []string bad value: [] or ["a","b"].
std::string jsonStringList(const std::vector<std::string>& values);

// "<field>: Invalid value: <badValue>: <detail>"; the "<field>: " part is left out when field is
// empty (upstream would print a nil path as "<nil>").
std::string invalidValue(std::string_view field, std::string_view renderedBadValue,
                         std::string_view detail);

// Joins validation messages as upstream does before wrapping them in one field error.
std::string joinMessages(const std::vector<std::string>& messages, std::string_view separator);

}  // namespace karpenter::api::detail
