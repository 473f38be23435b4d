// Informer and retryOnConflict against a real apiserver over HTTP: the in-repo test apiserver by
// default, or $KUBECONFIG's cluster (tests that must drop connections or compact the watch
// history skip there). Objects created are deleted at the end of each test.
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "karpenter/kube/informer.hpp"
#include "karpenter/kube/retry.hpp"
#include "support/test_apiserver.hpp"

namespace karpenter::kube {
namespace {

using nlohmann::json;
using testing::eventually;
using namespace std::chrono_literals;

const ResourceRef kPods{.resource = "pods", .nameSpace = "default"};
const apiserver::Gvr kPodsGvr{"", "v1", "pods"};

// What the test keeps of a pod: the consumer-chosen compact form.
struct PodSeen {
  std::string name;
  std::string step;  // label "step"
};

std::shared_ptr<const PodSeen> seePod(const json& object) {
  auto seen = std::make_shared<PodSeen>();
  seen->name = object["metadata"].value("name", "");
  if (object["metadata"].contains("labels")) {
    seen->step = object["metadata"]["labels"].value("step", "");
  }
  return seen;
}

// Records every handler call as "add name", "update name old->new", "delete name".
class Recorder {
 public:
  Informer<PodSeen>::Handlers handlers() {
    return {.onAdd = [this](const auto& p) { record("add " + p->name); },
            .onUpdate =
                [this](const auto& o, const auto& n) {
                  record("update " + n->name + " " + o->step + "->" + n->step);
                },
            .onDelete = [this](const auto& p) { record("delete " + p->name); }};
  }
  bool saw(const std::string& line) const {
    std::lock_guard lock(mutex_);
    for (const auto& l : lines_) {
      if (l == line) {
        return true;
      }
    }
    return false;
  }
  int count(const std::string& prefix) const {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (const auto& l : lines_) {
      n += l.rfind(prefix, 0) == 0 ? 1 : 0;
    }
    return n;
  }
  std::string dump() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& l : lines_) {
      out += l + "\n";
    }
    return out;
  }

 private:
  void record(std::string line) {
    std::lock_guard lock(mutex_);
    lines_.push_back(std::move(line));
  }
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

class InformerIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  void start(testing::TestApiserver::Options options) {
    apiserver_ = std::make_unique<testing::TestApiserver>(options);
    ASSERT_TRUE(apiserver_->ok());
    client_ = apiserver_->client();
    suite_ = "informer-it-" + std::to_string(::getpid());
  }

  void TearDown() override {
    informer_.reset();
    if (client_) {
      for (const auto& name : created_) {
        (void)client_->remove(kPods.named(name), {.gracePeriodSeconds = 0});
      }
    }
  }

  json pod(const std::string& name, const std::string& step = "one") {
    created_.push_back(suite_ + "-" + name);
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata",
             {{"name", suite_ + "-" + name},
              {"namespace", "default"},
              {"labels", {{"suite", suite_}, {"step", step}}}}},
            {"spec",
             {{"nodeSelector", {{"karpenter.test/never", "true"}}},
              {"containers", {{{"name", "c"}, {"image", "registry.k8s.io/pause:3.9"}}}}}}};
  }

  void startInformer(InformerOptions options = {}) {
    options.resource = kPods;
    options.labelSelector = "suite=" + suite_;
    options.initialBackoff = 50ms;
    options.maxBackoff = 500ms;
    informer_ =
        std::make_unique<Informer<PodSeen>>(*client_, options, seePod, recorder_.handlers());
    informer_->start();
    ASSERT_TRUE(eventually([&] { return informer_->hasSynced(); }));
  }

  void relabel(const std::string& name, const std::string& step) {
    auto patched = client_->patch(kPods.named(suite_ + "-" + name), PatchType::kMerge,
                                  {{"metadata", {{"labels", {{"step", step}}}}}});
    ASSERT_TRUE(patched.ok()) << patched.error().message;
  }

  std::string full(const std::string& name) const { return suite_ + "-" + name; }

  std::unique_ptr<testing::TestApiserver> apiserver_;
  std::unique_ptr<HttpKubeClient> client_;
  std::unique_ptr<Informer<PodSeen>> informer_;
  Recorder recorder_;
  std::string suite_;
  std::vector<std::string> created_;
};

TEST_F(InformerIntegrationTest, ListsThenSeesCreatesUpdatesAndDeletes) {
  ASSERT_TRUE(client_->create(kPods, pod("before")).ok());
  startInformer();
  EXPECT_TRUE(recorder_.saw("add " + full("before"))) << recorder_.dump();
  EXPECT_NE(informer_->get("default/" + full("before")), nullptr);

  ASSERT_TRUE(client_->create(kPods, pod("after")).ok());
  EXPECT_TRUE(eventually([&] { return recorder_.saw("add " + full("after")); }))
      << recorder_.dump();
  relabel("after", "two");
  EXPECT_TRUE(eventually([&] { return recorder_.saw("update " + full("after") + " one->two"); }))
      << recorder_.dump();
  ASSERT_TRUE(client_->remove(kPods.named(full("after")), {.gracePeriodSeconds = 0}).ok());
  EXPECT_TRUE(eventually([&] { return recorder_.saw("delete " + full("after")); }))
      << recorder_.dump();
  EXPECT_TRUE(eventually([&] { return informer_->get("default/" + full("after")) == nullptr; }));
  EXPECT_EQ(informer_->list().size(), 1u);
  EXPECT_EQ(informer_->listCount(), 1);
}

TEST_F(InformerIntegrationTest, ListIsPaginatedAndComplete) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(client_->create(kPods, pod("page-" + std::to_string(i))).ok());
  }
  startInformer({.pageSize = 2});
  EXPECT_EQ(informer_->list().size(), 7u);
  EXPECT_EQ(recorder_.count("add "), 7);
}

TEST_F(InformerIntegrationTest, ResumesFromTheLastResourceVersionAfterADroppedConnection) {
  if (!apiserver_->inRepo()) {
    GTEST_SKIP() << "needs to drop the apiserver's connections (in-repo apiserver only)";
  }
  ASSERT_TRUE(client_->create(kPods, pod("kept")).ok());
  startInformer();
  const std::string before = informer_->lastResourceVersion();
  apiserver_->stopServer();  // every watch connection drops
  // Written while no watch is open: only a resumed watch (not a relist) can report it here.
  auto written = apiserver_->store().create(kPodsGvr, "default", pod("while-down"));
  ASSERT_TRUE(written.ok());
  ASSERT_TRUE(apiserver_->restartServer());
  EXPECT_TRUE(eventually([&] { return recorder_.saw("add " + full("while-down")); }))
      << recorder_.dump();
  EXPECT_EQ(informer_->listCount(), 1) << "resumed from " << before << " without relisting";
  EXPECT_EQ(recorder_.count("add " + full("kept")), 1);
}

TEST_F(InformerIntegrationTest, RelistsAfterGoneAndDeliversTheDifference) {
  if (!apiserver_->inRepo()) {
    GTEST_SKIP() << "needs to compact the watch history (in-repo apiserver only)";
  }
  start({.historyWindow = 3});
  ASSERT_TRUE(client_->create(kPods, pod("deleted")).ok());
  ASSERT_TRUE(client_->create(kPods, pod("updated")).ok());
  ASSERT_TRUE(client_->create(kPods, pod("unchanged")).ok());
  startInformer();
  apiserver_->stopServer();
  auto& store = apiserver_->store();
  ASSERT_TRUE(store.remove(kPodsGvr, "default", full("deleted")).ok());
  ASSERT_TRUE(store
                  .patch(kPodsGvr, "default", full("updated"), apiserver::PatchType::kMerge,
                         {{"metadata", {{"labels", {{"step", "two"}}}}}})
                  .ok());
  ASSERT_TRUE(store.create(kPodsGvr, "default", pod("added")).ok());
  // More writes than the history keeps: the informer's resourceVersion is now compacted.
  for (int i = 0; i < 5; ++i) {
    json ns = {{"apiVersion", "v1"},
               {"kind", "Namespace"},
               {"metadata", {{"name", suite_ + "-filler-" + std::to_string(i)}}}};
    ASSERT_TRUE(store.create({"", "v1", "namespaces"}, "", ns).ok());
  }
  ASSERT_TRUE(apiserver_->restartServer());
  EXPECT_TRUE(eventually([&] { return informer_->listCount() == 2; }));
  EXPECT_TRUE(eventually([&] { return recorder_.saw("add " + full("added")); }))
      << recorder_.dump();
  EXPECT_TRUE(recorder_.saw("delete " + full("deleted"))) << recorder_.dump();
  EXPECT_TRUE(recorder_.saw("update " + full("updated") + " one->two")) << recorder_.dump();
  EXPECT_EQ(recorder_.count("update " + full("unchanged")), 0) << recorder_.dump();
  EXPECT_EQ(informer_->list().size(), 3u);
  // And it watches again from the new list.
  relabel("added", "three");
  EXPECT_TRUE(eventually([&] { return recorder_.saw("update " + full("added") + " one->three"); }))
      << recorder_.dump();
}

TEST_F(InformerIntegrationTest, ResyncRedeliversCachedObjectsAsUpdates) {
  ASSERT_TRUE(client_->create(kPods, pod("resynced")).ok());
  startInformer({.resyncPeriod = 300ms});
  EXPECT_TRUE(eventually([&] {
    return recorder_.count("update " + full("resynced") + " one->one") >= 2;
  })) << recorder_.dump();
  // Watching continues across resyncs.
  relabel("resynced", "two");
  EXPECT_TRUE(eventually([&] { return recorder_.saw("update " + full("resynced") + " one->two"); }))
      << recorder_.dump();
}

TEST_F(InformerIntegrationTest, StopInterruptsAnIdleWatchLongBeforeItsTimeout) {
  startInformer({.watchTimeout = 120s});
  std::this_thread::sleep_for(200ms);  // the watch is open and idle
  const auto started = std::chrono::steady_clock::now();
  informer_->stop();
  // libcurl polls the cancel flag about once a second; the watch would otherwise last 120 s.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST_F(InformerIntegrationTest, RetryOnConflictLosesNoUpdatesWithTwoConcurrentWriters) {
  ASSERT_TRUE(client_->create(kPods, pod("counter")).ok());
  const ResourceRef ref = kPods.named(full("counter"));
  std::atomic<int> conflicts{0};
  auto writer = [&]() {
    int failures = 0;
    for (int i = 0; i < 50; ++i) {
      auto result = retryOnConflict(
          [&]() -> Result<void> {
            auto current = client_->get(ref);
            if (!current) {
              return current.error();
            }
            json object = *current;
            int value = 0;
            if (object["metadata"].contains("annotations") &&
                object["metadata"]["annotations"].contains("counter")) {
              value = std::stoi(object["metadata"]["annotations"]["counter"].get<std::string>());
            }
            object["metadata"]["annotations"]["counter"] = std::to_string(value + 1);
            auto updated = client_->update(ref, object);
            if (!updated) {
              conflicts += updated.error().kind == ErrorKind::kConflict ? 1 : 0;
              return updated.error();
            }
            return {};
          },
          // Two writers in lockstep can collide many times in a row; more steps than
          // client-go's default keep the test about lost updates, not about bad luck.
          {.steps = 50});
      failures += result.ok() ? 0 : 1;
    }
    return failures;
  };
  auto first = std::async(std::launch::async, writer);
  auto second = std::async(std::launch::async, writer);
  EXPECT_EQ(first.get(), 0);
  EXPECT_EQ(second.get(), 0);
  auto final = client_->get(ref);
  ASSERT_TRUE(final.ok());
  EXPECT_EQ((*final)["metadata"]["annotations"]["counter"], "100")
      << "conflicts seen: " << conflicts;
}

}  // namespace
}  // namespace karpenter::kube
