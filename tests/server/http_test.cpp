#include "karpenter/server/http.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_cluster_view.hpp"
#include "support/testdata.hpp"

namespace karpenter::server {
namespace {

using extender::WireJson;
using testing::FakeClusterView;

constexpr const char* kCacheArgs =
    R"({"Pod":{"metadata":{"name":"p","uid":"pod-1"},"spec":{"containers":[]}},)"
    R"("Nodes":null,"NodeNames":["good","disrupted"]})";

std::shared_ptr<FakeClusterView> makeView() {
  auto view = std::make_shared<FakeClusterView>();
  view->nodes["good"] = extender::NodeFacts{.managed = true,
                                            .pricePerHour = 0.1,
                                            .allocatableMilliCpu = 4000,
                                            .allocatableMemoryBytes = int64_t{16} << 30};
  view->nodes["disrupted"] = view->nodes["good"];
  view->nodes["disrupted"].disruptedTaint = true;
  view->nominations["pod-1"] = "good";
  return view;
}

class ExtenderRoutes : public ::testing::Test {
 protected:
  ExtenderRoutes() : router_(1024) {
    addExtenderRoutes(
        router_, [this] { return view_; }, 4096);
  }

  Response post(const std::string& path, const std::string& body,
                const std::string& contentType = "application/json") {
    return router_.handle(Request{"POST", path, contentType, body});
  }

  static WireJson bodyOf(const Response& response) { return WireJson::parse(response.body); }

  std::shared_ptr<FakeClusterView> view_ = makeView();
  Router router_;
};

TEST_F(ExtenderRoutes, FilterAnswersInTheExactWireFormat) {
  const Response response = post("/scheduler/filter", kCacheArgs);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.contentType, "application/json");
  auto args = extender::decodeExtenderArgs(WireJson::parse(kCacheArgs));
  ASSERT_TRUE(args);
  EXPECT_EQ(response.body, extender::encode(extender::filter(*args, *view_)).dump());
  const WireJson body = bodyOf(response);
  EXPECT_EQ(body["NodeNames"], WireJson::array({"good"}));
  EXPECT_TRUE(body["Nodes"].is_null());
  EXPECT_TRUE(body["FailedNodes"].contains("disrupted"));
  EXPECT_EQ(body["Error"], "");
}

TEST_F(ExtenderRoutes, PrioritizeAnswersABareHostPriorityList) {
  const Response response =
      post("/scheduler/prioritize?ignored=1", kCacheArgs, "Application/JSON; charset=utf-8");
  ASSERT_EQ(response.status, 200) << response.body;
  const WireJson body = bodyOf(response);
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.size(), 2u);
  EXPECT_EQ(body[0]["Host"], "good");
  EXPECT_EQ(body[0]["Score"], 10);  // nominated for this pod
  auto args = extender::decodeExtenderArgs(WireJson::parse(kCacheArgs));
  ASSERT_TRUE(args);
  EXPECT_EQ(response.body, extender::encode(extender::prioritize(*args, *view_)).dump());
}

TEST_F(ExtenderRoutes, UnknownPathIs404) {
  const Response response = post("/scheduler/bind", kCacheArgs);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(bodyOf(response)["code"], 404);
  EXPECT_NE(bodyOf(response)["message"].get<std::string>().find("/scheduler/bind"),
            std::string::npos);
}

TEST_F(ExtenderRoutes, WrongMethodIs405WithAllow) {
  const Response response = router_.handle(Request{"GET", "/scheduler/filter", "", ""});
  EXPECT_EQ(response.status, 405);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Allow");
  EXPECT_EQ(response.headers[0].second, "POST");
}

TEST_F(ExtenderRoutes, NonJsonContentTypeIs415) {
  EXPECT_EQ(post("/scheduler/filter", kCacheArgs, "text/plain").status, 415);
  EXPECT_EQ(post("/scheduler/filter", kCacheArgs, "").status, 415);
  EXPECT_EQ(post("/scheduler/filter", kCacheArgs, "application/jsonx").status, 415);
}

TEST_F(ExtenderRoutes, UnparsableJsonIs400NamingTheProblem) {
  const Response response = post("/scheduler/filter", R"({"Pod": {)");
  EXPECT_EQ(response.status, 400);
  const std::string message = bodyOf(response)["message"];
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
  EXPECT_NE(message.find("parse error"), std::string::npos) << message;
}

TEST_F(ExtenderRoutes, JsonThatIsNotExtenderArgsIs400NamingTheField) {
  const Response response =
      post("/scheduler/filter", R"({"Pod":{},"Nodes":null,"NodeNames":["a",7]})");
  EXPECT_EQ(response.status, 400);
  const std::string message = bodyOf(response)["message"];
  EXPECT_NE(message.find("NodeNames"), std::string::npos) << message;
  EXPECT_EQ(post("/scheduler/prioritize", "[1,2]").status, 400);
}

TEST_F(ExtenderRoutes, BodyOverTheRouteLimitIs413) {
  const std::string big = R"({"Pod":{},"NodeNames":[")" + std::string(5000, 'x') + R"("]})";
  EXPECT_EQ(post("/scheduler/filter", big).status, 413);
  EXPECT_EQ(router_.bodyLimitFor("/scheduler/filter?a=b"), 4096u);
  EXPECT_EQ(router_.bodyLimitFor("/unknown"), 1024u);
}

TEST_F(ExtenderRoutes, NoSnapshotYetIs503NotACrash) {
  view_.reset();
  EXPECT_EQ(post("/scheduler/filter", kCacheArgs).status, 503);
}

// The streaming path (scan, index lookups, direct writing) against the tree path (parse,
// decodeExtenderArgs, typed verbs, encode().dump()): the same bytes for both verbs.
void expectSameAsTheTreePath(Router& router, const FakeClusterView& view, const std::string& body) {
  auto args = extender::decodeExtenderArgs(WireJson::parse(body));
  ASSERT_TRUE(args) << args.error().message;
  const Response filtered =
      router.handle(Request{"POST", "/scheduler/filter", "application/json", body});
  ASSERT_EQ(filtered.status, 200) << filtered.body;
  EXPECT_EQ(filtered.body, extender::encode(extender::filter(*args, view)).dump());
  const Response prioritized =
      router.handle(Request{"POST", "/scheduler/prioritize", "application/json", body});
  ASSERT_EQ(prioritized.status, 200) << prioritized.body;
  EXPECT_EQ(prioritized.body, extender::encode(extender::prioritize(*args, view)).dump());
}

TEST_F(ExtenderRoutes, ThousandsOfNodesAnswerExactlyAsTheTreePathDoes) {
  Router router;
  addExtenderRoutes(router, [this] { return view_; });
  WireJson names = WireJson::array();
  for (int i = 0; i < 3000; ++i) {
    std::string name = "ip-10-0-" + std::to_string(i) + ".compute.internal";
    if (i % 500 == 7) {
      name += "-\"odd\"\n\u00e9";
    }
    names.push_back(name);
    extender::NodeFacts facts{.managed = i % 10 != 0,
                              .disruptedTaint = i % 50 == 1,
                              .deleting = i % 100 == 2,
                              .nodeClaimDeleting = i % 100 == 3,
                              .consolidatable = i % 20 == 4,
                              .drifted = i % 33 == 5,
                              .pricePerHour = i % 25 == 7 ? 0 : 0.05 * (i % 7 + 1),
                              .allocatableMilliCpu = 1000 * (i % 4 + 1),
                              .allocatableMemoryBytes = int64_t{4} << 30,
                              .requestedMilliCpu = 37 * (i % 30)};
    if (i % 3 != 2) {  // a third are unknown to the state
      view_->nodes[name] = facts;
    }
  }
  names.push_back(names[0]);  // kube-scheduler does not repeat names, but a client might
  view_->nominations["pod-1"] = names[42].get<std::string>();
  const WireJson pod = WireJson::parse(R"({"metadata":{"name":"p","uid":"pod-1"},"spec":
      {"containers":[{"name":"c","resources":{"requests":{"cpu":"300m","memory":"1Gi"}}}]}})");
  expectSameAsTheTreePath(router, *view_,
                          WireJson{{"Pod", pod}, {"Nodes", nullptr}, {"NodeNames", names}}.dump());
  expectSameAsTheTreePath(router, *view_, WireJson{{"Pod", pod}}.dump());  // nothing asked
}

TEST_F(ExtenderRoutes, KubeSchedulerGoldenRequestsInBothModes) {
  Router router;
  addExtenderRoutes(router, [this] { return view_; });
  const std::string golden =
      testing::readFile(testing::testdataDir() / "kube/extender-v1/ExtenderArgs.json");
  view_->nodes["nodename"] = view_->nodes["disrupted"];
  expectSameAsTheTreePath(router, *view_, golden);  // non-cache: the NodeList comes back
  WireJson cacheMode = WireJson::parse(golden);
  cacheMode["Nodes"] = nullptr;
  expectSameAsTheTreePath(router, *view_, cacheMode.dump());
  WireJson nonCacheOnly = WireJson::parse(golden);
  nonCacheOnly["NodeNames"] = nullptr;
  expectSameAsTheTreePath(router, *view_, nonCacheOnly.dump());
}

TEST(Router, HandlerExceptionsBecome500AndDoNotEscape) {
  Router router;
  router.addJsonRoute(
      "POST", "/boom",
      [](const Request&, const WireJson&) -> Response { throw std::runtime_error("bug"); }, 100);
  EXPECT_EQ(router.handle(Request{"POST", "/boom", "application/json", "{}"}).status, 500);
}

TEST(Router, AllowListsEveryMethodOfThePath) {
  Router router;
  auto ok = [](const Request&, const WireJson&) { return Response{}; };
  router.addJsonRoute("PUT", "/x", ok, 100);
  router.addJsonRoute("POST", "/x", ok, 100);
  const Response response = router.handle(Request{"DELETE", "/x", "application/json", "{}"});
  EXPECT_EQ(response.status, 405);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].second, "POST, PUT");
}

TEST(Router, PlainRoutesSeeTheRawRequestWithoutJsonChecks) {
  Router router;
  router.addPlainRoute("GET", "/healthz", [](const Request& request) {
    Response response;
    response.contentType = "text/plain";
    response.body = "ok " + request.target;
    return response;
  });
  auto ok = router.handle(Request{"GET", "/healthz?verbose", "", ""});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "ok /healthz?verbose");
  EXPECT_EQ(router.handle(Request{"POST", "/healthz", "", ""}).status, 405);
  // A plain route's body limit defaults to 0: GET endpoints take no body.
  EXPECT_EQ(router.handle(Request{"GET", "/healthz", "", "x"}).status, 413);
}

TEST(Router, PlainHandlerExceptionsBecome500) {
  Router router;
  router.addPlainRoute("GET", "/boom",
                       [](const Request&) -> Response { throw std::runtime_error("bug"); });
  EXPECT_EQ(router.handle(Request{"GET", "/boom", "", ""}).status, 500);
}

TEST(IsJsonContentType, AcceptsParametersAndCase) {
  EXPECT_TRUE(isJsonContentType("application/json"));
  EXPECT_TRUE(isJsonContentType(" application/JSON ; charset=utf-8"));
  EXPECT_FALSE(isJsonContentType("application/json-patch+json"));
  EXPECT_FALSE(isJsonContentType(""));
}

}  // namespace
}  // namespace karpenter::server
