#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace karpenter::aws::testing {

// What one awscli invocation printed: exit code, stdout, stderr and stdout parsed as JSON
// (discarded when it is not JSON, e.g. after an error).
struct AwsCliResult {
  int exitCode = -1;
  std::string out;
  std::string err;
  nlohmann::json json;
};

// Drives the Debian `awscli` package (an independent SigV4 signer, serializer and parser)
// against a test endpoint, in a clean environment: static credentials only, no config files,
// no IMDS, one attempt, JSON output. Fidelity tests use it to check a fake answers as AWS does.
class AwsCli final {
 public:
  AwsCli(std::string endpointUrl, std::string accessKeyId, std::string secretAccessKey);
  ~AwsCli();  // removes the scratch HOME
  AwsCli(const AwsCli&) = delete;
  AwsCli& operator=(const AwsCli&) = delete;

  // The installed awscli: /usr/bin/aws (the Debian package) before any other `aws` on PATH,
  // which may be a different (pip-installed) client. Empty when none is installed.
  static std::string find();

  bool available() const { return !aws_.empty(); }

  // Runs `aws <args> --endpoint-url <endpoint> --region us-east-1 --output json`; `secret`
  // replaces the secret key when not empty (to provoke a signature error).
  AwsCliResult run(const std::vector<std::string>& args, const std::string& secret = "") const;

 private:
  std::string aws_;
  std::string endpointUrl_;
  std::string accessKeyId_;
  std::string secretAccessKey_;
  std::filesystem::path home_;
};

}  // namespace karpenter::aws::testing
