#include "karpenter/kube/client.hpp"

#include <arpa/inet.h>
#include <deque>
#include <mutex>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

namespace karpenter::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ResourcePathTest, CoreGroupedNamespacedAndSubresources) {
  EXPECT_EQ(resourcePath({.resource = "nodes"}), "/api/v1/nodes");
  EXPECT_EQ(resourcePath(
                {.resource = "pods", .nameSpace = "default", .name = "p", .subresource = "status"}),
            "/api/v1/namespaces/default/pods/p/status");
  EXPECT_EQ(resourcePath(
                {.group = "karpenter.sh", .version = "v1", .resource = "nodepools", .name = "a b"}),
            "/apis/karpenter.sh/v1/nodepools/a%20b");
  // A subresource without a name is meaningless and is not emitted.
  EXPECT_EQ(resourcePath({.resource = "pods", .subresource = "status"}), "/api/v1/pods");
}

TEST(ErrorFromStatusTest, MapsCodesToKindsWithStatusMessage) {
  const std::string conflict =
      R"({"kind":"Status","status":"Failure","reason":"Conflict","code":409,)"
      R"("message":"Operation cannot be fulfilled on pods \"p\""})";
  Error error = errorFromStatus(409, conflict, seconds(0));
  EXPECT_EQ(error.kind, ErrorKind::kConflict);
  EXPECT_EQ(error.message, "HTTP 409 Conflict: Operation cannot be fulfilled on pods \"p\"");
  EXPECT_EQ(errorFromStatus(404, "{}", seconds(0)).kind, ErrorKind::kNotFound);
  EXPECT_EQ(errorFromStatus(410, R"({"reason":"Expired"})", seconds(0)).kind, ErrorKind::kGone);
  EXPECT_EQ(errorFromStatus(400, "bad", seconds(0)).kind, ErrorKind::kInvalid);
  EXPECT_EQ(errorFromStatus(503, "down", seconds(0)).kind, ErrorKind::kUnavailable);
  Error throttled = errorFromStatus(429, R"({"reason":"TooManyRequests"})", seconds(7));
  EXPECT_EQ(throttled.kind, ErrorKind::kThrottled);
  EXPECT_EQ(throttled.retryAfter, seconds(7));
  // Without the header, details.retryAfterSeconds is used.
  EXPECT_EQ(errorFromStatus(429, R"({"details":{"retryAfterSeconds":3}})", seconds(0)).retryAfter,
            seconds(3));
}

// A scripted HTTP/1.1 peer on 127.0.0.1: answers each connection with the next canned reply and
// records the request lines it saw.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::deque<std::string> replies) : replies_(std::move(replies)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::vector<std::string> heads() {
    std::lock_guard lock(mutex_);
    return heads_;
  }

 private:
  void serve() {
    while (true) {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) {
        return;
      }
      std::string received;
      char buffer[4096];
      while (received.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::read(client, buffer, sizeof(buffer));
        if (n <= 0) {
          break;
        }
        received.append(buffer, static_cast<size_t>(n));
      }
      std::string reply;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(received.substr(0, received.find("\r\n")));
        heads_.push_back(received);
        reply = replies_.empty() ? "HTTP/1.1 500 Internal Server Error\r\n" : replies_.front();
        if (!replies_.empty()) {
          replies_.pop_front();
        }
      }
      ::write(client, reply.data(), reply.size());
      ::close(client);
    }
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::deque<std::string> replies_;
  std::vector<std::string> requests_;
  std::vector<std::string> heads_;  // request line and headers
};

std::string reply(int code, const std::string& extraHeaders, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(code) + " X\r\nContent-Type: application/json\r\n" +
         extraHeaders + "Content-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

TEST(HttpKubeClientTest, RetriesThrottlingHonouringRetryAfterThenSucceeds) {
  ScriptedServer server({reply(429, "Retry-After: 4\r\n", R"({"reason":"TooManyRequests"})"),
                         reply(503, "", R"({"message":"down"})"),
                         reply(200, "", R"({"metadata":{"name":"n1"}})")});
  std::vector<std::chrono::nanoseconds> sleeps;
  HttpKubeClient client({.server = server.url()},
                        {.initialBackoff = milliseconds(100),
                         .sleep = [&](std::chrono::nanoseconds d) { sleeps.push_back(d); }});
  auto node = client.get({.resource = "nodes", .name = "n1"});
  ASSERT_TRUE(node.ok()) << node.error().message;
  EXPECT_EQ((*node)["metadata"]["name"], "n1");
  ASSERT_EQ(sleeps.size(), 2u);
  EXPECT_EQ(sleeps[0], seconds(4));         // Retry-After
  EXPECT_EQ(sleeps[1], milliseconds(200));  // exponential backoff, second attempt
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.requests()[0], "GET /api/v1/nodes/n1 HTTP/1.1");
}

TEST(HttpKubeClientTest, GivesUpAfterMaxRetriesWithThrottledError) {
  const std::string throttled = reply(429, "Retry-After: 1\r\n", R"({"message":"slow down"})");
  ScriptedServer server({throttled, throttled, throttled});
  int sleeps = 0;
  HttpKubeClient client({.server = server.url()},
                        {.maxRetries = 2, .sleep = [&](std::chrono::nanoseconds) { ++sleeps; }});
  auto node = client.get({.resource = "nodes", .name = "n1"});
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.error().kind, ErrorKind::kThrottled);
  EXPECT_EQ(node.error().retryAfter, seconds(1));
  EXPECT_NE(node.error().message.find("slow down"), std::string::npos);
  EXPECT_EQ(sleeps, 2);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(HttpKubeClientTest, SendsBearerTokenAndRateLimits) {
  ScriptedServer server({reply(200, "", "{}"), reply(200, "", "{}")});
  std::vector<std::chrono::nanoseconds> sleeps;
  auto now = std::chrono::steady_clock::time_point();
  HttpKubeClient client({.server = server.url() + "/", .token = "secret"},
                        {.qps = 1,
                         .burst = 1,
                         .sleep = [&](std::chrono::nanoseconds d) { sleeps.push_back(d); },
                         .now = [&] { return now; }});
  ASSERT_TRUE(client.get({.resource = "nodes", .name = "a"}).ok());
  ASSERT_TRUE(client.get({.resource = "nodes", .name = "b"}).ok());
  ASSERT_EQ(sleeps.size(), 1u);  // the second request waited for its token
  EXPECT_EQ(sleeps[0], seconds(1));
  EXPECT_EQ(server.requests()[1], "GET /api/v1/nodes/b HTTP/1.1");
  EXPECT_NE(server.heads()[0].find("Authorization: Bearer secret\r\n"), std::string::npos);
}

TEST(HttpKubeClientTest, WatchDeliversEventsAndSurfacesInBandExpiredAsGone) {
  const std::string stream =
      R"js({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}})js"
      "\n"
      R"js({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"7"}}})js"
      "\n"
      R"js({"type":"ERROR","object":{"kind":"Status","status":"Failure","reason":"Expired",)js"
      R"js("message":"too old resource version: 1 (7)","code":410}})js"
      "\n";
  ScriptedServer server({reply(200, "", stream)});
  HttpKubeClient client({.server = server.url()}, {});
  std::vector<std::string> seen;
  auto ended =
      client.watch({.resource = "pods", .nameSpace = "ns"},
                   {.resourceVersion = "1", .timeoutSeconds = 5}, [&](const WatchEvent& event) {
                     seen.push_back(event.type + ":" +
                                    event.object["metadata"]["resourceVersion"].get<std::string>());
                     return true;
                   });
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ended.error().kind, ErrorKind::kGone);
  EXPECT_NE(ended.error().message.find("too old resource version"), std::string::npos);
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED:5", "BOOKMARK:7"}));
  EXPECT_EQ(server.requests()[0],
            "GET /api/v1/namespaces/ns/pods?watch=1&resourceVersion=1&allowWatchBookmarks=true&"
            "timeoutSeconds=5 HTTP/1.1");
}

TEST(HttpKubeClientTest, UnreachableServerIsUnavailable) {
  HttpKubeClient client({.server = "http://127.0.0.1:1"},
                        {.maxRetries = 1, .sleep = [](std::chrono::nanoseconds) {}});
  auto node = client.get({.resource = "nodes", .name = "a"});
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.error().kind, ErrorKind::kUnavailable);
}

}  // namespace
}  // namespace karpenter::kube
