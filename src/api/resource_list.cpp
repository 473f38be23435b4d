#include <string>
#include <string_view>

#include "karpenter/api/quantity.hpp"

namespace karpenter::api::resources {
namespace {

const Quantity kZero;

const Quantity& lookup(const ResourceList& list, std::string_view name) {
  auto it = list.find(name);
  return it == list.end() ? kZero : it->second;
}

// A zero request fits anywhere, even where nothing (or a negative amount) is left.
bool exceeds(const Quantity& request, const Quantity& available) {
  return !request.isZero() && request > available;
}

void appendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

ResourceList add(const ResourceList& a, const ResourceList& b) {
  ResourceList result = a;
  for (const auto& [name, quantity] : b) {
    result[name] += quantity;
  }
  return result;
}

ResourceList subtract(const ResourceList& a, const ResourceList& b) {
  ResourceList result = a;
  for (const auto& [name, quantity] : b) {
    result[name] -= quantity;
  }
  return result;
}

ResourceList max(const ResourceList& a, const ResourceList& b) {
  // As Karpenter's MaxResources: a name present on one side only keeps that side's value.
  ResourceList result = a;
  for (const auto& [name, quantity] : b) {
    auto [it, inserted] = result.try_emplace(name, quantity);
    if (!inserted && quantity > it->second) {
      it->second = quantity;
    }
  }
  return result;
}

bool fits(const ResourceList& requests, const ResourceList& available) {
  for (const auto& [name, request] : requests) {
    if (exceeds(request, lookup(available, name))) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> insufficient(const ResourceList& requests, const ResourceList& available) {
  std::vector<std::string> names;
  for (const auto& [name, request] : requests) {
    if (exceeds(request, lookup(available, name))) {
      names.push_back(name);
    }
  }
  return names;
}

std::string toString(const ResourceList& list) {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, quantity] : list) {
    if (!first) {
      out += ',';
    }
    first = false;
    appendJsonString(out, name);
    out += ':';
    appendJsonString(out, quantity.toString());
  }
  out += '}';
  return out;
}

}  // namespace karpenter::api::resources
