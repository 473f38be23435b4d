#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/aws/credentials.hpp"
#include "karpenter/aws/http.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::aws {

using Tags = std::map<std::string, std::string>;

// An EC2-style filter: Filter.N.Name / Filter.N.Value.M.
struct Filter {
  std::string name;
  std::vector<std::string> values;
};

// The form parameters of one Query-protocol call, in insertion order. Lists use the EC2
// flattening: 1-based "Name.N", nested members dotted ("Filter.1.Value.2").
class QueryParams {
 public:
  QueryParams& set(std::string name, std::string value);
  QueryParams& setIfNotEmpty(std::string name, const std::string& value);
  QueryParams& setList(const std::string& prefix, const std::vector<std::string>& values);
  QueryParams& setFilters(const std::vector<Filter>& filters);
  // prefix.N.Key / prefix.N.Value (CreateTags uses prefix "Tag").
  QueryParams& setTags(const std::string& prefix, const Tags& tags);

  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
  // Action=...&Version=...&<entries>, form-encoded.
  std::string encode(std::string_view action, std::string_view version) const;

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// Backoff for throttling and server faults: full jitter, delay = random(0, min(max, base·2^n)).
struct RetryPolicy {
  int maxAttempts = 5;
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds max{20000};
  // How to wait; tests inject a recorder. Defaults to std::this_thread::sleep_for.
  std::function<void(std::chrono::milliseconds)> sleep;
};

// The wait before retry `attempt` (0-based) under `policy`: full jitter over
// min(max, base·2^attempt). Shared by every protocol client.
std::chrono::milliseconds backoffDelay(const RetryPolicy& policy, int attempt);
// Throttling and server faults (kThrottled, kUnavailable) are worth another attempt.
bool retryableAwsError(ErrorKind kind);
// `sleep`, or std::this_thread::sleep_for when it is empty.
std::function<void(std::chrono::milliseconds)> sleepOrDefault(
    std::function<void(std::chrono::milliseconds)> sleep);

// An AWS error as the service reported it.
struct AwsErrorDetail {
  long httpStatus = 0;
  std::string code;
  std::string message;
  std::string requestId;
};

// The ErrorKind callers steer on for an AWS error code: capacity errors
// (InsufficientInstanceCapacity, ...) → kInsufficientCapacity; RequestLimitExceeded/Throttling →
// kThrottled; 5xx and InternalError/ServiceUnavailable → kUnavailable; *.NotFound(Exception),
// NoSuchEntity, ParameterNotFound, QueueDoesNotExist → kNotFound; *AlreadyExists* → kConflict;
// every other 4xx (UnauthorizedOperation, InvalidParameterValue, AuthFailure, ...) → kInvalid.
ErrorKind errorKindForAwsCode(std::string_view code, long httpStatus);
// Decodes an EC2 error body (<Response><Errors><Error><Code>...) or the Query form of other
// services (<ErrorResponse><Error>...). Unparsable bodies keep the HTTP status only.
AwsErrorDetail decodeQueryError(long httpStatus, std::string_view body);
// The Error returned for `detail`: "<service> <action>: <Code>: <Message> (request id <id>)".
Error toError(const AwsErrorDetail& detail, std::string_view service, std::string_view action);
// The AWS error code inside a message made by toError(), or "" (for callers that must tell
// e.g. DryRunOperation or InvalidLaunchTemplateName.NotFoundException apart).
std::string awsErrorCode(const Error& error);

// A signed Query-protocol client for one service (EC2, or STS/IAM/SQS in their Query forms).
// Retries throttling and server faults with jittered backoff; other errors return at once.
// Thread safety: call() may be used concurrently.
class QueryClient final {
 public:
  struct Options {
    std::string endpoint;  // e.g. https://ec2.us-east-1.amazonaws.com or a loopback URL
    std::string service;   // signing name, e.g. "ec2"
    std::string signingRegion;
    std::string version;  // e.g. 2016-11-15
    RetryPolicy retry;
  };

  QueryClient(Options options, CredentialsProviderPtr credentials, HttpClientPtr http, Clock clock);

  // The response body (XML) of a 2xx answer, or the decoded error.
  Result<std::string> call(std::string_view action, const QueryParams& params) const;

 private:
  Options options_;
  CredentialsProviderPtr credentials_;
  HttpClientPtr http_;
  Clock clock_;
};

}  // namespace karpenter::aws
