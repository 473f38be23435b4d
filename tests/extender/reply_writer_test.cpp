// The direct reply writers against the tree encoders: byte-for-byte the same JSON.
#include "karpenter/extender/reply_writer.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "karpenter/extender/wire.hpp"

namespace karpenter::extender {
namespace {

std::string written(std::string_view text) {
  std::string out;
  appendJsonString(out, text);
  return out;
}

TEST(ReplyWriter, EscapesStringsAsNlohmannDumps) {
  for (int c = 0; c < 0x80; ++c) {
    const std::string text = std::string("a") + static_cast<char>(c) + "b";
    EXPECT_EQ(written(text), WireJson(text).dump()) << "byte " << c;
  }
  for (const std::string text :
       {std::string(""), std::string("plain.node-1"), std::string("caf\xc3\xa9 \xe2\x82\xac"),
        std::string("\xf0\x9f\x98\x80/<>&\x7f"), std::string("\"\\\"\\"),
        std::string("\n\n\x01\x1f")}) {
    EXPECT_EQ(written(text), WireJson(text).dump()) << text;
  }
}

TEST(ReplyWriter, EscapesAtEveryOffsetOfTheWordAtATimeScan) {
  // Clean runs are skipped 8 bytes at a time: every special byte at every offset of strings
  // longer than a word, next to UTF-8 and to the bytes just above and below the escaped ranges.
  const std::vector<std::string> specials = {"\x01",
                                             "\x1f",
                                             "\n",
                                             "\"",
                                             "\\",
                                             " ",
                                             "!",
                                             "#",
                                             "[",
                                             "]",
                                             "\x7f",
                                             "\xc3\xa9",
                                             "\xe2\x82\xac",
                                             "\xf0\x9f\x98\x80",
                                             "\"\\",
                                             "\x1f\x20",
                                             "\xc2\xa0\x1f"};
  for (size_t length = 0; length <= 24; ++length) {
    for (size_t at = 0; at <= length; ++at) {
      for (const std::string& special : specials) {
        std::string text(length, 'n');
        text.insert(at, special);
        ASSERT_EQ(written(text), WireJson(text).dump()) << "length " << length << " at " << at;
      }
    }
  }
  const std::string name = "ip-10-0-12-34.us-west-2.compute.internal";
  EXPECT_EQ(written(name), "\"" + name + "\"");
}

TEST(ReplyWriter, FilterReplyMatchesTheEncodedResult) {
  const std::vector<std::string> owned = {"zeta",   "alpha", "mid\"dle",   "alpha",
                                          "beta\n", "zeta",  "caf\xc3\xa9"};
  const std::vector<std::string_view> names(owned.begin(), owned.end());
  const char* gone = "node is being deleted by Karpenter";
  const std::vector<const char*> reasons = {gone, nullptr, gone, nullptr, "tainted", gone, nullptr};
  ExtenderFilterResult expected;
  expected.nodeNames.emplace();
  expected.failedNodes.emplace();
  for (size_t i = 0; i < owned.size(); ++i) {
    if (reasons[i] == nullptr) {
      expected.nodeNames->push_back(owned[i]);
    } else {
      (*expected.failedNodes)[owned[i]] = reasons[i];
    }
  }
  EXPECT_EQ(writeFilterReply(names, reasons, true), encode(expected).dump());

  ExtenderFilterResult nothingAsked;
  nothingAsked.failedNodes.emplace();
  EXPECT_EQ(writeFilterReply({}, {}, false), encode(nothingAsked).dump());
  ExtenderFilterResult emptyList{.nodeNames = std::vector<std::string>{},
                                 .failedNodes = std::map<std::string, std::string>{}};
  EXPECT_EQ(writeFilterReply({}, {}, true), encode(emptyList).dump());
}

TEST(ReplyWriter, HostPrioritiesMatchTheEncodedList) {
  const std::vector<std::string> owned = {"a", "b\"", "caf\xc3\xa9", "a"};
  const std::vector<std::string_view> names(owned.begin(), owned.end());
  const std::vector<int64_t> scores = {0, 10, 7, -3};
  HostPriorityList expected;
  for (size_t i = 0; i < owned.size(); ++i) {
    expected.push_back({owned[i], scores[i]});
  }
  EXPECT_EQ(writeHostPriorities(names, scores), encode(expected).dump());
  EXPECT_EQ(writeHostPriorities({}, {}), "[]");
}

}  // namespace
}  // namespace karpenter::extender
