#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "karpenter/aws/credentials.hpp"
#include "karpenter/aws/http.hpp"
#include "karpenter/aws/query_client.hpp"
#include "karpenter/aws/sigv4.hpp"

namespace karpenter::aws {

// Who signs and sends: shared by the Query and JSON protocol clients. Private to src/aws.
struct SignedExchange {
  const std::string& service;  // signing name
  const std::string& signingRegion;
  const RetryPolicy& retry;
  CredentialsProvider& credentials;
  HttpClient& http;
  const Clock& clock;
};

// How one call's exchanges are sent; the defaults are HttpRequest's.
struct SignedSendOptions {
  std::optional<std::chrono::milliseconds> timeout;
  // Polled while an exchange is in flight (HttpRequest::cancelled) and before each retry: true
  // ends the call with kUnavailable "<service> <action>: cancelled".
  std::function<bool()> cancelled;
};

// Sends `signable` to `url`, signed afresh (SigV4 headers) for each attempt; transport
// failures and retryable AWS errors (throttling, 5xx) are retried with backoffDelay(). A non-2xx
// reply becomes toError(decodeError(reply)); a transport failure names the service and action.
// Returns the 2xx reply.
Result<HttpResponse> sendSigned(
    const SignedExchange& exchange, std::string_view action, const SignableRequest& signable,
    const std::string& url, const std::function<AwsErrorDetail(const HttpResponse&)>& decodeError,
    const SignedSendOptions& options = {});

}  // namespace karpenter::aws
