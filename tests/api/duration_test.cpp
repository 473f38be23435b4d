#include "karpenter/api/duration.hpp"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace karpenter::api {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

nanoseconds mustParse(std::string_view text) {
  auto parsed = parseGoDuration(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? *parsed : nanoseconds(-424242);
}

std::string parseError(std::string_view text) {
  auto parsed = parseGoDuration(text);
  EXPECT_FALSE(parsed.ok()) << text << " parsed as " << (parsed.ok() ? parsed->count() : 0);
  return parsed.ok() ? "" : parsed.error().message;
}

TEST(ParseGoDuration, AcceptsWhatGoAccepts) {
  EXPECT_EQ(mustParse("0"), nanoseconds(0));
  EXPECT_EQ(mustParse("-0"), nanoseconds(0));
  EXPECT_EQ(mustParse("+0"), nanoseconds(0));
  EXPECT_EQ(mustParse("0s"), nanoseconds(0));
  EXPECT_EQ(mustParse("720h"), hours(720));
  EXPECT_EQ(mustParse("1h30m"), minutes(90));
  EXPECT_EQ(mustParse("1h30m15s"), seconds(5415));
  EXPECT_EQ(mustParse("1.5h"), minutes(90));
  EXPECT_EQ(mustParse("300ms"), milliseconds(300));
  EXPECT_EQ(mustParse("10us"), microseconds(10));
  EXPECT_EQ(mustParse("10\xC2\xB5s"), microseconds(10));
  EXPECT_EQ(mustParse("10\xCE\xBCs"), microseconds(10));
  EXPECT_EQ(mustParse("15ns"), nanoseconds(15));
  EXPECT_EQ(mustParse(".5s"), milliseconds(500));
  EXPECT_EQ(mustParse("5.s"), seconds(5));
  EXPECT_EQ(mustParse("1.004s"), milliseconds(1004));
  EXPECT_EQ(mustParse("-1s"), seconds(-1));
  EXPECT_EQ(mustParse("+1s"), seconds(1));
  EXPECT_EQ(mustParse("-1.5h"), minutes(-90));
  EXPECT_EQ(mustParse("1s1s"), seconds(2));  // Go allows repeated units
  EXPECT_EQ(mustParse("9223372036854775807ns"), nanoseconds(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(mustParse("-9223372036854775808ns"), nanoseconds(std::numeric_limits<int64_t>::min()));
}

TEST(ParseGoDuration, RejectsWhatGoRejects) {
  EXPECT_EQ(parseError(""), "time: invalid duration \"\"");
  EXPECT_EQ(parseError("1"), "time: missing unit in duration \"1\"");
  EXPECT_EQ(parseError("1d"), "time: unknown unit \"d\" in duration \"1d\"");
  EXPECT_EQ(parseError("1hh"), "time: unknown unit \"hh\" in duration \"1hh\"");
  EXPECT_EQ(parseError("-"), "time: invalid duration \"-\"");
  EXPECT_EQ(parseError("s"), "time: invalid duration \"s\"");
  EXPECT_EQ(parseError(".s"), "time: invalid duration \".s\"");
  EXPECT_EQ(parseError("1h "), "time: unknown unit \"h \" in duration \"1h \"");
  EXPECT_EQ(parseError(" 1h"), "time: invalid duration \" 1h\"");
  EXPECT_EQ(parseError("--1s"), "time: invalid duration \"--1s\"");
  EXPECT_EQ(parseError("Never"), "time: invalid duration \"Never\"");
  EXPECT_EQ(parseError("9223372036854775808ns"),
            "time: invalid duration \"9223372036854775808ns\"");
  EXPECT_EQ(parseError("3000000h"), "time: invalid duration \"3000000h\"");
}

TEST(ParseNillableDuration, NeverIsNull) {
  auto never = parseNillableDuration("Never");
  ASSERT_TRUE(never.ok());
  EXPECT_FALSE(never->has_value());

  auto expire = parseNillableDuration("720h");
  ASSERT_TRUE(expire.ok());
  EXPECT_EQ(*expire, std::optional<seconds>(hours(720)));

  auto zero = parseNillableDuration("0s");
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(*zero, std::optional<seconds>(seconds(0)));

  auto negative = parseNillableDuration("-1s");
  ASSERT_TRUE(negative.ok());
  EXPECT_EQ(*negative, std::optional<seconds>(seconds(-1)));
}

TEST(ParseNillableDuration, TruncatesSubSecondPartsTowardZero) {
  EXPECT_EQ(*parseNillableDuration("1500ms"), std::optional<seconds>(seconds(1)));
  EXPECT_EQ(*parseNillableDuration("-1500ms"), std::optional<seconds>(seconds(-1)));
  EXPECT_EQ(*parseNillableDuration("300ms"), std::optional<seconds>(seconds(0)));
}

TEST(ParseNillableDuration, PassesOnErrors) {
  for (std::string_view bad : {"", "never", "NEVER", "1d", "1"}) {
    auto parsed = parseNillableDuration(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalid);
  }
}

TEST(FormatDuration, MatchesGoDurationString) {
  EXPECT_EQ(formatDuration(nanoseconds(0)), "0s");
  EXPECT_EQ(formatDuration(hours(1)), "1h0m0s");
  EXPECT_EQ(formatDuration(hours(720)), "720h0m0s");
  EXPECT_EQ(formatDuration(minutes(90)), "1h30m0s");
  EXPECT_EQ(formatDuration(seconds(90)), "1m30s");
  EXPECT_EQ(formatDuration(seconds(59)), "59s");
  EXPECT_EQ(formatDuration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(formatDuration(milliseconds(300)), "300ms");
  EXPECT_EQ(formatDuration(microseconds(1200)), "1.2ms");
  EXPECT_EQ(formatDuration(microseconds(15)), "15\xC2\xB5s");
  EXPECT_EQ(formatDuration(nanoseconds(1)), "1ns");
  EXPECT_EQ(formatDuration(nanoseconds(1001)), "1.001\xC2\xB5s");
  EXPECT_EQ(formatDuration(seconds(-2)), "-2s");
  EXPECT_EQ(formatDuration(nanoseconds(3723000000001)), "1h2m3.000000001s");
  EXPECT_EQ(formatDuration(nanoseconds(std::numeric_limits<int64_t>::max())),
            "2562047h47m16.854775807s");
  EXPECT_EQ(formatDuration(nanoseconds(std::numeric_limits<int64_t>::min())),
            "-2562047h47m16.854775808s");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  for (std::string_view text : {"1h0m0s", "1m30s", "1.5s", "300ms", "-2h3m4.5s", "7ns"}) {
    EXPECT_EQ(formatDuration(mustParse(text)), text);
  }
}

TEST(FormatNillableDuration, NullIsNever) {
  EXPECT_EQ(formatNillableDuration(std::nullopt), "Never");
  EXPECT_EQ(formatNillableDuration(seconds(30)), "30s");
}

}  // namespace
}  // namespace karpenter::api
