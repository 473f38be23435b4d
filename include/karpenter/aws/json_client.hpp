#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "karpenter/aws/credentials.hpp"
#include "karpenter/aws/http.hpp"
#include "karpenter/aws/query_client.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::aws {

// Decodes a JSON-protocol error (awsJson1.1 and restJson1): the code from the body's "__type"
// or the x-amzn-ErrorType header (either may carry a "namespace#" prefix or a ":<url>" suffix),
// the message from "message" or "Message". Unparsable bodies keep the HTTP status only.
AwsErrorDetail decodeJsonError(long httpStatus, std::string_view body,
                               std::string_view errorTypeHeader, std::string_view requestId);

// A signed client for the JSON protocols: awsJson1.1 (SSM: POST / with X-Amz-Target) and
// restJson1 (EKS: a verb on a resource path). Retries throttling and server faults with the
// same jittered backoff as QueryClient; other errors return at once as toError() values.
// Thread safety: calls may be made concurrently.
class JsonClient final {
 public:
  struct Options {
    std::string endpoint;  // e.g. https://ssm.us-east-1.amazonaws.com or a loopback URL
    std::string service;   // signing name: "ssm", "eks"
    std::string signingRegion;
    RetryPolicy retry;
  };

  JsonClient(Options options, CredentialsProviderPtr credentials, HttpClientPtr http, Clock clock);

  // awsJson1.1: `target` is "<TargetPrefix>.<Operation>" (AmazonSSM.GetParameter).
  Result<nlohmann::json> callTarget(std::string_view target, const nlohmann::json& body) const;
  // restJson1: `path` is already percent-encoded; `action` names the operation in errors.
  // A null `body` sends no payload.
  Result<nlohmann::json> callRest(std::string_view method, std::string_view path,
                                  std::string_view action, const nlohmann::json& body) const;

 private:
  Result<nlohmann::json> send(std::string_view method, std::string_view path,
                              std::string_view action, std::vector<HttpHeader> headers,
                              const std::string& body) const;

  Options options_;
  CredentialsProviderPtr credentials_;
  HttpClientPtr http_;
  Clock clock_;
};

}  // namespace karpenter::aws
