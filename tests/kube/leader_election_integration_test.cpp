// Lease leader election against the in-repo apiserver (or $KUBECONFIG's cluster): electors in
// this process, and two elector processes with one of them SIGKILLed. Leases are deleted after.
#include <atomic>
#include <chrono>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "karpenter/kube/leader_election.hpp"
#include "support/test_apiserver.hpp"

namespace karpenter::kube {
namespace {

using namespace std::chrono_literals;
using testing::eventually;

constexpr auto kLease = 2000ms;
constexpr auto kRenew = 1500ms;
constexpr auto kRetry = 300ms;

class LeaderElectionIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(apiserver_.ok());
    client_ = apiserver_.client({.maxRetries = 0, .requestTimeout = 500ms});
    lease_ = "leader-it-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (auto& c : lease_) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  void TearDown() override {
    (void)client_->remove({.group = "coordination.k8s.io",
                           .resource = "leases",
                           .nameSpace = "default",
                           .name = lease_},
                          {});
  }

  LeaderElectionConfig config(const std::string& identity) const {
    return {.identity = identity,
            .leaseName = lease_,
            .leaseNamespace = "default",
            .leaseDuration = kLease,
            .renewDeadline = kRenew,
            .retryPeriod = kRetry};
  }

  nlohmann::json leaseSpec() {
    auto lease = client_->get({.group = "coordination.k8s.io",
                               .resource = "leases",
                               .nameSpace = "default",
                               .name = lease_});
    return lease ? (*lease)["spec"] : nlohmann::json();
  }

  testing::TestApiserver apiserver_;
  std::unique_ptr<HttpKubeClient> client_;
  std::string lease_;
};

TEST(LeaderElectionConfigTest, RejectsDurationsClientGoRejects) {
  LeaderElectionConfig ok{.identity = "a"};
  EXPECT_TRUE(validate(ok).ok());
  EXPECT_FALSE(validate({.identity = ""}).ok());
  EXPECT_FALSE(validate({.identity = "a", .leaseDuration = 10s, .renewDeadline = 10s}).ok());
  EXPECT_FALSE(validate({.identity = "a", .renewDeadline = 2s, .retryPeriod = 2s}).ok());
  EXPECT_EQ(formatMicroTime(std::chrono::system_clock::time_point(1'700'000'000'123'456us)),
            "2023-11-14T22:13:20.123456Z");
}

TEST_F(LeaderElectionIntegrationTest, AnotherHoldersLeaseIsRespectedUntilItStopsChanging) {
  auto clock = std::chrono::system_clock::now();
  auto now = [&] { return clock; };
  LeaderElector a(*client_, config("a"), {}, now);
  LeaderElector b(*client_, config("b"), {}, now);
  ASSERT_TRUE(a.tryAcquireOrRenew());
  EXPECT_EQ(leaseSpec()["holderIdentity"], "a");
  EXPECT_EQ(leaseSpec()["leaseDurationSeconds"], 2);
  EXPECT_FALSE(b.tryAcquireOrRenew()) << "b first sees a's lease now";
  clock += 1900ms;
  EXPECT_FALSE(b.tryAcquireOrRenew()) << "unchanged for 1.9 s < 2 s";
  clock += 200ms;
  EXPECT_TRUE(b.tryAcquireOrRenew()) << "unchanged for 2.1 s: expired";
  auto spec = leaseSpec();
  EXPECT_EQ(spec["holderIdentity"], "b");
  EXPECT_EQ(spec["leaseTransitions"], 1);
  EXPECT_EQ(spec["acquireTime"], spec["renewTime"]);
  // a now sees b's fresh record and must wait a full duration again.
  EXPECT_FALSE(a.tryAcquireOrRenew());
  clock += 1s;
  EXPECT_TRUE(b.tryAcquireOrRenew()) << "the holder renews";
  EXPECT_EQ(leaseSpec()["leaseTransitions"], 1) << "a renewal is not a transition";
  EXPECT_NE(leaseSpec()["renewTime"], spec["renewTime"]);
  EXPECT_EQ(leaseSpec()["acquireTime"], spec["acquireTime"]);
}

TEST_F(LeaderElectionIntegrationTest, OneOfTwoLeadsAndAGracefulStopHandsOverAtOnce) {
  std::atomic<int> leading{0};
  std::atomic<int> aLed{0}, bLed{0};
  auto callbacks = [&](std::atomic<int>& led) {
    return LeaderCallbacks{.onStartedLeading =
                               [&] {
                                 ++leading;
                                 ++led;
                               },
                           .onStoppedLeading = [&] { --leading; }};
  };
  LeaderElector a(*client_, config("a"), callbacks(aLed));
  LeaderElector b(*client_, config("b"), callbacks(bLed));
  std::thread ta([&] { a.run(); });
  std::thread tb([&] { b.run(); });
  ASSERT_TRUE(eventually([&] { return leading == 1; }, 10s));
  std::this_thread::sleep_for(3 * kRetry);
  EXPECT_EQ(leading, 1) << "exactly one leader";
  const bool aWon = a.isLeader();
  LeaderElector& winner = aWon ? a : b;
  LeaderElector& other = aWon ? b : a;
  const std::string winnerName = aWon ? "a" : "b";
  const auto stoppedAt = std::chrono::steady_clock::now();
  winner.stop();
  (aWon ? ta : tb).join();
  EXPECT_EQ(aWon ? aLed : bLed, 1);
  ASSERT_TRUE(eventually([&] { return other.isLeader(); }, 10s));
  // Released (holder "", duration 1 s): the other takes over without waiting out 2 s.
  EXPECT_LT(std::chrono::steady_clock::now() - stoppedAt, kLease + 2 * kRetry);
  EXPECT_NE(leaseSpec()["holderIdentity"], winnerName);
  EXPECT_EQ(leaseSpec()["leaseTransitions"], 1);
  other.stop();
  if (ta.joinable()) {
    ta.join();
  }
  if (tb.joinable()) {
    tb.join();
  }
  EXPECT_EQ(leaseSpec()["holderIdentity"], "") << "released on stop";
}

TEST_F(LeaderElectionIntegrationTest, StopsLeadingWhenRenewalsFailUntilTheRenewDeadline) {
  if (!apiserver_.inRepo()) {
    GTEST_SKIP() << "needs to take the apiserver away (in-repo apiserver only)";
  }
  std::atomic<bool> leading{false};
  std::atomic<bool> stopped{false};
  LeaderElector a(
      *client_, config("a"),
      {.onStartedLeading = [&] { leading = true; }, .onStoppedLeading = [&] { stopped = true; }});
  std::thread runner([&] { a.run(); });
  ASSERT_TRUE(eventually([&] { return leading.load(); }, 10s));
  const auto cutAt = std::chrono::steady_clock::now();
  apiserver_.stopServer();  // every renewal now fails
  ASSERT_TRUE(eventually([&] { return stopped.load(); }, 10s));
  const auto after = std::chrono::steady_clock::now() - cutAt;
  EXPECT_FALSE(a.isLeader());
  // It gave up before the lease could expire for anyone else: within renewDeadline of its last
  // renewal (plus the retry wait that preceded the failing round), well before leaseDuration.
  EXPECT_GE(after, kRenew - kRetry);
  EXPECT_LT(after, kRenew + kRetry + 1s);
  runner.join();
  ASSERT_TRUE(apiserver_.restartServer());
}

// A child elector process whose stdout we read line by line.
class ElectorProcess {
 public:
  ElectorProcess(const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe(fds) != 0) {
      return;
    }
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      std::vector<char*> argv;
      for (const auto& arg : args) {
        argv.push_back(const_cast<char*>(arg.c_str()));
      }
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    fd_ = fds[0];
  }
  ~ElectorProcess() {
    kill(SIGKILL);
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  void kill(int signal) {
    if (pid_ > 0) {
      ::kill(pid_, signal);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  // Reads whatever output is available within `timeout`; returns everything read so far.
  const std::string& poll(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (fd_ >= 0 && ::poll(&p, 1, static_cast<int>(timeout.count())) > 0) {
      char buffer[256];
      const ssize_t n = ::read(fd_, buffer, sizeof(buffer));
      if (n > 0) {
        output_.append(buffer, static_cast<size_t>(n));
      }
    }
    return output_;
  }
  bool leading() const { return output_.find("leading") != std::string::npos; }
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string output_;
};

TEST_F(LeaderElectionIntegrationTest, TwoProcessesElectOneLeaderAndFailOverAfterTheLeaderIsKilled) {
  auto args = [&](const std::string& identity) {
    std::vector<std::string> out = {KARPENTER_LEADER_ELECTOR_BIN,
                                    "--identity",
                                    identity,
                                    "--name",
                                    lease_,
                                    "--namespace",
                                    "default",
                                    "--lease-ms",
                                    std::to_string(kLease.count()),
                                    "--renew-ms",
                                    std::to_string(kRenew.count()),
                                    "--retry-ms",
                                    std::to_string(kRetry.count())};
    if (apiserver_.kubeconfigPath().empty()) {
      out.insert(out.end(), {"--server", apiserver_.config().server});
    } else {
      out.insert(out.end(), {"--kubeconfig", apiserver_.kubeconfigPath()});
    }
    return out;
  };
  ElectorProcess first(args("proc-1"));
  ElectorProcess second(args("proc-2"));
  auto pump = [&](std::chrono::milliseconds budget, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + budget;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      if (first.running()) {
        first.poll(10ms);
      }
      if (second.running()) {
        second.poll(10ms);
      }
    }
    return done();
  };
  ASSERT_TRUE(pump(15s, [&] { return first.leading() || second.leading(); }));
  // Give the loser several retry periods to (wrongly) lead too.
  pump(4 * kRetry, [] { return false; });
  ASSERT_NE(first.leading(), second.leading()) << "exactly one process leads";
  ElectorProcess& leader = first.leading() ? first : second;
  ElectorProcess& follower = first.leading() ? second : first;
  const std::string followerId = first.leading() ? "proc-2" : "proc-1";

  const auto killedAt = std::chrono::steady_clock::now();
  leader.kill(SIGKILL);  // no release: the follower must wait the lease out
  ASSERT_TRUE(pump(20s, [&] { return follower.leading(); })) << "the follower never took over";
  const auto takeover = std::chrono::steady_clock::now() - killedAt;
  // Safety: the lease may not be taken while it could still be renewed — not before it has
  // been unchanged for leaseDuration, and its last renewal was at most one retryPeriod before
  // the kill.
  EXPECT_GE(takeover, kLease - kRetry - 100ms);
  // Liveness: once expired, the follower's next jittered retry (≤ 2.2 × retryPeriod) takes it;
  // the follower may have first seen the last renewal one retry after the kill.
  EXPECT_LE(takeover, kLease + 2 * (kRetry * 22 / 10) + 1s)
      << "took " << std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count()
      << " ms";
  std::printf("failover after SIGKILL took %lld ms\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count()));
  auto spec = leaseSpec();
  EXPECT_EQ(spec["holderIdentity"], followerId);
  EXPECT_EQ(spec["leaseTransitions"], 1);
  follower.kill(SIGTERM);
}

}  // namespace
}  // namespace karpenter::kube
