// HttpKubeClient keeps connections alive: sequential requests against the in-repo test apiserver
// (over HTTP and HTTPS) share one connection, counted both by the server (accepted TCP
// connections) and by the client (libcurl's new-connection count); requests from several threads
// all succeed; a watch holds a connection of its own while other requests go on.
#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "karpenter/apiserver/resources.hpp"
#include "karpenter/apiserver/server.hpp"
#include "karpenter/apiserver/store.hpp"
#include "karpenter/apiserver/tls.hpp"
#include "karpenter/kube/client.hpp"

namespace karpenter::kube {
namespace {

using nlohmann::json;

const ResourceRef kLeases{
    .group = "coordination.k8s.io", .resource = "leases", .nameSpace = "default"};

json lease(const std::string& name) {
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata", {{"name", name}}},
          {"spec", {{"holderIdentity", name}}}};
}

class ConnectionReuseIntegrationTest : public ::testing::Test {
 protected:
  void serve(apiserver::Server::Options options) {
    server_ = std::make_unique<apiserver::Server>(store_, std::move(options));
    ASSERT_TRUE(server_->start().ok());
  }
  std::string address(const char* scheme) const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(server_->port());
  }

  // One create, get, patch, list and delete of a Lease: every verb, with and without a body,
  // so a reused handle that kept a previous request's method or body would be caught.
  static void roundTrip(HttpKubeClient& client, const std::string& name) {
    auto created = client.create(kLeases, lease(name));
    ASSERT_TRUE(created.ok()) << created.error().message;
    auto got = client.get(kLeases.named(name));
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ((*got)["spec"]["holderIdentity"], name);
    auto patched = client.patch(kLeases.named(name), PatchType::kMerge,
                                {{"spec", {{"holderIdentity", name + "-patched"}}}});
    ASSERT_TRUE(patched.ok()) << patched.error().message;
    EXPECT_EQ((*patched)["spec"]["holderIdentity"], name + "-patched");
    auto listed = client.list(kLeases, {});
    ASSERT_TRUE(listed.ok()) << listed.error().message;
    auto removed = client.remove(kLeases.named(name), {});
    ASSERT_TRUE(removed.ok()) << removed.error().message;
    auto gone = client.get(kLeases.named(name));
    ASSERT_FALSE(gone.ok());
    EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
  }

  apiserver::Store store_{apiserver::servedResources(),
                          {.clock = [] { return std::chrono::system_clock::now(); }}};
  std::unique_ptr<apiserver::Server> server_;
};

TEST_F(ConnectionReuseIntegrationTest, SequentialRequestsShareOneConnection) {
  serve({});
  HttpKubeClient client({.server = address("http")}, {.maxRetries = 0});
  constexpr int kRoundTrips = 20;  // 6 requests each
  for (int i = 0; i < kRoundTrips; ++i) {
    roundTrip(client, "seq-" + std::to_string(i));
  }
  EXPECT_EQ(server_->connectionsAccepted(), 1u);
  EXPECT_EQ(client.connectionsOpened(), 1u);
}

TEST_F(ConnectionReuseIntegrationTest, SequentialHttpsRequestsShareOneTlsConnection) {
  auto certificate = apiserver::makeServingCertificate({"localhost"}, {"127.0.0.1"});
  ASSERT_TRUE(certificate.ok()) << certificate.error().message;
  serve({.tlsCertPem = certificate->certPem, .tlsKeyPem = certificate->keyPem});
  HttpKubeClient client({.server = address("https"), .caData = certificate->caPem},
                        {.maxRetries = 0});
  for (int i = 0; i < 10; ++i) {
    roundTrip(client, "tls-" + std::to_string(i));
  }
  EXPECT_EQ(server_->connectionsAccepted(), 1u);
  EXPECT_EQ(client.connectionsOpened(), 1u);
}

TEST_F(ConnectionReuseIntegrationTest, ConcurrentRequestsFromSeveralThreadsAllSucceed) {
  serve({.threads = 2});
  HttpKubeClient client({.server = address("http")}, {.maxRetries = 0});
  constexpr int kThreads = 6;
  constexpr int kRoundTripsPerThread = 15;
  std::vector<std::future<void>> runs;
  for (int t = 0; t < kThreads; ++t) {
    runs.push_back(std::async(std::launch::async, [&client, t] {
      for (int i = 0; i < kRoundTripsPerThread; ++i) {
        roundTrip(client, "conc-" + std::to_string(t) + "-" + std::to_string(i));
      }
    }));
  }
  for (auto& run : runs) {
    run.get();
  }
  auto left = client.list(kLeases, {});
  ASSERT_TRUE(left.ok()) << left.error().message;
  EXPECT_TRUE(left->items.empty());
  // At most one connection per thread in flight at once, however many requests each made.
  EXPECT_LE(server_->connectionsAccepted(), static_cast<uint64_t>(kThreads));
  EXPECT_EQ(client.connectionsOpened(), server_->connectionsAccepted());
}

TEST_F(ConnectionReuseIntegrationTest, AWatchHoldsItsOwnConnectionWhileRequestsGoOn) {
  serve({.threads = 2});
  HttpKubeClient client({.server = address("http")}, {.maxRetries = 0});
  roundTrip(client, "before-watch");
  // Its ADDED event tells that the watch has started.
  ASSERT_TRUE(client.create(kLeases, lease("marker")).ok());
  ASSERT_EQ(server_->connectionsAccepted(), 1u);

  std::atomic<bool> stop{false};
  std::atomic<int> added{0};
  auto watching = std::async(std::launch::async, [&] {
    return client.watch(kLeases, {.cancelled = [&] { return stop.load(); }},
                        [&](const WatchEvent& event) {
                          added += event.type == "ADDED" ? 1 : 0;
                          return true;
                        });
  });
  for (int i = 0; i < 500 && added < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(added.load(), 1);
  ASSERT_EQ(server_->connectionsAccepted(), 2u);
  for (int i = 0; i < 5; ++i) {
    roundTrip(client, "during-watch-" + std::to_string(i));
  }
  for (int i = 0; i < 500 && added < 6; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  auto watched = watching.get();
  EXPECT_TRUE(watched.ok()) << watched.error().message;
  EXPECT_EQ(added.load(), 6);
  // The requests during the watch went over the first connection, not the watch's.
  EXPECT_EQ(server_->connectionsAccepted(), 2u);
  EXPECT_EQ(client.connectionsOpened(), 2u);
}

}  // namespace
}  // namespace karpenter::kube
