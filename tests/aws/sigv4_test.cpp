// Replays every case of the aws-c-auth SigV4 suite (../shared/testdata/sigv4/): for both
// header signing and query presigning, the canonical request, string to sign, signature and the
// signed request must match the suite's files byte for byte.

#include "karpenter/aws/sigv4.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>

#include "support/testdata.hpp"

namespace karpenter::aws {
namespace {

namespace fs = std::filesystem;
using karpenter::testing::readFile;
using karpenter::testing::testdataDir;

// request.txt as the suite writes it: request line, header lines (a line starting with
// whitespace continues the previous header), a blank line, the body.
struct SuiteRequest {
  std::string method;
  std::string path;
  std::string query;
  std::vector<std::string> rawHeaderLines;
  std::vector<HttpHeader> headers;
  std::string body;
};

SuiteRequest parseRequest(const std::string& text) {
  SuiteRequest request;
  size_t lineEnd = text.find('\n');
  const std::string requestLine = text.substr(0, lineEnd);
  const size_t firstSpace = requestLine.find(' ');
  const size_t lastSpace = requestLine.rfind(' ');
  request.method = requestLine.substr(0, firstSpace);
  const std::string target = requestLine.substr(firstSpace + 1, lastSpace - firstSpace - 1);
  const size_t question = target.find('?');
  request.path = target.substr(0, question);
  request.query = question == std::string::npos ? "" : target.substr(question + 1);
  size_t pos = lineEnd == std::string::npos ? text.size() : lineEnd + 1;
  while (pos < text.size()) {
    lineEnd = text.find('\n', pos);
    const std::string line =
        text.substr(pos, lineEnd == std::string::npos ? std::string::npos : lineEnd - pos);
    pos = lineEnd == std::string::npos ? text.size() : lineEnd + 1;
    if (line.empty()) {
      request.body = text.substr(pos);
      break;
    }
    request.rawHeaderLines.push_back(line);
    if ((line[0] == ' ' || line[0] == '\t') && !request.headers.empty()) {
      request.headers.back().value += "\n" + line;
      continue;
    }
    const size_t colon = line.find(':');
    request.headers.push_back({line.substr(0, colon), line.substr(colon + 1)});
  }
  return request;
}

std::chrono::system_clock::time_point parseTimestamp(const std::string& iso) {
  // The suite uses one fixed format: 2015-08-30T12:36:00Z.
  std::string compact;
  for (char c : iso) {
    if (c != '-' && c != ':') {
      compact.push_back(c);
    }
  }
  auto parsed = parseAmzDate(compact);
  EXPECT_TRUE(parsed.has_value()) << iso;
  return parsed.value_or(std::chrono::system_clock::time_point{});
}

struct SuiteCase {
  SuiteRequest request;
  Credentials credentials;
  SigningOptions options;
  fs::path dir;
};

SuiteCase loadCase(const std::string& name) {
  SuiteCase c;
  c.dir = testdataDir() / "sigv4" / name;
  c.request = parseRequest(readFile(c.dir / "request.txt"));
  const auto context = nlohmann::json::parse(readFile(c.dir / "context.json"));
  c.credentials.accessKeyId = context["credentials"]["access_key_id"];
  c.credentials.secretAccessKey = context["credentials"]["secret_access_key"];
  c.credentials.sessionToken = context["credentials"].value("token", "");
  c.options.region = context["region"];
  c.options.service = context["service"];
  c.options.time = parseTimestamp(context["timestamp"]);
  c.options.normalizePath = context.value("normalize", true);
  c.options.signBody = context.value("sign_body", false);
  c.options.omitSessionToken = context.value("omit_session_token", false);
  c.options.expires = std::chrono::seconds(context.value("expiration_in_seconds", 3600));
  return c;
}

SignableRequest toSignable(const SuiteRequest& request) {
  return SignableRequest{request.method, request.path, request.query, request.headers,
                         request.body};
}

std::vector<std::string> caseNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(testdataDir() / "sigv4")) {
    if (entry.is_directory()) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

class SigV4SuiteTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SigV4SuiteTest, HeaderSigningMatchesEveryStage) {
  const SuiteCase c = loadCase(GetParam());
  const SigningResult result = signWithHeaders(toSignable(c.request), c.credentials, c.options);
  EXPECT_EQ(result.canonicalRequest, readFile(c.dir / "header-canonical-request.txt"));
  EXPECT_EQ(result.stringToSign, readFile(c.dir / "header-string-to-sign.txt"));
  EXPECT_EQ(result.signature, readFile(c.dir / "header-signature.txt"));

  std::string signedRequest = c.request.method + " " + c.request.path +
                              (c.request.query.empty() ? "" : "?" + c.request.query) +
                              " HTTP/1.1\n";
  for (const std::string& line : c.request.rawHeaderLines) {
    signedRequest += line + "\n";
  }
  for (const HttpHeader& header : result.addedHeaders) {
    signedRequest += header.name + ":" + header.value + "\n";
  }
  signedRequest += "\n" + c.request.body;
  EXPECT_EQ(signedRequest, readFile(c.dir / "header-signed-request.txt"));
}

TEST_P(SigV4SuiteTest, QueryPresigningMatchesEveryStage) {
  const SuiteCase c = loadCase(GetParam());
  const SigningResult result = presign(toSignable(c.request), c.credentials, c.options);
  EXPECT_EQ(result.canonicalRequest, readFile(c.dir / "query-canonical-request.txt"));
  EXPECT_EQ(result.stringToSign, readFile(c.dir / "query-string-to-sign.txt"));
  EXPECT_EQ(result.signature, readFile(c.dir / "query-signature.txt"));

  std::string query = c.request.query;
  for (const auto& [name, value] : result.addedQuery) {
    query += (query.empty() ? "" : "&") + name + "=" + value;
  }
  std::string signedRequest = c.request.method + " " + c.request.path + "?" + query + " HTTP/1.1\n";
  for (const std::string& line : c.request.rawHeaderLines) {
    signedRequest += line + "\n";
  }
  signedRequest += "\n" + c.request.body;
  EXPECT_EQ(signedRequest, readFile(c.dir / "query-signed-request.txt"));
}

INSTANTIATE_TEST_SUITE_P(AwsCAuthSuite, SigV4SuiteTest, ::testing::ValuesIn(caseNames()),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(SigV4Suite, AllThirtyEightCasesArePresent) {
  // A missing or renamed folder must fail loudly rather than shrink the replay.
  EXPECT_EQ(caseNames().size(), 38u);
}

TEST(SigV4, CanonicalPathNormalisation) {
  EXPECT_EQ(canonicalPath("/a/./b/../c//d/", true), "/a/c/d/");
  EXPECT_EQ(canonicalPath("/a/./b/../c//d/", false), "/a/./b/../c//d/");
  EXPECT_EQ(canonicalPath("", true), "/");
  EXPECT_EQ(canonicalPath("/../..", true), "/");
}

TEST(SigV4, CanonicalQuerySortsByEncodedNameThenValue) {
  EXPECT_EQ(canonicalQuery("b=2&a=2&a=1&c"), "a=1&a=2&b=2&c=");
  EXPECT_EQ(canonicalQuery("k=a%20b&k2=a+b"), "k=a%20b&k2=a%2Bb");
}

TEST(SigV4, AmzDateRoundTrips) {
  const auto time = parseAmzDate("20150830T123600Z");
  ASSERT_TRUE(time.has_value());
  EXPECT_EQ(formatAmzDate(*time), "20150830T123600Z");
  EXPECT_FALSE(parseAmzDate("2015-08-30T12:36:00Z").has_value());
}

TEST(SigV4, UserAgentIsNotSigned) {
  SignableRequest request{"POST",
                          "/",
                          "",
                          {{"Host", "ec2.us-east-1.amazonaws.com"}, {"User-Agent", "karpenter"}},
                          "Action=X"};
  SigningOptions options{"us-east-1", "ec2", *parseAmzDate("20240101T000000Z")};
  const auto result = signWithHeaders(request, {"AKID", "SECRET"}, options);
  EXPECT_NE(result.addedHeaders.back().value.find("SignedHeaders=host;x-amz-date,"),
            std::string::npos)
      << result.addedHeaders.back().value;
}

}  // namespace
}  // namespace karpenter::aws
