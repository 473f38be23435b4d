#include "karpenter/util/logging.hpp"

#include <gtest/gtest.h>

namespace karpenter {
namespace {

TEST(JsonEscape, EscapesWhatJsonRequiresAndReplacesInvalidUtf8) {
  EXPECT_EQ(jsonEscape("plain"), "plain");
  EXPECT_EQ(jsonEscape("a \"b\" \\ c\nd\te"), "a \\\"b\\\" \\\\ c\\nd\\te");
  EXPECT_EQ(jsonEscape(std::string("\x01", 1)), "\\u0001");
  EXPECT_EQ(jsonEscape("caf\xc3\xa9"), "caf\xc3\xa9");  // valid UTF-8 passes through
  EXPECT_EQ(jsonEscape("bad \xff byte"), "bad \xef\xbf\xbd byte");
}

TEST(ConfigureLogging, RejectsUnknownLevelsAndFormatsNamingTheFlag) {
  auto level = configureLogging("loud", "json");
  ASSERT_FALSE(level);
  EXPECT_NE(level.error().message.find("--log-level"), std::string::npos);
  auto format = configureLogging("info", "xml");
  ASSERT_FALSE(format);
  EXPECT_NE(format.error().message.find("--log-format"), std::string::npos);
  EXPECT_TRUE(configureLogging("debug", "text"));
  EXPECT_TRUE(configureLogging("info", "json"));
}

}  // namespace
}  // namespace karpenter
