// The credentials chain against loopback STS, container-agent and IMDS servers and temp files.

#include "karpenter/aws/credentials.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "aws/fake_ec2/loopback_server.hpp"
#include "karpenter/aws/time_format.hpp"

namespace karpenter::aws {
namespace {

using testing::LoopbackRequest;
using testing::LoopbackResponse;
using testing::LoopbackServer;
using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("karpenter-aws-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::string& content) const {
    const auto file = path_ / name;
    std::ofstream(file) << content;
    return file.string();
  }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

std::map<std::string, std::string> parseForm(const std::string& body) {
  std::map<std::string, std::string> form;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('&', start);
    end = end == std::string::npos ? body.size() : end;
    const std::string pair = body.substr(start, end - start);
    const size_t eq = pair.find('=');
    form[percentDecode(pair.substr(0, eq))] = percentDecode(pair.substr(eq + 1));
    start = end + 1;
  }
  return form;
}

const auto kNow = *parseIso8601("2024-05-01T12:00:00Z");

AwsConfig configWithSts(const std::string& url) {
  AwsConfig config;
  config.region = "us-west-2";
  config.serviceUrls["sts"] = url;
  return config;
}

TEST(EnvironmentProvider, ReadsKeySecretAndToken) {
  auto provider = makeEnvironmentProvider(mapEnvironment(
      {{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "S"}, {"AWS_SESSION_TOKEN", "T"}}));
  auto creds = provider->credentials();
  ASSERT_TRUE(creds) << creds.error().message;
  EXPECT_EQ(creds->accessKeyId, "AKID");
  EXPECT_EQ(creds->secretAccessKey, "S");
  EXPECT_EQ(creds->sessionToken, "T");
}

TEST(EnvironmentProvider, NotConfiguredAndHalfConfigured) {
  EXPECT_EQ(makeEnvironmentProvider(mapEnvironment({}))->credentials().error().kind,
            ErrorKind::kNotFound);
  auto half = makeEnvironmentProvider(mapEnvironment({{"AWS_ACCESS_KEY_ID", "AKID"}}));
  EXPECT_EQ(half->credentials().error().kind, ErrorKind::kInvalid);
}

TEST(ProfileProvider, CredentialsFileWinsAndConfigUsesProfilePrefix) {
  TempDir dir;
  const auto credentials = dir.write("credentials",
                                     "[default]\naws_access_key_id = DEF\naws_secret_access_key "
                                     "= defsecret\n\n[dev]\n# comment\naws_access_key_id=DEV\n"
                                     "aws_secret_access_key=devsecret\n");
  const auto config = dir.write("config",
                                "[default]\nregion = eu-west-1\n[profile ops]\nregion = "
                                "ap-south-1\naws_access_key_id = OPS\naws_secret_access_key = "
                                "opssecret\naws_session_token = opstoken\n[ops]\n"
                                "aws_access_key_id = NOT_A_PROFILE\n");
  auto env = [&](const std::string& profile) {
    return mapEnvironment({{"AWS_SHARED_CREDENTIALS_FILE", credentials},
                           {"AWS_CONFIG_FILE", config},
                           {"AWS_PROFILE", profile}});
  };
  auto def = makeProfileProvider(env(""))->credentials();
  ASSERT_TRUE(def) << def.error().message;
  EXPECT_EQ(def->accessKeyId, "DEF");
  auto dev = makeProfileProvider(env("dev"))->credentials();
  ASSERT_TRUE(dev);
  EXPECT_EQ(dev->secretAccessKey, "devsecret");
  auto ops = makeProfileProvider(env("ops"))->credentials();
  ASSERT_TRUE(ops) << ops.error().message;
  EXPECT_EQ(ops->accessKeyId, "OPS");  // from [profile ops], not the bare [ops] section
  EXPECT_EQ(ops->sessionToken, "opstoken");
  EXPECT_EQ(makeProfileProvider(env("missing"))->credentials().error().kind, ErrorKind::kNotFound);

  auto region = loadAwsConfig(env("ops"));
  ASSERT_TRUE(region);
  EXPECT_EQ(region->region, "ap-south-1");
}

TEST(WebIdentityProvider, ExchangesTheTokenWithStsUnsigned) {
  std::map<std::string, std::string> seen;
  std::string authorization = "unset";
  LoopbackServer sts([&](const LoopbackRequest& request) {
    seen = parseForm(request.body);
    authorization = request.header("Authorization");
    LoopbackResponse response;
    response.body =
        "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
        "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAWEB</AccessKeyId>"
        "<SecretAccessKey>websecret</SecretAccessKey><SessionToken>webtoken</SessionToken>"
        "<Expiration>2024-05-01T13:00:00Z</Expiration></Credentials>"
        "</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r-1</RequestId>"
        "</ResponseMetadata></AssumeRoleWithWebIdentityResponse>";
    return response;
  });
  TempDir dir;
  const auto tokenFile = dir.write("token", "eyJ.jwt.sig\n");
  auto env = mapEnvironment({{"AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile},
                             {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/karpenter"},
                             {"AWS_ROLE_SESSION_NAME", "sess"}});
  auto provider = makeWebIdentityProvider(env, configWithSts(sts.url()), makeCurlHttpClient(),
                                          [] { return kNow; });
  auto creds = provider->credentials();
  ASSERT_TRUE(creds) << creds.error().message;
  EXPECT_EQ(creds->accessKeyId, "ASIAWEB");
  EXPECT_EQ(creds->sessionToken, "webtoken");
  ASSERT_TRUE(creds->expiration.has_value());
  EXPECT_EQ(*creds->expiration, kNow + 1h);
  EXPECT_EQ(seen["Action"], "AssumeRoleWithWebIdentity");
  EXPECT_EQ(seen["Version"], "2011-06-15");
  EXPECT_EQ(seen["RoleArn"], "arn:aws:iam::123456789012:role/karpenter");
  EXPECT_EQ(seen["RoleSessionName"], "sess");
  EXPECT_EQ(seen["WebIdentityToken"], "eyJ.jwt.sig");
  EXPECT_EQ(authorization, "");  // the call is unsigned
}

TEST(WebIdentityProvider, StsErrorIsDecoded) {
  LoopbackServer sts([](const LoopbackRequest&) {
    return LoopbackResponse{
        403, "text/xml",
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender"
        "</Type><Code>AccessDenied</Code><Message>Not authorized to perform "
        "sts:AssumeRoleWithWebIdentity</Message></Error><RequestId>req-9</RequestId>"
        "</ErrorResponse>"};
  });
  TempDir dir;
  auto env = mapEnvironment({{"AWS_WEB_IDENTITY_TOKEN_FILE", dir.write("t", "tok")},
                             {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"}});
  auto creds = makeWebIdentityProvider(env, configWithSts(sts.url()), makeCurlHttpClient(), [] {
                 return kNow;
               })->credentials();
  ASSERT_FALSE(creds);
  EXPECT_EQ(creds.error().kind, ErrorKind::kInvalid);
  EXPECT_NE(creds.error().message.find("AccessDenied"), std::string::npos);
  EXPECT_NE(creds.error().message.find("req-9"), std::string::npos);
}

const char* kAgentJson =
    R"({"AccessKeyId":"ASIAPOD","SecretAccessKey":"podsecret","Token":"podtoken",)"
    R"("AccountId":"123456789012","Expiration":"2024-05-01T18:00:00Z"})";

TEST(ContainerProvider, SendsTheTokenFileAsAuthorization) {
  std::string authorization;
  std::string path;
  LoopbackServer agent([&](const LoopbackRequest& request) {
    authorization = request.header("Authorization");
    path = request.path;
    return LoopbackResponse{200, "application/json", kAgentJson};
  });
  TempDir dir;
  auto env = mapEnvironment(
      {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.url() + "/v1/credentials"},
       {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", dir.write("eks-pod-identity-token", "podjwt")}});
  auto creds = makeContainerProvider(env, makeCurlHttpClient())->credentials();
  ASSERT_TRUE(creds) << creds.error().message;
  EXPECT_EQ(creds->accessKeyId, "ASIAPOD");
  EXPECT_EQ(creds->sessionToken, "podtoken");
  EXPECT_EQ(*creds->expiration, kNow + 6h);
  EXPECT_EQ(authorization, "podjwt");
  EXPECT_EQ(path, "/v1/credentials");
}

TEST(ContainerProvider, RefusesPlainHttpToOtherHosts) {
  auto env = mapEnvironment({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds"}});
  auto creds = makeContainerProvider(env, makeCurlHttpClient())->credentials();
  ASSERT_FALSE(creds);
  EXPECT_EQ(creds.error().kind, ErrorKind::kInvalid);
}

struct FakeImds {
  std::atomic<int> tokenPuts{0};
  std::atomic<int> credentialGets{0};
  std::string lastTokenSeen;
  std::string accessKey = "ASIAIMDS";

  LoopbackResponse handle(const LoopbackRequest& request) {
    if (request.method == "PUT" && request.path == "/latest/api/token") {
      if (request.header("X-aws-ec2-metadata-token-ttl-seconds").empty()) {
        return {400, "text/plain", ""};
      }
      ++tokenPuts;
      return {200, "text/plain", "imds-session-token"};
    }
    lastTokenSeen = request.header("X-aws-ec2-metadata-token");
    if (lastTokenSeen != "imds-session-token") {
      return {401, "text/plain", ""};  // IMDSv2 only
    }
    if (request.path == "/latest/meta-data/iam/security-credentials/") {
      return {200, "text/plain", "KarpenterNodeRole"};
    }
    if (request.path == "/latest/meta-data/iam/security-credentials/KarpenterNodeRole") {
      ++credentialGets;
      return {200, "text/plain",
              R"({"Code":"Success","LastUpdated":"2024-05-01T11:00:00Z","Type":"AWS-HMAC",)"
              R"("AccessKeyId":")" +
                  accessKey +
                  R"(","SecretAccessKey":"imdssecret","Token":"imdstoken",)"
                  R"("Expiration":"2024-05-01T12:30:00Z"})"};
    }
    return {404, "text/plain", ""};
  }
};

TEST(ImdsProvider, UsesTheV2TokenFlow) {
  FakeImds imds;
  LoopbackServer server([&](const LoopbackRequest& r) { return imds.handle(r); });
  auto env = mapEnvironment({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url() + "/"}});
  auto creds = makeImdsProvider(env, makeCurlHttpClient())->credentials();
  ASSERT_TRUE(creds) << creds.error().message;
  EXPECT_EQ(creds->accessKeyId, "ASIAIMDS");
  EXPECT_EQ(creds->sessionToken, "imdstoken");
  EXPECT_EQ(creds->source, "imds role KarpenterNodeRole");
  EXPECT_EQ(imds.tokenPuts.load(), 1);
  EXPECT_EQ(imds.lastTokenSeen, "imds-session-token");
}

TEST(ImdsProvider, DisabledOrUnreachableIsNotConfigured) {
  EXPECT_EQ(makeImdsProvider(mapEnvironment({{"AWS_EC2_METADATA_DISABLED", "true"}}),
                             makeCurlHttpClient())
                ->credentials()
                .error()
                .kind,
            ErrorKind::kNotFound);
  uint16_t closedPort = 0;
  {
    LoopbackServer gone([](const LoopbackRequest&) { return LoopbackResponse{}; });
    closedPort = gone.port();
  }
  auto env = mapEnvironment(
      {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + std::to_string(closedPort)}});
  EXPECT_EQ(makeImdsProvider(env, makeCurlHttpClient())->credentials().error().kind,
            ErrorKind::kNotFound);
}

TEST(DefaultChain, FollowsTheSdkOrder) {
  FakeImds imds;
  LoopbackServer imdsServer([&](const LoopbackRequest& r) { return imds.handle(r); });
  LoopbackServer agent([](const LoopbackRequest&) {
    return LoopbackResponse{200, "application/json", kAgentJson};
  });
  TempDir dir;
  const auto credentialsFile =
      dir.write("credentials", "[default]\naws_access_key_id=FILE\naws_secret_access_key=f\n");
  const std::vector<std::pair<std::string, std::string>> imdsOnly = {
      {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imdsServer.url()},
      {"AWS_SHARED_CREDENTIALS_FILE", dir.write("none", "")},
      {"AWS_CONFIG_FILE", dir.write("none2", "")}};
  auto chainFor = [&](std::vector<std::pair<std::string, std::string>> extra) {
    auto vars = imdsOnly;
    vars.insert(vars.end(), extra.begin(), extra.end());
    auto env = mapEnvironment(vars);
    return makeDefaultCredentialsChain(env, configWithSts("http://127.0.0.1:1"),
                                       makeCurlHttpClient(), [] { return kNow; });
  };
  EXPECT_EQ(chainFor({})->credentials()->accessKeyId, "ASIAIMDS");
  EXPECT_EQ(chainFor({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.url() + "/creds"}})
                ->credentials()
                ->accessKeyId,
            "ASIAPOD");
  EXPECT_EQ(chainFor({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.url() + "/creds"},
                      {"AWS_SHARED_CREDENTIALS_FILE", credentialsFile}})
                ->credentials()
                ->accessKeyId,
            "FILE");
  EXPECT_EQ(chainFor({{"AWS_SHARED_CREDENTIALS_FILE", credentialsFile},
                      {"AWS_ACCESS_KEY_ID", "ENV"},
                      {"AWS_SECRET_ACCESS_KEY", "e"}})
                ->credentials()
                ->accessKeyId,
            "ENV");
  // A configured web identity that fails stops the chain instead of falling through to IMDS.
  auto broken = chainFor({{"AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/token"},
                          {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"}})
                    ->credentials();
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("AWS_WEB_IDENTITY_TOKEN_FILE"), std::string::npos);
}

TEST(CachingProvider, RefreshesFiveMinutesBeforeExpiry) {
  FakeImds imds;
  LoopbackServer server([&](const LoopbackRequest& r) { return imds.handle(r); });
  auto now = kNow;  // the fake's credentials expire at 12:30
  auto provider = makeCachingProvider(
      makeImdsProvider(mapEnvironment({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()}}),
                       makeCurlHttpClient()),
      [&] { return now; });
  ASSERT_TRUE(provider->credentials());
  now = kNow + 20min;
  ASSERT_TRUE(provider->credentials());
  EXPECT_EQ(imds.credentialGets.load(), 1);  // 12:20 is still more than 5 min before 12:30
  now = kNow + 25min + 1s;
  imds.accessKey = "ASIAROTATED";
  auto refreshed = provider->credentials();
  ASSERT_TRUE(refreshed);
  EXPECT_EQ(imds.credentialGets.load(), 2);
  EXPECT_EQ(refreshed->accessKeyId, "ASIAROTATED");
}

TEST(CachingProvider, ServesValidCachedCredentialsWhileRefreshFails) {
  int calls = 0;
  class Flaky final : public CredentialsProvider {
   public:
    explicit Flaky(int& calls) : calls_(calls) {}
    Result<Credentials> credentials() override {
      if (calls_++ == 0) {
        return Credentials{"A", "S", "T", kNow + 10min, "flaky"};
      }
      return Error{ErrorKind::kUnavailable, "down"};
    }

   private:
    int& calls_;
  };
  auto now = kNow;
  auto provider = makeCachingProvider(std::make_shared<Flaky>(calls), [&] { return now; });
  ASSERT_TRUE(provider->credentials());
  now = kNow + 6min;  // inside the refresh window, refresh fails, cache still valid
  auto stale = provider->credentials();
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->accessKeyId, "A");
  now = kNow + 11min;  // expired: the failure surfaces
  EXPECT_FALSE(provider->credentials());
  EXPECT_EQ(calls, 3);
}

TEST(AwsConfig, EndpointsAndRegion) {
  auto config = loadAwsConfig(mapEnvironment({{"AWS_DEFAULT_REGION", "eu-west-1"},
                                              {"AWS_ENDPOINT_URL", "http://127.0.0.1:9"},
                                              {"AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:8"},
                                              {"HOME", "/nonexistent"}}));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->region, "eu-west-1");
  EXPECT_EQ(config->endpointFor("ec2"), "http://127.0.0.1:8");
  EXPECT_EQ(config->endpointFor("ssm"), "http://127.0.0.1:9");
  config->endpointUrl.clear();
  EXPECT_EQ(config->endpointFor("sqs"), "https://sqs.eu-west-1.amazonaws.com");
  EXPECT_EQ(config->endpointFor("pricing"), "https://api.pricing.eu-central-1.amazonaws.com");
  EXPECT_EQ(config->endpointFor("iam"), "https://iam.amazonaws.com");
  EXPECT_EQ(config->signingRegionFor("iam"), "us-east-1");
  auto regionWins = loadAwsConfig(mapEnvironment({{"AWS_REGION", "us-west-2"},
                                                  {"AWS_DEFAULT_REGION", "eu-west-1"},
                                                  {"HOME", "/nonexistent"}}));
  EXPECT_EQ(regionWins->region, "us-west-2");
  auto none = loadAwsConfig(mapEnvironment({{"HOME", "/nonexistent"}}));
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("AWS_REGION"), std::string::npos);
}

}  // namespace
}  // namespace karpenter::aws
