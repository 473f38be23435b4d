#include <csignal>
#include <cstdio>
#include <filesystem>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "karpenter/api/yaml.hpp"
#include "karpenter/kube/client.hpp"
#include "karpenter/kube/config.hpp"

namespace karpenter::cli {
namespace {

// `karpenter apiserver ARGS... --kubeconfig-out <temp file>` in a child process; url() is the
// first line it prints. stop() sends SIGTERM and returns the exit status.
class ApiserverProcess {
 public:
  ApiserverProcess(const std::string& name, std::vector<std::string> args)
      : kubeconfig_(
            (std::filesystem::temp_directory_path() / (name + "-" + std::to_string(getpid())))
                .string()) {
    args.insert(args.begin(), {KARPENTER_BINARY, "apiserver", "--kubeconfig-out", kubeconfig_});
    int out[2];
    if (pipe(out) != 0) {
      return;
    }
    child_ = fork();
    if (child_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      std::vector<char*> argv;
      for (auto& arg : args) {
        argv.push_back(arg.data());
      }
      argv.push_back(nullptr);
      execv(KARPENTER_BINARY, argv.data());
      _exit(127);
    }
    close(out[1]);
    stream_ = fdopen(out[0], "r");
    char line[256] = {};
    if (child_ > 0 && std::fgets(line, sizeof line, stream_) != nullptr) {
      url_ = line;
    }
  }
  ~ApiserverProcess() {
    if (child_ > 0) {
      stop();
    }
    if (stream_ != nullptr) {
      std::fclose(stream_);
    }
    std::filesystem::remove(kubeconfig_);
  }

  const std::string& url() const { return url_; }
  const std::string& kubeconfig() const { return kubeconfig_; }
  int stop() {
    kill(child_, SIGTERM);
    int status = 0;
    waitpid(child_, &status, 0);
    child_ = -1;
    return status;
  }

 private:
  std::string kubeconfig_;
  pid_t child_ = -1;
  std::FILE* stream_ = nullptr;
  std::string url_;
};

// `karpenter apiserver` as a user runs it: preloaded with the example NodePools, reachable
// through the kubeconfig it writes, stopped with SIGTERM.
TEST(ApiserverCommand, ServesPreloadedObjectsThroughItsKubeconfigAndStopsOnSigterm) {
  ApiserverProcess apiserver("karpenter-apiserver", {"--load", std::string(KARPENTER_SOURCE_DIR) +
                                                                   "/examples/nodepools.yaml"});
  ASSERT_FALSE(apiserver.url().empty()) << "the apiserver printed no URL";
  EXPECT_EQ(apiserver.url().rfind("http://127.0.0.1:", 0), 0u) << apiserver.url();

  auto config = kube::loadKubeconfig(apiserver.kubeconfig());
  ASSERT_TRUE(config) << config.error().message;
  kube::HttpKubeClient client(*config, {});
  auto nodePools = client.list({.group = "karpenter.sh", .resource = "nodepools"}, {});
  ASSERT_TRUE(nodePools) << nodePools.error().message;
  auto manifests =
      api::readManifests(std::string(KARPENTER_SOURCE_DIR) + "/examples/nodepools.yaml");
  ASSERT_TRUE(manifests);
  size_t expected = 0;
  for (const auto& object : *manifests) {
    expected += object.value("kind", "") == "NodePool" ? 1 : 0;
  }
  EXPECT_GT(expected, 0u);
  EXPECT_EQ(nodePools->items.size(), expected);

  const int status = apiserver.stop();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// --tls: HTTPS with a generated CA that the written kubeconfig carries as
// certificate-authority-data, so a client verifies the server with nothing else.
TEST(ApiserverCommand, TlsFlagServesHttpsTrustedThroughTheKubeconfig) {
  ApiserverProcess apiserver("karpenter-apiserver-tls", {"--tls"});
  ASSERT_FALSE(apiserver.url().empty()) << "the apiserver printed no URL";
  EXPECT_EQ(apiserver.url().rfind("https://127.0.0.1:", 0), 0u) << apiserver.url();

  auto config = kube::loadKubeconfig(apiserver.kubeconfig());
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_NE(config->caData.find("BEGIN CERTIFICATE"), std::string::npos);
  kube::HttpKubeClient client(*config, {.maxRetries = 0});
  auto pods = client.list({.resource = "pods"}, {});
  EXPECT_TRUE(pods) << pods.error().message;
  kube::RestConfig untrusted = *config;
  untrusted.caData.clear();
  EXPECT_FALSE(kube::HttpKubeClient(untrusted, {.maxRetries = 0}).list({.resource = "pods"}, {}));

  const int status = apiserver.stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace karpenter::cli
