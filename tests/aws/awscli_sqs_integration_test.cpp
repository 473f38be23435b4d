// Fidelity of the test SQS endpoint: the Debian `awscli` package (its own SigV4 signer, request
// serializer and response parser, independent of this project's SQS client) drives the
// operations the interruption controller uses, and every answer must parse into the values the
// endpoint holds. Skipped only when `aws` is not installed.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "aws/fake_aws/aws_cli.hpp"
#include "aws/fake_aws/fake_sqs.hpp"
#include "support/testdata.hpp"

namespace karpenter::aws {
namespace {

using testing::AwsCli;
using testing::AwsCliResult;
using testing::FakeSqs;

constexpr const char* kQueue = "karpenter-interruption";
// SentTimestamp comes from the fake's wall clock: a fixed instant makes it checkable.
constexpr int64_t kSentMillis = 1'700'000'000'123;

// Computed here rather than asked of the fake, so the fake's digests are checked too.
std::string md5Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += "0123456789abcdef"[digest[i] >> 4];
    hex += "0123456789abcdef"[digest[i] & 0xf];
  }
  return hex;
}

FakeSqs::Options fixedClockOptions() {
  FakeSqs::Options options;
  options.wallClock = [] {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(kSentMillis));
  };
  return options;
}

class AwsCliSqsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cli_.available()) {
      GTEST_SKIP() << "awscli is not installed (apt-get install -y awscli); the SQS endpoint's "
                      "fidelity against an independent client is not checked";
    }
    queueUrl_ = fake_.createQueue(kQueue);
  }

  AwsCliResult runOk(const std::vector<std::string>& args) {
    AwsCliResult result = cli_.run(args);
    EXPECT_EQ(result.exitCode, 0) << args[1] << " stderr: " << result.err;
    EXPECT_FALSE(result.json.is_discarded()) << args[1] << " printed: " << result.out;
    return result;
  }

  // A receive that takes everything visible, with every system and message attribute.
  AwsCliResult receiveAll() {
    return runOk({"sqs", "receive-message", "--queue-url", queueUrl_, "--attribute-names", "All",
                  "--message-attribute-names", "All", "--max-number-of-messages", "10",
                  "--visibility-timeout", "30", "--wait-time-seconds", "0"});
  }

  FakeSqs fake_{fixedClockOptions()};
  AwsCli cli_{fake_.url(), fake_.options().accessKeyId, fake_.options().secretAccessKey};
  std::string queueUrl_;
};

TEST_F(AwsCliSqsTest, GetQueueUrl) {
  const AwsCliResult result = runOk({"sqs", "get-queue-url", "--queue-name", kQueue});
  EXPECT_EQ(result.json["QueueUrl"], queueUrl_) << result.out;
  const auto requests = fake_.requests("GetQueueUrl");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].params["QueueName"], kQueue);
}

TEST_F(AwsCliSqsTest, SendReceiveDeleteWithAttributes) {
  // A real EventBridge event as the body: JSON, quotes, newlines and XML-special characters
  // must all survive the form encoding one way and the XML answer the other.
  const std::string body =
      karpenter::testing::readTestdataJson("interruption/nth-spot-interruption-warning.json")
          .dump(2) +
      "\n<&> \"é\"";
  const std::string blob = "AAEC/w==";  // bytes 00 01 02 ff, base64 as awscli takes blobs
  const AwsCliResult sent = runOk({"sqs", "send-message", "--queue-url", queueUrl_,
                                   "--message-body", body, "--message-attributes",
                                   R"({"Kind":{"DataType":"String","StringValue":"spot"},)"
                                   R"("Count":{"DataType":"Number","StringValue":"3"},)"
                                   R"("Blob":{"DataType":"Binary","BinaryValue":")" +
                                       blob + R"("}})"});
  const std::string messageId = sent.json.value("MessageId", "");
  EXPECT_FALSE(messageId.empty()) << sent.out;
  EXPECT_EQ(sent.json["MD5OfMessageBody"], md5Hex(body));
  EXPECT_TRUE(sent.json.contains("MD5OfMessageAttributes")) << sent.out;
  EXPECT_EQ(fake_.messageCount(kQueue), 1u);
  const auto sends = fake_.requests("SendMessage");
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0].params["MessageBody"], body);
  EXPECT_EQ(sends[0].params["MessageAttributes"]["Blob"]["BinaryValue"], blob);

  const AwsCliResult received = receiveAll();
  ASSERT_EQ(received.json["Messages"].size(), 1u) << received.out;
  const auto& message = received.json["Messages"][0];
  EXPECT_EQ(message["MessageId"], messageId);
  EXPECT_EQ(message["Body"], body);
  EXPECT_EQ(message["MD5OfBody"], md5Hex(body));
  const std::string receipt = message.value("ReceiptHandle", "");
  EXPECT_FALSE(receipt.empty());
  EXPECT_EQ(message["Attributes"]["SentTimestamp"], std::to_string(kSentMillis));
  EXPECT_EQ(message["Attributes"]["ApproximateReceiveCount"], "1");
  EXPECT_EQ(message["Attributes"]["ApproximateFirstReceiveTimestamp"], std::to_string(kSentMillis));
  EXPECT_EQ(message["Attributes"]["SenderId"], fake_.options().accessKeyId);
  const auto& attributes = message["MessageAttributes"];
  EXPECT_EQ(attributes["Kind"]["DataType"], "String");
  EXPECT_EQ(attributes["Kind"]["StringValue"], "spot");
  EXPECT_EQ(attributes["Count"]["DataType"], "Number");
  EXPECT_EQ(attributes["Count"]["StringValue"], "3");
  EXPECT_EQ(attributes["Blob"]["DataType"], "Binary");
  EXPECT_EQ(attributes["Blob"]["BinaryValue"], blob);
  EXPECT_EQ(message["MD5OfMessageAttributes"], sent.json["MD5OfMessageAttributes"]);
  const auto receives = fake_.requests("ReceiveMessage");
  ASSERT_EQ(receives.size(), 1u);
  EXPECT_EQ(receives[0].params["MaxNumberOfMessages"], 10);
  EXPECT_EQ(receives[0].params["VisibilityTimeout"], 30);
  EXPECT_EQ(fake_.inFlightCount(kQueue), 1u);

  // In flight: a second receive finds nothing (awscli prints nothing for an empty answer).
  const AwsCliResult empty = cli_.run({"sqs", "receive-message", "--queue-url", queueUrl_});
  EXPECT_EQ(empty.exitCode, 0) << empty.err;
  EXPECT_FALSE(!empty.json.is_discarded() && empty.json.contains("Messages")) << empty.out;

  const AwsCliResult deleted =
      cli_.run({"sqs", "delete-message", "--queue-url", queueUrl_, "--receipt-handle", receipt});
  EXPECT_EQ(deleted.exitCode, 0) << deleted.err;
  EXPECT_EQ(fake_.messageCount(kQueue), 0u);
  const auto deletes = fake_.requests("DeleteMessage");
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_EQ(deletes[0].params["ReceiptHandle"], receipt);
}

TEST_F(AwsCliSqsTest, ReceivesSeveralMessagesOldestFirst) {
  const std::string first = fake_.send(kQueue, R"({"n":1})");
  const std::string second =
      fake_.send(kQueue, R"({"n":2})", {{"Kind", {"String", "rebalance", ""}}});
  const AwsCliResult received = receiveAll();
  ASSERT_EQ(received.json["Messages"].size(), 2u) << received.out;
  EXPECT_EQ(received.json["Messages"][0]["MessageId"], first);
  EXPECT_EQ(received.json["Messages"][0]["Body"], R"({"n":1})");
  EXPECT_FALSE(received.json["Messages"][0].contains("MessageAttributes"));
  EXPECT_EQ(received.json["Messages"][1]["MessageId"], second);
  EXPECT_EQ(received.json["Messages"][1]["MessageAttributes"]["Kind"]["StringValue"], "rebalance");
  EXPECT_EQ(received.json["Messages"][1]["MD5OfBody"], md5Hex(R"({"n":2})"));
}

TEST_F(AwsCliSqsTest, MissingQueueIsQueueDoesNotExist) {
  const AwsCliResult missing = cli_.run({"sqs", "get-queue-url", "--queue-name", "no-such-queue"});
  EXPECT_NE(missing.exitCode, 0) << missing.out;
  // Query-era clients name the legacy code, JSON-protocol ones the shape name.
  EXPECT_TRUE(missing.err.find("AWS.SimpleQueueService.NonExistentQueue") != std::string::npos ||
              missing.err.find("QueueDoesNotExist") != std::string::npos)
      << missing.err;
  EXPECT_NE(missing.err.find("The specified queue does not exist"), std::string::npos)
      << missing.err;

  const std::string goneUrl = fake_.url() + "/" + fake_.options().accountId + "/gone";
  const AwsCliResult receive = cli_.run({"sqs", "receive-message", "--queue-url", goneUrl});
  EXPECT_NE(receive.exitCode, 0) << receive.out;
  EXPECT_TRUE(receive.err.find("AWS.SimpleQueueService.NonExistentQueue") != std::string::npos ||
              receive.err.find("QueueDoesNotExist") != std::string::npos)
      << receive.err;
}

TEST_F(AwsCliSqsTest, InvalidReceiptHandleIsRejected) {
  const AwsCliResult result = cli_.run(
      {"sqs", "delete-message", "--queue-url", queueUrl_, "--receipt-handle", "not-a-handle"});
  EXPECT_NE(result.exitCode, 0) << result.out;
  EXPECT_NE(result.err.find("ReceiptHandleIsInvalid"), std::string::npos) << result.err;
}

TEST_F(AwsCliSqsTest, WrongSecretFailsWithTheSignatureError) {
  const AwsCliResult denied =
      cli_.run({"sqs", "get-queue-url", "--queue-name", kQueue}, "wrong/secret/key");
  EXPECT_NE(denied.exitCode, 0) << denied.out;
  EXPECT_NE(denied.err.find("SignatureDoesNotMatch"), std::string::npos) << denied.err;
  EXPECT_GE(fake_.rejectedSignatures(), 1);
  EXPECT_TRUE(fake_.requests("GetQueueUrl").empty());
}

}  // namespace
}  // namespace karpenter::aws
