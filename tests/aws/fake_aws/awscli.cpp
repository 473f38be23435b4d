#include "awscli.hpp"

#include <cstdio>
#include <sys/wait.h>
#include <unistd.h>

#include "support/testdata.hpp"

namespace karpenter::aws::testing {
namespace {

std::string shellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return quoted + "'";
}

std::string capture(const std::string& command, int* exitCode) {
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  if (pipe == nullptr) {
    return out;
  }
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    out.append(buffer, n);
  }
  const int status = pclose(pipe);
  if (exitCode != nullptr) {
    *exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return out;
}

std::string locateAws() {
  // The Debian package first: a pip-installed awscli elsewhere on PATH is a different client.
  if (std::filesystem::exists("/usr/bin/aws")) {
    return "/usr/bin/aws";
  }
  std::string path = capture("command -v aws 2>/dev/null", nullptr);
  while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) {
    path.pop_back();
  }
  return path;
}

}  // namespace

AwsCli::AwsCli(std::string accessKeyId, std::string secretAccessKey)
    : aws_(locateAws()),
      accessKeyId_(std::move(accessKeyId)),
      secretAccessKey_(std::move(secretAccessKey)) {
  home_ = std::filesystem::temp_directory_path() /
          ("karpenter-awscli-services-" + std::to_string(::getpid()));
  std::filesystem::create_directories(home_);
}

AwsCli::~AwsCli() {
  std::error_code ignored;
  std::filesystem::remove_all(home_, ignored);
}

AwsCli::Result AwsCli::run(const std::vector<std::string>& args, const std::string& endpoint,
                           const std::string& region) const {
  const std::string errFile = (home_ / "stderr.txt").string();
  // PATH keeps the directory of the aws found, so a pyenv shim can still find its python.
  const std::string dir = std::filesystem::path(aws_).parent_path().string();
  std::string command = "env -i PATH=" + shellQuote(dir + ":/usr/bin:/bin") +
                        " HOME=" + shellQuote(home_.string()) +
                        " AWS_ACCESS_KEY_ID=" + shellQuote(accessKeyId_) +
                        " AWS_SECRET_ACCESS_KEY=" + shellQuote(secretAccessKey_) +
                        " AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent"
                        " AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1 " +
                        shellQuote(aws_);
  for (const std::string& arg : args) {
    command += " " + shellQuote(arg);
  }
  command += " --endpoint-url " + shellQuote(endpoint) + " --region " + shellQuote(region) +
             " --no-cli-pager --output json 2>" + shellQuote(errFile);
  Result result;
  result.out = capture(command, &result.exitCode);
  result.err = karpenter::testing::readFile(errFile);
  result.json = nlohmann::json::parse(result.out, nullptr, false);
  return result;
}

}  // namespace karpenter::aws::testing
