#include <csignal>
#include <cstdio>
#include <filesystem>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "karpenter/api/yaml.hpp"
#include "karpenter/kube/client.hpp"
#include "karpenter/kube/config.hpp"

namespace karpenter::cli {
namespace {

// `karpenter apiserver` as a user runs it: preloaded with the example NodePools, reachable
// through the kubeconfig it writes, stopped with SIGTERM.
TEST(ApiserverCommand, ServesPreloadedObjectsThroughItsKubeconfigAndStopsOnSigterm) {
  const std::string kubeconfig =
      (std::filesystem::temp_directory_path() / ("karpenter-apiserver-" + std::to_string(getpid())))
          .string();
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    const std::string examples = std::string(KARPENTER_SOURCE_DIR) + "/examples/nodepools.yaml";
    execl(KARPENTER_BINARY, KARPENTER_BINARY, "apiserver", "--kubeconfig-out", kubeconfig.c_str(),
          "--load", examples.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::FILE* stream = fdopen(out[0], "r");
  char line[256] = {};
  ASSERT_NE(std::fgets(line, sizeof line, stream), nullptr) << "the apiserver printed no URL";
  EXPECT_EQ(std::string(line).rfind("http://127.0.0.1:", 0), 0u) << line;

  auto config = kube::loadKubeconfig(kubeconfig);
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

  kill(child, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::fclose(stream);
  std::filesystem::remove(kubeconfig);
}

// --tls: HTTPS with a generated CA that the written kubeconfig carries as
// certificate-authority-data, so a client verifies the server with nothing else.
TEST(ApiserverCommand, TlsFlagServesHttpsTrustedThroughTheKubeconfig) {
  const std::string kubeconfig = (std::filesystem::temp_directory_path() /
                                  ("karpenter-apiserver-tls-" + std::to_string(getpid())))
                                     .string();
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    execl(KARPENTER_BINARY, KARPENTER_BINARY, "apiserver", "--tls", "--kubeconfig-out",
          kubeconfig.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::FILE* stream = fdopen(out[0], "r");
  char line[256] = {};
  ASSERT_NE(std::fgets(line, sizeof line, stream), nullptr) << "the apiserver printed no URL";
  EXPECT_EQ(std::string(line).rfind("https://127.0.0.1:", 0), 0u) << line;

  auto config = kube::loadKubeconfig(kubeconfig);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_NE(config->caData.find("BEGIN CERTIFICATE"), std::string::npos);
  kube::HttpKubeClient client(*config, {.maxRetries = 0});
  auto pods = client.list({.resource = "pods"}, {});
  EXPECT_TRUE(pods) << pods.error().message;
  kube::RestConfig untrusted = *config;
  untrusted.caData.clear();
  EXPECT_FALSE(kube::HttpKubeClient(untrusted, {.maxRetries = 0}).list({.resource = "pods"}, {}));

  kill(child, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::fclose(stream);
  std::filesystem::remove(kubeconfig);
}

}  // namespace
}  // namespace karpenter::cli
