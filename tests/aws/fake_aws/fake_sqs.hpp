#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/fake_ec2/loopback_server.hpp"

namespace karpenter::aws::testing {

// A test SQS endpoint speaking both wire protocols SQS has had: AWS JSON 1.0 (X-Amz-Target:
// AmazonSQS.<Op>, what current SDKs send) and the Query protocol with XML answers (what older
// clients such as bookworm's awscli send). Serves GetQueueUrl, SendMessage, ReceiveMessage
// (visibility timeout, long polling up to WaitTimeSeconds, system and message attributes) and
// DeleteMessage by receipt handle, verifies the SigV4 signature (service "sqs") of every request
// and answers errors in each protocol's shape (QueueDoesNotExist is
// AWS.SimpleQueueService.NonExistentQueue in both).
//
// Visibility is judged on an injectable clock, so tests step time instead of sleeping; a long
// poll waits in real time (bounded by WaitTimeSeconds) and wakes when a message is sent.
// Thread safety: every public method may be called from any thread.
class FakeSqs final {
 public:
  using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;
  struct Options {
    std::string accessKeyId = "AKIDFAKESQSEXAMPLE";
    std::string secretAccessKey = "fakeSqsSecret/K7MDENG+bPxRfiCYEXAMPLEKEY";
    std::string region = "us-east-1";
    std::string accountId = "000000000000";
    SteadyClock clock;  // visibility timeouts; steady_clock when empty
    std::function<std::chrono::system_clock::time_point()> wallClock;  // SentTimestamp
  };

  struct Attribute {
    std::string dataType = "String";
    std::string stringValue;
    std::string binaryValue;  // base64
  };

  // One request as the fake understood it, whichever protocol carried it.
  struct Recorded {
    std::string protocol;   // "json" or "query"
    std::string action;     // GetQueueUrl, ReceiveMessage, ...
    nlohmann::json params;  // in the JSON protocol's shape, whichever protocol sent them
  };

  // One operation's outcome before a protocol encodes it.
  struct Reply {
    int status = 200;
    nlohmann::json result;  // JSON-protocol shape
    std::string code;       // error: Query-era code
    std::string type;       // error: JSON __type shape name
    std::string message;
  };

  FakeSqs();
  explicit FakeSqs(Options options);
  ~FakeSqs();  // ends open long polls, then stops the server
  FakeSqs(const FakeSqs&) = delete;
  FakeSqs& operator=(const FakeSqs&) = delete;

  std::string url() const;
  const Options& options() const { return options_; }

  // Handles one request as the server does (usable without a socket).
  LoopbackResponse handle(const LoopbackRequest& request);

  // --- Test helpers ---
  // Creates the queue (no-op if it exists) and returns its URL: <url>/<accountId>/<name>.
  std::string createQueue(const std::string& name);
  // Enqueues a message as SendMessage would; returns its MessageId.
  std::string send(const std::string& queueName, const std::string& body,
                   const std::map<std::string, Attribute>& attributes = {});
  // The next n requests (after the signature check) fail with HTTP 500 InternalError.
  void failNextRequests(int n);

  // --- Observation ---
  // Messages not yet deleted (visible or in flight).
  size_t messageCount(const std::string& queueName) const;
  // Messages received and still inside their visibility timeout.
  size_t inFlightCount(const std::string& queueName) const;
  std::vector<Recorded> requests(const std::string& action) const;
  int rejectedSignatures() const;

  // AWS's MD5 over message attributes (MD5OfMessageAttributes): per attribute, sorted by name,
  // length-prefixed name, data type, a transport byte (1 string, 2 binary) and the value.
  static std::string md5OfAttributes(const std::map<std::string, Attribute>& attributes);

 private:
  struct Message {
    std::string id;
    std::string body;
    std::map<std::string, Attribute> attributes;
    int64_t sentMillis = 0;
    int64_t firstReceiveMillis = 0;
    int receiveCount = 0;
    std::chrono::steady_clock::time_point visibleAt;
    std::string receiptHandle;  // the latest one handed out
  };
  struct Queue {
    std::vector<Message> messages;  // oldest first
  };

  Reply dispatch(const std::string& action, const nlohmann::json& params);
  Reply getQueueUrl(const nlohmann::json& params);
  Reply sendMessage(const nlohmann::json& params);
  Reply receiveMessage(const nlohmann::json& params);
  Reply deleteMessage(const nlohmann::json& params);
  Queue* findQueue(const nlohmann::json& params, std::string* name);
  std::string enqueue(Queue& queue, const std::string& body,
                      const std::map<std::string, Attribute>& attributes);
  std::chrono::steady_clock::time_point now() const;
  int64_t wallMillis() const;

  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable sent_;
  bool stopping_ = false;
  std::map<std::string, Queue> queues_;
  std::map<std::string, std::string> receiptOwners_;  // receipt handle → message id
  std::map<std::string, std::vector<Recorded>> requests_;
  int failCount_ = 0;
  int rejectedSignatures_ = 0;
  uint64_t counter_ = 0;
  std::unique_ptr<LoopbackServer> server_;
};

}  // namespace karpenter::aws::testing
