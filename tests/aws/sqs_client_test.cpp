// The SQS client against the test SQS endpoint over loopback: the JSON 1.0 wire shape of each
// call, long polling, visibility, deletion, cancellation and error kinds; and the endpoint's
// Query/XML protocol through the project's Query client.

#include "karpenter/aws/sqs_client.hpp"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "aws/fake_aws/fake_sqs.hpp"
#include "aws/fake_ec2/fake_clients.hpp"
#include "karpenter/aws/query_client.hpp"

namespace karpenter::aws {
namespace {

using namespace std::chrono_literals;
using testing::FakeSqs;

class SqsClientTest : public ::testing::Test {
 protected:
  SqsClientTest()
      : fake_(FakeSqs::Options{.clock = [this] {
          return std::chrono::steady_clock::time_point(std::chrono::seconds(now_.load()));
        }}) {}

  SqsClient client(const std::string& secret = "") {
    return SqsClient({.endpoint = fake_.url(), .signingRegion = "us-east-1"},
                     testing::fakeCredentials(fake_, secret), makeCurlHttpClient(), systemClock());
  }

  void advance(std::chrono::seconds by) { now_ += by.count(); }

  static SqsReceiveOptions noWait() {
    return {.maxMessages = 10, .visibilityTimeout = 20s, .waitTime = 0s};
  }

  std::atomic<int64_t> now_{3600};  // the fake's visibility clock, in seconds
  FakeSqs fake_;
};

TEST_F(SqsClientTest, GetQueueUrlNamesTheQueueAndUnknownQueuesAreNotFound) {
  const std::string url = fake_.createQueue("interruptions");
  auto got = client().getQueueUrl("interruptions");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, url);

  auto missing = client().getQueueUrl("nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(missing.error().message.find("AWS.SimpleQueueService.NonExistentQueue"),
            std::string::npos)
      << missing.error().message;
  const auto requests = fake_.requests("GetQueueUrl");
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].protocol, "json");
  EXPECT_EQ(requests[0].params["QueueName"], "interruptions");
}

TEST_F(SqsClientTest, ReceiveAsksForUpstreamsBatchVisibilityAndAttributes) {
  const std::string url = fake_.createQueue("q");
  fake_.send("q", "hello", {{"origin", {.dataType = "String", .stringValue = "test"}}});
  auto received = client().receiveMessages(url, {});  // the defaults: 10, 20 s, 20 s
  ASSERT_TRUE(received) << received.error().message;
  ASSERT_EQ(received->size(), 1u);
  const SqsMessage& message = received->front();
  EXPECT_EQ(message.body, "hello");
  EXPECT_EQ(message.md5OfBody, "5d41402abc4b2a76b9719d911017c592");  // md5("hello")
  EXPECT_FALSE(message.receiptHandle.empty());
  EXPECT_TRUE(message.attributes.contains("SentTimestamp"));
  EXPECT_FALSE(message.attributes.contains("SenderId"));  // only what was asked for
  ASSERT_TRUE(message.messageAttributes.contains("origin"));
  EXPECT_EQ(message.messageAttributes.at("origin").stringValue, "test");
  EXPECT_EQ(message.messageAttributes.at("origin").dataType, "String");

  const auto requests = fake_.requests("ReceiveMessage");
  ASSERT_EQ(requests.size(), 1u);
  const auto& params = requests[0].params;
  EXPECT_EQ(requests[0].protocol, "json");
  EXPECT_EQ(params["QueueUrl"], url);
  EXPECT_EQ(params["MaxNumberOfMessages"], 10);
  EXPECT_EQ(params["VisibilityTimeout"], 20);
  EXPECT_EQ(params["WaitTimeSeconds"], 20);
  EXPECT_EQ(params["AttributeNames"], nlohmann::json::array({"SentTimestamp"}));
  EXPECT_EQ(params["MessageAttributeNames"], nlohmann::json::array({"All"}));
}

TEST_F(SqsClientTest, AReceivedMessageStaysHiddenForItsVisibilityTimeoutUnlessDeleted) {
  const std::string url = fake_.createQueue("q");
  fake_.send("q", "a");
  fake_.send("q", "b");
  auto first = client().receiveMessages(url, noWait());
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ(fake_.inFlightCount("q"), 2u);
  auto hidden = client().receiveMessages(url, noWait());
  ASSERT_TRUE(hidden);
  EXPECT_TRUE(hidden->empty());

  ASSERT_TRUE(client().deleteMessage(url, (*first)[0].receiptHandle));
  EXPECT_EQ(fake_.messageCount("q"), 1u);

  advance(21s);
  auto again = client().receiveMessages(url, noWait());
  ASSERT_TRUE(again);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].body, "b");
  EXPECT_NE((*again)[0].receiptHandle, (*first)[1].receiptHandle);
}

TEST_F(SqsClientTest, MaxMessagesBoundsABatch) {
  const std::string url = fake_.createQueue("q");
  for (int i = 0; i < 12; ++i) {
    fake_.send("q", "m" + std::to_string(i));
  }
  auto batch = client().receiveMessages(url, noWait());
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->size(), 10u);
  auto two = client().receiveMessages(url, {.maxMessages = 2, .waitTime = 0s});
  ASSERT_TRUE(two);
  EXPECT_EQ(two->size(), 2u);
}

TEST_F(SqsClientTest, ALongPollReturnsTheMessageSentWhileItWaits) {
  const std::string url = fake_.createQueue("q");
  std::atomic<bool> done = false;
  Result<std::vector<SqsMessage>> received = std::vector<SqsMessage>{};
  std::thread poller([&] {
    received = client().receiveMessages(url, {.waitTime = 20s});
    done = true;
  });
  // Send once the poll is waiting (its request has been recorded).
  while (fake_.requests("ReceiveMessage").empty()) {
    std::this_thread::sleep_for(5ms);
  }
  fake_.send("q", "late");
  poller.join();
  ASSERT_TRUE(received) << received.error().message;
  ASSERT_EQ(received->size(), 1u);
  EXPECT_EQ(received->front().body, "late");
}

TEST_F(SqsClientTest, CancellingEndsALongPoll) {
  const std::string url = fake_.createQueue("q");
  std::atomic<bool> cancel = false;
  Result<std::vector<SqsMessage>> received = std::vector<SqsMessage>{};
  std::thread poller([&] {
    received = client().receiveMessages(url, {.waitTime = 20s}, [&] { return cancel.load(); });
  });
  while (fake_.requests("ReceiveMessage").empty()) {
    std::this_thread::sleep_for(5ms);
  }
  cancel = true;
  poller.join();
  // Without cancellation the poll would return an empty batch after 20 s.
  ASSERT_FALSE(received);
  EXPECT_EQ(received.error().kind, ErrorKind::kUnavailable);
  EXPECT_NE(received.error().message.find("cancelled"), std::string::npos);
}

TEST_F(SqsClientTest, ErrorsCarryKindsAndCodes) {
  const std::string url = fake_.createQueue("q");
  auto badHandle = client().deleteMessage(url, "not-a-handle");
  ASSERT_FALSE(badHandle);
  EXPECT_EQ(badHandle.error().kind, ErrorKind::kInvalid);
  EXPECT_NE(badHandle.error().message.find("ReceiptHandleIsInvalid"), std::string::npos);

  auto gone = client().receiveMessages(fake_.url() + "/000000000000/gone", noWait());
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);

  fake_.failNextRequests(1);
  auto fault = client().receiveMessages(url, noWait());
  ASSERT_FALSE(fault);
  EXPECT_EQ(fault.error().kind, ErrorKind::kUnavailable);

  auto forged = client("wrong-secret").receiveMessages(url, noWait());
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().kind, ErrorKind::kInvalid);
  EXPECT_NE(forged.error().message.find("SignatureDoesNotMatch"), std::string::npos);
  EXPECT_EQ(fake_.rejectedSignatures(), 1);
}

TEST_F(SqsClientTest, SendMessageRoundTrips) {
  const std::string url = fake_.createQueue("q");
  auto id = client().sendMessage(url, "{\"a\":1}");
  ASSERT_TRUE(id) << id.error().message;
  auto received = client().receiveMessages(url, noWait());
  ASSERT_TRUE(received);
  ASSERT_EQ(received->size(), 1u);
  EXPECT_EQ(received->front().messageId, *id);
  EXPECT_EQ(received->front().body, "{\"a\":1}");
}

TEST(SqsErrorCode, PrefersTheQueryErrorHeaderThenTheTypeWithoutNamespace) {
  EXPECT_EQ(sqsErrorCode("AWS.SimpleQueueService.NonExistentQueue;Sender", "{}"),
            "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(sqsErrorCode("", R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist"})"),
            "QueueDoesNotExist");
  EXPECT_EQ(sqsErrorCode("", R"({"__type":"ThrottlingException"})"), "ThrottlingException");
  EXPECT_EQ(sqsErrorCode("", "not json"), "");
  EXPECT_EQ(errorKindForAwsCode(
                sqsErrorCode("", R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist"})"), 400),
            ErrorKind::kNotFound);
}

// The endpoint's other protocol, through an independent client (the EC2-style Query client with
// SQS's version): XML results and <ErrorResponse> errors.
TEST_F(SqsClientTest, TheEndpointAlsoSpeaksTheQueryProtocol) {
  const std::string url = fake_.createQueue("q");
  fake_.send("q", "<xml & text>", {{"n", {.dataType = "Number", .stringValue = "7"}}});
  QueryClient query({.endpoint = fake_.url(),
                     .service = "sqs",
                     .signingRegion = "us-east-1",
                     .version = "2012-11-05",
                     .retry = {.maxAttempts = 1}},
                    testing::fakeCredentials(fake_), makeCurlHttpClient(), systemClock());
  auto got = query.call("GetQueueUrl", QueryParams().set("QueueName", "q"));
  ASSERT_TRUE(got) << got.error().message;
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(got->c_str()));
  EXPECT_EQ(
      std::string(
          doc.child("GetQueueUrlResponse").child("GetQueueUrlResult").child_value("QueueUrl")),
      url);

  auto received = query.call("ReceiveMessage", QueryParams()
                                                   .set("QueueUrl", url)
                                                   .set("MaxNumberOfMessages", "10")
                                                   .set("AttributeName.1", "All")
                                                   .set("MessageAttributeName.1", "All"));
  ASSERT_TRUE(received) << received.error().message;
  ASSERT_TRUE(doc.load_string(received->c_str()));
  pugi::xml_node message =
      doc.child("ReceiveMessageResponse").child("ReceiveMessageResult").child("Message");
  ASSERT_TRUE(message);
  EXPECT_EQ(std::string(message.child_value("Body")), "<xml & text>");
  int systemAttributes = 0;
  for (pugi::xml_node a = message.child("Attribute"); a; a = a.next_sibling("Attribute")) {
    ++systemAttributes;
  }
  EXPECT_EQ(systemAttributes, 4);
  pugi::xml_node attribute = message.child("MessageAttribute");
  EXPECT_EQ(std::string(attribute.child_value("Name")), "n");
  EXPECT_EQ(std::string(attribute.child("Value").child_value("StringValue")), "7");
  EXPECT_EQ(std::string(message.child_value("MD5OfMessageAttributes")),
            FakeSqs::md5OfAttributes({{"n", {.dataType = "Number", .stringValue = "7"}}}));

  auto missing = query.call("GetQueueUrl", QueryParams().set("QueueName", "nope"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(awsErrorCode(missing.error()), "AWS.SimpleQueueService.NonExistentQueue");
}

}  // namespace
}  // namespace karpenter::aws
