#include "karpenter/aws/credentials.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <spdlog/spdlog.h>

#include "karpenter/aws/sigv4.hpp"
#include "karpenter/aws/time_format.hpp"

namespace karpenter::aws {
namespace {

Error notConfigured(std::string message) {
  return Error{ErrorKind::kNotFound, std::move(message)};
}

Result<std::string> readTokenFile(const std::string& path, const char* variable) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return invalidError(std::string(variable) + ": cannot read " + path);
  }
  std::ostringstream out;
  out << in.rdbuf();
  std::string token = out.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
    token.pop_back();
  }
  return token;
}

class StaticProvider final : public CredentialsProvider {
 public:
  explicit StaticProvider(Credentials credentials) : credentials_(std::move(credentials)) {}
  Result<Credentials> credentials() override { return credentials_; }

 private:
  Credentials credentials_;
};

class EnvironmentProvider final : public CredentialsProvider {
 public:
  explicit EnvironmentProvider(Environment env) : env_(std::move(env)) {}

  Result<Credentials> credentials() override {
    auto id = env_("AWS_ACCESS_KEY_ID");
    auto secret = env_("AWS_SECRET_ACCESS_KEY");
    if (!id && !secret) {
      return notConfigured("environment: AWS_ACCESS_KEY_ID is not set");
    }
    if (!id || !secret) {
      return invalidError(
          "environment: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither");
    }
    return Credentials{*id, *secret, env_("AWS_SESSION_TOKEN").value_or(""), std::nullopt,
                       "environment"};
  }

 private:
  Environment env_;
};

class ProfileProvider final : public CredentialsProvider {
 public:
  explicit ProfileProvider(Environment env) : env_(std::move(env)) {}

  Result<Credentials> credentials() override {
    const std::string name = activeProfileName(env_);
    const ProfileSettings profile = loadProfile(env_, name);
    auto id = profile.find("aws_access_key_id");
    auto secret = profile.find("aws_secret_access_key");
    if (id == profile.end() && secret == profile.end()) {
      return notConfigured("profile " + name + ": no aws_access_key_id in " +
                           sharedCredentialsPath(env_) + " or " + sharedConfigPath(env_));
    }
    if (id == profile.end() || secret == profile.end()) {
      return invalidError("profile " + name +
                          ": set both aws_access_key_id and aws_secret_access_key");
    }
    auto token = profile.find("aws_session_token");
    return Credentials{id->second, secret->second, token == profile.end() ? "" : token->second,
                       std::nullopt, "profile " + name};
  }

 private:
  Environment env_;
};

std::string formEncode(std::initializer_list<std::pair<std::string, std::string>> params) {
  std::string body;
  for (const auto& [name, value] : params) {
    body += (body.empty() ? "" : "&") + uriEncode(name) + "=" + uriEncode(value);
  }
  return body;
}

class WebIdentityProvider final : public CredentialsProvider {
 public:
  WebIdentityProvider(Environment env, AwsConfig config, HttpClientPtr http, Clock clock)
      : env_(std::move(env)),
        config_(std::move(config)),
        http_(std::move(http)),
        clock_(std::move(clock)) {}

  Result<Credentials> credentials() override {
    auto tokenFile = env_("AWS_WEB_IDENTITY_TOKEN_FILE");
    auto roleArn = env_("AWS_ROLE_ARN");
    if (!tokenFile && !roleArn) {
      return notConfigured("web identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set");
    }
    if (!tokenFile || !roleArn) {
      return invalidError("web identity: set both AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN");
    }
    auto token = readTokenFile(*tokenFile, "AWS_WEB_IDENTITY_TOKEN_FILE");
    if (!token) {
      return token.error();
    }
    const std::string sessionName =
        env_("AWS_ROLE_SESSION_NAME").value_or("karpenter-" + formatAmzDate(clock_()));
    HttpRequest request;
    request.method = "POST";
    request.url = config_.endpointFor("sts");
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    request.body = formEncode({{"Action", "AssumeRoleWithWebIdentity"},
                               {"Version", "2011-06-15"},
                               {"RoleArn", *roleArn},
                               {"RoleSessionName", sessionName},
                               {"WebIdentityToken", *token}});
    auto response = http_->send(request);
    if (!response) {
      return response.error().withContext("web identity: STS AssumeRoleWithWebIdentity");
    }
    pugi::xml_document doc;
    doc.load_buffer(response->body.data(), response->body.size());
    if (response->status != 200) {
      // STS errors: <ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse>
      const auto error = doc.child("ErrorResponse").child("Error");
      const std::string code = error.child_value("Code");
      const ErrorKind kind = code == "Throttling" || response->status >= 500
                                 ? ErrorKind::kUnavailable
                                 : ErrorKind::kInvalid;
      return Error{kind, "web identity: STS AssumeRoleWithWebIdentity for " + *roleArn + ": " +
                             code + ": " + error.child_value("Message") + " (HTTP " +
                             std::to_string(response->status) + ", request id " +
                             doc.child("ErrorResponse").child_value("RequestId") + ")"};
    }
    const auto creds = doc.child("AssumeRoleWithWebIdentityResponse")
                           .child("AssumeRoleWithWebIdentityResult")
                           .child("Credentials");
    Credentials result{creds.child_value("AccessKeyId"), creds.child_value("SecretAccessKey"),
                       creds.child_value("SessionToken"),
                       parseIso8601(creds.child_value("Expiration")), "web identity " + *roleArn};
    if (result.accessKeyId.empty() || result.secretAccessKey.empty()) {
      return Error{ErrorKind::kUnavailable,
                   "web identity: STS AssumeRoleWithWebIdentity answered without credentials"};
    }
    return result;
  }

 private:
  Environment env_;
  AwsConfig config_;
  HttpClientPtr http_;
  Clock clock_;
};

// The JSON shape both the container agents and IMDS serve.
Result<Credentials> credentialsFromJson(const std::string& body, const std::string& source) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return Error{ErrorKind::kUnavailable, source + ": answer is not JSON"};
  }
  if (json.contains("Code") && json["Code"] != "Success") {
    return Error{ErrorKind::kUnavailable,
                 source + ": " + json.value("Code", "") + ": " + json.value("Message", "")};
  }
  Credentials credentials{json.value("AccessKeyId", ""), json.value("SecretAccessKey", ""),
                          json.value("Token", ""), std::nullopt, source};
  if (json.contains("Expiration") && json["Expiration"].is_string()) {
    credentials.expiration = parseIso8601(json["Expiration"].get<std::string>());
  }
  if (credentials.accessKeyId.empty() || credentials.secretAccessKey.empty()) {
    return Error{ErrorKind::kUnavailable, source + ": answer has no AccessKeyId/SecretAccessKey"};
  }
  return credentials;
}

bool allowedPlainHttpHost(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1" ||
         host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23";
}

class ContainerProvider final : public CredentialsProvider {
 public:
  ContainerProvider(Environment env, HttpClientPtr http)
      : env_(std::move(env)), http_(std::move(http)) {}

  Result<Credentials> credentials() override {
    std::string url;
    if (auto full = env_("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
      url = *full;
    } else if (auto relative = env_("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
      url = "http://169.254.170.2" + *relative;
    } else {
      return notConfigured("container: AWS_CONTAINER_CREDENTIALS_FULL_URI is not set");
    }
    auto parsed = parseUrl(url);
    if (!parsed) {
      return parsed.error().withContext("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    }
    if (parsed->scheme != "https" && !allowedPlainHttpHost(parsed->host)) {
      return invalidError(
          "AWS_CONTAINER_CREDENTIALS_FULL_URI: plain http is only allowed to "
          "loopback or the EKS Pod Identity / ECS agent, not " +
          parsed->host);
    }
    HttpRequest request;
    request.url = url;
    request.timeout = std::chrono::seconds(5);
    std::optional<std::string> authorization;
    if (auto file = env_("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
      auto token = readTokenFile(*file, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
      if (!token) {
        return token.error();
      }
      authorization = *token;
    } else {
      authorization = env_("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    }
    if (authorization) {
      request.headers.push_back({"Authorization", *authorization});
    }
    auto response = http_->send(request);
    if (!response) {
      return response.error().withContext("container credentials");
    }
    if (response->status != 200) {
      return Error{response->status >= 500 ? ErrorKind::kUnavailable : ErrorKind::kInvalid,
                   "container credentials: " + url + " answered HTTP " +
                       std::to_string(response->status) + ": " + response->body};
    }
    return credentialsFromJson(response->body, "container " + url);
  }

 private:
  Environment env_;
  HttpClientPtr http_;
};

class ImdsProvider final : public CredentialsProvider {
 public:
  ImdsProvider(Environment env, HttpClientPtr http)
      : env_(std::move(env)), http_(std::move(http)) {}

  Result<Credentials> credentials() override {
    if (env_("AWS_EC2_METADATA_DISABLED").value_or("") == "true") {
      return notConfigured("IMDS: disabled by AWS_EC2_METADATA_DISABLED");
    }
    std::string base = env_("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("http://169.254.169.254");
    while (!base.empty() && base.back() == '/') {
      base.pop_back();
    }
    HttpRequest tokenRequest;
    tokenRequest.method = "PUT";
    tokenRequest.url = base + "/latest/api/token";
    tokenRequest.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
    tokenRequest.timeout = std::chrono::seconds(1);
    tokenRequest.connectTimeout = std::chrono::seconds(1);
    auto token = http_->send(tokenRequest);
    if (!token) {
      // Not on EC2 (or the hop limit is too low): the last link of the chain has nothing.
      return notConfigured("IMDS: " + token.error().message);
    }
    if (token->status != 200) {
      return Error{ErrorKind::kUnavailable,
                   "IMDS: token request answered HTTP " + std::to_string(token->status)};
    }
    auto get = [&](const std::string& path) {
      HttpRequest request;
      request.url = base + path;
      request.headers = {{"X-aws-ec2-metadata-token", token->body}};
      request.timeout = std::chrono::seconds(1);
      request.connectTimeout = std::chrono::seconds(1);
      return http_->send(request);
    };
    constexpr std::string_view kRolePath = "/latest/meta-data/iam/security-credentials/";
    auto roles = get(std::string(kRolePath));
    if (!roles) {
      return roles.error().withContext("IMDS");
    }
    if (roles->status == 404) {
      return notConfigured("IMDS: the instance has no IAM instance profile");
    }
    if (roles->status != 200 || roles->body.empty()) {
      return Error{ErrorKind::kUnavailable,
                   "IMDS: listing roles answered HTTP " + std::to_string(roles->status)};
    }
    const std::string role = roles->body.substr(0, roles->body.find('\n'));
    auto creds = get(std::string(kRolePath) + role);
    if (!creds) {
      return creds.error().withContext("IMDS");
    }
    if (creds->status != 200) {
      return Error{ErrorKind::kUnavailable, "IMDS: credentials of role " + role +
                                                " answered HTTP " + std::to_string(creds->status)};
    }
    return credentialsFromJson(creds->body, "imds role " + role);
  }

 private:
  Environment env_;
  HttpClientPtr http_;
};

class ChainProvider final : public CredentialsProvider {
 public:
  explicit ChainProvider(std::vector<CredentialsProviderPtr> providers)
      : providers_(std::move(providers)) {}

  Result<Credentials> credentials() override {
    std::string tried;
    for (const auto& provider : providers_) {
      auto result = provider->credentials();
      if (result || result.error().kind != ErrorKind::kNotFound) {
        return result;
      }
      tried += "\n  " + result.error().message;
    }
    return notConfigured("no AWS credentials found; tried:" + tried);
  }

 private:
  std::vector<CredentialsProviderPtr> providers_;
};

class CachingProvider final : public CredentialsProvider {
 public:
  CachingProvider(CredentialsProviderPtr inner, Clock clock, std::chrono::seconds refreshBefore)
      : inner_(std::move(inner)), clock_(std::move(clock)), refreshBefore_(refreshBefore) {}

  Result<Credentials> credentials() override {
    std::lock_guard lock(mutex_);
    const auto now = clock_();
    if (cached_ && (!cached_->expiration || now < *cached_->expiration - refreshBefore_)) {
      return *cached_;
    }
    auto fresh = inner_->credentials();
    if (fresh) {
      cached_ = *fresh;
      return fresh;
    }
    if (cached_ && cached_->expiration && now < *cached_->expiration) {
      spdlog::warn("refreshing AWS credentials from {} failed, using them until they expire: {}",
                   cached_->source, fresh.error().message);
      return *cached_;
    }
    return fresh;
  }

 private:
  CredentialsProviderPtr inner_;
  Clock clock_;
  std::chrono::seconds refreshBefore_;
  std::mutex mutex_;
  std::optional<Credentials> cached_;
};

}  // namespace

CredentialsProviderPtr makeStaticProvider(Credentials credentials) {
  return std::make_shared<StaticProvider>(std::move(credentials));
}
CredentialsProviderPtr makeEnvironmentProvider(Environment env) {
  return std::make_shared<EnvironmentProvider>(std::move(env));
}
CredentialsProviderPtr makeProfileProvider(Environment env) {
  return std::make_shared<ProfileProvider>(std::move(env));
}
CredentialsProviderPtr makeWebIdentityProvider(Environment env, AwsConfig config,
                                               HttpClientPtr http, Clock clock) {
  return std::make_shared<WebIdentityProvider>(std::move(env), std::move(config), std::move(http),
                                               std::move(clock));
}
CredentialsProviderPtr makeContainerProvider(Environment env, HttpClientPtr http) {
  return std::make_shared<ContainerProvider>(std::move(env), std::move(http));
}
CredentialsProviderPtr makeImdsProvider(Environment env, HttpClientPtr http) {
  return std::make_shared<ImdsProvider>(std::move(env), std::move(http));
}
CredentialsProviderPtr makeChainProvider(std::vector<CredentialsProviderPtr> providers) {
  return std::make_shared<ChainProvider>(std::move(providers));
}
CredentialsProviderPtr makeCachingProvider(CredentialsProviderPtr inner, Clock clock,
                                           std::chrono::seconds refreshBefore) {
  return std::make_shared<CachingProvider>(std::move(inner), std::move(clock), refreshBefore);
}

CredentialsProviderPtr makeDefaultCredentialsChain(Environment env, AwsConfig config,
                                                   HttpClientPtr http, Clock clock) {
  return makeCachingProvider(
      makeChainProvider({makeEnvironmentProvider(env), makeProfileProvider(env),
                         makeWebIdentityProvider(env, std::move(config), http, clock),
                         makeContainerProvider(env, http), makeImdsProvider(env, http)}),
      clock);
}

}  // namespace karpenter::aws
