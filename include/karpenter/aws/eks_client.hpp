#pragma once

#include <string>

#include "karpenter/aws/config.hpp"
#include "karpenter/aws/json_client.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::aws {

// What the AWS provider needs of an EKS cluster: where its API server is and how to trust it
// (bootstrap user data), its Kubernetes version (the alias AMIs' SSM paths) and its service
// CIDR (the cluster DNS address nodes are given).
struct EksCluster {
  std::string name;
  std::string arn;
  std::string status;    // CREATING | ACTIVE | DELETING | FAILED | UPDATING | PENDING
  std::string version;   // Kubernetes minor version, e.g. "1.31"
  std::string endpoint;  // https://...
  std::string caData;    // certificateAuthority.data (base64 PEM)
  std::string ipFamily;  // ipv4 | ipv6
  std::string serviceIpv4Cidr;
  std::string serviceIpv6Cidr;
};

// EKS over restJson1 (signing name "eks"): DescribeCluster is GET /clusters/<name>.
// Errors: ResourceNotFoundException ⇒ kNotFound; throttling and 5xx were already retried.
// Thread safety: calls may be made concurrently.
class EksClient final {
 public:
  EksClient(const AwsConfig& config, CredentialsProviderPtr credentials, HttpClientPtr http,
            Clock clock, RetryPolicy retry = {});

  Result<EksCluster> describeCluster(const std::string& name) const;

 private:
  JsonClient json_;
};

}  // namespace karpenter::aws
