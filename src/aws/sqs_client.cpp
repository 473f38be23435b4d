#include "karpenter/aws/sqs_client.hpp"

#include <nlohmann/json.hpp>

#include "karpenter/aws/query_client.hpp"
#include "signed_exchange.hpp"

namespace karpenter::aws {
namespace {

using json = nlohmann::json;

constexpr std::string_view kTargetPrefix = "AmazonSQS.";
constexpr std::string_view kContentType = "application/x-amz-json-1.0";

std::string stringField(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

SqsMessage decodeMessage(const json& item) {
  SqsMessage message;
  message.messageId = stringField(item, "MessageId");
  message.receiptHandle = stringField(item, "ReceiptHandle");
  message.body = stringField(item, "Body");
  message.md5OfBody = stringField(item, "MD5OfBody");
  if (auto attributes = item.find("Attributes");
      attributes != item.end() && attributes->is_object()) {
    for (const auto& [name, value] : attributes->items()) {
      if (value.is_string()) {
        message.attributes[name] = value.get<std::string>();
      }
    }
  }
  if (auto attributes = item.find("MessageAttributes");
      attributes != item.end() && attributes->is_object()) {
    for (const auto& [name, value] : attributes->items()) {
      if (value.is_object()) {
        message.messageAttributes[name] = {stringField(value, "DataType"),
                                           stringField(value, "StringValue"),
                                           stringField(value, "BinaryValue")};
      }
    }
  }
  return message;
}

}  // namespace

std::string sqsErrorCode(std::string_view queryErrorHeader, std::string_view body) {
  if (!queryErrorHeader.empty()) {
    // "AWS.SimpleQueueService.NonExistentQueue;Sender"
    return std::string(queryErrorHeader.substr(0, queryErrorHeader.find(';')));
  }
  const json parsed = json::parse(body, nullptr, false);
  if (!parsed.is_object()) {
    return "";
  }
  std::string type = stringField(parsed, "__type");
  if (const size_t hash = type.rfind('#'); hash != std::string::npos) {
    type = type.substr(hash + 1);
  }
  return type;
}

namespace {

// SQS's JSON-protocol error: its code as sqsErrorCode() finds it, HTTP<status> without one.
AwsErrorDetail decodeSqsError(const HttpResponse& response) {
  AwsErrorDetail detail;
  detail.httpStatus = response.status;
  detail.code = sqsErrorCode(response.header("x-amzn-query-error"), response.body);
  if (detail.code.empty()) {
    detail.code = "HTTP" + std::to_string(response.status);
  }
  const json parsed = json::parse(response.body, nullptr, false);
  if (parsed.is_object()) {
    detail.message = stringField(parsed, "message");
    if (detail.message.empty()) {
      detail.message = stringField(parsed, "Message");
    }
  }
  detail.requestId = response.header("x-amzn-RequestId");
  return detail;
}

}  // namespace

SqsClient::SqsClient(Options options, CredentialsProviderPtr credentials, HttpClientPtr http,
                     Clock clock)
    : options_(std::move(options)),
      credentials_(std::move(credentials)),
      http_(std::move(http)),
      clock_(std::move(clock)) {}

Result<std::string> SqsClient::call(std::string_view operation, const std::string& body,
                                    std::chrono::milliseconds extraTimeout,
                                    std::function<bool()> cancelled) const {
  auto url = parseUrl(options_.endpoint);
  if (!url) {
    return url.error().withContext("sqs endpoint");
  }
  SignableRequest signable{"POST",
                           url->path,
                           url->query,
                           {{"Host", url->authority},
                            {"Content-Type", std::string(kContentType)},
                            {"X-Amz-Target", std::string(kTargetPrefix) + std::string(operation)}},
                           body};
  // One attempt: the caller's loop owns retries (see the header).
  static const RetryPolicy kSqsSingleAttempt{.maxAttempts = 1};
  static const std::string kSqsSigningName = "sqs";
  auto response = sendSigned(
      {kSqsSigningName, options_.signingRegion, kSqsSingleAttempt, *credentials_, *http_, clock_},
      operation, signable, options_.endpoint, decodeSqsError,
      {.timeout = options_.timeout + extraTimeout, .cancelled = std::move(cancelled)});
  if (!response) {
    return response.error();
  }
  return std::move(response->body);
}

Result<std::string> SqsClient::getQueueUrl(std::string_view queueName) const {
  auto body = call("GetQueueUrl", json{{"QueueName", queueName}}.dump(), {}, {});
  if (!body) {
    return body.error();
  }
  const json parsed = json::parse(*body, nullptr, false);
  const std::string url = parsed.is_object() ? stringField(parsed, "QueueUrl") : "";
  if (url.empty()) {
    return Error{ErrorKind::kUnavailable, "sqs GetQueueUrl: the reply has no QueueUrl"};
  }
  return url;
}

Result<std::vector<SqsMessage>> SqsClient::receiveMessages(const std::string& queueUrl,
                                                           const SqsReceiveOptions& options,
                                                           std::function<bool()> cancelled) const {
  const json request = {{"QueueUrl", queueUrl},
                        {"MaxNumberOfMessages", options.maxMessages},
                        {"VisibilityTimeout", options.visibilityTimeout.count()},
                        {"WaitTimeSeconds", options.waitTime.count()},
                        // SentTimestamp dates each message for the queue-duration metric (upstream
                        // asks for just this system attribute).
                        {"AttributeNames", json::array({"SentTimestamp"})},
                        {"MessageAttributeNames", json::array({"All"})}};
  auto body = call("ReceiveMessage", request.dump(), options.waitTime, std::move(cancelled));
  if (!body) {
    return body.error();
  }
  const json parsed = json::parse(*body, nullptr, false);
  if (!parsed.is_object()) {
    return Error{ErrorKind::kUnavailable, "sqs ReceiveMessage: the reply is not a JSON object"};
  }
  std::vector<SqsMessage> messages;
  if (auto list = parsed.find("Messages"); list != parsed.end() && list->is_array()) {
    for (const json& item : *list) {
      if (item.is_object()) {
        messages.push_back(decodeMessage(item));
      }
    }
  }
  return messages;
}

Result<void> SqsClient::deleteMessage(const std::string& queueUrl,
                                      const std::string& receiptHandle) const {
  auto body = call("DeleteMessage",
                   json{{"QueueUrl", queueUrl}, {"ReceiptHandle", receiptHandle}}.dump(), {}, {});
  if (!body) {
    return body.error();
  }
  return {};
}

Result<std::string> SqsClient::sendMessage(const std::string& queueUrl,
                                           const std::string& body) const {
  auto reply =
      call("SendMessage", json{{"QueueUrl", queueUrl}, {"MessageBody", body}}.dump(), {}, {});
  if (!reply) {
    return reply.error();
  }
  const json parsed = json::parse(*reply, nullptr, false);
  return parsed.is_object() ? stringField(parsed, "MessageId") : std::string();
}

}  // namespace karpenter::aws
