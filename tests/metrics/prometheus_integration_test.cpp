// A real Prometheus (the Debian package) scrapes `karpenter controller`'s metrics port and
// answers a PromQL query with what the product exported: proof that the exposition format is
// what Prometheus parses, names, labels and histograms included.

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/asio.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "karpenter/metrics/registry.hpp"
#include "karpenter/operator/operator.hpp"
#include "server/tls_fixture.hpp"
#include "support/plain_http.hpp"

namespace karpenter::metrics {
namespace {

const char* kPrometheus = "/usr/bin/prometheus";

uint16_t freePort() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

// PromQL over the HTTP API; the parsed JSON reply, or null while Prometheus is not answering.
nlohmann::json query(uint16_t port, const std::string& promql) {
  std::string escaped;
  for (char c : promql) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      escaped += c;
    } else {
      char buffer[4];
      std::snprintf(buffer, sizeof buffer, "%%%02X", static_cast<unsigned char>(c));
      escaped += buffer;
    }
  }
  auto reply = testing::plainGet(port, "/api/v1/query?query=" + escaped);
  if (reply.status != 200) {
    return nullptr;
  }
  return nlohmann::json::parse(reply.body, nullptr, false);
}

TEST(PrometheusIntegration, ScrapesAndQueriesTheControllersMetrics) {
  if (!std::filesystem::exists(kPrometheus)) {
    GTEST_SKIP() << "Debian package prometheus is not installed (./dev.sh test installs it)";
  }
  op::OperatorOptions options;
  options.bindAddress = "127.0.0.1";
  options.webhookPort = options.metricsPort = options.healthProbePort = 0;
  options.disableWebhook = options.disableExtender = true;
  op::Operator karpenter(options);
  ASSERT_TRUE(karpenter.start());
  auto& created = defaultRegistry().counter("karpenter_nodeclaims_created_total",
                                            "Number of nodeclaims created", {"nodepool", "reason"});
  created.with({"default", "provisioning"}).inc(3);
  auto& duration = defaultRegistry().histogram("karpenter_provisioner_scheduling_duration_seconds",
                                               "Duration of scheduling simulations");
  duration.with().observe(0.2);
  duration.with().observe(0.3);

  testing::TempDir dir;
  const uint16_t prometheusPort = freePort();
  std::ofstream(dir.file("prometheus.yml"))
      << "global:\n  scrape_interval: 1s\nscrape_configs:\n- job_name: karpenter\n"
         "  static_configs:\n  - targets: ['127.0.0.1:"
      << karpenter.metricsPort() << "']\n";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string config = "--config.file=" + dir.file("prometheus.yml");
    const std::string storage = "--storage.tsdb.path=" + dir.file("data");
    const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(prometheusPort);
    std::freopen(dir.file("prometheus.log").c_str(), "w", stderr);
    execl(kPrometheus, kPrometheus, config.c_str(), storage.c_str(), listen.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }

  nlohmann::json counter;
  nlohmann::json count;
  for (int attempt = 0; attempt < 600; ++attempt) {  // the first scrape comes within seconds
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    counter = query(prometheusPort, R"(karpenter_nodeclaims_created_total{nodepool="default"})");
    count = query(prometheusPort, "karpenter_provisioner_scheduling_duration_seconds_count");
    if (counter.is_object() && !counter["data"]["result"].empty() && count.is_object() &&
        !count["data"]["result"].empty()) {
      break;
    }
  }
  kill(child, SIGTERM);
  waitpid(child, nullptr, 0);

  ASSERT_TRUE(counter.is_object()) << "Prometheus never answered; see its log";
  ASSERT_EQ(counter["data"]["result"].size(), 1u) << counter.dump();
  const auto& series = counter["data"]["result"][0];
  EXPECT_EQ(series["metric"]["reason"], "provisioning");
  EXPECT_EQ(series["metric"]["job"], "karpenter");
  EXPECT_EQ(series["value"][1], "3");
  ASSERT_EQ(count["data"]["result"].size(), 1u) << count.dump();
  EXPECT_EQ(count["data"]["result"][0]["value"][1], "2");
}

}  // namespace
}  // namespace karpenter::metrics
