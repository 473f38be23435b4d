#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "karpenter/aws/config.hpp"
#include "karpenter/aws/http.hpp"
#include "karpenter/aws/sigv4.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::aws {

// A source of credentials. credentials() returns kNotFound when the source is not configured
// (so a chain moves on), another error when it is configured but failed.
// Thread safety: implementations may be called concurrently.
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual Result<Credentials> credentials() = 0;
};
using CredentialsProviderPtr = std::shared_ptr<CredentialsProvider>;

// A fixed key (tests, tools).
CredentialsProviderPtr makeStaticProvider(Credentials credentials);
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.
CredentialsProviderPtr makeEnvironmentProvider(Environment env);
// aws_access_key_id / aws_secret_access_key / aws_session_token of the active profile
// (AWS_PROFILE) in the shared credentials and config files. Files are re-read on every call.
CredentialsProviderPtr makeProfileProvider(Environment env);
// IRSA: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME), exchanged with
// STS AssumeRoleWithWebIdentity (Query protocol, unsigned) at config.endpointFor("sts").
// The token file is re-read on every call (kubelet rotates it).
CredentialsProviderPtr makeWebIdentityProvider(Environment env, AwsConfig config,
                                               HttpClientPtr http, Clock clock);
// EKS Pod Identity / ECS: AWS_CONTAINER_CREDENTIALS_FULL_URI (or _RELATIVE_URI under
// 169.254.170.2) with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or _TOKEN as Authorization.
// Plain-http URIs must be loopback or the EKS/ECS link-local agents, as the SDKs require.
CredentialsProviderPtr makeContainerProvider(Environment env, HttpClientPtr http);
// IMDSv2: PUT /latest/api/token, then the role's credentials under
// /latest/meta-data/iam/security-credentials/. AWS_EC2_METADATA_SERVICE_ENDPOINT overrides
// http://169.254.169.254; AWS_EC2_METADATA_DISABLED=true turns it off.
CredentialsProviderPtr makeImdsProvider(Environment env, HttpClientPtr http);

// Asks each provider in turn; the first success wins, kNotFound moves on, any other error
// stops the chain (a configured source that fails must not be masked by a later one).
CredentialsProviderPtr makeChainProvider(std::vector<CredentialsProviderPtr> providers);

// Caches credentials and refreshes them `refreshBefore` their expiry. While a refresh fails,
// still-valid cached credentials are served (and the failure logged).
CredentialsProviderPtr makeCachingProvider(
    CredentialsProviderPtr inner, Clock clock,
    std::chrono::seconds refreshBefore = std::chrono::minutes(5));

// The SDK order: environment, shared files, web identity, container (Pod Identity), IMDSv2,
// behind a cache.
CredentialsProviderPtr makeDefaultCredentialsChain(Environment env, AwsConfig config,
                                                   HttpClientPtr http, Clock clock);

}  // namespace karpenter::aws
