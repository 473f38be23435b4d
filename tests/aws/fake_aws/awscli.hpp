#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace karpenter::aws::testing {

// Runs the Debian `awscli` against a loopback endpoint in a scrubbed environment (no shared
// files, no IMDS, one attempt), so the only configuration is what the test passes.
class AwsCli final {
 public:
  struct Result {
    int exitCode = -1;
    std::string out;
    std::string err;
    nlohmann::json json;  // discarded when stdout is not JSON
  };

  // Finds /usr/bin/aws (the Debian package), else `aws` on PATH; available() is false when
  // neither exists. Makes a private HOME under the temp directory.
  AwsCli(std::string accessKeyId, std::string secretAccessKey);
  ~AwsCli();
  AwsCli(const AwsCli&) = delete;
  AwsCli& operator=(const AwsCli&) = delete;

  bool available() const { return !aws_.empty(); }
  // aws <args> --endpoint-url <endpoint> --region <region> --output json
  Result run(const std::vector<std::string>& args, const std::string& endpoint,
             const std::string& region = "us-east-1") const;

 private:
  std::string aws_;
  std::string accessKeyId_;
  std::string secretAccessKey_;
  std::filesystem::path home_;
};

}  // namespace karpenter::aws::testing
