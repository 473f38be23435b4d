// The SSM client (awsJson1.1) and its TTL cache against the test SSM endpoint
// (tests/aws/fake_aws/fake_ssm).

#include "karpenter/aws/ssm_client.hpp"

#include <gtest/gtest.h>

#include "aws/fake_aws/fake_ssm.hpp"
#include "aws/fake_ec2/fake_clients.hpp"

namespace karpenter::aws {
namespace {

using testing::FakeSsm;

constexpr const char* kAl2023 =
    "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/image_id";

class SsmClientTest : public ::testing::Test {
 protected:
  SsmClient client(const std::string& secret = "", int maxAttempts = 5) {
    return SsmClient(testing::fakeServiceConfig("ssm", fake_.url()),
                     testing::fakeCredentials(fake_, secret), makeCurlHttpClient(), systemClock(),
                     testing::recordingRetry(sleeps_, maxAttempts));
  }

  FakeSsm fake_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

TEST_F(SsmClientTest, GetParameterReturnsTheValue) {
  fake_.putParameter(kAl2023, "ami-0123456789abcdef0", "aws:ec2:image");
  auto parameter = client().getParameter(kAl2023);
  ASSERT_TRUE(parameter) << parameter.error().message;
  EXPECT_EQ(parameter->name, kAl2023);
  EXPECT_EQ(parameter->value, "ami-0123456789abcdef0");
  EXPECT_EQ(parameter->type, "String");
  EXPECT_EQ(parameter->dataType, "aws:ec2:image");
  EXPECT_EQ(parameter->version, 1);
  EXPECT_EQ(fake_.requestedNames(), std::vector<std::string>{kAl2023});
  EXPECT_EQ(fake_.rejectedSignatures(), 0);
}

TEST_F(SsmClientTest, ParameterNotFoundIsNotFound) {
  auto parameter = client().getParameter("/aws/service/nothing/here");
  ASSERT_FALSE(parameter);
  EXPECT_EQ(parameter.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(awsErrorCode(parameter.error()), "ParameterNotFound");
  EXPECT_NE(parameter.error().message.find("/aws/service/nothing/here"), std::string::npos)
      << parameter.error().message;
  EXPECT_TRUE(sleeps_.empty()) << "NotFound must not be retried";
}

TEST_F(SsmClientTest, WrongSecretIsRejectedByTheSignatureCheck) {
  fake_.putParameter(kAl2023, "ami-1");
  auto parameter = client("wrong-secret").getParameter(kAl2023);
  ASSERT_FALSE(parameter);
  EXPECT_EQ(parameter.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(awsErrorCode(parameter.error()), "InvalidSignatureException");
  EXPECT_EQ(fake_.rejectedSignatures(), 1);
}

TEST_F(SsmClientTest, ThrottlingIsRetriedWithBackoff) {
  fake_.putParameter(kAl2023, "ami-1");
  fake_.throttleNextRequests(2);
  auto parameter = client().getParameter(kAl2023);
  ASSERT_TRUE(parameter) << parameter.error().message;
  EXPECT_EQ(parameter->value, "ami-1");
  EXPECT_EQ(sleeps_.size(), 2u);
}

TEST_F(SsmClientTest, ThrottlingBeyondTheAttemptsIsThrottled) {
  fake_.putParameter(kAl2023, "ami-1");
  fake_.throttleNextRequests(10);
  auto parameter = client("", 3).getParameter(kAl2023);
  ASSERT_FALSE(parameter);
  EXPECT_EQ(parameter.error().kind, ErrorKind::kThrottled);
}

TEST_F(SsmClientTest, CacheServesUntilTheTtlThenAsksAgain) {
  fake_.putParameter(kAl2023, "ami-old");
  auto now = std::chrono::system_clock::time_point(std::chrono::hours(500000));
  const SsmClient ssm = client();
  SsmParameterCache cache(ssm, [&now] { return now; });
  ASSERT_EQ(cache.get(kAl2023)->value, "ami-old");
  fake_.putParameter(kAl2023, "ami-new");
  now += std::chrono::hours(23);
  EXPECT_EQ(cache.get(kAl2023)->value, "ami-old") << "within 24 h the cached answer stands";
  EXPECT_EQ(fake_.requestedNames().size(), 1u);
  now += std::chrono::hours(1);
  EXPECT_EQ(cache.get(kAl2023)->value, "ami-new") << "after 24 h SSM is asked again";
  EXPECT_EQ(fake_.requestedNames().size(), 2u);
}

TEST_F(SsmClientTest, CacheDoesNotKeepErrors) {
  auto now = std::chrono::system_clock::time_point(std::chrono::hours(500000));
  const SsmClient ssm = client();
  SsmParameterCache cache(ssm, [&now] { return now; });
  EXPECT_EQ(cache.get(kAl2023).error().kind, ErrorKind::kNotFound);
  fake_.putParameter(kAl2023, "ami-later");
  EXPECT_EQ(cache.get(kAl2023)->value, "ami-later");
  cache.clear();
  EXPECT_EQ(cache.get(kAl2023)->value, "ami-later");
  EXPECT_EQ(fake_.requestedNames().size(), 3u);
}

TEST(JsonErrorTest, DecodesTypePrefixesAndHeaders) {
  auto detail =
      decodeJsonError(400, R"({"__type":"com.amazonaws.ssm#ParameterNotFound"})", "", "req-1");
  EXPECT_EQ(detail.code, "ParameterNotFound");
  EXPECT_EQ(detail.requestId, "req-1");
  detail = decodeJsonError(404, R"({"message":"No cluster found for name: x."})",
                           "ResourceNotFoundException:http://internal.amazon.com/", "");
  EXPECT_EQ(detail.code, "ResourceNotFoundException");
  EXPECT_EQ(detail.message, "No cluster found for name: x.");
  detail = decodeJsonError(502, "<html>bad gateway</html>", "", "");
  EXPECT_EQ(detail.code, "HTTP502");
  EXPECT_EQ(errorKindForAwsCode(detail.code, 502), ErrorKind::kUnavailable);
}

}  // namespace
}  // namespace karpenter::aws
