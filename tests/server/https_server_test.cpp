#include "karpenter/server/https_server.hpp"

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "fakes/fake_cluster_view.hpp"
#include "server/tls_fixture.hpp"

namespace karpenter::server {
namespace {

using namespace karpenter::testing;  // NOLINT: test helpers
using extender::WireJson;

constexpr const char* kCacheArgs =
    R"({"Pod":{"metadata":{"name":"p","uid":"pod-1"},"spec":{"containers":[]}},)"
    R"("Nodes":null,"NodeNames":["good","disrupted"]})";

class HttpsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(makeCa(dir_, "ca"));
    ASSERT_TRUE(makeCa(dir_, "other-ca"));
    ASSERT_TRUE(makeLeaf(dir_, "server", "ca"));
    ASSERT_TRUE(makeLeaf(dir_, "client", "ca"));
    ASSERT_TRUE(makeLeaf(dir_, "stranger", "other-ca"));
    view_->nodes["good"] = extender::NodeFacts{.managed = true,
                                               .pricePerHour = 0.1,
                                               .allocatableMilliCpu = 4000,
                                               .allocatableMemoryBytes = int64_t{16} << 30};
    view_->nodes["disrupted"] = view_->nodes["good"];
    view_->nodes["disrupted"].disruptedTaint = true;
    view_->nominations["pod-1"] = "good";
    auto router = std::make_shared<Router>(1024);
    addExtenderRoutes(
        *router, [view = view_] { return view; }, 4096);
    router_ = router;
    options_.port = 0;
    options_.certFile = dir_.file("server.crt");
    options_.keyFile = dir_.file("server.key");
  }

  void start() {
    server_ = std::make_unique<HttpsServer>(router_, options_);
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().message;
    ASSERT_NE(server_->port(), 0);
  }

  std::string expectedFilter() const {
    auto args = extender::decodeExtenderArgs(WireJson::parse(kCacheArgs));
    return extender::encode(extender::filter(*args, *view_)).dump();
  }

  TempDir dir_;
  std::shared_ptr<FakeClusterView> view_ = std::make_shared<FakeClusterView>();
  std::shared_ptr<const Router> router_;
  HttpsServer::Options options_;
  std::unique_ptr<HttpsServer> server_;
};

TEST_F(HttpsServerTest, FilterAndPrioritizeOnOneKeepAliveConnection) {
  start();
  auto context = clientContext(dir_.file("ca.crt"));
  TlsClient client(context, server_->port());
  ASSERT_FALSE(client.error()) << client.stage() << ": " << client.error().message();
  EXPECT_GE(SSL_version(client.native()), TLS1_2_VERSION);

  HttpReply filtered = client.send(http::verb::post, "/scheduler/filter", kCacheArgs);
  ASSERT_TRUE(filtered.response) << filtered.stage << ": " << filtered.error.message();
  EXPECT_EQ(filtered.response->result_int(), 200);
  EXPECT_EQ(filtered.response->body(), expectedFilter());
  EXPECT_TRUE(filtered.response->keep_alive());

  HttpReply prioritized = client.send(http::verb::post, "/scheduler/prioritize", kCacheArgs);
  ASSERT_TRUE(prioritized.response) << prioritized.stage << ": " << prioritized.error.message();
  EXPECT_EQ(prioritized.response->result_int(), 200);
  const WireJson scores = WireJson::parse(prioritized.response->body());
  ASSERT_TRUE(scores.is_array());
  EXPECT_EQ(scores[0], WireJson::parse(R"({"Host":"good","Score":10})"));
  EXPECT_EQ(server_->connections(), 1u);  // both requests rode the same connection
}

TEST_F(HttpsServerTest, EachRequestOnAConnectionGetsExactlyItsOwnBody) {
  // A connection reads every body into the previous one's buffer: a shorter body after a longer
  // one, and an empty one, must not see what the earlier request left there.
  auto router = std::make_shared<Router>(1024);
  router->addPlainRoute(
      "POST", "/echo",
      [](const Request& request) {
        Response response;
        response.contentType = "text/plain";
        response.body = request.body;
        return response;
      },
      4096);
  router_ = router;
  start();
  auto context = clientContext(dir_.file("ca.crt"));
  TlsClient client(context, server_->port());
  for (const std::string& body : {std::string(3000, 'a'), std::string("short"), std::string(),
                                  std::string(2000, 'c'), std::string(4096, 'd')}) {
    HttpReply echoed = client.send(http::verb::post, "/echo", body);
    ASSERT_TRUE(echoed.response) << echoed.stage << ": " << echoed.error.message();
    EXPECT_EQ(echoed.response->result_int(), 200);
    EXPECT_EQ(echoed.response->body(), body) << body.size() << " bytes";
  }
  EXPECT_EQ(server_->connections(), 1u);
}

TEST_F(HttpsServerTest, ErrorsOverTheWireAreJsonAndKeepBadInputOffTheOtherClients) {
  start();
  auto context = clientContext(dir_.file("ca.crt"));
  TlsClient client(context, server_->port());
  HttpReply missing = client.send(http::verb::post, "/nope", "{}");
  ASSERT_TRUE(missing.response) << missing.stage << ": " << missing.error.message();
  EXPECT_EQ(missing.response->result_int(), 404);
  HttpReply wrongMethod = client.send(http::verb::get, "/scheduler/filter", "");
  ASSERT_TRUE(wrongMethod.response);
  EXPECT_EQ(wrongMethod.response->result_int(), 405);
  EXPECT_EQ((*wrongMethod.response)[http::field::allow], "POST");
  HttpReply badType = client.send(http::verb::post, "/scheduler/filter", kCacheArgs, "text/xml");
  ASSERT_TRUE(badType.response);
  EXPECT_EQ(badType.response->result_int(), 415);
  HttpReply badJson = client.send(http::verb::post, "/scheduler/filter", "{");
  ASSERT_TRUE(badJson.response);
  EXPECT_EQ(badJson.response->result_int(), 400);

  // Too big: 413 from the declared length alone, then the connection closes.
  TlsClient big(context, server_->port());
  HttpReply tooBig = big.send(http::verb::post, "/scheduler/filter", std::string(5000, ' '));
  ASSERT_TRUE(tooBig.response) << tooBig.stage << ": " << tooBig.error.message();
  EXPECT_EQ(tooBig.response->result_int(), 413);
  EXPECT_FALSE(tooBig.response->keep_alive());

  TlsClient garbage(context, server_->port());
  HttpReply malformed = garbage.sendRaw("NOT HTTP AT ALL\r\n\r\n");
  ASSERT_TRUE(malformed.response) << malformed.error.message();
  EXPECT_EQ(malformed.response->result_int(), 400);

  // The first client is unaffected.
  HttpReply still = client.send(http::verb::post, "/scheduler/filter", kCacheArgs);
  ASSERT_TRUE(still.response) << still.stage << ": " << still.error.message();
  EXPECT_EQ(still.response->body(), expectedFilter());
}

TEST_F(HttpsServerTest, Tls11IsRefusedAndTls12Accepted) {
  start();
  auto limitedTo = [&](int maxVersion) {
    ssl::context context = clientContext(dir_.file("ca.crt"));
    // Security level 0 lets this client offer TLS 1.1 at all; the server must be the one saying no.
    SSL_CTX_set_cipher_list(context.native_handle(), "DEFAULT:@SECLEVEL=0");
    SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_VERSION);
    SSL_CTX_set_max_proto_version(context.native_handle(), maxVersion);
    return context;
  };
  auto tls11 = limitedTo(TLS1_1_VERSION);
  TlsClient old(tls11, server_->port());
  ASSERT_TRUE(old.error());
  EXPECT_EQ(old.stage(), "handshake");
  EXPECT_NE(old.error().message().find("protocol version"), std::string::npos)
      << old.error().message();

  auto tls12 = limitedTo(TLS1_2_VERSION);
  TlsClient current(tls12, server_->port());
  ASSERT_FALSE(current.error()) << current.error().message();
  EXPECT_EQ(SSL_version(current.native()), TLS1_2_VERSION);
  HttpReply reply = current.send(http::verb::post, "/scheduler/filter", kCacheArgs);
  ASSERT_TRUE(reply.response) << reply.stage << ": " << reply.error.message();
  EXPECT_EQ(reply.response->result_int(), 200);
}

TEST_F(HttpsServerTest, ClientCertificateRequiredWhenAClientCaIsConfigured) {
  options_.clientCaFile = dir_.file("ca.crt");
  start();
  // TLS 1.3 clients finish their side of the handshake before the server checks their
  // certificate, so the refusal may surface on the first read: look at the whole exchange.
  auto anonymousContext = clientContext(dir_.file("ca.crt"));
  TlsClient anonymous(anonymousContext, server_->port());
  HttpReply refused = anonymous.send(http::verb::post, "/scheduler/filter", kCacheArgs);
  EXPECT_FALSE(refused.response);
  EXPECT_TRUE(refused.error);

  auto strangerContext =
      clientContext(dir_.file("ca.crt"), dir_.file("stranger.crt"), dir_.file("stranger.key"));
  TlsClient stranger(strangerContext, server_->port());
  HttpReply alsoRefused = stranger.send(http::verb::post, "/scheduler/filter", kCacheArgs);
  EXPECT_FALSE(alsoRefused.response);

  auto trustedContext =
      clientContext(dir_.file("ca.crt"), dir_.file("client.crt"), dir_.file("client.key"));
  TlsClient trusted(trustedContext, server_->port());
  HttpReply accepted = trusted.send(http::verb::post, "/scheduler/filter", kCacheArgs);
  ASSERT_TRUE(accepted.response) << accepted.stage << ": " << accepted.error.message();
  EXPECT_EQ(accepted.response->result_int(), 200);
}

TEST_F(HttpsServerTest, RotatedCertificateServesNewConnections) {
  ASSERT_TRUE(makeCa(dir_, "next-ca"));
  ASSERT_TRUE(makeLeaf(dir_, "next", "next-ca"));
  start();
  auto oldTrust = clientContext(dir_.file("ca.crt"));
  auto newTrust = clientContext(dir_.file("next-ca.crt"));
  TlsClient before(oldTrust, server_->port());
  ASSERT_FALSE(before.error()) << before.error().message();
  TlsClient notYet(newTrust, server_->port());
  EXPECT_TRUE(notYet.error());

  // Replace the pair the way a cert manager does: new files renamed over the old ones.
  std::filesystem::rename(dir_.file("next.key"), dir_.file("server.key"));
  std::filesystem::rename(dir_.file("next.crt"), dir_.file("server.crt"));

  TlsClient after(newTrust, server_->port());
  ASSERT_FALSE(after.error()) << after.stage() << ": " << after.error().message();
  HttpReply reply = after.send(http::verb::post, "/scheduler/filter", kCacheArgs);
  ASSERT_TRUE(reply.response) << reply.stage << ": " << reply.error.message();
  EXPECT_EQ(reply.response->result_int(), 200);
  TlsClient stale(oldTrust, server_->port());
  EXPECT_TRUE(stale.error());
  // A connection made before the rotation keeps working.
  HttpReply kept = before.send(http::verb::post, "/scheduler/filter", kCacheArgs);
  ASSERT_TRUE(kept.response) << kept.stage << ": " << kept.error.message();
  EXPECT_EQ(kept.response->result_int(), 200);
}

TEST_F(HttpsServerTest, ConnectionCapClosesTheExcessConnection) {
  options_.maxConnections = 1;
  start();
  auto context = clientContext(dir_.file("ca.crt"));
  TlsClient first(context, server_->port());
  ASSERT_FALSE(first.error()) << first.error().message();
  TlsClient second(context, server_->port());
  EXPECT_FALSE(second.send(http::verb::post, "/scheduler/filter", kCacheArgs).response);
  HttpReply reply = first.send(http::verb::post, "/scheduler/filter", kCacheArgs);
  ASSERT_TRUE(reply.response) << reply.stage << ": " << reply.error.message();
}

TEST_F(HttpsServerTest, IdleKeepAliveConnectionIsClosed) {
  options_.idleTimeout = std::chrono::milliseconds(200);
  start();
  auto context = clientContext(dir_.file("ca.crt"));
  TlsClient client(context, server_->port());
  ASSERT_TRUE(client.send(http::verb::post, "/scheduler/filter", kCacheArgs).response);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // real sockets, real time
  EXPECT_EQ(server_->connections(), 0u);
  EXPECT_FALSE(client.send(http::verb::post, "/scheduler/filter", kCacheArgs).response);
}

TEST_F(HttpsServerTest, ARequestStalledInItsHeadersGets408ThenTheConnectionCloses) {
  options_.readTimeout = std::chrono::milliseconds(300);
  start();
  auto context = clientContext(dir_.file("ca.crt"));
  TlsClient client(context, server_->port());
  ASSERT_FALSE(client.error()) << client.error().message();
  // Part of the headers, then nothing: the server waits the read timeout and answers 408.
  HttpReply reply = client.sendRaw("POST /scheduler/filter HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  ASSERT_TRUE(reply.response) << reply.stage << ": " << reply.error.message();
  EXPECT_EQ(reply.response->result_int(), 408);
  EXPECT_FALSE(reply.response->keep_alive());
  EXPECT_EQ(WireJson::parse(reply.response->body())["code"], 408);
  EXPECT_FALSE(client.sendRaw("").response);  // and the connection is closed
}

TEST_F(HttpsServerTest, ARequestStalledInItsBodyGets408) {
  options_.readTimeout = std::chrono::milliseconds(300);
  start();
  auto context = clientContext(dir_.file("ca.crt"));
  TlsClient client(context, server_->port());
  // A keep-alive request first: the stall is on the second request of the connection.
  ASSERT_TRUE(client.send(http::verb::post, "/scheduler/filter", kCacheArgs).response);
  HttpReply reply = client.sendRaw(
      "POST /scheduler/filter HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: 100\r\n\r\n{\"Pod\":");
  ASSERT_TRUE(reply.response) << reply.stage << ": " << reply.error.message();
  EXPECT_EQ(reply.response->result_int(), 408);
  EXPECT_FALSE(reply.response->keep_alive());
  EXPECT_FALSE(client.sendRaw("").response);
}

TEST_F(HttpsServerTest, AConnectionThatSendsNothingIsClosedWithoutAResponse) {
  options_.readTimeout = std::chrono::milliseconds(200);
  options_.idleTimeout = std::chrono::milliseconds(200);
  start();
  auto context = clientContext(dir_.file("ca.crt"));
  TlsClient fresh(context, server_->port());
  ASSERT_FALSE(fresh.error()) << fresh.error().message();
  HttpReply silent = fresh.sendRaw("");  // reads until the server closes
  EXPECT_FALSE(silent.response);
  EXPECT_TRUE(silent.error);
  // Idle after a completed request: closed too, no 408.
  TlsClient idle(context, server_->port());
  ASSERT_TRUE(idle.send(http::verb::post, "/scheduler/filter", kCacheArgs).response);
  HttpReply closed = idle.sendRaw("");
  EXPECT_FALSE(closed.response);
  EXPECT_TRUE(closed.error);
}

TEST_F(HttpsServerTest, AStalledClientDoesNotHoldUpOthers) {
  options_.readTimeout = std::chrono::milliseconds(2000);
  start();
  auto context = clientContext(dir_.file("ca.crt"));
  TlsClient staller(context, server_->port());
  ASSERT_FALSE(staller.error());
  std::thread stall([&] { staller.sendRaw("POST /scheduler/filter HTTP/1.1\r\n"); });
  TlsClient other(context, server_->port());
  HttpReply reply = other.send(http::verb::post, "/scheduler/filter", kCacheArgs);
  ASSERT_TRUE(reply.response) << reply.stage << ": " << reply.error.message();
  EXPECT_EQ(reply.response->body(), expectedFilter());
  stall.join();
}

TEST_F(HttpsServerTest, StopClosesIdleConnectionsAndStopsAccepting) {
  start();
  const uint16_t port = server_->port();
  auto context = clientContext(dir_.file("ca.crt"));
  TlsClient client(context, port);
  ASSERT_TRUE(client.send(http::verb::post, "/scheduler/filter", kCacheArgs).response);
  const auto started = std::chrono::steady_clock::now();
  server_->stop(std::chrono::seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));  // not the grace
  EXPECT_EQ(server_->connections(), 0u);
  EXPECT_FALSE(client.send(http::verb::post, "/scheduler/filter", kCacheArgs).response);
  TlsClient late(context, port);
  EXPECT_TRUE(late.error());
}

TEST_F(HttpsServerTest, StartReportsAnUnreadableCertificate) {
  options_.certFile = dir_.file("missing.crt");
  HttpsServer server(router_, options_);
  auto started = server.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().kind, ErrorKind::kInvalid);
  EXPECT_NE(started.error().message.find("missing.crt"), std::string::npos);
}

}  // namespace
}  // namespace karpenter::server
