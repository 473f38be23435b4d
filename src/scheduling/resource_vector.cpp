#include "karpenter/scheduling/resource_vector.hpp"

#include <algorithm>

namespace karpenter::scheduling {

namespace {

constexpr std::array<std::string_view, ResourceVector::kCoreCount> kCoreNames = {
    "cpu", "memory", "pods", "ephemeral-storage"};

api::Quantity toQuantity(std::string_view name, int64_t milli) {
  // cpu reads best in millicores; byte-like amounts in binary units.
  bool decimal = name == "cpu" || name == "pods" || name.find('/') != std::string_view::npos;
  if (!decimal && milli % 1000 == 0) {
    return api::Quantity::fromInt(milli / 1000, api::Quantity::Format::kBinarySI);
  }
  if (milli % 1000 == 0) {
    return api::Quantity::fromInt(milli / 1000);
  }
  return api::Quantity::fromMilli(milli);
}

template <typename Op>
ResourceVector combine(const ResourceVector& a, const ResourceVector& b, Op op) {
  ResourceVector out;
  for (size_t i = 0; i < ResourceVector::kCoreCount; ++i) {
    out.setCore(i, op(a.core(i), b.core(i)));
  }
  // Both extended lists are sorted: merge them.
  const auto& x = a.extended();
  const auto& y = b.extended();
  size_t i = 0;
  size_t j = 0;
  while (i < x.size() || j < y.size()) {
    if (j == y.size() || (i < x.size() && x[i].first < y[j].first)) {
      out.set(x[i].first, op(x[i].second, 0));
      ++i;
    } else if (i == x.size() || y[j].first < x[i].first) {
      out.set(y[j].first, op(0, y[j].second));
      ++j;
    } else {
      out.set(x[i].first, op(x[i].second, y[j].second));
      ++i;
      ++j;
    }
  }
  return out;
}

}  // namespace

size_t coreIndex(std::string_view name) {
  for (size_t i = 0; i < kCoreNames.size(); ++i) {
    if (kCoreNames[i] == name) {
      return i;
    }
  }
  return ResourceVector::kCoreCount;
}

ResourceVector ResourceVector::fromList(const api::ResourceList& list) {
  ResourceVector out;
  for (const auto& [name, quantity] : list) {
    out.set(name, quantity.milliValue());
  }
  return out;
}

api::ResourceList ResourceVector::toList() const {
  api::ResourceList out;
  for (size_t i = 0; i < kCoreCount; ++i) {
    if (core_[i] != 0) {
      out.emplace(std::string(kCoreNames[i]), toQuantity(kCoreNames[i], core_[i]));
    }
  }
  for (const auto& [name, milli] : extended_) {
    if (milli != 0) {
      out.emplace(name, toQuantity(name, milli));
    }
  }
  return out;
}

int64_t ResourceVector::get(std::string_view name) const {
  size_t index = coreIndex(name);
  if (index < kCoreCount) {
    return core_[index];
  }
  auto it = std::lower_bound(extended_.begin(), extended_.end(), name,
                             [](const auto& entry, std::string_view n) { return entry.first < n; });
  return it != extended_.end() && it->first == name ? it->second : 0;
}

void ResourceVector::set(std::string_view name, int64_t milli) {
  size_t index = coreIndex(name);
  if (index < kCoreCount) {
    core_[index] = milli;
    return;
  }
  auto it = std::lower_bound(extended_.begin(), extended_.end(), name,
                             [](const auto& entry, std::string_view n) { return entry.first < n; });
  if (it != extended_.end() && it->first == name) {
    it->second = milli;
  } else {
    extended_.emplace(it, std::string(name), milli);
  }
}

ResourceVector& ResourceVector::operator+=(const ResourceVector& other) {
  if (extended_.empty() && other.extended_.empty()) {
    for (size_t i = 0; i < kCoreCount; ++i) {
      core_[i] += other.core_[i];
    }
    return *this;
  }
  *this = combine(*this, other, [](int64_t a, int64_t b) { return a + b; });
  return *this;
}

ResourceVector& ResourceVector::operator-=(const ResourceVector& other) {
  if (extended_.empty() && other.extended_.empty()) {
    for (size_t i = 0; i < kCoreCount; ++i) {
      core_[i] -= other.core_[i];
    }
    return *this;
  }
  *this = combine(*this, other, [](int64_t a, int64_t b) { return a - b; });
  return *this;
}

ResourceVector ResourceVector::operator+(const ResourceVector& other) const {
  ResourceVector out = *this;
  out += other;
  return out;
}

ResourceVector ResourceVector::operator-(const ResourceVector& other) const {
  ResourceVector out = *this;
  out -= other;
  return out;
}

bool ResourceVector::fitsIn(const ResourceVector& available) const {
  for (size_t i = 0; i < kCoreCount; ++i) {
    if (core_[i] > 0 && core_[i] > available.core_[i]) {
      return false;
    }
  }
  for (const auto& [name, milli] : extended_) {
    if (milli > 0 && milli > available.get(name)) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> ResourceVector::insufficient(const ResourceVector& available) const {
  std::vector<std::string> out;
  for (size_t i = 0; i < kCoreCount; ++i) {
    if (core_[i] > 0 && core_[i] > available.core_[i]) {
      out.emplace_back(kCoreNames[i]);
    }
  }
  for (const auto& [name, milli] : extended_) {
    if (milli > 0 && milli > available.get(name)) {
      out.push_back(name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

ResourceVector ResourceVector::max(const ResourceVector& a, const ResourceVector& b) {
  return combine(a, b, [](int64_t x, int64_t y) { return std::max(x, y); });
}

ResourceVector ResourceVector::min(const ResourceVector& a, const ResourceVector& b) {
  return combine(a, b, [](int64_t x, int64_t y) { return std::min(x, y); });
}

std::string ResourceVector::toString() const {
  return api::resources::toString(toList());
}

}  // namespace karpenter::scheduling
