// HttpKubeClient against a real apiserver over HTTP: the in-repo test apiserver on 127.0.0.1 by
// default, or the cluster named by $KUBECONFIG when set (same assertions; every object created is
// deleted in TearDown).
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <set>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "karpenter/apiserver/resources.hpp"
#include "karpenter/apiserver/server.hpp"
#include "karpenter/apiserver/store.hpp"
#include "karpenter/kube/client.hpp"

namespace karpenter::kube {
namespace {

using nlohmann::json;

const ResourceRef kPods{.resource = "pods", .nameSpace = "default"};

class ClientIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RestConfig config;
    if (const char* kubeconfig = std::getenv("KUBECONFIG"); kubeconfig && *kubeconfig) {
      auto loaded = loadKubeconfig(kubeconfig);
      ASSERT_TRUE(loaded.ok()) << loaded.error().message;
      config = *loaded;
    } else {
      store_ = std::make_unique<apiserver::Store>(
          apiserver::servedResources(),
          apiserver::Store::Options{.clock = [] { return std::chrono::system_clock::now(); }});
      server_ = std::make_unique<apiserver::Server>(*store_, apiserver::Server::Options{});
      ASSERT_TRUE(server_->start().ok());
      config.server = "http://127.0.0.1:" + std::to_string(server_->port());
    }
    client_ = std::make_unique<HttpKubeClient>(config, HttpKubeClient::Options{});
    suite_ = "kube-client-it-" + std::to_string(::getpid());
    prefix_ = suite_ + "-";
  }

  void TearDown() override {
    for (const auto& name : created_) {
      (void)client_->remove(kPods.named(name), {.gracePeriodSeconds = 0});
    }
    client_.reset();
    if (server_) {
      server_->stop();
    }
  }

  // A pod no scheduler will place (its node selector matches no node), so it stays Pending.
  json pod(const std::string& name) {
    created_.push_back(prefix_ + name);
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", prefix_ + name}, {"labels", {{"suite", suite_}}}}},
            {"spec",
             {{"nodeSelector", {{"karpenter.test/never", "true"}}},
              {"containers", {{{"name", "c"}, {"image", "registry.k8s.io/pause:3.9"}}}}}}};
  }

  std::unique_ptr<apiserver::Store> store_;
  std::unique_ptr<apiserver::Server> server_;
  std::unique_ptr<HttpKubeClient> client_;
  std::string suite_;   // label value marking this process's objects
  std::string prefix_;  // name prefix
  std::vector<std::string> created_;
};

TEST_F(ClientIntegrationTest, CreateGetUpdateConflictStatusPatchDelete) {
  auto created = client_->create(kPods, pod("crud"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string name = prefix_ + "crud";
  const ResourceRef ref = kPods.named(name);

  auto got = client_->get(ref);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ((*got)["metadata"]["uid"], (*created)["metadata"]["uid"]);

  json fresh = *got;
  fresh["metadata"]["labels"]["step"] = "updated";
  auto updated = client_->update(ref, fresh);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_NE((*updated)["metadata"]["resourceVersion"], (*got)["metadata"]["resourceVersion"]);

  json stale = *got;  // still carries the old resourceVersion
  stale["metadata"]["labels"]["step"] = "stale";
  auto conflict = client_->update(ref, stale);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().kind, ErrorKind::kConflict) << conflict.error().message;

  json withStatus = *updated;
  withStatus["status"]["conditions"] = {{{"type", "karpenter.test/Checked"}, {"status", "True"}}};
  auto statusWritten = client_->updateStatus(ref, withStatus);
  ASSERT_TRUE(statusWritten.ok()) << statusWritten.error().message;
  EXPECT_EQ((*statusWritten)["status"]["conditions"][0]["type"], "karpenter.test/Checked");

  auto merged = client_->patch(ref, PatchType::kMerge,
                               {{"metadata", {{"annotations", {{"patched", "merge"}}}}}});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_EQ((*merged)["metadata"]["annotations"]["patched"], "merge");
  auto jsonPatched = client_->patch(
      ref, PatchType::kJson,
      json::array({{{"op", "replace"}, {"path", "/metadata/labels/step"}, {"value", "json"}}}));
  ASSERT_TRUE(jsonPatched.ok()) << jsonPatched.error().message;
  EXPECT_EQ((*jsonPatched)["metadata"]["labels"]["step"], "json");

  auto wrongUid = client_->remove(ref, {.preconditionUid = "not-the-uid"});
  ASSERT_FALSE(wrongUid.ok());
  EXPECT_EQ(wrongUid.error().kind, ErrorKind::kConflict) << wrongUid.error().message;
  auto removed = client_->remove(
      ref,
      {.preconditionUid = (*got)["metadata"]["uid"].get<std::string>(), .gracePeriodSeconds = 0});
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  auto gone = client_->get(ref);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound) << gone.error().message;
}

TEST_F(ClientIntegrationTest, ListPaginatesWithLimitAndContinue) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client_->create(kPods, pod("page-" + std::to_string(i))).ok());
  }
  std::set<std::string> seen;
  ListOptions options{.labelSelector = "suite=" + suite_, .limit = 2};
  int pages = 0;
  do {
    auto page = client_->list(kPods, options);
    ASSERT_TRUE(page.ok()) << page.error().message;
    EXPECT_LE(page->items.size(), 2u);
    for (const auto& item : page->items) {
      EXPECT_TRUE(seen.insert(item["metadata"]["name"].get<std::string>()).second);
    }
    options.continueToken = page->continueToken;
    ASSERT_LT(++pages, 10);
  } while (!options.continueToken.empty());
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(pages, 3);
}

TEST_F(ClientIntegrationTest, WatchReceivesEventsAfterListResourceVersion) {
  auto listed = client_->list(kPods, {.labelSelector = "suite=" + suite_});
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  std::promise<WatchEvent> added;
  std::atomic<bool> watching{false};
  auto watcher = std::async(std::launch::async, [&] {
    return client_->watch(kPods,
                          {.labelSelector = "suite=" + suite_,
                           .resourceVersion = listed->resourceVersion,
                           .timeoutSeconds = 10},
                          [&](const WatchEvent& event) {
                            watching = true;
                            if (event.type == "ADDED") {
                              added.set_value(event);
                              return false;
                            }
                            return true;
                          });
  });
  // Events after the list's resourceVersion are delivered even if the watch registers late.
  ASSERT_TRUE(client_->create(kPods, pod("watched")).ok());
  auto future = added.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  const WatchEvent event = future.get();
  EXPECT_EQ(event.object["metadata"]["name"], prefix_ + "watched");
  auto ended = watcher.get();
  EXPECT_TRUE(ended.ok()) << ended.error().message;
  EXPECT_TRUE(watching);
}

}  // namespace
}  // namespace karpenter::kube
