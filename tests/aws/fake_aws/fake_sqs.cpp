#include "fake_sqs.hpp"

#include <algorithm>
#include <set>

#include <openssl/evp.h>

#include "aws/fake_ec2/wire.hpp"
#include "sqs_wire.hpp"

namespace karpenter::aws::testing {
namespace {

using json = nlohmann::json;

// SQS's long-poll and batch limits.
constexpr int64_t kMaxWaitSeconds = 20;
constexpr int64_t kMaxMessages = 10;
constexpr int64_t kMaxVisibilitySeconds = 43'200;
constexpr int64_t kDefaultVisibilitySeconds = 30;

std::string md5Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  static const char* const kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

std::string base64Decode(const std::string& text) {
  std::string out((text.size() / 4 + 1) * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) {
    return "";
  }
  out.resize(static_cast<size_t>(n));
  // EVP_DecodeBlock keeps the padding bytes as zeros.
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) {
    out.pop_back();
  }
  return out;
}

void appendLengthPrefixed(std::string& out, const std::string& value) {
  const uint32_t size = static_cast<uint32_t>(value.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    out += static_cast<char>((size >> shift) & 0xff);
  }
  out += value;
}

// Integer member `name` of a request: absent ⇒ fallback; present but not an integer in
// [low, high] ⇒ nullopt.
std::optional<int64_t> integerParam(const json& params, const char* name, int64_t fallback,
                                    int64_t low, int64_t high) {
  auto it = params.find(name);
  if (it == params.end()) {
    return fallback;
  }
  if (!it->is_number_integer() || it->get<int64_t>() < low || it->get<int64_t>() > high) {
    return std::nullopt;
  }
  return it->get<int64_t>();
}

std::set<std::string> stringSet(const json& params, const char* name) {
  std::set<std::string> values;
  auto it = params.find(name);
  if (it != params.end() && it->is_array()) {
    for (const json& value : *it) {
      if (value.is_string()) {
        values.insert(value.get<std::string>());
      }
    }
  }
  return values;
}

}  // namespace

FakeSqs::FakeSqs() : FakeSqs(Options{}) {}

FakeSqs::FakeSqs(Options options) : options_(std::move(options)) {
  // Several I/O threads: a long poll holds one while the test and other clients carry on.
  server_ = std::make_unique<LoopbackServer>(
      [this](const LoopbackRequest& request) { return handle(request); }, 4);
}

FakeSqs::~FakeSqs() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  sent_.notify_all();
  server_.reset();
}

std::string FakeSqs::url() const {
  return server_->url();
}

std::chrono::steady_clock::time_point FakeSqs::now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

int64_t FakeSqs::wallMillis() const {
  const auto time = options_.wallClock ? options_.wallClock() : std::chrono::system_clock::now();
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

std::string FakeSqs::md5OfAttributes(const std::map<std::string, Attribute>& attributes) {
  std::string encoded;
  for (const auto& [name, attribute] : attributes) {  // std::map: sorted by name
    appendLengthPrefixed(encoded, name);
    appendLengthPrefixed(encoded, attribute.dataType);
    const bool binary = attribute.dataType.rfind("Binary", 0) == 0;
    encoded += static_cast<char>(binary ? 2 : 1);
    appendLengthPrefixed(encoded,
                         binary ? base64Decode(attribute.binaryValue) : attribute.stringValue);
  }
  return md5Hex(encoded);
}

std::string FakeSqs::createQueue(const std::string& name) {
  std::lock_guard lock(mutex_);
  queues_.try_emplace(name);
  return url() + "/" + options_.accountId + "/" + name;
}

std::string FakeSqs::enqueue(Queue& queue, const std::string& body,
                             const std::map<std::string, Attribute>& attributes) {
  Message message;
  message.id = "msg-" + std::to_string(++counter_) + "-" + md5Hex(body).substr(0, 12);
  message.body = body;
  message.attributes = attributes;
  message.sentMillis = wallMillis();
  message.visibleAt = now();
  queue.messages.push_back(std::move(message));
  sent_.notify_all();
  return queue.messages.back().id;
}

std::string FakeSqs::send(const std::string& queueName, const std::string& body,
                          const std::map<std::string, Attribute>& attributes) {
  std::lock_guard lock(mutex_);
  return enqueue(queues_[queueName], body, attributes);
}

void FakeSqs::failNextRequests(int n) {
  std::lock_guard lock(mutex_);
  failCount_ = n;
}

size_t FakeSqs::messageCount(const std::string& queueName) const {
  std::lock_guard lock(mutex_);
  auto it = queues_.find(queueName);
  return it == queues_.end() ? 0 : it->second.messages.size();
}

size_t FakeSqs::inFlightCount(const std::string& queueName) const {
  std::lock_guard lock(mutex_);
  auto it = queues_.find(queueName);
  if (it == queues_.end()) {
    return 0;
  }
  const auto at = now();
  return static_cast<size_t>(
      std::count_if(it->second.messages.begin(), it->second.messages.end(),
                    [&](const Message& m) { return m.receiveCount > 0 && m.visibleAt > at; }));
}

std::vector<FakeSqs::Recorded> FakeSqs::requests(const std::string& action) const {
  std::lock_guard lock(mutex_);
  auto it = requests_.find(action);
  return it == requests_.end() ? std::vector<Recorded>{} : it->second;
}

int FakeSqs::rejectedSignatures() const {
  std::lock_guard lock(mutex_);
  return rejectedSignatures_;
}

LoopbackResponse FakeSqs::handle(const LoopbackRequest& request) {
  std::string requestId;
  {
    std::lock_guard lock(mutex_);
    requestId = "fake-sqs-request-" + std::to_string(++counter_);
  }
  auto decoded = decodeSqsRequest(request);
  if (!decoded) {
    return encodeSqsError("query", 400, "MissingAction", "MissingAction",
                          "The request must name an Action", requestId);
  }
  const SignatureCheck signature =
      verifySigV4(request, options_.accessKeyId, options_.secretAccessKey, options_.region, "sqs");
  if (!signature.ok) {
    std::lock_guard lock(mutex_);
    ++rejectedSignatures_;
    return encodeSqsError(decoded->protocol, signature.status, signature.code, signature.code,
                          signature.message, requestId);
  }
  if (decoded->protocol == "json" &&
      request.header("Content-Type").rfind("application/x-amz-json-1.0", 0) != 0) {
    return encodeSqsError("json", 400, "InvalidParameterValue", "InvalidParameterValue",
                          "The JSON protocol needs Content-Type application/x-amz-json-1.0",
                          requestId);
  }
  if (decoded->action.empty()) {
    return encodeSqsError(decoded->protocol, 400, "MalformedQueryString", "InvalidParameterValue",
                          "The request body is not a JSON object", requestId);
  }
  {
    std::lock_guard lock(mutex_);
    requests_[decoded->action].push_back({decoded->protocol, decoded->action, decoded->params});
    if (failCount_ > 0) {
      --failCount_;
      return encodeSqsError(decoded->protocol, 500, "InternalError", "InternalError",
                            "We encountered an internal error. Please try again.", requestId);
    }
  }
  // An older client may address the queue by the request path instead of a QueueUrl member.
  if (!decoded->params.contains("QueueUrl") && request.path.size() > 1) {
    decoded->params["QueueUrl"] = url() + request.path;
  }
  const Reply reply = dispatch(decoded->action, decoded->params);
  if (reply.status != 200) {
    return encodeSqsError(decoded->protocol, reply.status, reply.code, reply.type, reply.message,
                          requestId);
  }
  return encodeSqsResult(decoded->protocol, decoded->action, reply.result, requestId);
}

FakeSqs::Reply FakeSqs::dispatch(const std::string& action, const json& params) {
  if (action == "GetQueueUrl") {
    return getQueueUrl(params);
  }
  if (action == "SendMessage") {
    return sendMessage(params);
  }
  if (action == "ReceiveMessage") {
    return receiveMessage(params);
  }
  if (action == "DeleteMessage") {
    return deleteMessage(params);
  }
  return {400,
          {},
          "InvalidAction",
          "InvalidAction",
          "The action " + action + " is not valid for this endpoint."};
}

namespace {

FakeSqs::Reply missing(const char* member) {
  return {400,
          {},
          "MissingParameter",
          "MissingParameter",
          std::string("The request must contain the parameter ") + member + "."};
}

FakeSqs::Reply noSuchQueue() {
  return {400,
          {},
          "AWS.SimpleQueueService.NonExistentQueue",
          "QueueDoesNotExist",
          "The specified queue does not exist."};
}

FakeSqs::Reply invalidValue(const std::string& message) {
  return {400, {}, "InvalidParameterValue", "InvalidParameterValue", message};
}

}  // namespace

FakeSqs::Queue* FakeSqs::findQueue(const json& params, std::string* name) {
  const std::string queueUrl = params.value("QueueUrl", "");
  *name = queueUrl.substr(queueUrl.rfind('/') + 1);
  auto it = queues_.find(*name);
  return it == queues_.end() ? nullptr : &it->second;
}

FakeSqs::Reply FakeSqs::getQueueUrl(const json& params) {
  const std::string name = params.value("QueueName", "");
  if (name.empty()) {
    return missing("QueueName");
  }
  std::lock_guard lock(mutex_);
  if (!queues_.contains(name)) {
    return noSuchQueue();
  }
  return {200, {{"QueueUrl", url() + "/" + options_.accountId + "/" + name}}, "", "", ""};
}

FakeSqs::Reply FakeSqs::sendMessage(const json& params) {
  if (!params.contains("QueueUrl")) {
    return missing("QueueUrl");
  }
  if (!params.contains("MessageBody") || !params["MessageBody"].is_string()) {
    return missing("MessageBody");
  }
  std::map<std::string, Attribute> attributes;
  const json sent = params.value("MessageAttributes", json::object());
  for (const auto& [name, value] : sent.items()) {
    if (!value.is_object() || !value.contains("DataType")) {
      return invalidValue("The message attribute '" + name + "' must contain a DataType.");
    }
    attributes[name] = {value.value("DataType", ""), value.value("StringValue", ""),
                        value.value("BinaryValue", "")};
  }
  std::lock_guard lock(mutex_);
  std::string name;
  Queue* queue = findQueue(params, &name);
  if (queue == nullptr) {
    return noSuchQueue();
  }
  const std::string body = params["MessageBody"].get<std::string>();
  json result = {{"MessageId", enqueue(*queue, body, attributes)},
                 {"MD5OfMessageBody", md5Hex(body)}};
  if (!attributes.empty()) {
    result["MD5OfMessageAttributes"] = md5OfAttributes(attributes);
  }
  return {200, result, "", "", ""};
}

FakeSqs::Reply FakeSqs::receiveMessage(const json& params) {
  if (!params.contains("QueueUrl")) {
    return missing("QueueUrl");
  }
  const auto maxMessages = integerParam(params, "MaxNumberOfMessages", 1, 1, kMaxMessages);
  if (!maxMessages) {
    return invalidValue(
        "Value for parameter MaxNumberOfMessages is invalid. Reason: Must be "
        "between 1 and 10, if provided.");
  }
  const auto visibility = integerParam(params, "VisibilityTimeout", kDefaultVisibilitySeconds, 0,
                                       kMaxVisibilitySeconds);
  if (!visibility) {
    return invalidValue("Value for parameter VisibilityTimeout is invalid.");
  }
  const auto wait = integerParam(params, "WaitTimeSeconds", 0, 0, kMaxWaitSeconds);
  if (!wait) {
    return invalidValue(
        "Value for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 "
        "and <= 20, if provided.");
  }
  std::set<std::string> systemNames = stringSet(params, "AttributeNames");
  systemNames.merge(stringSet(params, "MessageSystemAttributeNames"));
  const std::set<std::string> attributeNames = stringSet(params, "MessageAttributeNames");

  std::unique_lock lock(mutex_);
  std::string name;
  if (findQueue(params, &name) == nullptr) {
    return noSuchQueue();
  }
  // Long poll: wait in slices so a message whose visibility timeout lapses is seen too.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(*wait);
  json messages = json::array();
  while (true) {
    Queue& queue = queues_[name];
    const auto at = now();
    for (Message& message : queue.messages) {
      if (static_cast<int64_t>(messages.size()) >= *maxMessages) {
        break;
      }
      if (message.visibleAt > at) {
        continue;
      }
      ++message.receiveCount;
      if (message.firstReceiveMillis == 0) {
        message.firstReceiveMillis = wallMillis();
      }
      message.visibleAt = at + std::chrono::seconds(*visibility);
      message.receiptHandle = "rh-" + message.id + "-" + std::to_string(++counter_);
      receiptOwners_[message.receiptHandle] = message.id;
      const std::map<std::string, std::string> system = {
          {"SentTimestamp", std::to_string(message.sentMillis)},
          {"ApproximateReceiveCount", std::to_string(message.receiveCount)},
          {"ApproximateFirstReceiveTimestamp", std::to_string(message.firstReceiveMillis)},
          {"SenderId", options_.accessKeyId}};
      json item = {{"MessageId", message.id},
                   {"ReceiptHandle", message.receiptHandle},
                   {"MD5OfBody", md5Hex(message.body)},
                   {"Body", message.body}};
      json attributes = json::object();
      for (const auto& [key, value] : system) {
        if (systemNames.contains("All") || systemNames.contains(key)) {
          attributes[key] = value;
        }
      }
      if (!attributes.empty()) {
        item["Attributes"] = attributes;
      }
      std::map<std::string, Attribute> selected;
      for (const auto& [key, value] : message.attributes) {
        if (attributeNames.contains("All") || attributeNames.contains(".*") ||
            attributeNames.contains(key)) {
          selected[key] = value;
        }
      }
      if (!selected.empty()) {
        json encoded = json::object();
        for (const auto& [key, value] : selected) {
          json one = {{"DataType", value.dataType}};
          if (value.dataType.rfind("Binary", 0) == 0) {
            one["BinaryValue"] = value.binaryValue;
          } else {
            one["StringValue"] = value.stringValue;
          }
          encoded[key] = one;
        }
        item["MessageAttributes"] = encoded;
        item["MD5OfMessageAttributes"] = md5OfAttributes(selected);
      }
      messages.push_back(item);
    }
    if (!messages.empty() || stopping_ || std::chrono::steady_clock::now() >= deadline) {
      break;
    }
    sent_.wait_until(
        lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(50)));
  }
  json result = json::object();
  if (!messages.empty()) {
    result["Messages"] = messages;
  }
  return {200, result, "", "", ""};
}

FakeSqs::Reply FakeSqs::deleteMessage(const json& params) {
  if (!params.contains("QueueUrl")) {
    return missing("QueueUrl");
  }
  const std::string handle = params.value("ReceiptHandle", "");
  if (handle.empty()) {
    return missing("ReceiptHandle");
  }
  std::lock_guard lock(mutex_);
  std::string name;
  Queue* queue = findQueue(params, &name);
  if (queue == nullptr) {
    return noSuchQueue();
  }
  auto owner = receiptOwners_.find(handle);
  if (owner == receiptOwners_.end()) {
    return {400,
            {},
            "ReceiptHandleIsInvalid",
            "ReceiptHandleIsInvalid",
            "The input receipt handle \"" + handle + "\" is not a valid receipt handle."};
  }
  // As SQS: deleting with the latest handle removes the message; a stale handle or a message
  // already gone succeeds without effect.
  std::erase_if(queue->messages, [&](const Message& message) {
    return message.id == owner->second && message.receiptHandle == handle;
  });
  return {200, json::object(), "", "", ""};
}

}  // namespace karpenter::aws::testing
