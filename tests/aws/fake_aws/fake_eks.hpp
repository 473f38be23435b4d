#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "aws/fake_ec2/loopback_server.hpp"
#include "aws/fake_ec2/wire.hpp"

namespace karpenter::aws::testing {

// A test EKS endpoint speaking restJson1 as EKS does: GET /clusters/<name> replies
// {"cluster":{name, arn, version, endpoint, certificateAuthority{data},
// kubernetesNetworkConfig{serviceIpv4Cidr, ipFamily}, status, …}}; an unknown cluster is HTTP 404
// with x-amzn-ErrorType ResourceNotFoundException. Verifies the SigV4 signature (service
// "eks") of every request. DescribeCluster only.
// Thread safety: every public method may be called from any thread (one mutex).
class FakeEks final {
 public:
  struct Options {
    std::string accessKeyId = "AKIDFAKEEC2EXAMPLE";
    std::string secretAccessKey = "fakeEc2Secret/K7MDENG+bPxRfiCYEXAMPLEKEY";
    std::string region = "us-east-1";
  };

  FakeEks();
  explicit FakeEks(Options options);
  ~FakeEks();

  std::string url() const;
  const Options& options() const { return options_; }
  LoopbackResponse handle(const LoopbackRequest& request);

  // An ACTIVE IPv4 cluster with this Kubernetes version and service CIDR.
  void addCluster(const std::string& name, const std::string& version,
                  const std::string& serviceIpv4Cidr = "10.100.0.0/16");
  // The "cluster" object the fake answers with, for tests to compare against.
  nlohmann::json cluster(const std::string& name) const;
  int describeCalls() const;
  int rejectedSignatures() const;

 private:
  Options options_;
  mutable std::mutex mutex_;
  std::map<std::string, nlohmann::json> clusters_;
  int describeCalls_ = 0;
  int rejectedSignatures_ = 0;
  uint64_t counter_ = 0;
  std::unique_ptr<LoopbackServer> server_;
};

}  // namespace karpenter::aws::testing
