#include "karpenter/controllers/node_metrics.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "karpenter/api/pod_requests.hpp"
#include "karpenter/api/well_known.hpp"
#include "karpenter/metrics/registry.hpp"
#include "karpenter/provisioning/pod_filter.hpp"
#include "karpenter/util/time.hpp"

namespace karpenter::controllers {
namespace {

using Series = std::vector<std::string>;

// Prometheus-style name of a label key or resource: the part after '/', lower case, '-' → '_'.
std::string snakeName(std::string_view key, bool afterSlash) {
  if (afterSlash) {
    if (auto slash = key.find('/'); slash != std::string_view::npos) {
      key = key.substr(slash + 1);
    }
  }
  std::string out;
  for (char c : key) {
    out += c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// The well-known label keys with a '/' (as upstream), grouped by their metric label name.
const std::map<std::string, std::vector<std::string_view>>& wellKnownLabelNames() {
  static const auto names = [] {
    std::map<std::string, std::vector<std::string_view>> out;
    for (std::string_view key : api::wellKnownLabels()) {
      if (key.find('/') != std::string_view::npos) {
        out[snakeName(key, true)].push_back(key);
      }
    }
    return out;
  }();
  return names;
}

std::vector<std::string> labelNames(bool withResourceType) {
  std::vector<std::string> names;
  for (const auto& [name, keys] : wellKnownLabelNames()) {
    names.push_back(name);
  }
  names.insert(names.end(), {"node_name", "phase", "managed"});
  if (withResourceType) {
    names.push_back("resource_type");
  }
  return names;
}

metrics::Family<metrics::Gauge>& nodeGauge(const std::string& name, const std::string& help,
                                           bool withResourceType = true) {
  return metrics::defaultRegistry().gauge(name, help, labelNames(withResourceType));
}

struct Gauges {
  metrics::Family<metrics::Gauge>& allocatable = nodeGauge(
      "karpenter_nodes_allocatable", "Node allocatable are the resources allocatable by nodes.");
  metrics::Family<metrics::Gauge>& podRequests =
      nodeGauge("karpenter_nodes_total_pod_requests",
                "Node total pod requests are the resources requested by pods bound to nodes, "
                "including the DaemonSet pods.");
  metrics::Family<metrics::Gauge>& podLimits =
      nodeGauge("karpenter_nodes_total_pod_limits",
                "Node total pod limits are the resources specified by pod limits, including the "
                "DaemonSet pods.");
  metrics::Family<metrics::Gauge>& daemonRequests =
      nodeGauge("karpenter_nodes_total_daemon_requests",
                "Node total daemon requests are the resource requested by DaemonSet pods bound "
                "to nodes.");
  metrics::Family<metrics::Gauge>& daemonLimits =
      nodeGauge("karpenter_nodes_total_daemon_limits",
                "Node total daemon limits are the resources specified by DaemonSet pod limits.");
  metrics::Family<metrics::Gauge>& systemOverhead =
      nodeGauge("karpenter_nodes_system_overhead",
                "Node system daemon overhead are the resources reserved for system overhead, the "
                "difference between the node's capacity and allocatable values are reported by "
                "the status.");
  metrics::Family<metrics::Gauge>& lifetime =
      nodeGauge("karpenter_nodes_current_lifetime_seconds", "Node age in seconds", false);
  metrics::Family<metrics::Gauge>& clusterUtilization = metrics::defaultRegistry().gauge(
      "karpenter_cluster_utilization_percent",
      "Utilization of allocatable resources by pod requests", {"resource_type"});
};

Gauges& gauges() {
  static Gauges instance;
  return instance;
}

double metricValue(const std::string& resource, const api::Quantity& quantity) {
  return resource == "cpu" ? static_cast<double>(quantity.milliValue()) / 1000
                           : static_cast<double>(quantity.value());
}

// A pod's effective limits, shaped like api::podRequests (component-helpers PodLimits): the
// containers' sum against the init peak (restartable sidecars keep running), pod-level limits
// over cpu/memory/hugepages, and the overhead of resources that have a limit.
api::ResourceList podLimits(const api::PodSpec& spec) {
  api::ResourceList sum;
  for (const auto& container : spec.containers) {
    sum = api::resources::add(sum, container.resources.limits);
  }
  api::ResourceList sidecars;
  api::ResourceList initPeak;
  for (const auto& container : spec.initContainers) {
    if (container.restartPolicy.value_or("") == "Always") {
      sidecars = api::resources::add(sidecars, container.resources.limits);
      initPeak = api::resources::max(initPeak, sidecars);
    } else {
      initPeak =
          api::resources::max(initPeak, api::resources::add(sidecars, container.resources.limits));
    }
  }
  api::ResourceList limits = api::resources::max(api::resources::add(sum, sidecars), initPeak);
  for (const auto& [resource, quantity] : spec.resources.limits) {
    if (api::isSupportedPodLevelResource(resource)) {
      limits[resource] = quantity;
    }
  }
  for (const auto& [resource, quantity] : spec.overhead) {
    if (limits.contains(resource)) {
      limits = api::resources::add(limits, {{resource, quantity}});
    }
  }
  return limits;
}

}  // namespace

struct NodeMetrics::Impl {
  state::ClusterState& state;
  Options options;
  std::atomic<bool> running{false};
  std::thread thread;
  // Every series set by the last refresh, per family, so the ones not set again are removed.
  std::map<metrics::Family<metrics::Gauge>*, std::set<Series>> written;

  Impl(state::ClusterState& s, Options o) : state(s), options(std::move(o)) {
    if (!options.clock) {
      options.clock = [] { return std::chrono::system_clock::now(); };
    }
  }

  static Series nodeLabels(const state::StateNode& entry) {
    Series values;
    for (const auto& [name, keys] : wellKnownLabelNames()) {
      std::string value;
      for (std::string_view key : keys) {
        if (auto it = entry.node->metadata.labels.find(key);
            it != entry.node->metadata.labels.end()) {
          value = it->second;
          break;
        }
      }
      values.push_back(std::move(value));
    }
    values.push_back(entry.node->metadata.name);
    values.push_back("");  // Node status.phase: unused by kubelets since 1.x, so empty as upstream
    values.push_back(entry.managed() ? "true" : "false");
    return values;
  }

  void set(std::map<metrics::Family<metrics::Gauge>*, std::set<Series>>& now,
           metrics::Family<metrics::Gauge>& family, Series labels, double value) {
    family.with(labels).set(value);
    now[&family].insert(std::move(labels));
  }

  void setResources(std::map<metrics::Family<metrics::Gauge>*, std::set<Series>>& now,
                    metrics::Family<metrics::Gauge>& family, const Series& base,
                    const api::ResourceList& list) {
    for (const auto& [resource, quantity] : list) {
      Series labels = base;
      labels.push_back(snakeName(resource, false));
      set(now, family, std::move(labels), metricValue(resource, quantity));
    }
  }

  void refresh() {
    auto snapshot = state.snapshot();
    if (!snapshot->synced) {
      return;
    }
    Gauges& g = gauges();
    std::map<metrics::Family<metrics::Gauge>*, std::set<Series>> now;
    api::ResourceList allocatable;
    api::ResourceList requested;
    for (const auto& [name, entry] : *snapshot->nodes) {
      if (entry->node == nullptr) {
        continue;
      }
      const api::Node& node = *entry->node;
      const Series base = nodeLabels(*entry);
      api::ResourceList limits;
      api::ResourceList daemonLimits;
      for (const auto& pod : entry->pods) {
        const auto podLimit = podLimits(pod->spec);
        limits = api::resources::add(limits, podLimit);
        if (provisioning::isOwnedByDaemonSet(*pod)) {
          daemonLimits = api::resources::add(daemonLimits, podLimit);
        }
      }
      setResources(now, g.allocatable, base, node.status.allocatable);
      setResources(now, g.podRequests, base, entry->requested);
      setResources(now, g.podLimits, base, limits);
      setResources(now, g.daemonRequests, base, entry->daemonSetRequested);
      setResources(now, g.daemonLimits, base, daemonLimits);
      setResources(now, g.systemOverhead, base,
                   api::resources::subtract(node.status.capacity, node.status.allocatable));
      if (auto created = parseRfc3339(node.metadata.creationTimestamp)) {
        set(now, g.lifetime, base,
            std::chrono::duration<double>(options.clock() - *created).count());
      }
      allocatable = api::resources::add(allocatable, node.status.allocatable);
      requested = api::resources::add(requested, entry->requested);
    }
    for (const auto& [resource, quantity] : allocatable) {
      const double total = metricValue(resource, quantity);
      if (total == 0) {
        continue;
      }
      auto used = requested.find(resource);
      const double share = used == requested.end() ? 0 : metricValue(resource, used->second);
      set(now, g.clusterUtilization, {snakeName(resource, false)}, 100 * share / total);
    }
    for (const auto& [family, series] : written) {
      for (const auto& labels : series) {
        if (!now[family].contains(labels)) {
          family->remove(labels);
        }
      }
    }
    written = std::move(now);
  }

  // A controller that stops (lost the lease) stops reporting: its series go.
  void clear() {
    for (const auto& [family, series] : written) {
      for (const auto& labels : series) {
        family->remove(labels);
      }
    }
    written.clear();
  }

  void run() {
    uint64_t lastVersion = 0;
    auto lastRefresh = std::chrono::steady_clock::time_point{};
    while (running) {
      auto snapshot = state.snapshot();
      const auto tick = std::chrono::steady_clock::now();
      if (snapshot->synced &&
          (snapshot->version != lastVersion || tick - lastRefresh >= options.resync)) {
        lastVersion = snapshot->version;
        lastRefresh = tick;
        refresh();
      }
      std::this_thread::sleep_for(options.pollInterval);
    }
  }
};

NodeMetrics::NodeMetrics(state::ClusterState& state, Options options)
    : impl_(std::make_unique<Impl>(state, std::move(options))) {}

NodeMetrics::~NodeMetrics() {
  stop();
}

void NodeMetrics::start() {
  if (impl_->running.exchange(true)) {
    return;
  }
  impl_->thread = std::thread([this] { impl_->run(); });
}

void NodeMetrics::stop() {
  if (!impl_->running.exchange(false)) {
    return;
  }
  impl_->thread.join();
  impl_->clear();
}

void NodeMetrics::refresh() {
  impl_->refresh();
}

}  // namespace karpenter::controllers
