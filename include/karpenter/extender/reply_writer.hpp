#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace karpenter::extender {

// Replies written straight into the response body, byte for byte what encode(...).dump() gives
// for the same value, without building a JSON tree (5,000 names would be 5,000 tree nodes).
// Strings must be valid UTF-8 (names decoded by a JSON parser are).

// Appends `text` as a JSON string, escaped as nlohmann's dump() escapes it: \" \\ \b \f \n \r \t,
// other control characters as \u00xx, everything else (UTF-8 included) as is.
void appendJsonString(std::string& out, std::string_view text);

// ExtenderFilterResult in cache mode: {"Nodes":null,"NodeNames":[names whose reason is null],
// "FailedNodes":{name: reason, sorted by name},"FailedAndUnresolvableNodes":null,"Error":""}.
// `reasons[i]` is names[i]'s rejection, or null when it passes. `namesPresent` false writes
// "NodeNames":null (the request carried no NodeNames).
std::string writeFilterReply(std::span<const std::string_view> names,
                             std::span<const char* const> reasons, bool namesPresent);

// HostPriorityList: [{"Host":names[i],"Score":scores[i]},...], "[]" when empty.
std::string writeHostPriorities(std::span<const std::string_view> names,
                                std::span<const int64_t> scores);

}  // namespace karpenter::extender
