// Server-side apply and managedFields through Store::apply/create/update: create-if-absent,
// FieldsV1, conflicts with Apply and Update managers (409 Status shape), force, co-ownership,
// removal of fields an applier drops, list-map elements keyed by name.
#include <chrono>

#include <gtest/gtest.h>

#include "karpenter/apiserver/store.hpp"

namespace karpenter::apiserver {
namespace {

using nlohmann::json;

const Gvr kLeases{"coordination.k8s.io", "v1", "leases"};
const Gvr kPods{"", "v1", "pods"};

class ServerSideApplyTest : public ::testing::Test {
 protected:
  ServerSideApplyTest()
      : store_(servedResources(), {.clock = [] {
                 return std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
               }}) {}

  static json lease(json spec, json labels = json::object()) {
    json object = {{"apiVersion", "coordination.k8s.io/v1"},
                   {"kind", "Lease"},
                   {"metadata", {{"name", "l"}}},
                   {"spec", std::move(spec)}};
    if (!labels.empty()) {
      object["metadata"]["labels"] = std::move(labels);
    }
    return object;
  }

  ApiResult<ApplyResult> apply(const json& config, const std::string& manager, bool force = false) {
    return store_.apply(kLeases, "default", "l", config, {manager, force});
  }

  static json entryOf(const json& object, const std::string& manager) {
    for (const json& entry : object["metadata"].value("managedFields", json::array())) {
      if (entry["manager"] == manager) {
        return entry;
      }
    }
    return nullptr;
  }

  Store store_;
};

TEST_F(ServerSideApplyTest, ApplyCreatesAndRecordsTheAppliersFields) {
  auto created =
      apply(lease({{"holderIdentity", "a"}, {"leaseDurationSeconds", 15}}, {{"x", "1"}}), "mgr-a");
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(created->created);
  const json entry = entryOf(created->object, "mgr-a");
  EXPECT_EQ(entry["operation"], "Apply");
  EXPECT_EQ(entry["apiVersion"], "coordination.k8s.io/v1");
  EXPECT_EQ(entry["fieldsType"], "FieldsV1");
  EXPECT_EQ(entry["time"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(entry["fieldsV1"], json::parse(R"({"f:metadata":{"f:labels":{"f:x":{}}},
                            "f:spec":{"f:holderIdentity":{},"f:leaseDurationSeconds":{}}})"));
  EXPECT_EQ(created->object["metadata"]["uid"].get<std::string>().size(), 36u);

  // The same configuration again changes nothing: no new resourceVersion.
  const std::string rv = created->object["metadata"]["resourceVersion"];
  auto again =
      apply(lease({{"holderIdentity", "a"}, {"leaseDurationSeconds", 15}}, {{"x", "1"}}), "mgr-a");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->object["metadata"]["resourceVersion"], rv);
}

TEST_F(ServerSideApplyTest, ConflictWithAnotherApplierUnlessForced) {
  ASSERT_TRUE(apply(lease({{"holderIdentity", "a"}, {"leaseDurationSeconds", 15}}), "mgr-a").ok());
  auto conflict = apply(lease({{"holderIdentity", "b"}}), "mgr-b");
  ASSERT_FALSE(conflict.ok());
  const ApiError& error = conflict.error();
  EXPECT_EQ(error.code, 409);
  EXPECT_EQ(error.reason, "Conflict");
  EXPECT_EQ(error.message,
            "Apply failed with 1 conflict: conflict with \"mgr-a\": .spec.holderIdentity");
  EXPECT_EQ(error.details["causes"],
            json::parse(R"([{"reason":"FieldManagerConflict","message":"conflict with \"mgr-a\"",
                             "field":".spec.holderIdentity"}])"));
  EXPECT_EQ(error.toStatus()["code"], 409);

  // Same value: co-owned, no conflict.
  auto shared = apply(lease({{"leaseDurationSeconds", 15}}), "mgr-b");
  ASSERT_TRUE(shared.ok()) << shared.error().message;
  EXPECT_TRUE(
      entryOf(shared->object, "mgr-b")["fieldsV1"]["f:spec"].contains("f:leaseDurationSeconds"));

  auto forced =
      apply(lease({{"holderIdentity", "b"}, {"leaseDurationSeconds", 15}}), "mgr-b", true);
  ASSERT_TRUE(forced.ok()) << forced.error().message;
  EXPECT_EQ(forced->object["spec"]["holderIdentity"], "b");
  EXPECT_EQ(entryOf(forced->object, "mgr-a")["fieldsV1"],
            json::parse(R"({"f:spec":{"f:leaseDurationSeconds":{}}})"));
}

TEST_F(ServerSideApplyTest, SeveralConflictsAreGroupedByManager) {
  ASSERT_TRUE(apply(lease({{"holderIdentity", "a"}, {"leaseDurationSeconds", 15}}), "mgr-a").ok());
  auto conflict = apply(lease({{"holderIdentity", "b"}, {"leaseDurationSeconds", 30}}), "mgr-b");
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().message,
            "Apply failed with 2 conflicts: conflicts with \"mgr-a\":\n- .spec.holderIdentity\n"
            "- .spec.leaseDurationSeconds");
  EXPECT_EQ(conflict.error().details["causes"].size(), 2u);
}

TEST_F(ServerSideApplyTest, FieldsDroppedFromTheConfigGoUnlessSomeoneElseOwnsThem) {
  ASSERT_TRUE(
      apply(lease({{"holderIdentity", "a"}, {"leaseDurationSeconds", 15}, {"leaseTransitions", 1}},
                  {{"x", "1"}, {"y", "2"}}),
            "mgr-a")
          .ok());
  ASSERT_TRUE(apply(lease({{"leaseTransitions", 1}}), "mgr-b").ok());
  auto shrunk = apply(lease({{"holderIdentity", "a"}}, {{"x", "1"}}), "mgr-a");
  ASSERT_TRUE(shrunk.ok()) << shrunk.error().message;
  const json& spec = shrunk->object["spec"];
  EXPECT_FALSE(spec.contains("leaseDurationSeconds"));  // only mgr-a had it
  EXPECT_EQ(spec["leaseTransitions"], 1);               // mgr-b holds it too
  EXPECT_EQ(shrunk->object["metadata"]["labels"], json({{"x", "1"}}));
}

TEST_F(ServerSideApplyTest, UpdatesRecordTheirManagerAndTakeFieldsWithoutConflict) {
  json created = lease({{"holderIdentity", "a"}});
  ASSERT_TRUE(store_.create(kLeases, "default", created, "kubectl").ok());
  auto conflict = apply(lease({{"holderIdentity", "b"}}), "mgr-a");
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().message,
            "Apply failed with 1 conflict: conflict with \"kubectl\" using coordination.k8s.io/v1: "
            ".spec.holderIdentity");

  ASSERT_TRUE(apply(lease({{"holderIdentity", "b"}}), "mgr-a", true).ok());
  // An Update takes a field from an applier silently.
  auto current = store_.get(kLeases, "default", "l");
  ASSERT_TRUE(current.ok());
  json changed = *current;
  changed["spec"]["holderIdentity"] = "c";
  auto updated = store_.update(kLeases, "default", "l", changed, Subresource::kMain, "controller");
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(entryOf(*updated, "controller")["operation"], "Update");
  EXPECT_EQ(entryOf(*updated, "controller")["fieldsV1"],
            json::parse(R"({"f:spec":{"f:holderIdentity":{}}})"));
  EXPECT_TRUE(entryOf(*updated, "mgr-a").is_null());  // it owned nothing else
}

TEST_F(ServerSideApplyTest, ContainersAreKeyedByNameInFieldsAndConflicts) {
  auto pod = [](json containers) {
    return json{{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", "p"}}},
                {"spec", {{"containers", std::move(containers)}}},
                {"status", {{"phase", "Running"}}}};
  };
  auto created =
      store_.apply(kPods, "default", "p",
                   pod({{{"name", "a"}, {"image", "a:1"}}, {{"name", "b"}, {"image", "b:1"}}}),
                   {"mgr-a", false});
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_FALSE(entryOf(created->object, "mgr-a")["fieldsV1"].contains("f:status"));
  EXPECT_EQ(entryOf(created->object, "mgr-a")["fieldsV1"]["f:spec"]["f:containers"],
            json::parse(R"({"k:{\"name\":\"a\"}":{".":{},"f:image":{},"f:name":{}},
                            "k:{\"name\":\"b\"}":{".":{},"f:image":{},"f:name":{}}})"));

  auto conflict = store_.apply(kPods, "default", "p", pod({{{"name", "a"}, {"image", "a:2"}}}),
                               {"mgr-b", false});
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().details["causes"][0]["field"], ".spec.containers[name=\"a\"].image");

  // mgr-a stops applying container b: it is removed; a stays.
  auto shrunk = store_.apply(kPods, "default", "p", pod({{{"name", "a"}, {"image", "a:1"}}}),
                             {"mgr-a", false});
  ASSERT_TRUE(shrunk.ok()) << shrunk.error().message;
  EXPECT_EQ(shrunk->object["spec"]["containers"], json({{{"name", "a"}, {"image", "a:1"}}}));
}

TEST_F(ServerSideApplyTest, RequestErrors) {
  auto noManager = apply(lease({{"holderIdentity", "a"}}), "");
  ASSERT_FALSE(noManager.ok());
  EXPECT_EQ(noManager.error().code, 422);
  EXPECT_EQ(noManager.error().message,
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required "
            "for apply patch");
  json wrongKind = lease({});
  wrongKind["kind"] = "Pod";
  auto kind = apply(wrongKind, "m");
  ASSERT_FALSE(kind.ok());
  EXPECT_EQ(kind.error().code, 400);
  json otherName = lease({});
  otherName["metadata"]["name"] = "other";
  auto name = apply(otherName, "m");
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.error().code, 400);
}

}  // namespace
}  // namespace karpenter::apiserver
