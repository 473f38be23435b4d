// An AdmissionReview round trip over a real TLS socket: HttpsServer serving the admission routes,
// a Beast TLS client trusting the test CA, one keep-alive connection.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "admission/admission_fixtures.hpp"
#include "karpenter/admission/defaulting.hpp"
#include "karpenter/admission/routes.hpp"
#include "karpenter/api/patch.hpp"
#include "karpenter/kube/config.hpp"
#include "karpenter/server/https_server.hpp"
#include "server/tls_fixture.hpp"

namespace karpenter::admission {
namespace {

using namespace karpenter::testing;  // NOLINT: test helpers
using nlohmann::json;

TEST(AdmissionWebhookTls, ReviewRoundTripOverTls) {
  TempDir dir;
  ASSERT_TRUE(makeCa(dir, "ca"));
  ASSERT_TRUE(makeLeaf(dir, "server", "ca"));
  auto router = std::make_shared<server::Router>();
  addAdmissionRoutes(*router);
  server::HttpsServer::Options options;
  options.port = 0;
  options.certFile = dir.file("server.crt");
  options.keyFile = dir.file("server.key");
  server::HttpsServer httpsServer(router, options);
  auto started = httpsServer.start();
  ASSERT_TRUE(started) << started.error().message;

  auto context = clientContext(dir.file("ca.crt"));
  TlsClient client(context, httpsServer.port());
  ASSERT_FALSE(client.error()) << client.stage() << ": " << client.error().message();

  // Mutating first, as the API server calls it: the patch turns the object into the defaulted one.
  const json nodeClass = validEC2NodeClass();
  HttpReply mutated = client.send(
      http::verb::post, "/default/karpenter.k8s.aws/ec2nodeclasses?timeout=10s",
      review("CREATE", "karpenter.k8s.aws", "EC2NodeClass", nodeClass, nullptr, "uid-mutate")
          .dump());
  ASSERT_TRUE(mutated.response) << mutated.stage << ": " << mutated.error.message();
  EXPECT_EQ(mutated.response->result_int(), 200);
  EXPECT_EQ(mutated.response->at(http::field::content_type), "application/json");
  const json mutateReply = json::parse(mutated.response->body());
  EXPECT_EQ(mutateReply["response"]["uid"], "uid-mutate");
  EXPECT_EQ(mutateReply["response"]["patchType"], "JSONPatch");
  auto patchBytes = kube::base64Decode(mutateReply["response"]["patch"].get<std::string>());
  ASSERT_TRUE(patchBytes.ok());
  auto patched = api::applyJsonPatch(nodeClass, json::parse(*patchBytes));
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_EQ(*patched, defaultEC2NodeClass(nodeClass));
  EXPECT_EQ((*patched)["spec"]["blockDeviceMappings"].size(), 2U);  // Bottlerocket: OS + data

  // Then validating, on the same connection: the defaulted object is admitted ...
  HttpReply admitted = client.send(
      http::verb::post, "/validate/karpenter.k8s.aws/ec2nodeclasses",
      review("CREATE", "karpenter.k8s.aws", "EC2NodeClass", *patched, nullptr, "uid-ok").dump());
  ASSERT_TRUE(admitted.response) << admitted.stage << ": " << admitted.error.message();
  EXPECT_EQ(json::parse(admitted.response->body())["response"],
            json::parse(R"({"uid":"uid-ok","allowed":true})"));

  // ... and a broken one is denied with its field paths.
  json broken = *patched;
  broken["spec"]["instanceProfile"] = "profile";
  broken["spec"]["blockDeviceMappings"][0]["ebs"]["volumeType"] = "gp9";
  HttpReply denied = client.send(
      http::verb::post, "/validate/karpenter.k8s.aws/ec2nodeclasses",
      review("CREATE", "karpenter.k8s.aws", "EC2NodeClass", broken, nullptr, "uid-no").dump());
  ASSERT_TRUE(denied.response) << denied.stage << ": " << denied.error.message();
  EXPECT_TRUE(denied.response->keep_alive());
  const json deniedReply = json::parse(denied.response->body())["response"];
  EXPECT_EQ(deniedReply["uid"], "uid-no");
  EXPECT_EQ(deniedReply["allowed"], false);
  EXPECT_EQ(deniedReply["status"]["code"], 403);
  EXPECT_THAT(deniedReply["status"]["message"].get<std::string>(),
              ::testing::AllOf(::testing::HasSubstr("spec: Invalid value: \"object\": must "
                                                    "specify exactly one of ['role', "
                                                    "'instanceProfile']"),
                               ::testing::HasSubstr("spec.blockDeviceMappings[0].ebs.volumeType: "
                                                    "Unsupported value: \"gp9\"")));

  // A malformed review over the wire: 400 naming the field.
  HttpReply malformed = client.send(http::verb::post, "/validate/karpenter.sh/nodepools",
                                    R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
                                        "request":{"operation":"CREATE"}})");
  ASSERT_TRUE(malformed.response) << malformed.stage << ": " << malformed.error.message();
  EXPECT_EQ(malformed.response->result_int(), 400);
  EXPECT_THAT(malformed.response->body(), ::testing::HasSubstr("request.uid: required"));

  httpsServer.stop(std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace karpenter::admission
