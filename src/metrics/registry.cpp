#include "karpenter/metrics/registry.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace karpenter::metrics {
namespace {

void atomicAdd(std::atomic<double>& target, double amount) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + amount, std::memory_order_relaxed)) {
  }
}

std::string labelText(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      std::string_view extraName = {}, std::string_view extraValue = {}) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += (out.empty() ? "" : ",") + names[i] + "=\"" + escapeLabelValue(values[i]) + "\"";
  }
  if (!extraName.empty()) {
    out +=
        (out.empty() ? "" : ",") + std::string(extraName) + "=\"" + std::string(extraValue) + "\"";
  }
  return out.empty() ? out : "{" + out + "}";
}

void header(std::string& out, const std::string& name, const std::string& help, Type type) {
  static constexpr const char* kTypeNames[] = {"counter", "gauge", "histogram"};
  std::string escapedHelp;
  for (char c : help) {
    escapedHelp += c == '\\' ? "\\\\" : c == '\n' ? "\\n" : std::string(1, c);
  }
  out += "# HELP " + name + " " + escapedHelp + "\n";
  out += "# TYPE " + name + " " + kTypeNames[static_cast<int>(type)] + "\n";
}

template <typename Metric>
Family<Metric>& findOrAdd(std::map<std::string, std::unique_ptr<Family<Metric>>>& families,
                          const std::string& name, const std::string& help,
                          std::vector<std::string> labelNames, std::vector<double> buckets = {}) {
  auto it = families.find(name);
  if (it == families.end()) {
    it = families
             .emplace(name, std::make_unique<Family<Metric>>(name, help, std::move(labelNames),
                                                             std::move(buckets)))
             .first;
  }
  return *it->second;
}

}  // namespace

void Counter::inc(double amount) {
  if (amount > 0) {
    atomicAdd(value_, amount);
  }
}

void Gauge::add(double amount) {
  atomicAdd(value_, amount);
}

Histogram::Histogram(std::vector<double> upperBounds)
    : upperBounds_(std::move(upperBounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(upperBounds_.size() + 1)) {
  std::sort(upperBounds_.begin(), upperBounds_.end());
}

void Histogram::observe(double value) {
  // Prometheus buckets are "less than or equal to" their upper bound.
  const auto bucket = std::lower_bound(upperBounds_.begin(), upperBounds_.end(), value);
  counts_[static_cast<size_t>(bucket - upperBounds_.begin())].fetch_add(1,
                                                                        std::memory_order_relaxed);
  atomicAdd(sum_, value);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snapshot;
  snapshot.upperBounds = upperBounds_;
  uint64_t running = 0;
  for (size_t i = 0; i <= upperBounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    snapshot.cumulativeCounts.push_back(running);
  }
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  // The +Inf bucket and the count must agree even while observations race with the scrape.
  snapshot.count = running;
  return snapshot;
}

std::vector<double> durationBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 20, 25, 30, 40, 50, 60, 120};
}

template <typename Metric>
std::vector<std::string> Family<Metric>::normalise(
    const std::vector<std::string>& labelValues) const {
  std::vector<std::string> values(labelNames_.size());
  for (size_t i = 0; i < values.size() && i < labelValues.size(); ++i) {
    values[i] = labelValues[i];
  }
  return values;
}

template <typename Metric>
Metric& Family<Metric>::with(const std::vector<std::string>& labelValues) {
  auto key = normalise(labelValues);
  std::lock_guard lock(mutex_);
  auto it = series_.find(key);
  if (it == series_.end()) {
    std::unique_ptr<Metric> metric;
    if constexpr (std::is_same_v<Metric, Histogram>) {
      metric = std::make_unique<Histogram>(buckets_);
    } else {
      metric = std::make_unique<Metric>();
    }
    it = series_.emplace(std::move(key), std::move(metric)).first;
  }
  return *it->second;
}

template <typename Metric>
void Family<Metric>::remove(const std::vector<std::string>& labelValues) {
  auto key = normalise(labelValues);
  std::lock_guard lock(mutex_);
  series_.erase(key);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Family<Counter>& Registry::counter(const std::string& name, const std::string& help,
                                   std::vector<std::string> labelNames) {
  std::lock_guard lock(mutex_);
  return findOrAdd(counters_, name, help, std::move(labelNames));
}

Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help,
                               std::vector<std::string> labelNames) {
  std::lock_guard lock(mutex_);
  return findOrAdd(gauges_, name, help, std::move(labelNames));
}

Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help,
                                       std::vector<std::string> labelNames,
                                       std::vector<double> buckets) {
  std::lock_guard lock(mutex_);
  return findOrAdd(histograms_, name, help, std::move(labelNames), std::move(buckets));
}

std::string Registry::exposition() const {
  std::lock_guard lock(mutex_);
  // Families sorted by name across the three kinds.
  std::map<std::string, std::string> blocks;
  for (const auto& [name, family] : counters_) {
    std::string& out = blocks[name];
    header(out, name, family->help(), Type::kCounter);
    family->forEach([&](const std::vector<std::string>& values, const Counter& counter) {
      out += name + labelText(family->labelNames(), values) + " " + formatValue(counter.value()) +
             "\n";
    });
  }
  for (const auto& [name, family] : gauges_) {
    std::string& out = blocks[name];
    header(out, name, family->help(), Type::kGauge);
    family->forEach([&](const std::vector<std::string>& values, const Gauge& gauge) {
      out +=
          name + labelText(family->labelNames(), values) + " " + formatValue(gauge.value()) + "\n";
    });
  }
  for (const auto& [name, family] : histograms_) {
    std::string& out = blocks[name];
    header(out, name, family->help(), Type::kHistogram);
    family->forEach([&](const std::vector<std::string>& values, const Histogram& histogram) {
      const auto snapshot = histogram.snapshot();
      const auto& names = family->labelNames();
      for (size_t i = 0; i < snapshot.cumulativeCounts.size(); ++i) {
        const std::string le = i < snapshot.upperBounds.size()
                                   ? formatValue(snapshot.upperBounds[i])
                                   : std::string("+Inf");
        out += name + "_bucket" + labelText(names, values, "le", le) + " " +
               std::to_string(snapshot.cumulativeCounts[i]) + "\n";
      }
      out += name + "_sum" + labelText(names, values) + " " + formatValue(snapshot.sum) + "\n";
      out +=
          name + "_count" + labelText(names, values) + " " + std::to_string(snapshot.count) + "\n";
    });
  }
  std::string out;
  for (const auto& [name, block] : blocks) {
    out += block;
  }
  return out;
}

Registry& defaultRegistry() {
  static Registry registry;
  return registry;
}

std::string formatValue(double value) {
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  return fmt::format("{}", value);
}

std::string escapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace karpenter::metrics
