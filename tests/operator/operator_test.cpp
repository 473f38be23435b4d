#include "karpenter/operator/operator.hpp"

#include <csignal>
#include <cstdio>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "karpenter/metrics/registry.hpp"
#include "server/tls_fixture.hpp"
#include "support/plain_http.hpp"

namespace karpenter::op {
namespace {

using testing::plainGet;
using testing::TempDir;
namespace beast = testing::beast;
namespace http = testing::http;
namespace net = testing::net;
using tcp = testing::tcp;

class OperatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::makeCa(dir_, "ca"));
    ASSERT_TRUE(testing::makeLeaf(dir_, "server", "ca"));
    options_.bindAddress = "127.0.0.1";
    options_.webhookPort = 0;
    options_.metricsPort = 0;
    options_.healthProbePort = 0;
    options_.tlsCertFile = dir_.file("server.crt");
    options_.tlsKeyFile = dir_.file("server.key");
    options_.shutdownGrace = std::chrono::milliseconds(500);
  }

  TempDir dir_;
  OperatorOptions options_;
};

TEST_F(OperatorTest, ServesProbesMetricsAndTheExtenderOnTheirPorts) {
  Operator karpenter(options_);
  ASSERT_TRUE(karpenter.start());
  EXPECT_EQ(plainGet(karpenter.healthProbePort(), "/healthz").status, 200);
  EXPECT_EQ(plainGet(karpenter.healthProbePort(), "/readyz").status, 200);
  // The probes are not on the metrics port and vice versa.
  EXPECT_EQ(plainGet(karpenter.metricsPort(), "/healthz").status, 404);
  EXPECT_EQ(plainGet(karpenter.healthProbePort(), "/metrics").status, 404);

  metrics::defaultRegistry()
      .counter("karpenter_operator_test_total", "a counter this test sets")
      .with()
      .inc(2);
  auto scraped = plainGet(karpenter.metricsPort(), "/metrics");
  EXPECT_EQ(scraped.status, 200);
  EXPECT_EQ(scraped.contentType, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(scraped.body.find("karpenter_operator_test_total 2\n"), std::string::npos);

  auto context = testing::clientContext(dir_.file("ca.crt"));
  testing::TlsClient client(context, karpenter.webhookPort());
  ASSERT_FALSE(client.error()) << client.stage() << ": " << client.error().message();
  auto reply = client.send(http::verb::post, "/scheduler/filter", R"({"Pod":{},"NodeNames":[]})");
  ASSERT_TRUE(reply.response) << reply.stage << ": " << reply.error.message();
  // No cluster state yet: kube-scheduler sees an error from an ignorable extender.
  EXPECT_EQ(reply.response->result_int(), 503);
  karpenter.stop();
}

TEST_F(OperatorTest, RefusesToStartWithoutCertificatesUnlessHttpsIsDisabled) {
  options_.tlsCertFile.clear();
  Operator withoutCerts(options_);
  auto started = withoutCerts.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("--tls-cert-file"), std::string::npos);

  options_.disableWebhook = true;
  options_.disableExtender = true;
  Operator plainOnly(options_);
  ASSERT_TRUE(plainOnly.start());
  EXPECT_EQ(plainOnly.webhookPort(), 0);
  EXPECT_EQ(plainGet(plainOnly.healthProbePort(), "/healthz").status, 200);
}

TEST_F(OperatorTest, PortInUseNamesTheFlag) {
  Operator first(options_);
  ASSERT_TRUE(first.start());
  options_.metricsPort = first.metricsPort();
  Operator second(options_);
  auto started = second.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("--metrics-port"), std::string::npos);
}

// The binary: flags from the environment, SIGTERM → graceful exit 0.
TEST_F(OperatorTest, ControllerCommandExitsZeroOnSigterm) {
  const std::string log = dir_.file("controller.log");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    setenv("WEBHOOK_PORT", "0", 1);
    setenv("METRICS_PORT", "0", 1);
    setenv("HEALTH_PROBE_PORT", "0", 1);
    setenv("BIND_ADDRESS", "127.0.0.1", 1);
    setenv("TLS_CERT_FILE", options_.tlsCertFile.c_str(), 1);
    setenv("TLS_KEY_FILE", options_.tlsKeyFile.c_str(), 1);
    std::freopen(log.c_str(), "w", stdout);
    execl(KARPENTER_BINARY, KARPENTER_BINARY, "controller", "--log-format", "json",
          "--disable-leader-election", static_cast<char*>(nullptr));
    _exit(127);
  }
  std::string output;
  for (int i = 0; i < 100 && output.find("karpenter serving") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::FILE* file = std::fopen(log.c_str(), "r");
    if (file != nullptr) {
      char buffer[4096];
      const size_t n = std::fread(buffer, 1, sizeof buffer, file);
      output.assign(buffer, n);
      std::fclose(file);
    }
  }
  ASSERT_NE(output.find(R"("level":"info")"), std::string::npos) << output;
  kill(child, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(ControllerCommand, RejectsABadDurationNamingTheFlag) {
  const std::string command =
      std::string(KARPENTER_BINARY) + " controller --batch-idle-duration 1d 2>&1";
  std::FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[1024];
  std::string output;
  while (const size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) {
    output.append(buffer, n);
  }
  const int status = pclose(pipe);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_NE(output.find("--batch-idle-duration"), std::string::npos) << output;
}

}  // namespace
}  // namespace karpenter::op
