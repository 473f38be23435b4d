#include "aws_cli.hpp"

#include <atomic>
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

std::string readPipe(FILE* pipe) {
  std::string text;
  char buffer[4096];
  size_t n = 0;
  while (pipe != nullptr && (n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    text.append(buffer, n);
  }
  return text;
}

}  // namespace

AwsCli::AwsCli(std::string endpointUrl, std::string accessKeyId, std::string secretAccessKey)
    : aws_(find()),
      endpointUrl_(std::move(endpointUrl)),
      accessKeyId_(std::move(accessKeyId)),
      secretAccessKey_(std::move(secretAccessKey)) {
  if (aws_.empty()) {
    return;
  }
  // One scratch HOME per instance: awscli writes its caches there.
  static std::atomic<int> counter{0};
  home_ = std::filesystem::temp_directory_path() /
          ("karpenter-awscli-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  std::filesystem::create_directories(home_);
}

AwsCli::~AwsCli() {
  if (!home_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(home_, ignored);
  }
}

std::string AwsCli::find() {
  if (std::filesystem::exists("/usr/bin/aws")) {
    return "/usr/bin/aws";
  }
  FILE* pipe = popen("command -v aws 2>/dev/null", "r");
  std::string path = readPipe(pipe);
  if (pipe != nullptr) {
    pclose(pipe);
  }
  while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) {
    path.pop_back();
  }
  return path;
}

AwsCliResult AwsCli::run(const std::vector<std::string>& args, const std::string& secret) const {
  const std::string errFile = (home_ / "stderr.txt").string();
  std::string command =
      "env -i PATH=/usr/bin:/bin HOME=" + shellQuote(home_.string()) +
      " AWS_ACCESS_KEY_ID=" + shellQuote(accessKeyId_) +
      " AWS_SECRET_ACCESS_KEY=" + shellQuote(secret.empty() ? secretAccessKey_ : secret) +
      " AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent"
      " AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1 " +
      shellQuote(aws_);
  for (const std::string& arg : args) {
    command += " " + shellQuote(arg);
  }
  command += " --endpoint-url " + shellQuote(endpointUrl_) +
             " --region us-east-1 --no-cli-pager --output json 2>" + shellQuote(errFile);
  AwsCliResult result;
  FILE* pipe = popen(command.c_str(), "r");
  result.out = readPipe(pipe);
  const int status = pipe == nullptr ? -1 : pclose(pipe);
  result.exitCode = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.err = karpenter::testing::readFile(errFile);
  result.json = nlohmann::json::parse(result.out, nullptr, false);
  return result;
}

}  // namespace karpenter::aws::testing
