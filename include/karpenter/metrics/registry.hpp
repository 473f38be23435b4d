#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace karpenter::metrics {

// Prometheus metrics with the text exposition format (version 0.0.4), written for this project:
// Debian has no maintained C++ Prometheus client (prometheus-cpp is not packaged in bookworm).
// Names follow upstream Karpenter's (karpenter_nodeclaims_created_total, …).
//
// Thread safety: every operation may be called from any thread. Updating a series is lock-free;
// looking a series up by label values takes the family's mutex, so hot paths keep the returned
// reference (series live as long as the registry).

class Counter {
 public:
  void inc(double amount = 1);  // amount must be ≥ 0; negative amounts are ignored
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void add(double amount);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upperBounds);  // sorted ascending, without +Inf
  void observe(double value);

  struct Snapshot {
    std::vector<double> upperBounds;
    std::vector<uint64_t> cumulativeCounts;  // one per bound, then +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> upperBounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, not cumulative; last = +Inf
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

// Upstream Karpenter's duration buckets (seconds).
std::vector<double> durationBuckets();

enum class Type { kCounter, kGauge, kHistogram };

// All series of one metric name, keyed by label values (in labelNames order).
template <typename Metric>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labelNames,
         std::vector<double> buckets = {})
      : name_(std::move(name)),
        help_(std::move(help)),
        labelNames_(std::move(labelNames)),
        buckets_(std::move(buckets)) {}

  // The series for these label values (created at zero on first use). The number of values
  // must equal the number of label names; missing values are empty, extra ones are ignored.
  Metric& with(const std::vector<std::string>& labelValues);
  Metric& with() { return with({}); }
  // Forgets one series (e.g. the NodePool it described was deleted).
  void remove(const std::vector<std::string>& labelValues);

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& labelNames() const { return labelNames_; }
  // Calls visit(labelValues, metric) for each series, sorted by label values.
  template <typename Visit>
  void forEach(Visit visit) const {
    std::lock_guard lock(mutex_);
    for (const auto& [values, metric] : series_) {
      visit(values, *metric);
    }
  }

 private:
  std::vector<std::string> normalise(const std::vector<std::string>& labelValues) const;

  std::string name_;
  std::string help_;
  std::vector<std::string> labelNames_;
  std::vector<double> buckets_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> series_;
};

class Registry {
 public:
  // Registering a name twice returns the first family (the help and labels of the first win).
  Family<Counter>& counter(const std::string& name, const std::string& help,
                           std::vector<std::string> labelNames = {});
  Family<Gauge>& gauge(const std::string& name, const std::string& help,
                       std::vector<std::string> labelNames = {});
  Family<Histogram>& histogram(const std::string& name, const std::string& help,
                               std::vector<std::string> labelNames = {},
                               std::vector<double> buckets = durationBuckets());

  // Every family in the text exposition format, sorted by name.
  std::string exposition() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Family<Counter>>> counters_;
  std::map<std::string, std::unique_ptr<Family<Gauge>>> gauges_;
  std::map<std::string, std::unique_ptr<Family<Histogram>>> histograms_;
};

// The process-wide registry that /metrics serves.
Registry& defaultRegistry();

// The text format's number spelling: integers without a fraction, +Inf/-Inf/NaN as Prometheus
// spells them, shortest round-trip otherwise.
std::string formatValue(double value);
// A label value with \, " and newline escaped.
std::string escapeLabelValue(std::string_view value);

}  // namespace karpenter::metrics
