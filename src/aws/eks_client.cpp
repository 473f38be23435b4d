#include "karpenter/aws/eks_client.hpp"

#include "karpenter/aws/sigv4.hpp"

namespace karpenter::aws {
namespace {

std::string text(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

EksClient::EksClient(const AwsConfig& config, CredentialsProviderPtr credentials,
                     HttpClientPtr http, Clock clock, RetryPolicy retry)
    : json_(JsonClient::Options{.endpoint = config.endpointFor("eks"),
                                .service = "eks",
                                .signingRegion = config.signingRegionFor("eks"),
                                .retry = std::move(retry)},
            std::move(credentials), std::move(http), std::move(clock)) {}

Result<EksCluster> EksClient::describeCluster(const std::string& name) const {
  if (name.empty()) {
    return invalidError("eks DescribeCluster: the cluster name is empty; set CLUSTER_NAME");
  }
  auto reply = json_.callRest("GET", "/clusters/" + uriEncode(name), "DescribeCluster", nullptr);
  if (!reply) {
    return reply.error();
  }
  const auto cluster = reply->find("cluster");
  if (cluster == reply->end() || !cluster->is_object()) {
    return Error{ErrorKind::kUnavailable,
                 "eks DescribeCluster " + name + ": the reply has no cluster: " + reply->dump()};
  }
  EksCluster out;
  out.name = text(*cluster, "name");
  out.arn = text(*cluster, "arn");
  out.status = text(*cluster, "status");
  out.version = text(*cluster, "version");
  out.endpoint = text(*cluster, "endpoint");
  if (auto ca = cluster->find("certificateAuthority"); ca != cluster->end() && ca->is_object()) {
    out.caData = text(*ca, "data");
  }
  if (auto network = cluster->find("kubernetesNetworkConfig");
      network != cluster->end() && network->is_object()) {
    out.ipFamily = text(*network, "ipFamily");
    out.serviceIpv4Cidr = text(*network, "serviceIpv4Cidr");
    out.serviceIpv6Cidr = text(*network, "serviceIpv6Cidr");
  }
  return out;
}

}  // namespace karpenter::aws
