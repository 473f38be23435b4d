#pragma once

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

namespace karpenter::aws {

// Converts an EC2 response element to JSON: leaves become strings, an element whose children
// are all <item> becomes an array, any other element an object keyed by child name. An empty
// list (<tagSet/>) becomes "". Private to src/aws.
nlohmann::json xmlToJson(const pugi::xml_node& node);

}  // namespace karpenter::aws
