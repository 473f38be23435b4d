// `karpenter controller` exits non-zero, with a log line saying why, when another holder takes
// its leader Lease (upstream's controller-runtime exits so that the Deployment restarts it).
// Runs against the in-repo apiserver or $KUBECONFIG's cluster; the Lease is deleted after.
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "karpenter/kube/leader_election.hpp"
#include "support/test_apiserver.hpp"

namespace karpenter::kube {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const ResourceRef kLease{.group = "coordination.k8s.io",
                         .resource = "leases",
                         .nameSpace = "default",
                         .name = "karpenter-leader-election"};

TEST(ControllerLeadershipIntegrationTest, ExitsNonZeroWhenTheLeaseIsTakenAway) {
  testing::TestApiserver apiserver;
  ASSERT_TRUE(apiserver.ok());
  auto client = apiserver.client();
  (void)client->remove(kLease, {});
  const auto dir = std::filesystem::temp_directory_path() /
                   ("karpenter-leadership-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string kubeconfig = apiserver.kubeconfigFile((dir / "kubeconfig").string());
  const std::string log = (dir / "controller.log").string();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    execl(KARPENTER_BINARY, KARPENTER_BINARY, "controller", "--kubeconfig", kubeconfig.c_str(),
          "--disable-webhook", "--disable-extender", "--metrics-port", "0", "--health-probe-port",
          "0", "--leader-election-namespace", "default", "--log-format", "text",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  auto reap = [&](int* status) { return waitpid(child, status, WNOHANG) == child; };

  // It takes the lease.
  ASSERT_TRUE(testing::eventually([&] {
    auto lease = client->get(kLease);
    return lease && !(*lease)["spec"].value("holderIdentity", "").empty();
  }));
  // Another holder takes it over (as a replica would after a partition).
  ASSERT_TRUE(testing::eventually([&] {
    auto lease = client->get(kLease);
    if (!lease) {
      return false;
    }
    json stolen = *lease;
    const std::string now = formatMicroTime(std::chrono::system_clock::now());
    stolen["spec"]["holderIdentity"] = "another-replica";
    stolen["spec"]["leaseDurationSeconds"] = 3600;
    stolen["spec"]["acquireTime"] = now;
    stolen["spec"]["renewTime"] = now;
    return client->update(kLease, stolen).ok();
  }));
  int status = 0;
  const bool exited = testing::eventually([&] { return reap(&status); }, 40s);
  if (!exited) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
  }
  std::stringstream output;
  output << std::ifstream(log).rdbuf();
  (void)client->remove(kLease, {});
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(exited) << "still running after losing the lease:\n" << output.str();
  ASSERT_TRUE(WIFEXITED(status)) << output.str();
  EXPECT_EQ(WEXITSTATUS(status), 1) << output.str();
  EXPECT_NE(output.str().find("leader election lost"), std::string::npos) << output.str();
}

}  // namespace
}  // namespace karpenter::kube
