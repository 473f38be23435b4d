#include "karpenter/kube/config.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace karpenter::kube {
namespace {

// A scratch directory removed at the end of each test.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "kube-config-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

constexpr const char* kTwoContexts = R"(apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: dev-cluster
  cluster:
    server: https://dev.example:6443
    certificate-authority: certs/ca.pem
- name: prod-cluster
  cluster:
    server: https://prod.example
    certificate-authority-data: LS0tLS1CRUdJTg==
    tls-server-name: api.prod
users:
- name: dev-user
  user:
    client-certificate: /abs/cert.pem
    client-key: key.pem
    token: static-token
    tokenFile: token.txt
- name: prod-user
  user:
    client-certificate-data: Y2VydA==
    client-key-data: a2V5
    token: prod-token
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
- name: prod
  context: {cluster: prod-cluster, user: prod-user}
)";

TEST_F(ConfigTest, CurrentContextSelectsClusterAndUserWithDecodedData) {
  auto config = loadKubeconfig(write("config", kTwoContexts));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server, "https://prod.example");
  EXPECT_EQ(config->caData, "-----BEGIN");
  EXPECT_TRUE(config->caFile.empty());
  EXPECT_EQ(config->tlsServerName, "api.prod");
  EXPECT_EQ(config->clientCertData, "cert");
  EXPECT_EQ(config->clientKeyData, "key");
  EXPECT_EQ(config->token, "prod-token");
  EXPECT_TRUE(config->nameSpace.empty());
}

TEST_F(ConfigTest, ExplicitContextResolvesRelativeFilesFromKubeconfigDirectory) {
  auto config = loadKubeconfig(write("config", kTwoContexts), "dev");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server, "https://dev.example:6443");
  EXPECT_EQ(config->caFile, (dir_ / "certs/ca.pem").string());
  EXPECT_TRUE(config->caData.empty());
  EXPECT_EQ(config->clientCertFile, "/abs/cert.pem");
  EXPECT_EQ(config->clientKeyFile, (dir_ / "key.pem").string());
  EXPECT_EQ(config->tokenFile, (dir_ / "token.txt").string());
  EXPECT_EQ(config->nameSpace, "team-a");
}

TEST_F(ConfigTest, MissingContextIsAClearErrorNamingFileAndContext) {
  const std::string path = write("config", kTwoContexts);
  auto config = loadKubeconfig(path, "staging");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().kind, ErrorKind::kInvalid);
  EXPECT_NE(config.error().message.find(path), std::string::npos) << config.error().message;
  EXPECT_NE(config.error().message.find("\"staging\" not found"), std::string::npos)
      << config.error().message;
}

TEST_F(ConfigTest, ErrorsNameTheField) {
  auto noServer = parseKubeconfig(R"(current-context: c
clusters: [{name: k, cluster: {}}]
contexts: [{name: c, context: {cluster: k}}]
)",
                                  "kc", "/");
  ASSERT_FALSE(noServer.ok());
  EXPECT_EQ(noServer.error().message, "kc: clusters[k].cluster.server: not set");
  auto badData = parseKubeconfig(R"(current-context: c
clusters: [{name: k, cluster: {server: "https://x", certificate-authority-data: "!!"}}]
contexts: [{name: c, context: {cluster: k}}]
)",
                                 "kc", "/");
  ASSERT_FALSE(badData.ok());
  EXPECT_NE(badData.error().message.find("certificate-authority-data"), std::string::npos);
  auto noCurrent = parseKubeconfig("clusters: []\n", "kc", "/");
  ASSERT_FALSE(noCurrent.ok());
  EXPECT_NE(noCurrent.error().message.find("current-context"), std::string::npos);
  auto missingFile = loadKubeconfig((dir_ / "nope").string());
  ASSERT_FALSE(missingFile.ok());
  EXPECT_EQ(missingFile.error().kind, ErrorKind::kNotFound);
}

TEST_F(ConfigTest, ExecPluginIsParsed) {
  auto config = parseKubeconfig(R"(current-context: c
clusters: [{name: k, cluster: {server: "https://x", insecure-skip-tls-verify: true}}]
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [eks, get-token]
      env: [{name: AWS_PROFILE, value: dev}]
contexts: [{name: c, context: {cluster: k, user: u}}]
)",
                                "kc", "/");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->insecureSkipTlsVerify);
  ASSERT_TRUE(config->exec.has_value());
  EXPECT_EQ(config->exec->command, "aws");
  EXPECT_EQ(config->exec->apiVersion, "client.authentication.k8s.io/v1beta1");
  EXPECT_EQ(config->exec->args, (std::vector<std::string>{"eks", "get-token"}));
  ASSERT_EQ(config->exec->env.size(), 1u);
  EXPECT_EQ(config->exec->env[0].second, "dev");
}

TEST_F(ConfigTest, InClusterUsesServiceAccountFilesAndBracketsIpv6) {
  write("token", "sa-token-1\n");
  write("ca.crt", "CA");
  write("namespace", "kube-system\n");
  std::map<std::string, std::string> env{{"KUBERNETES_SERVICE_HOST", "fd00::1"},
                                         {"KUBERNETES_SERVICE_PORT", "443"}};
  const EnvLookup lookup = [&](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional(it->second);
  };
  auto config = inClusterConfig(lookup, dir_.string());
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server, "https://[fd00::1]:443");
  EXPECT_EQ(config->caFile, (dir_ / "ca.crt").string());
  EXPECT_EQ(config->nameSpace, "kube-system");

  TokenSource tokens(*config);
  auto first = tokens.token();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(*first, "sa-token-1");
  write("token", "sa-token-rotated\n");  // a different size, so the change is seen
  EXPECT_EQ(*tokens.token(), "sa-token-rotated");

  env.erase("KUBERNETES_SERVICE_HOST");
  auto outside = inClusterConfig(lookup, dir_.string());
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().kind, ErrorKind::kNotFound);
}

TEST_F(ConfigTest, ExecCredentialIsCachedUntilExpiry) {
  // The plugin counts its runs in a file and echoes KUBERNETES_EXEC_INFO's kind into the token.
  const std::string counter = (dir_ / "runs").string();
  const std::string script = write("plugin.sh",
                                   "#!/bin/sh\n"
                                   "echo x >> \"$COUNTER\"\n"
                                   "n=$(wc -l < \"$COUNTER\" | tr -d ' ')\n"
                                   "case \"$KUBERNETES_EXEC_INFO\" in\n"
                                   "  *ExecCredential*) ;;\n"
                                   "  *) exit 3 ;;\n"
                                   "esac\n"
                                   "printf '{\"apiVersion\":\"client.authentication."
                                   "k8s.io/v1\",\"kind\":\"ExecCredential\","
                                   "\"status\":{\"token\":\"tok-%s-%s\","
                                   "\"expirationTimestamp\":"
                                   "\"2030-01-01T00:10:00Z\"}}' \"$1\" \"$n\"\n");
  ASSERT_EQ(::chmod(script.c_str(), 0700), 0);
  RestConfig config;
  config.exec =
      ExecConfig{script, {"arg"}, {{"COUNTER", counter}}, "client.authentication.k8s.io/v1"};
  auto now = std::chrono::system_clock::from_time_t(1893456000);  // 2030-01-01T00:00:00Z
  TokenSource tokens(config, [&] { return now; });
  auto first = tokens.token();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(*first, "tok-arg-1");
  now += std::chrono::minutes(9);
  EXPECT_EQ(*tokens.token(), "tok-arg-1");  // still valid: cached
  now += std::chrono::minutes(2);
  EXPECT_EQ(*tokens.token(), "tok-arg-2");  // expired: the plugin ran again

  config.exec->command = (dir_ / "missing-plugin").string();
  TokenSource broken(config);
  auto error = broken.token();
  ASSERT_FALSE(error.ok());
  EXPECT_NE(error.error().message.find("missing-plugin"), std::string::npos);
}

TEST(Base64Test, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(*base64Decode("aGVsbG8="), "hello");
  EXPECT_EQ(*base64Decode("aGVsbG8"), "hello");
  EXPECT_EQ(*base64Decode("aGVs\nbG8h"), "hello!");
  EXPECT_FALSE(base64Decode("a*b").ok());
}

}  // namespace
}  // namespace karpenter::kube
