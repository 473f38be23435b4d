#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aws/fake_ec2/loopback_server.hpp"
#include "aws/fake_ec2/wire.hpp"

namespace karpenter::aws::testing {

// A test SSM endpoint speaking awsJson1.1 as AWS does: POST / with
// X-Amz-Target: AmazonSSM.<Op> and Content-Type application/x-amz-json-1.1, replies
// {"Parameter":{...}} and errors {"__type":"ParameterNotFound","message":...} (HTTP 400).
// Verifies the SigV4 signature (service "ssm") of every request. GetParameter only.
// Thread safety: every public method may be called from any thread (one mutex).
class FakeSsm final {
 public:
  struct Options {
    std::string accessKeyId = "AKIDFAKEEC2EXAMPLE";
    std::string secretAccessKey = "fakeEc2Secret/K7MDENG+bPxRfiCYEXAMPLEKEY";
    std::string region = "us-east-1";
  };

  FakeSsm();
  explicit FakeSsm(Options options);
  ~FakeSsm();

  std::string url() const;
  const Options& options() const { return options_; }
  LoopbackResponse handle(const LoopbackRequest& request);

  // Adds or replaces a parameter (its Version goes up by one on each replacement).
  void putParameter(const std::string& name, const std::string& value,
                    const std::string& dataType = "text");
  void deleteParameter(const std::string& name);
  // The next n signed requests fail with ThrottlingException (HTTP 400, as SSM sends it).
  void throttleNextRequests(int n);

  // Names asked for by GetParameter, oldest first.
  std::vector<std::string> requestedNames() const;
  int rejectedSignatures() const;

 private:
  struct Parameter {
    std::string value;
    std::string dataType;
    int64_t version = 0;
  };

  Options options_;
  mutable std::mutex mutex_;
  std::map<std::string, Parameter> parameters_;
  std::vector<std::string> requested_;
  int throttleCount_ = 0;
  int rejectedSignatures_ = 0;
  uint64_t requestCounter_ = 0;
  std::unique_ptr<LoopbackServer> server_;
};

}  // namespace karpenter::aws::testing
