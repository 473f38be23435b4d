#include "karpenter/admission/routes.hpp"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "admission/admission_fixtures.hpp"
#include "karpenter/admission/defaulting.hpp"
#include "karpenter/api/patch.hpp"
#include "karpenter/kube/config.hpp"

namespace karpenter::admission {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing::review;

constexpr const char* kUid = "705ab4f5-6393-11e8-b7cc-42010a800002";

struct Served {
  std::string validatePath;
  std::string defaultPath;
  std::string group;
  std::string kind;
  json (*valid)();
  json (*defaults)(const json&);
};

const Served kNodePools{"/validate/karpenter.sh/nodepools",
                        "/default/karpenter.sh/nodepools",
                        "karpenter.sh",
                        "NodePool",
                        testing::validNodePool,
                        defaultNodePool};
const Served kNodeClaims{"/validate/karpenter.sh/nodeclaims",
                         "/default/karpenter.sh/nodeclaims",
                         "karpenter.sh",
                         "NodeClaim",
                         testing::validNodeClaim,
                         defaultNodeClaim};
const Served kNodeClasses{"/validate/karpenter.k8s.aws/ec2nodeclasses",
                          "/default/karpenter.k8s.aws/ec2nodeclasses",
                          "karpenter.k8s.aws",
                          "EC2NodeClass",
                          testing::validEC2NodeClass,
                          defaultEC2NodeClass};

class AdmissionRoutesTest : public ::testing::TestWithParam<Served> {
 protected:
  AdmissionRoutesTest() { addAdmissionRoutes(router_); }

  server::Response post(const std::string& path, const json& body) const {
    return router_.handle(
        server::Request{"POST", path + "?timeout=10s", "application/json", body.dump()});
  }

  // POSTs a review and returns the parsed body after checking the envelope echo.
  json answer(const std::string& path, const json& body) const {
    const server::Response response = post(path, body);
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.contentType, "application/json");
    const json parsed = json::parse(response.body);
    EXPECT_EQ(parsed["apiVersion"], "admission.k8s.io/v1");
    EXPECT_EQ(parsed["kind"], "AdmissionReview");
    EXPECT_EQ(parsed["response"]["uid"], body["request"]["uid"]);
    return parsed["response"];
  }

  server::Router router_;
};

TEST_P(AdmissionRoutesTest, ValidObjectIsAllowed) {
  const Served& s = GetParam();
  const json response = answer(s.validatePath, review("CREATE", s.group, s.kind, s.valid()));
  EXPECT_EQ(response["allowed"], true);
  EXPECT_FALSE(response.contains("status"));
  EXPECT_FALSE(response.contains("patch"));
  EXPECT_FALSE(response.contains("patchType"));
}

TEST_P(AdmissionRoutesTest, InvalidObjectIsDeniedWithEveryFieldPath) {
  const Served& s = GetParam();
  json object = s.valid();
  std::vector<std::string> paths;
  if (s.kind == "NodePool") {
    object["spec"]["weight"] = 101;
    object["spec"]["template"]["spec"]["taints"] = {{{"key", "a"}, {"effect", "Sometimes"}}};
    paths = {"spec.weight", "spec.template.spec.taints[0].effect"};
  } else if (s.kind == "NodeClaim") {
    object["spec"]["expireAfter"] = "1 day";
    object["spec"]["requirements"][0]["operator"] = "Near";
    paths = {"spec.expireAfter", "spec.requirements[0].operator"};
  } else {
    object["spec"]["subnetSelectorTerms"] = json::array();
    object["spec"]["metadataOptions"] = {{"httpPutResponseHopLimit", 0}};
    paths = {"spec.subnetSelectorTerms", "spec.metadataOptions.httpPutResponseHopLimit"};
  }
  const json response = answer(s.validatePath, review("CREATE", s.group, s.kind, object));
  EXPECT_EQ(response["allowed"], false);
  EXPECT_EQ(response["status"]["code"], 403);
  EXPECT_EQ(response["status"]["reason"], "Forbidden");
  EXPECT_EQ(response["status"]["status"], "Failure");
  const std::string message = response["status"]["message"];
  EXPECT_THAT(message, HasSubstr(s.kind + "." + s.group + " \"" +
                                 object["metadata"]["name"].get<std::string>() + "\" is invalid"));
  for (const auto& path : paths) {
    EXPECT_THAT(message, HasSubstr(path + ": ")) << message;
  }
}

TEST_P(AdmissionRoutesTest, DefaultingPatchAppliesToTheDefaultedObject) {
  const Served& s = GetParam();
  const json object = s.valid();
  const json response = answer(s.defaultPath, review("CREATE", s.group, s.kind, object));
  EXPECT_EQ(response["allowed"], true);
  ASSERT_EQ(response.value("patchType", ""), "JSONPatch");
  auto bytes = kube::base64Decode(response["patch"].get<std::string>());
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  const json patch = json::parse(*bytes);
  ASSERT_TRUE(patch.is_array());
  auto patched = api::applyJsonPatch(object, patch);
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_EQ(*patched, s.defaults(object));
  EXPECT_NE(*patched, object);

  // The defaulted object needs nothing more: no patch and no patchType at all.
  const json again = answer(s.defaultPath, review("UPDATE", s.group, s.kind, *patched, *patched));
  EXPECT_EQ(again["allowed"], true);
  EXPECT_FALSE(again.contains("patch"));
  EXPECT_FALSE(again.contains("patchType"));
  // And the validating webhook admits it.
  EXPECT_EQ(answer(s.validatePath, review("CREATE", s.group, s.kind, *patched))["allowed"], true);
}

TEST_P(AdmissionRoutesTest, DeleteAndConnectAreAllowedWithoutWork) {
  const Served& s = GetParam();
  for (const std::string& path : {s.validatePath, s.defaultPath}) {
    // DELETE carries oldObject only; even an invalid one is not judged.
    json body = review("DELETE", s.group, s.kind, nullptr, json{{"spec", "garbage"}}, "del-1");
    json response = answer(path, body);
    EXPECT_EQ(response, json::parse(R"({"uid":"del-1","allowed":true})"));
    body = review("CONNECT", s.group, s.kind, nullptr, nullptr, "con-1");
    EXPECT_EQ(answer(path, body)["allowed"], true);
  }
}

TEST_P(AdmissionRoutesTest, DryRunGivesTheSameAnswer) {
  const Served& s = GetParam();
  json body = review("CREATE", s.group, s.kind, s.valid());
  const json wet = answer(s.defaultPath, body);
  body["request"]["dryRun"] = true;
  EXPECT_EQ(answer(s.defaultPath, body), wet);
}

TEST_P(AdmissionRoutesTest, WrongKindIsDenied) {
  const Served& s = GetParam();
  for (const std::string& path : {s.validatePath, s.defaultPath}) {
    const json response = answer(path, review("CREATE", "apps", "Deployment", s.valid()));
    EXPECT_EQ(response["allowed"], false);
    EXPECT_EQ(response["status"]["code"], 400);
    EXPECT_THAT(response["status"]["message"].get<std::string>(),
                HasSubstr("this webhook serves " + s.group + "/v1, Kind=" + s.kind +
                          ", but the request is for apps/v1, Kind=Deployment"));
    EXPECT_FALSE(response.contains("patch"));
  }
}

TEST_P(AdmissionRoutesTest, MalformedReviewIs400NamingTheField) {
  const Served& s = GetParam();
  const json good = review("CREATE", s.group, s.kind, s.valid());
  struct Case {
    std::string pointer;  // field to change
    json value;           // nullptr removes it
    std::string named;    // expected in the message
  };
  const std::vector<Case> cases = {
      {"/request/uid", nullptr, "request.uid: required"},
      {"/request/uid", 7, "request.uid: expected a string"},
      {"/apiVersion", "admission.k8s.io/v1beta1", "apiVersion: expected \"admission.k8s.io/v1\""},
      {"/kind", "ConversionReview", "kind: expected \"AdmissionReview\""},
      {"/request", nullptr, "request: required"},
      {"/request", json::array(), "request: expected an object"},
      {"/request/operation", "PATCH", "request.operation: expected one of"},
      {"/request/kind", nullptr, "request.kind: required"},
      {"/request/object", nullptr, "request.object: required for operation CREATE"},
      {"/request/object", "text", "request.object: expected an object"},
      {"/request/dryRun", "yes", "request.dryRun: expected a boolean"},
  };
  for (const auto& c : cases) {
    json body = good;
    const json::json_pointer pointer(c.pointer);
    if (c.value.is_null()) {
      body[pointer.parent_pointer()].erase(pointer.back());
    } else {
      body[pointer] = c.value;
    }
    for (const std::string& path : {s.validatePath, s.defaultPath}) {
      const server::Response response = post(path, body);
      EXPECT_EQ(response.status, 400) << c.pointer;
      EXPECT_THAT(json::parse(response.body)["message"].get<std::string>(),
                  HasSubstr("invalid AdmissionReview: " + c.named));
    }
  }
  // UPDATE needs the old object.
  const server::Response update =
      post(s.validatePath, review("UPDATE", s.group, s.kind, s.valid()));
  EXPECT_EQ(update.status, 400);
  EXPECT_THAT(update.body, HasSubstr("request.oldObject: required for operation UPDATE"));
  // Not JSON, not POST, not application/json: the Router's answers.
  EXPECT_EQ(router_.handle({"POST", s.validatePath, "application/json", "{\"apiVersion\":"}).status,
            400);
  EXPECT_EQ(router_.handle({"GET", s.validatePath, "", ""}).status, 405);
  EXPECT_EQ(router_.handle({"POST", s.defaultPath, "text/plain", good.dump()}).status, 415);
}

TEST_P(AdmissionRoutesTest, UndecodableObjectIsDeniedNamingTheField) {
  const Served& s = GetParam();
  json object = s.valid();
  object["metadata"]["labels"] = {{"a", 5}};
  const json response = answer(s.validatePath, review("CREATE", s.group, s.kind, object));
  EXPECT_EQ(response["allowed"], false);
  EXPECT_EQ(response["status"]["code"], 400);
  EXPECT_THAT(response["status"]["message"].get<std::string>(),
              HasSubstr("object: metadata.labels"));
}

INSTANTIATE_TEST_SUITE_P(AllKinds, AdmissionRoutesTest,
                         ::testing::Values(kNodePools, kNodeClaims, kNodeClasses),
                         [](const auto& info) { return info.param.kind; });

class AdmissionUpdateTest : public ::testing::Test {
 protected:
  AdmissionUpdateTest() { addAdmissionRoutes(router_); }
  json respond(const std::string& path, const json& body) const {
    const auto response = router_.handle({"POST", path, "application/json", body.dump()});
    EXPECT_EQ(response.status, 200) << response.body;
    return json::parse(response.body)["response"];
  }
  server::Router router_;
};

TEST_F(AdmissionUpdateTest, NodeClaimSpecIsImmutable) {
  const json old = defaultNodeClaim(testing::validNodeClaim());
  json updated = old;
  updated["metadata"]["labels"] = {{"team", "a"}};
  EXPECT_EQ(respond("/validate/karpenter.sh/nodeclaims",
                    review("UPDATE", "karpenter.sh", "NodeClaim", updated, old))["allowed"],
            true);
  updated["spec"]["expireAfter"] = "1h";
  const json response = respond("/validate/karpenter.sh/nodeclaims",
                                review("UPDATE", "karpenter.sh", "NodeClaim", updated, old));
  EXPECT_EQ(response["allowed"], false);
  EXPECT_EQ(response["status"]["message"],
            "NodeClaim.karpenter.sh \"default-abcde\" is invalid: spec: Invalid value: "
            "\"object\": spec is immutable");
}

TEST_F(AdmissionUpdateTest, NodePoolNodeClassRefKindIsImmutable) {
  const json old = defaultNodePool(testing::validNodePool());
  json updated = old;
  updated["spec"]["template"]["spec"]["nodeClassRef"]["name"] = "other";
  EXPECT_EQ(respond("/validate/karpenter.sh/nodepools",
                    review("UPDATE", "karpenter.sh", "NodePool", updated, old))["allowed"],
            true);
  updated["spec"]["template"]["spec"]["nodeClassRef"]["kind"] = "OtherNodeClass";
  const json response = respond("/validate/karpenter.sh/nodepools",
                                review("UPDATE", "karpenter.sh", "NodePool", updated, old));
  EXPECT_EQ(response["allowed"], false);
  EXPECT_THAT(response["status"]["message"].get<std::string>(),
              HasSubstr("spec.template.spec.nodeClassRef.kind: Invalid value: "
                        "\"OtherNodeClass\": nodeClassRef.kind is immutable"));
}

TEST_F(AdmissionUpdateTest, StatusSubresourceWritesAreNotJudged) {
  json object = testing::validNodeClaim();
  json changed = object;
  changed["spec"]["expireAfter"] = "1h";
  json body = review("UPDATE", "karpenter.sh", "NodeClaim", changed, object);
  body["request"]["subResource"] = "status";
  EXPECT_EQ(respond("/validate/karpenter.sh/nodeclaims", body)["allowed"], true);
}

TEST_F(AdmissionUpdateTest, AliasAtLatestWarns) {
  json nodeClass = testing::validEC2NodeClass();
  nodeClass["spec"]["amiSelectorTerms"] = {{{"alias", "al2023@latest"}}};
  const json response = respond("/validate/karpenter.k8s.aws/ec2nodeclasses",
                                review("CREATE", "karpenter.k8s.aws", "EC2NodeClass", nodeClass));
  EXPECT_EQ(response["allowed"], true);
  ASSERT_EQ(response["warnings"].size(), 1U);
  EXPECT_THAT(response["warnings"][0].get<std::string>(), HasSubstr("al2023@latest"));
  nodeClass["spec"]["amiSelectorTerms"] = {{{"alias", "al2023@v20240625"}}};
  EXPECT_FALSE(respond("/validate/karpenter.k8s.aws/ec2nodeclasses",
                       review("CREATE", "karpenter.k8s.aws", "EC2NodeClass", nodeClass))
                   .contains("warnings"));
}

TEST_F(AdmissionUpdateTest, ExactWireOfADenial) {
  json pool = defaultNodePool(testing::validNodePool());
  pool["spec"]["weight"] = 0;
  const auto response =
      router_.handle({"POST", "/validate/karpenter.sh/nodepools", "application/json",
                      review("CREATE", "karpenter.sh", "NodePool", pool).dump()});
  EXPECT_EQ(response.body,
            std::string(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",)") +
                R"("response":{"uid":")" + kUid +
                R"(","allowed":false,"status":{"metadata":{},"status":"Failure",)"
                R"("message":"NodePool.karpenter.sh \"default\" is invalid: spec.weight: Invalid )"
                R"(value: 0: must be between 1 and 100","reason":"Forbidden","code":403}}})");
}

TEST(AdmissionRoutes, RegistersExactlyTheSixPathsWithTheDefaultLimit) {
  server::Router router(1);  // a default limit nobody should inherit
  addAdmissionRoutes(router);
  for (const char* path :
       {"/validate/karpenter.sh/nodepools", "/validate/karpenter.sh/nodeclaims",
        "/validate/karpenter.k8s.aws/ec2nodeclasses", "/default/karpenter.sh/nodepools",
        "/default/karpenter.sh/nodeclaims", "/default/karpenter.k8s.aws/ec2nodeclasses"}) {
    EXPECT_EQ(router.bodyLimitFor(path), server::kDefaultBodyLimit) << path;
  }
  EXPECT_EQ(
      router.handle({"POST", "/validate/karpenter.sh/nodepool", "application/json", "{}"}).status,
      404);
  const std::string huge(server::kDefaultBodyLimit + 1, ' ');
  EXPECT_EQ(
      router.handle({"POST", "/default/karpenter.sh/nodepools", "application/json", huge}).status,
      413);
}

// Found by the fuzz targets: both used to escape Router::handle as exceptions.
TEST(AdmissionRoutes, HostileJsonIsA400WithAValidJsonBody) {
  server::Router router;
  addAdmissionRoutes(router);
  for (const std::string& body :
       {std::string(R"({"request":{"uid":1e999}})"), std::string("{\"apiVersion\":\"\xaf\xaf")}) {
    server::Response response;
    ASSERT_NO_THROW(response = router.handle(
                        {"POST", std::string(kValidateNodePoolsPath), "application/json", body}));
    EXPECT_EQ(response.status, 400);
    const json parsed = json::parse(response.body);
    EXPECT_THAT(parsed["message"].get<std::string>(), HasSubstr("request body is not valid JSON"));
  }
}

}  // namespace
}  // namespace karpenter::admission
