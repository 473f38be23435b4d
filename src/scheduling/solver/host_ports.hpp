#pragma once

#include <string>
#include <vector>

#include "karpenter/api/pod.hpp"

namespace karpenter::scheduling::solver {

// A host port a pod's container binds (kube-scheduler NodePorts plugin).
struct HostPort {
  std::string ip;        // "0.0.0.0" when unset: every address
  std::string protocol;  // "TCP" when unset
  int port = 0;
};

// The host ports of a pod's containers and init containers (hostPort > 0 only).
std::vector<HostPort> hostPorts(const api::PodSpec& spec);

// Same port and protocol on the same address, where 0.0.0.0 overlaps every address.
bool conflicts(const HostPort& a, const HostPort& b);

// The host ports taken on one node. Usually empty, so checks cost nothing for most pods.
class HostPortUsage final {
 public:
  // The first of `ports` already taken, or nullptr.
  const HostPort* firstConflict(const std::vector<HostPort>& ports) const;
  void add(const std::vector<HostPort>& ports);

 private:
  std::vector<HostPort> used_;
};

}  // namespace karpenter::scheduling::solver
