#include "karpenter/operator/options.hpp"

namespace karpenter::op {

Result<std::string> OperatorOptions::effectiveCloudProvider() const {
  if (cloudProvider.empty()) {
    return std::string(clusterName.empty() ? "simulated" : "aws");
  }
  if (cloudProvider != "aws" && cloudProvider != "simulated") {
    return invalidError("--cloud-provider (CLOUD_PROVIDER): \"" + cloudProvider +
                        "\" is not one of aws, simulated");
  }
  if (cloudProvider == "aws" && clusterName.empty()) {
    return invalidError("--cloud-provider aws needs --cluster-name (CLUSTER_NAME)");
  }
  if (vmMemoryOverheadPercent < 0 || vmMemoryOverheadPercent >= 1) {
    return invalidError(
        "--vm-memory-overhead-percent (VM_MEMORY_OVERHEAD_PERCENT) must be in "
        "[0, 1), e.g. 0.075");
  }
  if (reservedENIs < 0) {
    return invalidError("--reserved-enis (RESERVED_ENIS) must not be negative");
  }
  return cloudProvider;
}

}  // namespace karpenter::op
