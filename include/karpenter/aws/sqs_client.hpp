#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "karpenter/aws/credentials.hpp"
#include "karpenter/aws/http.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::aws {

// A message attribute as SQS carries it (DataType String, Number or Binary[.label]); binary
// values stay base64 as they travel.
struct SqsMessageAttribute {
  std::string dataType;
  std::string stringValue;
  std::string binaryValue;  // base64
};

struct SqsMessage {
  std::string messageId;
  std::string receiptHandle;  // what DeleteMessage needs; new on every receive
  std::string body;
  std::string md5OfBody;
  std::map<std::string, std::string> attributes;  // system attributes: SentTimestamp, ...
  std::map<std::string, SqsMessageAttribute> messageAttributes;
};

// What one ReceiveMessage asks for. The defaults are upstream Karpenter's: up to 10 messages,
// hidden from other consumers for 20 s, waiting up to 20 s for one to arrive (long poll).
struct SqsReceiveOptions {
  int maxMessages = 10;
  std::chrono::seconds visibilityTimeout{20};
  std::chrono::seconds waitTime{20};
};

// An SQS client speaking the AWS JSON 1.0 protocol SQS uses today (POST / with
// X-Amz-Target: AmazonSQS.<Operation> and Content-Type application/x-amz-json-1.0, SigV4
// service "sqs"). Errors: QueueDoesNotExist / AWS.SimpleQueueService.NonExistentQueue ⇒
// kNotFound, throttling ⇒ kThrottled, 5xx or no reply ⇒ kUnavailable, other 4xx ⇒ kInvalid,
// each naming the operation and the service's code and message. A call is one attempt: the
// caller's loop owns retries and backoff (a lost DeleteMessage only makes the message visible
// again after its visibility timeout).
// Thread safety: every method may be called concurrently.
class SqsClient final {
 public:
  struct Options {
    std::string endpoint;  // e.g. https://sqs.us-east-1.amazonaws.com or a loopback URL
    std::string signingRegion;
    std::chrono::milliseconds timeout{10'000};  // per call, on top of a receive's wait time
  };

  SqsClient(Options options, CredentialsProviderPtr credentials, HttpClientPtr http, Clock clock);

  // The URL of the queue with this name (Karpenter's --interruption-queue).
  Result<std::string> getQueueUrl(std::string_view queueName) const;
  // Up to options.maxMessages messages with the SentTimestamp system attribute and every
  // message attribute; empty when the wait ended without one. `cancelled` is polled
  // at least once a second while the long poll waits: returning true ends the call early with
  // kUnavailable ("cancelled").
  Result<std::vector<SqsMessage>> receiveMessages(const std::string& queueUrl,
                                                  const SqsReceiveOptions& options,
                                                  std::function<bool()> cancelled = {}) const;
  Result<void> deleteMessage(const std::string& queueUrl, const std::string& receiptHandle) const;
  // SendMessage, for tools and tests; returns the message ID.
  Result<std::string> sendMessage(const std::string& queueUrl, const std::string& body) const;

 private:
  Result<std::string> call(std::string_view operation, const std::string& body,
                           std::chrono::milliseconds extraTimeout,
                           std::function<bool()> cancelled) const;

  Options options_;
  CredentialsProviderPtr credentials_;
  HttpClientPtr http_;
  Clock clock_;
};

// The code of a JSON-protocol SQS error: the x-amzn-query-error header's code when present
// (SQS keeps its Query-era codes there, e.g. AWS.SimpleQueueService.NonExistentQueue), else the
// body's "__type" without its "namespace#" prefix.
std::string sqsErrorCode(std::string_view queryErrorHeader, std::string_view body);

}  // namespace karpenter::aws
