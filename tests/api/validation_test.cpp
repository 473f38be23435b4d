#include "karpenter/api/validation.hpp"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace karpenter::api {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::string kNameRegexError =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation "
    "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const std::string kSubdomainRegexError =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const std::string kLabelValueRegexError =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  "
    "or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const std::string kLabelRegexError =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

TEST(IsQualifiedName, AcceptsUpstreamGoodValues) {
  const std::string longPrefix = std::string(253 - 4, 'a') + ".com";  // exactly 253
  for (const std::string& value :
       {std::string("simple"), std::string("now-with-dashes"), std::string("1-starts-with-num"),
        std::string("1234"), std::string("simple/simple"), std::string("now-with-dashes/simple"),
        std::string("now-with-dashes/now-with-dashes"), std::string("now.with.dots/simple"),
        std::string("now-with.dashes-and.dots/simple"), std::string("1-num.2-num/3-num"),
        std::string("1234/5678"), std::string("1.2.3.4/5678"), std::string("Uppercase_Is_OK_123"),
        std::string("example.com/Uppercase_Is_OK_123"), std::string("requests.storage-foo"),
        std::string(63, 'a'), longPrefix + "/" + std::string(63, 'b'),
        std::string("karpenter.sh/nodepool"), std::string("x")}) {
    SCOPED_TRACE(value);
    EXPECT_THAT(isQualifiedName(value), IsEmpty());
    EXPECT_TRUE(isQualifiedNameValid(value));
  }
}

TEST(IsQualifiedName, RejectsUpstreamBadValues) {
  for (const std::string& value :
       {std::string("nospecialchars%^=@"), std::string("cantendwithadash-"),
        std::string("-cantstartwithadash-"), std::string("only/one/slash"),
        std::string("Example.com/abc"), std::string("example_com/abc"), std::string("example.com/"),
        std::string("/simple"), std::string(64, 'a'), std::string(254, 'a') + "/abc",
        std::string(""), std::string("a b"), std::string(".dot"), std::string("dot.")}) {
    SCOPED_TRACE(value);
    EXPECT_THAT(isQualifiedName(value), ::testing::Not(IsEmpty()));
    EXPECT_FALSE(isQualifiedNameValid(value));
  }
}

TEST(IsQualifiedName, MessagesMatchUpstream) {
  EXPECT_THAT(isQualifiedName(std::string(64, 'a')),
              ElementsAre("name part must be no more than 63 characters"));
  EXPECT_THAT(isQualifiedName("-x"), ElementsAre("name part " + kNameRegexError));
  EXPECT_THAT(isQualifiedName(""),
              ElementsAre("name part must be non-empty", "name part " + kNameRegexError));
  EXPECT_THAT(isQualifiedName("/x"), ElementsAre("prefix part must be non-empty"));
  EXPECT_THAT(isQualifiedName("Example.com/x"), ElementsAre("prefix part " + kSubdomainRegexError));
  EXPECT_THAT(isQualifiedName(std::string(254, 'a') + "/x"),
              ElementsAre("prefix part must be no more than 253 characters"));
  EXPECT_THAT(isQualifiedName("a/b/c"),
              ElementsAre("a qualified name " + kNameRegexError +
                          " with an optional DNS subdomain prefix and '/' (e.g. "
                          "'example.com/MyName')"));
  EXPECT_THAT(isQualifiedName("example.com/"),
              ElementsAre("name part must be non-empty", "name part " + kNameRegexError));
}

TEST(IsValidLabelValue, AcceptsAndRejects) {
  for (const std::string& value :
       {std::string(""), std::string("simple"), std::string("now-with-dashes"),
        std::string("1-starts-with-num"), std::string("end-with-num-1"), std::string("1234"),
        std::string(63, 'a'), std::string("Mixed_Case.and-dots")}) {
    SCOPED_TRACE(value);
    EXPECT_THAT(isValidLabelValue(value), IsEmpty());
    EXPECT_TRUE(isLabelValueValid(value));
  }
  for (const std::string& value :
       {std::string("nospecialchars%^=@"), std::string("Tama-nui-te-rā.is.Māori.sun"),
        std::string("\\backslashes\\are\\bad"), std::string("-starts-with-dash"),
        std::string("ends-with-dash-"), std::string(".starts.with.dot"),
        std::string("ends.with.dot."), std::string(64, 'a'), std::string("a/b"),
        std::string("a b")}) {
    SCOPED_TRACE(value);
    EXPECT_THAT(isValidLabelValue(value), ::testing::Not(IsEmpty()));
    EXPECT_FALSE(isLabelValueValid(value));
  }
  EXPECT_THAT(isValidLabelValue(std::string(64, 'a')),
              ElementsAre("must be no more than 63 characters"));
  EXPECT_THAT(isValidLabelValue(std::string(63, 'a') + "-"),
              ElementsAre("must be no more than 63 characters", kLabelValueRegexError));
  EXPECT_THAT(isValidLabelValue("-"), ElementsAre(kLabelValueRegexError));
}

TEST(IsDNS1123Label, AcceptsAndRejects) {
  for (const std::string& value :
       {std::string("a"), std::string("ab"), std::string("abc"), std::string("a1"),
        std::string("a-1"), std::string("a--1--2--b"), std::string("0"), std::string("01"),
        std::string("012"), std::string("1a"), std::string("1-a"), std::string(63, 'a')}) {
    SCOPED_TRACE(value);
    EXPECT_THAT(isDNS1123Label(value), IsEmpty());
  }
  for (const std::string& value :
       {std::string(""),    std::string("A"),    std::string("ABC"), std::string("aBc"),
        std::string("A1"),  std::string("A-1"),  std::string("1-A"), std::string("-"),
        std::string("a-"),  std::string("-a"),   std::string("1-"),  std::string("-1"),
        std::string("_"),   std::string("a_"),   std::string("_a"),  std::string("a_b"),
        std::string("1_"),  std::string("_1"),   std::string("1_2"), std::string("."),
        std::string("a."),  std::string(".a"),   std::string("a.b"), std::string("1."),
        std::string(".1"),  std::string("1.2"),  std::string(" "),   std::string("a "),
        std::string(" a"),  std::string("a b"),  std::string("1 "),  std::string(" 1"),
        std::string("1 2"), std::string(64, 'a')}) {
    SCOPED_TRACE(value);
    EXPECT_THAT(isDNS1123Label(value), ::testing::Not(IsEmpty()));
  }
  EXPECT_THAT(isDNS1123Label("a.b"), ElementsAre("must not contain dots"));
  EXPECT_THAT(isDNS1123Label("A"), ElementsAre(kLabelRegexError));
  EXPECT_THAT(isDNS1123Label(std::string(64, 'a')),
              ElementsAre("must be no more than 63 characters"));
}

TEST(IsDNS1123Subdomain, AcceptsAndRejects) {
  for (const std::string& value :
       {std::string("a"), std::string("ab"), std::string("a1"), std::string("a-1"),
        std::string("0"), std::string("1-a"), std::string("a.a"), std::string("ab.a"),
        std::string("a-1.a"), std::string("a--1--2--b.0"), std::string("0.a"),
        std::string("01.a-1"), std::string("a.b.c.d.e"), std::string("aaaaa.bbbbb.ccccc.d.eeee"),
        std::string("1.2.3.4"), std::string(253, 'a'),
        std::string(63, 'a') + "." + std::string(63, 'b')}) {
    SCOPED_TRACE(value);
    EXPECT_THAT(isDNS1123Subdomain(value), IsEmpty());
  }
  for (const std::string& value :
       {std::string(""),    std::string("A"),    std::string("ABC"),      std::string("aBc"),
        std::string("A.a"), std::string("-"),    std::string("a-"),       std::string("-a"),
        std::string("_"),   std::string("a_b"),  std::string("."),        std::string("a."),
        std::string(".a"),  std::string("a..b"), std::string("1.2.3.4."), std::string(" "),
        std::string("a b"), std::string("a.-b"), std::string("a-.b"),     std::string(254, 'a')}) {
    SCOPED_TRACE(value);
    EXPECT_THAT(isDNS1123Subdomain(value), ::testing::Not(IsEmpty()));
  }
  EXPECT_THAT(isDNS1123Subdomain(std::string(254, 'a')),
              ElementsAre("must be no more than 253 characters"));
  EXPECT_THAT(isDNS1123Subdomain("a_b"), ElementsAre(kSubdomainRegexError));
}

TEST(MessageBuilders, MatchUpstream) {
  EXPECT_EQ(maxLenError(63), "must be no more than 63 characters");
  EXPECT_EQ(emptyError(), "must be non-empty");
  EXPECT_EQ(regexError("bad", "x+", {}), "bad (regex used for validation is 'x+')");
  EXPECT_EQ(regexError("bad", "x+", {"x", "xx"}),
            "bad (e.g. 'x',  or 'xx', regex used for validation is 'x+')");
}

}  // namespace
}  // namespace karpenter::api
