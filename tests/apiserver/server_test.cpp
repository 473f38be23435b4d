#include "karpenter/apiserver/server.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace karpenter::apiserver {
namespace {

using nlohmann::json;

// A minimal HTTP/1.1 client over a POSIX socket (Connection: close), enough to prove the wire
// format without a second HTTP stack in the test.
class Connection {
 public:
  explicit Connection(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~Connection() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& method, const std::string& target, const std::string& body = "",
            const std::string& contentType = "application/json") {
    const std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                                "Connection: close\r\nContent-Type: " + contentType +
                                "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                                body;
    ASSERT_EQ(::write(fd_, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  }
  // Reads until `needle` appears in what was received, or the peer closes / 5 s pass.
  std::string readUntil(const std::string& needle) {
    char buffer[4096];
    while (received_.find(needle) == std::string::npos) {
      const ssize_t n = ::read(fd_, buffer, sizeof(buffer));
      if (n <= 0) {
        break;
      }
      received_.append(buffer, static_cast<size_t>(n));
    }
    return received_;
  }

 private:
  int fd_;
  bool connected_ = false;
  std::string received_;
};

struct Reply {
  int status = 0;
  json body;
};

Reply request(uint16_t port, const std::string& method, const std::string& target,
              const std::string& body = "", const std::string& contentType = "application/json") {
  Connection connection(port);
  EXPECT_TRUE(connection.connected());
  connection.send(method, target, body, contentType);
  const std::string raw = connection.readUntil(std::string(1, '\0'));  // until the server closes
  Reply reply;
  if (raw.size() > 12) {
    reply.status = std::stoi(raw.substr(9, 3));
    reply.body = json::parse(raw.substr(raw.find("\r\n\r\n") + 4), nullptr, false);
  }
  return reply;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.start().ok()); }
  Store store_{servedResources(),
               {.clock = [] { return std::chrono::system_clock::time_point(); }}};
  Server server_{store_, {}};
};

TEST_F(ServerTest, CrudOverHttpSpeaksKubernetesJson) {
  const uint16_t port = server_.port();
  ASSERT_NE(port, 0);
  Reply created = request(port, "POST", "/api/v1/namespaces/default/pods",
                          R"({"metadata":{"name":"p"},"spec":{"containers":[]}})");
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(created.body["metadata"]["resourceVersion"], "1");
  Reply got = request(port, "GET", "/api/v1/namespaces/default/pods/p");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body["metadata"]["name"], "p");
  Reply missing = request(port, "GET", "/apis/karpenter.sh/v1/nodeclaims/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["kind"], "Status");
  EXPECT_EQ(missing.body["reason"], "NotFound");
  json stale = got.body;
  stale["metadata"]["resourceVersion"] = "0";
  stale["metadata"]["labels"] = {{"a", "b"}};
  Reply conflict = request(port, "PUT", "/api/v1/namespaces/default/pods/p", stale.dump());
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.body["reason"], "Conflict");
  Reply patched = request(port, "PATCH", "/api/v1/namespaces/default/pods/p/status",
                          R"({"status":{"phase":"Running"}})", "application/merge-patch+json");
  EXPECT_EQ(patched.status, 200);
  EXPECT_EQ(patched.body["status"]["phase"], "Running");
  Reply listed = request(port, "GET", "/api/v1/pods?fieldSelector=status.phase%3DRunning&limit=5");
  EXPECT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body["kind"], "PodList");
  EXPECT_EQ(listed.body["items"].size(), 1u);
  Reply bound = request(port, "POST", "/api/v1/namespaces/default/pods/p/binding",
                        R"({"metadata":{"name":"p"},"target":{"name":"n1"}})");
  EXPECT_EQ(bound.status, 201);
  Reply evicted =
      request(port, "POST", "/api/v1/namespaces/default/pods/p/eviction",
              R"({"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"p"}})");
  EXPECT_EQ(evicted.status, 201);
  EXPECT_EQ(request(port, "GET", "/api/v1/namespaces/default/pods/p").status, 404);
}

TEST_F(ServerTest, Discovery) {
  const uint16_t port = server_.port();
  EXPECT_EQ(request(port, "GET", "/api").body["versions"][0], "v1");
  Reply groups = request(port, "GET", "/apis");
  EXPECT_EQ(groups.body["kind"], "APIGroupList");
  bool karpenter = false;
  for (const json& group : groups.body["groups"]) {
    karpenter = karpenter || group["name"] == "karpenter.sh";
  }
  EXPECT_TRUE(karpenter);
  Reply core = request(port, "GET", "/api/v1");
  EXPECT_EQ(core.body["groupVersion"], "v1");
  Reply policy = request(port, "GET", "/apis/policy/v1");
  EXPECT_EQ(policy.body["resources"][0]["name"], "poddisruptionbudgets");
  bool csiNodes = false;
  const Reply storage = request(port, "GET", "/apis/storage.k8s.io/v1");
  for (const json& resource : storage.body["resources"]) {
    csiNodes = csiNodes || (resource["name"] == "csinodes" && resource["kind"] == "CSINode" &&
                            resource["namespaced"] == false);
  }
  EXPECT_TRUE(csiNodes) << "storage.k8s.io/v1 csinodes, cluster-scoped";
  EXPECT_EQ(
      request(port, "POST", "/apis/storage.k8s.io/v1/csinodes",
              R"({"apiVersion":"storage.k8s.io/v1","kind":"CSINode","metadata":{"name":"n1"}})")
          .status,
      201);
  EXPECT_EQ(request(port, "GET", "/apis/storage.k8s.io/v1/csinodes/n1").status, 200);
  EXPECT_EQ(request(port, "GET", "/apis/nope/v1").status, 404);
}

TEST_F(ServerTest, WatchStreamsEventsAfterACreate) {
  const uint16_t port = server_.port();
  Connection watch(port);
  ASSERT_TRUE(watch.connected());
  watch.send("GET", "/api/v1/nodes?watch=1&resourceVersion=0&allowWatchBookmarks=true");
  watch.readUntil("\r\n\r\n");  // headers: the watch is registered once they are out
  EXPECT_EQ(request(port, "POST", "/api/v1/nodes", R"({"metadata":{"name":"n1"}})").status, 201);
  const std::string stream = watch.readUntil("\"n1\"");
  EXPECT_NE(stream.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_NE(stream.find(R"("type":"ADDED")"), std::string::npos);
  store_.sendBookmarks();
  EXPECT_NE(watch.readUntil("BOOKMARK").find(R"("type":"BOOKMARK")"), std::string::npos);
}

TEST_F(ServerTest, ExpiredWatchVersionArrivesAsAnErrorEvent) {
  Store small(servedResources(), {.clock = [] { return std::chrono::system_clock::time_point(); },
                                  .historyWindow = 1});
  Server server(small, {});
  ASSERT_TRUE(server.start().ok());
  for (const char* name : {"a", "b", "c"}) {
    ASSERT_TRUE(small.create({"", "v1", "nodes"}, "", {{"metadata", {{"name", name}}}}).ok());
  }
  Connection watch(server.port());
  watch.send("GET", "/api/v1/nodes?watch=1&resourceVersion=1");
  const std::string stream = watch.readUntil("410");
  EXPECT_NE(stream.find(R"("type":"ERROR")"), std::string::npos);
  EXPECT_NE(stream.find(R"("reason":"Expired")"), std::string::npos);
}

TEST_F(ServerTest, CurlCommandLineGetsAList) {
  const std::string command =
      "curl -s -m 5 http://127.0.0.1:" + std::to_string(server_.port()) + "/api/v1/namespaces";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[1024];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) {
    output.append(buffer, n);
  }
  ASSERT_EQ(::pclose(pipe), 0);
  const json list = json::parse(output, nullptr, false);
  EXPECT_EQ(list["kind"], "NamespaceList");
  EXPECT_EQ(list["metadata"]["resourceVersion"], "0");
}

}  // namespace
}  // namespace karpenter::apiserver
