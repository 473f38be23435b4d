#include "karpenter/apiserver/store.hpp"

#include <chrono>
#include <vector>

#include <gtest/gtest.h>

namespace karpenter::apiserver {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const Gvr kPods{"", "v1", "pods"};
const Gvr kNodes{"", "v1", "nodes"};
const Gvr kPdbs{"policy", "v1", "poddisruptionbudgets"};
const Gvr kNodeClaims{"karpenter.sh", "v1", "nodeclaims"};

class StoreTest : public ::testing::Test {
 protected:
  Store makeStore(size_t window = 10'000) {
    return Store(servedResources(), {.clock = [this] { return now_; }, .historyWindow = window});
  }
  static json pod(const std::string& name, json labels = json::object(), bool ready = true) {
    return {{"metadata", {{"name", name}, {"labels", labels}}},
            {"spec", {{"containers", {{{"name", "c"}, {"image", "i"}}}}}},
            {"status",
             {{"phase", "Running"},
              {"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}};
  }
  std::chrono::system_clock::time_point now_ =
      std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
};

TEST_F(StoreTest, CreateAssignsMetadataAndRejectsDuplicates) {
  Store store = makeStore();
  auto created = store.create(kPods, "default", pod("a"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  const json& meta = (*created)["metadata"];
  EXPECT_EQ(meta["namespace"], "default");
  EXPECT_EQ(meta["resourceVersion"], "1");
  EXPECT_EQ(meta["generation"], 1);
  EXPECT_EQ(meta["creationTimestamp"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(meta["uid"].get<std::string>().size(), 36u);
  EXPECT_EQ((*created)["kind"], "Pod");
  EXPECT_EQ((*created)["apiVersion"], "v1");

  auto duplicate = store.create(kPods, "default", pod("a"));
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, 409);
  EXPECT_EQ(duplicate.error().reason, "AlreadyExists");
  EXPECT_EQ(duplicate.error().message, "pods \"a\" already exists");
  const json status = duplicate.error().toStatus();
  EXPECT_EQ(status["kind"], "Status");
  EXPECT_EQ(status["status"], "Failure");
  EXPECT_EQ(status["details"]["name"], "a");

  auto otherNs = store.create(kPods, "other", pod("a"));
  EXPECT_TRUE(otherNs.ok());
  EXPECT_EQ(store.resourceVersion(), "2");
}

TEST_F(StoreTest, GenerateNameAndMissingName) {
  Store store = makeStore();
  auto created = store.create(kNodes, "", {{"metadata", {{"generateName", "node-"}}}});
  ASSERT_TRUE(created.ok());
  const std::string name = (*created)["metadata"]["name"];
  EXPECT_EQ(name.rfind("node-", 0), 0u);
  EXPECT_EQ(name.size(), 10u);
  auto missing = store.create(kNodes, "", {{"metadata", json::object()}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, 422);
  EXPECT_EQ(missing.error().reason, "Invalid");
}

TEST_F(StoreTest, GetNotFoundNamesTheQualifiedResource) {
  Store store = makeStore();
  auto missing = store.get(kNodeClaims, "", "x");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, 404);
  EXPECT_EQ(missing.error().reason, "NotFound");
  EXPECT_EQ(missing.error().message, "nodeclaims.karpenter.sh \"x\" not found");
}

TEST_F(StoreTest, StaleUpdateConflictsAndGenerationFollowsSpec) {
  Store store = makeStore();
  json created = *store.create(
      kNodeClaims, "",
      {{"metadata", {{"name", "nc"}}}, {"spec", {{"nodeClassRef", {{"name", "a"}}}}}});
  json labelled = created;
  labelled["metadata"]["labels"] = {{"x", "y"}};
  auto afterLabel = store.update(kNodeClaims, "", "nc", labelled);
  ASSERT_TRUE(afterLabel.ok());
  EXPECT_EQ((*afterLabel)["metadata"]["generation"], 1) << "metadata-only change";
  EXPECT_EQ((*afterLabel)["metadata"]["resourceVersion"], "2");

  json stale = created;  // carries resourceVersion 1
  stale["spec"]["nodeClassRef"]["name"] = "b";
  auto conflicted = store.update(kNodeClaims, "", "nc", stale);
  ASSERT_FALSE(conflicted.ok());
  EXPECT_EQ(conflicted.error().code, 409);
  EXPECT_EQ(conflicted.error().reason, "Conflict");
  EXPECT_EQ(conflicted.error().message,
            "Operation cannot be fulfilled on nodeclaims.karpenter.sh \"nc\": the object has been "
            "modified; please apply your changes to the latest version and try again");

  json fresh = *afterLabel;
  fresh["spec"]["nodeClassRef"]["name"] = "b";
  fresh["status"] = {{"providerID", "ignored"}};
  auto afterSpec = store.update(kNodeClaims, "", "nc", fresh);
  ASSERT_TRUE(afterSpec.ok());
  EXPECT_EQ((*afterSpec)["metadata"]["generation"], 2);
  EXPECT_FALSE(afterSpec->contains("status")) << "main resource writes ignore status";

  json status = *afterSpec;
  status["status"] = {{"providerID", "aws:///i-1"}};
  status["spec"]["nodeClassRef"]["name"] = "ignored";
  auto afterStatus = store.update(kNodeClaims, "", "nc", status, Subresource::kStatus);
  ASSERT_TRUE(afterStatus.ok());
  EXPECT_EQ((*afterStatus)["status"]["providerID"], "aws:///i-1");
  EXPECT_EQ((*afterStatus)["spec"]["nodeClassRef"]["name"], "b") << "status writes keep spec";
  EXPECT_EQ((*afterStatus)["metadata"]["generation"], 2);

  // A write that changes nothing keeps the resourceVersion.
  auto noop = store.update(kNodeClaims, "", "nc", *afterStatus);
  ASSERT_TRUE(noop.ok());
  EXPECT_EQ((*noop)["metadata"]["resourceVersion"], (*afterStatus)["metadata"]["resourceVersion"]);
}

TEST_F(StoreTest, PatchesMergeAndJson) {
  Store store = makeStore();
  ASSERT_TRUE(store.create(kNodes, "", {{"metadata", {{"name", "n"}}}}).ok());
  auto merged = store.patch(kNodes, "", "n", PatchType::kMerge,
                            {{"metadata", {{"labels", {{"a", "1"}}}}}, {"spec", {{"x", 1}}}});
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ((*merged)["metadata"]["labels"]["a"], "1");
  EXPECT_EQ((*merged)["metadata"]["generation"], 2);
  auto patched = store.patch(kNodes, "", "n", PatchType::kJson,
                             json::parse(R"([{"op":"replace","path":"/spec/x","value":2}])"));
  ASSERT_TRUE(patched.ok());
  EXPECT_EQ((*patched)["spec"]["x"], 2);
  auto failedTest = store.patch(kNodes, "", "n", PatchType::kJson,
                                json::parse(R"([{"op":"test","path":"/spec/x","value":9}])"));
  ASSERT_FALSE(failedTest.ok());
  EXPECT_EQ(failedTest.error().code, 422);
  auto stale = store.patch(kNodes, "", "n", PatchType::kMerge,
                           {{"metadata", {{"resourceVersion", "1"}}}, {"spec", {{"x", 3}}}});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, 409);
  auto status =
      store.patch(kNodes, "", "n", PatchType::kMerge,
                  {{"status", {{"phase", "Ready"}}}, {"spec", {{"x", 4}}}}, Subresource::kStatus);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ((*status)["status"]["phase"], "Ready");
  EXPECT_EQ((*status)["spec"]["x"], 2);
}

TEST_F(StoreTest, FinalizersDelayDeletionUntilRemoved) {
  Store store = makeStore();
  json created = *store.create(
      kNodeClaims, "", {{"metadata", {{"name", "nc"}, {"finalizers", {"karpenter.sh/t"}}}}});
  now_ += 10s;
  auto marked = store.remove(kNodeClaims, "", "nc");
  ASSERT_TRUE(marked.ok());
  EXPECT_EQ((*marked)["metadata"]["deletionTimestamp"], "2023-11-14T22:13:30Z");
  EXPECT_EQ((*marked)["metadata"]["generation"], 2);
  EXPECT_TRUE(store.get(kNodeClaims, "", "nc").ok());

  json adding = *marked;
  adding["metadata"]["finalizers"].push_back("other");
  auto forbidden = store.update(kNodeClaims, "", "nc", adding);
  ASSERT_FALSE(forbidden.ok());
  EXPECT_EQ(forbidden.error().code, 422);

  json cleared = *marked;
  cleared["metadata"]["finalizers"] = json::array();
  auto removed = store.update(kNodeClaims, "", "nc", cleared);
  ASSERT_TRUE(removed.ok());
  auto gone = store.get(kNodeClaims, "", "nc");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, 404);
}

TEST_F(StoreTest, DeletePreconditions) {
  Store store = makeStore();
  json created = *store.create(kNodes, "", {{"metadata", {{"name", "n"}}}});
  auto wrongUid = store.remove(kNodes, "", "n", {.preconditionUid = "nope"});
  ASSERT_FALSE(wrongUid.ok());
  EXPECT_EQ(wrongUid.error().code, 409);
  auto wrongRv = store.remove(kNodes, "", "n", {.preconditionResourceVersion = "7"});
  ASSERT_FALSE(wrongRv.ok());
  EXPECT_EQ(wrongRv.error().code, 409);
  auto removed = store.remove(
      kNodes, "", "n",
      {.preconditionUid = created["metadata"]["uid"], .preconditionResourceVersion = "1"});
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ((*removed)["metadata"]["resourceVersion"], "2");
  EXPECT_FALSE(store.get(kNodes, "", "n").ok());
}

TEST_F(StoreTest, ListFiltersByLabelsAndFields) {
  Store store = makeStore();
  ASSERT_TRUE(store.create(kPods, "a", pod("p1", {{"app", "web"}})).ok());
  ASSERT_TRUE(store.create(kPods, "a", pod("p2", {{"app", "db"}})).ok());
  json bound = pod("p3", {{"app", "web"}});
  bound["spec"]["nodeName"] = "node-1";
  bound["status"]["phase"] = "Succeeded";
  ASSERT_TRUE(store.create(kPods, "b", bound).ok());

  auto names = [&](const std::string& ns, ListOptions options) {
    auto listed = store.list(kPods, ns, options);
    EXPECT_TRUE(listed.ok()) << (listed.ok() ? "" : listed.error().message);
    std::vector<std::string> out;
    for (const json& item : (*listed)["items"]) {
      out.push_back(item["metadata"]["name"]);
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names("", {}), (V{"p1", "p2", "p3"}));
  EXPECT_EQ(names("a", {}), (V{"p1", "p2"}));
  EXPECT_EQ(names("", {.labelSelector = "app=web"}), (V{"p1", "p3"}));
  EXPECT_EQ(names("", {.labelSelector = "app in (db)"}), (V{"p2"}));
  EXPECT_EQ(names("", {.fieldSelector = "spec.nodeName=node-1"}), (V{"p3"}));
  EXPECT_EQ(names("", {.fieldSelector = "spec.nodeName="}), (V{"p1", "p2"}));
  EXPECT_EQ(names("", {.fieldSelector = "status.phase!=Succeeded,metadata.namespace=a"}),
            (V{"p1", "p2"}));
  EXPECT_EQ(names("", {.fieldSelector = "metadata.name==p2"}), (V{"p2"}));
  auto unsupported = store.list(kPods, "", {.fieldSelector = "spec.bogus=x"});
  ASSERT_FALSE(unsupported.ok());
  EXPECT_EQ(unsupported.error().code, 400);
  EXPECT_EQ(unsupported.error().message, "field label not supported: spec.bogus");
  auto listed = store.list(kPods, "", {});
  EXPECT_EQ((*listed)["kind"], "PodList");
  EXPECT_EQ((*listed)["metadata"]["resourceVersion"], "3");
}

TEST_F(StoreTest, PaginationServesAConsistentSnapshot) {
  Store store = makeStore();
  for (const char* name : {"a", "b", "c", "d", "e"}) {
    ASSERT_TRUE(store.create(kNodes, "", {{"metadata", {{"name", name}}}}).ok());
  }
  auto first = store.list(kNodes, "", {.limit = 2});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)["items"].size(), 2u);
  EXPECT_EQ((*first)["metadata"]["remainingItemCount"], 3);
  const std::string token = (*first)["metadata"]["continue"];
  const std::string snapshotRv = (*first)["metadata"]["resourceVersion"];

  // Changes after the first page must not show in later pages.
  ASSERT_TRUE(store.remove(kNodes, "", "c").ok());
  ASSERT_TRUE(store.create(kNodes, "", {{"metadata", {{"name", "bb"}}}}).ok());
  ASSERT_TRUE(store.patch(kNodes, "", "d", PatchType::kMerge, {{"spec", {{"x", 1}}}}).ok());

  auto second = store.list(kNodes, "", {.limit = 2, .continueToken = token});
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ((*second)["metadata"]["resourceVersion"], snapshotRv);
  ASSERT_EQ((*second)["items"].size(), 2u);
  EXPECT_EQ((*second)["items"][0]["metadata"]["name"], "c");
  EXPECT_EQ((*second)["items"][1]["metadata"]["name"], "d");
  EXPECT_FALSE((*second)["items"][1].contains("spec"));
  auto third =
      store.list(kNodes, "", {.limit = 2, .continueToken = (*second)["metadata"]["continue"]});
  ASSERT_TRUE(third.ok());
  ASSERT_EQ((*third)["items"].size(), 1u);
  EXPECT_EQ((*third)["items"][0]["metadata"]["name"], "e");
  EXPECT_FALSE((*third)["metadata"].contains("continue"));

  auto withRv = store.list(kNodes, "", {.continueToken = token, .resourceVersion = "3"});
  ASSERT_FALSE(withRv.ok());
  EXPECT_EQ(withRv.error().code, 400);
  auto garbage = store.list(kNodes, "", {.continueToken = "!!"});
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, 400);
}

TEST_F(StoreTest, ExpiredContinueTokenIs410) {
  Store store = makeStore(2);
  for (const char* name : {"a", "b", "c"}) {
    ASSERT_TRUE(store.create(kNodes, "", {{"metadata", {{"name", name}}}}).ok());
  }
  auto first = store.list(kNodes, "", {.limit = 1});
  for (const char* name : {"d", "e", "f"}) {
    ASSERT_TRUE(store.create(kNodes, "", {{"metadata", {{"name", name}}}}).ok());
  }
  auto next =
      store.list(kNodes, "", {.limit = 1, .continueToken = (*first)["metadata"]["continue"]});
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.error().code, 410);
  EXPECT_EQ(next.error().reason, "Expired");
}

TEST_F(StoreTest, WatchDeliversEventsFromAResourceVersion) {
  Store store = makeStore();
  ASSERT_TRUE(store.create(kPods, "a", pod("old")).ok());
  std::vector<json> events;
  auto handle = store.watch(kPods, "a", {.resourceVersion = "1", .allowBookmarks = true},
                            [&](const json& e) { events.push_back(e); });
  ASSERT_TRUE(handle.ok());
  EXPECT_TRUE(events.empty()) << "nothing after rv 1";
  ASSERT_TRUE(store.create(kPods, "a", pod("p", {{"app", "web"}})).ok());
  ASSERT_TRUE(store.create(kPods, "other", pod("q")).ok());
  ASSERT_TRUE(store.patch(kPods, "a", "p", PatchType::kMerge, {{"spec", {{"x", 1}}}}).ok());
  ASSERT_TRUE(store.remove(kPods, "a", "p").ok());
  store.sendBookmarks();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0]["type"], "ADDED");
  EXPECT_EQ(events[0]["object"]["metadata"]["name"], "p");
  EXPECT_EQ(events[1]["type"], "MODIFIED");
  EXPECT_EQ(events[2]["type"], "DELETED");
  EXPECT_EQ(events[2]["object"]["metadata"]["resourceVersion"], "5");
  EXPECT_EQ(events[3]["type"], "BOOKMARK");
  EXPECT_EQ(events[3]["object"]["metadata"]["resourceVersion"], "5");
  EXPECT_EQ(events[3]["object"]["kind"], "Pod");

  handle->stop();
  ASSERT_TRUE(store.create(kPods, "a", pod("later")).ok());
  EXPECT_EQ(events.size(), 4u) << "a stopped watch receives nothing";

  // Replaying from rv 1 gives the same history.
  std::vector<json> replay;
  auto again = store.watch(kPods, "a", {.resourceVersion = "1"},
                           [&](const json& e) { replay.push_back(e); });
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(replay.size(), 4u);
  EXPECT_EQ(replay[3]["object"]["metadata"]["name"], "later");
}

TEST_F(StoreTest, WatchWithoutVersionStartsWithSyntheticAddsAndAppliesSelectors) {
  Store store = makeStore();
  ASSERT_TRUE(store.create(kPods, "a", pod("p", {{"app", "web"}})).ok());
  ASSERT_TRUE(store.create(kPods, "a", pod("q", {{"app", "db"}})).ok());
  std::vector<json> events;
  auto handle = store.watch(kPods, "", {.labelSelector = "app=web"},
                            [&](const json& e) { events.push_back(e); });
  ASSERT_TRUE(handle.ok());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["type"], "ADDED");
  // q starts matching: ADDED; p stops matching: DELETED.
  ASSERT_TRUE(
      store
          .patch(kPods, "a", "q", PatchType::kMerge, {{"metadata", {{"labels", {{"app", "web"}}}}}})
          .ok());
  ASSERT_TRUE(
      store.patch(kPods, "a", "p", PatchType::kMerge, {{"metadata", {{"labels", {{"app", "db"}}}}}})
          .ok());
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1]["type"], "ADDED");
  EXPECT_EQ(events[1]["object"]["metadata"]["name"], "q");
  EXPECT_EQ(events[2]["type"], "DELETED");
  EXPECT_EQ(events[2]["object"]["metadata"]["name"], "p");
  EXPECT_EQ(events[2]["object"]["metadata"]["resourceVersion"], "4");
}

TEST_F(StoreTest, WatchFromACompactedVersionIs410) {
  Store store = makeStore(3);
  for (const char* name : {"a", "b", "c", "d", "e"}) {
    ASSERT_TRUE(store.create(kNodes, "", {{"metadata", {{"name", name}}}}).ok());
  }
  auto sink = [](const json&) {};
  auto tooOld = store.watch(kNodes, "", {.resourceVersion = "1"}, sink);
  ASSERT_FALSE(tooOld.ok());
  EXPECT_EQ(tooOld.error().code, 410);
  EXPECT_EQ(tooOld.error().reason, "Expired");
  EXPECT_EQ(tooOld.error().message, "too old resource version: 1 (2)");
  std::vector<json> events;
  auto fine = store.watch(kNodes, "", {.resourceVersion = "2"},
                          [&](const json& e) { events.push_back(e); });
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ(events.size(), 3u);
}

TEST_F(StoreTest, EvictionRespectsPodDisruptionBudgets) {
  Store store = makeStore();
  for (const char* name : {"w1", "w2", "w3"}) {
    ASSERT_TRUE(store.create(kPods, "ns", pod(name, {{"app", "web"}})).ok());
  }
  ASSERT_TRUE(store.create(kPods, "ns", pod("sick", {{"app", "web"}}, false)).ok());
  ASSERT_TRUE(store.create(kPods, "ns", pod("free", {{"app", "other"}})).ok());
  ASSERT_TRUE(
      store
          .create(kPdbs, "ns",
                  {{"metadata", {{"name", "web-pdb"}}},
                   {"spec",
                    {{"minAvailable", "50%"}, {"selector", {{"matchLabels", {{"app", "web"}}}}}}}})
          .ok());
  // 4 pods expected, 50% → 2 must stay healthy; 3 healthy now.
  auto first = store.evict("ns", "w1", {{"metadata", {{"name", "w1"}}}});
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ((*first)["status"], "Success");
  EXPECT_FALSE(store.get(kPods, "ns", "w1").ok());
  // 3 expected → 2 needed, 2 healthy: blocked.
  auto blocked = store.evict("ns", "w2", {});
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, 429);
  EXPECT_EQ(blocked.error().reason, "TooManyRequests");
  EXPECT_EQ(blocked.error().message,
            "Cannot evict pod as it would violate the pod's disruption budget.");
  EXPECT_EQ(blocked.error().details["causes"][0]["message"],
            "The disruption budget web-pdb needs 2 healthy pods and has 2 currently");
  EXPECT_TRUE(store.get(kPods, "ns", "w2").ok());
  // An unhealthy pod may go while the budget holds; an unprotected pod always may.
  EXPECT_TRUE(store.evict("ns", "sick", {}).ok());
  EXPECT_TRUE(store.evict("ns", "free", {}).ok());
  auto missing = store.evict("ns", "nope", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, 404);
}

TEST_F(StoreTest, EvictionWithMaxUnavailableAndTwoBudgets) {
  Store store = makeStore();
  for (const char* name : {"a", "b"}) {
    ASSERT_TRUE(store.create(kPods, "ns", pod(name, {{"app", "x"}})).ok());
  }
  json pdb = {{"metadata", {{"name", "one"}}},
              {"spec", {{"maxUnavailable", 0}, {"selector", {{"matchLabels", {{"app", "x"}}}}}}}};
  ASSERT_TRUE(store.create(kPdbs, "ns", pdb).ok());
  auto blocked = store.evict("ns", "a", {});
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, 429);
  pdb["metadata"]["name"] = "two";
  ASSERT_TRUE(store.create(kPdbs, "ns", pdb).ok());
  auto twoBudgets = store.evict("ns", "a", {});
  ASSERT_FALSE(twoBudgets.ok());
  EXPECT_EQ(twoBudgets.error().code, 500);
}

TEST_F(StoreTest, BindingSetsNodeOnce) {
  Store store = makeStore();
  json unbound = pod("p");
  unbound["status"]["conditions"] = json::array();
  ASSERT_TRUE(store.create(kPods, "ns", unbound).ok());
  json binding = {{"metadata", {{"name", "p"}}}, {"target", {{"kind", "Node"}, {"name", "n1"}}}};
  auto bound = store.bind("ns", "p", binding);
  ASSERT_TRUE(bound.ok());
  json stored = *store.get(kPods, "ns", "p");
  EXPECT_EQ(stored["spec"]["nodeName"], "n1");
  EXPECT_EQ(stored["status"]["conditions"][0]["type"], "PodScheduled");
  EXPECT_EQ(stored["status"]["conditions"][0]["status"], "True");
  auto again = store.bind("ns", "p", binding);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, 409);
  EXPECT_EQ(again.error().message,
            "Operation cannot be fulfilled on pods/binding \"p\": pod p is already assigned to "
            "node \"n1\"");
}

}  // namespace
}  // namespace karpenter::apiserver
