// The direct reply writers against the tree encoders: byte-for-byte the same JSON.
#include "karpenter/extender/reply_writer.hpp"

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
