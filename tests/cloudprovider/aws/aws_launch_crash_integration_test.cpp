// No instance leaks when the controller dies between CreateFleet and the NodeClaim's status
// update. `karpenter controller --cloud-provider aws` runs as its own process against the test
// apiserver and the test AWS endpoints; the test EC2 launches the instance but holds the
// CreateFleet answer, and the process is SIGKILLed meanwhile — the NodeClaim records no
// providerID, while EC2 has an instance tagged as Karpenter's and with the NodeClaim's name.
// The controllers then start again (in this process, with test timings): the NodeClaim is
// launched anew and its pod runs, and garbage collection terminates the first instance after its
// grace period while leaving the one the NodeClaim owns alone.

#include <fcntl.h>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "aws/fake_aws/fake_eks.hpp"
#include "aws_controller_loop.hpp"
#include "server/tls_fixture.hpp"

extern char** environ;

namespace karpenter::cloudprovider::aws::testing {
namespace {

class AwsLaunchCrash : public AwsControllerLoop {
 protected:
  void SetUp() override {
    AwsControllerLoop::SetUp();
    if (IsSkipped()) {
      return;
    }
    eks_.addCluster(kLoopClusterName, kLoopKubernetesVersion);
  }

  void TearDown() override {
    killController();
    AwsControllerLoop::TearDown();
  }

  // Starts `karpenter controller` on the AWS provider; its output goes to a file.
  void spawnController() {
    const std::string kubeconfig = dir_.file("kubeconfig");
    std::ofstream(kubeconfig) << "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n"
                                 "  cluster:\n    server: "
                              << apiserver_.config().server
                              << "\nusers:\n- name: u\n  user: {}\ncontexts:\n- name: x\n"
                                 "  context: {cluster: c, user: u}\ncurrent-context: x\n";
    // Built before fork(): the child only execs.
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      env.emplace_back(*e);
    }
    for (const auto& [name, value] : awsEndpoints()) {
      env.push_back(name + "=" + value);
    }
    env.push_back("AWS_ENDPOINT_URL_EKS=" + eks_.url());
    std::vector<std::string> args = {KARPENTER_BINARY,
                                     "controller",
                                     "--kubeconfig",
                                     kubeconfig,
                                     "--disable-webhook",
                                     "--disable-extender",
                                     "--metrics-port",
                                     "0",
                                     "--health-probe-port",
                                     "0",
                                     "--disable-leader-election",
                                     "--cloud-provider",
                                     "aws",
                                     "--cluster-name",
                                     kLoopClusterName,
                                     "--cluster-endpoint",
                                     "https://test-cluster.example",
                                     "--isolated-vpc",
                                     "--batch-idle-duration",
                                     "100ms",
                                     "--batch-max-duration",
                                     "500ms",
                                     "--log-format",
                                     "text"};
    std::vector<char*> argv;
    for (auto& arg : args) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& entry : env) {
      envp.push_back(entry.data());
    }
    envp.push_back(nullptr);
    const std::string log = logPath();
    child_ = fork();
    ASSERT_GE(child_, 0);
    if (child_ == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      execve(KARPENTER_BINARY, argv.data(), envp.data());
      _exit(127);
    }
  }

  void killController() {
    if (child_ > 0) {
      kill(child_, SIGKILL);
      waitpid(child_, nullptr, 0);
      child_ = -1;
    }
  }

  std::string logPath() { return dir_.file("controller.log"); }

  std::string controllerLog() {
    std::stringstream output;
    output << std::ifstream(logPath()).rdbuf();
    return output.str();
  }

  karpenter::testing::TempDir dir_;
  karpenter::aws::testing::FakeEks eks_;
  pid_t child_ = -1;
};

TEST_F(AwsLaunchCrash, TheInstanceOfAKilledLaunchIsCollectedAndTheRelaunchedOneKept) {
  create(kNodeClasses, discoveredNodeClass("default"));
  create(kNodePools, controllers::test::nodePool("general"));
  createPod(controllers::test::pendingPod("web", "500m"));
  account_.ec2.holdCreateFleetAnswers();
  spawnController();
  ASSERT_TRUE(eventually([&] { return !account_.ec2.instances().empty(); }, 60s))
      << controllerLog();
  killController();  // CreateFleet launched, its answer not yet received
  account_.ec2.releaseCreateFleetAnswers();

  ASSERT_EQ(account_.ec2.instances().size(), 1u);
  const auto leaked = account_.ec2.instances().front();
  const json claims = list(kNodeClaims);
  ASSERT_EQ(claims.size(), 1u) << claims.dump(2);
  const std::string claimName = claims[0]["metadata"]["name"];
  ASSERT_EQ(claims[0].value("status", json::object()).value("providerID", ""), "")
      << "the killed process wrote the status";
  EXPECT_EQ(leaked.tags.at("karpenter.sh/nodeclaim"), claimName);
  EXPECT_EQ(leaked.tags.at("karpenter.sh/nodepool"), "general");
  EXPECT_EQ(leaked.tags.at("kubernetes.io/cluster/" + std::string(kLoopClusterName)), "owned");

  // The restart. Test timings: garbage collection every 200 ms with a 1 s orphan grace.
  startAws();
  ASSERT_TRUE(eventually([&] { return runningPods() == 1; }, 60s)) << list(kNodeClaims).dump(2);
  const auto owner = launched();
  ASSERT_TRUE(owner.count(claimName)) << list(kNodeClaims).dump(2);
  const std::string relaunchedId = instanceIdOf(owner.at(claimName));
  EXPECT_NE(relaunchedId, leaked.id);
  ASSERT_TRUE(eventually([&] {
    const auto now = instance(leaked.id);
    return now && !live(*now);
  })) << "instance "
      << leaked.id << " leaked";

  // Every instance left is one a NodeClaim names, and it keeps running through more passes.
  std::this_thread::sleep_for(1500ms);
  const auto owned = launched();
  for (const auto& i : account_.ec2.instances()) {
    if (!live(i)) {
      continue;
    }
    bool named = false;
    for (const auto& [name, providerID] : owned) {
      named = named || providerID == providerIdOf(i);
    }
    EXPECT_TRUE(named) << i.id << " runs without a NodeClaim";
  }
  const auto relaunched = instance(relaunchedId);
  ASSERT_TRUE(relaunched);
  EXPECT_TRUE(live(*relaunched));
  EXPECT_EQ(runningPods(), 1u);
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws::testing
