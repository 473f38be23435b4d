#include "host_ports.hpp"

namespace karpenter::scheduling::solver {

namespace {

void collect(const std::vector<api::Container>& containers, std::vector<HostPort>& out) {
  for (const auto& container : containers) {
    for (const auto& port : container.ports) {
      if (port.hostPort <= 0) {
        continue;
      }
      out.push_back({port.hostIP.empty() ? "0.0.0.0" : port.hostIP,
                     port.protocol.empty() ? "TCP" : port.protocol, port.hostPort});
    }
  }
}

}  // namespace

std::vector<HostPort> hostPorts(const api::PodSpec& spec) {
  std::vector<HostPort> out;
  collect(spec.initContainers, out);
  collect(spec.containers, out);
  return out;
}

bool conflicts(const HostPort& a, const HostPort& b) {
  if (a.port != b.port || a.protocol != b.protocol) {
    return false;
  }
  return a.ip == b.ip || a.ip == "0.0.0.0" || b.ip == "0.0.0.0";
}

const HostPort* HostPortUsage::firstConflict(const std::vector<HostPort>& ports) const {
  for (const auto& port : ports) {
    for (const auto& used : used_) {
      if (conflicts(port, used)) {
        return &port;
      }
    }
  }
  return nullptr;
}

void HostPortUsage::add(const std::vector<HostPort>& ports) {
  used_.insert(used_.end(), ports.begin(), ports.end());
}

}  // namespace karpenter::scheduling::solver
