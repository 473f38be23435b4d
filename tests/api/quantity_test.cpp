// Replays every section of kube/quantity-cases.json (apimachinery's quantity_test.go tables).
// Skipped cases: none.
//
// Where upstream documents a limitation ("should be wantAsInt64: <value>", i.e. AsInt64() reports
// false for a 19-digit literal that fits), we assert upstream's actual answer, as the data does.

#include "karpenter/api/quantity.hpp"

#include <string>
#include <type_traits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/testdata.hpp"

namespace karpenter::api {
namespace {

using Format = Quantity::Format;

const nlohmann::json& cases() {
  static const nlohmann::json kCases =
      karpenter::testing::readTestdataJson("kube/quantity-cases.json");
  return kCases;
}

Format formatFromName(const std::string& name) {
  if (name == "BinarySI") {
    return Format::kBinarySI;
  }
  if (name == "DecimalExponent") {
    return Format::kDecimalExponent;
  }
  EXPECT_EQ(name, "DecimalSI");
  return Format::kDecimalSI;
}

std::string negated(const std::string& decimal) {
  return decimal == "0" ? decimal : "-" + decimal;
}

// The scheduler copies quantities freely; keep them small and trivially copyable.
static_assert(std::is_trivially_copyable_v<Quantity>);
static_assert(sizeof(Quantity) <= 48);

TEST(QuantityCases, SectionSizes) {
  EXPECT_EQ(cases().at("cases").size(), 128u);
  EXPECT_EQ(cases().at("invalid").size(), 12u);
  EXPECT_EQ(cases().at("parse_value").size(), 96u);
  EXPECT_EQ(cases().at("format").size(), 42u);
  EXPECT_EQ(cases().at("cmp").size(), 4u);
  EXPECT_EQ(cases().at("round_up").size(), 12u);
  EXPECT_EQ(cases().at("approximate_float64").size(), 4u);
  EXPECT_EQ(cases().at("json_unmarshal").size(), 8u);
}

TEST(QuantityCases, ParseEmitsCanonical) {
  for (const auto& entry : cases().at("cases")) {
    const std::string input = entry.at("input");
    const std::string canonical = entry.at("canonical");
    SCOPED_TRACE(input + " (" + entry.at("test").get<std::string>() + ")");
    auto parsed = Quantity::parse(input);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->toString(), canonical);
    // Reparsing the canonical form keeps the value.
    auto reparsed = Quantity::parse(canonical);
    ASSERT_TRUE(reparsed.ok()) << reparsed.error().message;
    EXPECT_EQ(*reparsed, *parsed);

    if (!parsed->isZero() && input[0] != '-') {
      auto negative = Quantity::parse("-" + input);
      ASSERT_TRUE(negative.ok()) << negative.error().message;
      EXPECT_EQ(negative->toString(), "-" + canonical);
      EXPECT_EQ(*negative, -*parsed);
    }
    if (entry.contains("asDec")) {
      EXPECT_EQ(parsed->toDecimalString(), entry.at("asDec").get<std::string>());
    }
    if (entry.contains("asInt64")) {
      const auto& want = entry.at("asInt64");
      if (want.is_null()) {
        EXPECT_EQ(parsed->asInt64(), std::nullopt);
      } else {
        EXPECT_EQ(parsed->asInt64(), std::optional<int64_t>(want.get<int64_t>()));
      }
    }
  }
}

TEST(QuantityCases, RejectsInvalid) {
  for (const auto& entry : cases().at("invalid")) {
    const std::string input = entry;
    SCOPED_TRACE("\"" + input + "\"");
    auto parsed = Quantity::parse(input);
    ASSERT_FALSE(parsed.ok()) << parsed->toString();
    EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalid);
    EXPECT_NE(parsed.error().message.find("\"" + input + "\""), std::string::npos)
        << parsed.error().message;
  }
}

TEST(QuantityCases, ParseValueAndFormat) {
  for (const auto& entry : cases().at("parse_value")) {
    const std::string input = entry.at("input");
    const std::string value = entry.at("value");
    const Format format = formatFromName(entry.at("format"));
    for (const std::string prefix : {"", "-", "+"}) {
      SCOPED_TRACE(prefix + input);
      auto parsed = Quantity::parse(prefix + input);
      ASSERT_TRUE(parsed.ok()) << parsed.error().message;
      EXPECT_EQ(parsed->toDecimalString(), prefix == "-" ? negated(value) : value);
      EXPECT_EQ(parsed->format(), format) << formatName(parsed->format());
    }
  }
}

TEST(QuantityCases, FormatPrintsCanonical) {
  for (const auto& entry : cases().at("format")) {
    const std::string value = entry.at("value");
    const std::string format = entry.at("format");
    SCOPED_TRACE(value + " as " + format);
    auto parsed = Quantity::parse(value);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    const Quantity quantity = parsed->withFormat(formatFromName(format));
    EXPECT_EQ(quantity.toString(), entry.at("canonical").get<std::string>());
    if (!quantity.isZero()) {
      EXPECT_EQ((-quantity).toString(), "-" + entry.at("canonical").get<std::string>());
    }
  }
}

TEST(QuantityCases, Cmp) {
  for (const auto& entry : cases().at("cmp")) {
    const std::string x = entry.at("x");
    const std::string y = entry.at("y");
    SCOPED_TRACE(x + " vs " + y);
    const auto ordering = Quantity::mustParse(x) <=> Quantity::mustParse(y);
    const int cmp = ordering < 0 ? -1 : (ordering > 0 ? 1 : 0);
    EXPECT_EQ(cmp, entry.at("cmp").get<int>());
    // And the mirror image.
    const auto mirrored = Quantity::mustParse(y) <=> Quantity::mustParse(x);
    EXPECT_EQ(mirrored < 0 ? -1 : (mirrored > 0 ? 1 : 0), -cmp);
  }
}

TEST(QuantityCases, RoundUp) {
  for (const auto& entry : cases().at("round_up")) {
    const std::string input = entry.at("input");
    const int32_t scale = entry.at("scale");
    SCOPED_TRACE(input + " scale " + std::to_string(scale));
    Quantity quantity = Quantity::mustParse(input);
    EXPECT_EQ(quantity.roundUp(scale), entry.at("ok").get<bool>());
    EXPECT_EQ(quantity.toDecimalString(), entry.at("value").get<std::string>());
    EXPECT_EQ(quantity.format(), formatFromName(entry.at("format")));
  }
}

TEST(QuantityCases, ApproximateFloat64) {
  for (const auto& entry : cases().at("approximate_float64")) {
    const std::string input = entry.at("input");
    SCOPED_TRACE(input);
    EXPECT_DOUBLE_EQ(Quantity::mustParse(input).asApproximateFloat64(),
                     entry.at("float64").get<double>());
  }
}

TEST(QuantityCases, JsonUnmarshal) {
  for (const auto& entry : cases().at("json_unmarshal")) {
    const std::string json = entry.at("json");
    SCOPED_TRACE(json);
    const auto node = nlohmann::json::parse(json);
    // Go's UnmarshalJSON trims the quoted text; a bare number is parsed from its text.
    const std::string text = node.is_string() ? node.get<std::string>() : node.dump();
    auto parsed = Quantity::parseTrimmed(text);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->toString(), entry.at("canonical").get<std::string>());
  }
}

TEST(QuantityJson, FractionalNumberIsFormattedAsText) {
  const auto node = nlohmann::json::parse("1.5");
  auto parsed = Quantity::parseTrimmed(node.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->toString(), "1500m");
}

// Behaviour beyond the upstream tables, checked against the Go source's rules.
TEST(QuantityParse, ErrorsSayWhatIsWrong) {
  auto dots = Quantity::parse("1.2.3");
  ASSERT_FALSE(dots.ok());
  EXPECT_NE(dots.error().message.find("quantity \"1.2.3\": unexpected character '.'"),
            std::string::npos)
      << dots.error().message;
  EXPECT_NE(dots.error().message.find("quantities must match the regular expression"),
            std::string::npos);
  auto suffix = Quantity::parse("5Qi");
  ASSERT_FALSE(suffix.ok());
  auto badSuffix = Quantity::parse("5mi");
  ASSERT_FALSE(badSuffix.ok());
  EXPECT_NE(badSuffix.error().message.find("suffix \"mi\""), std::string::npos)
      << badSuffix.error().message;
  EXPECT_FALSE(Quantity::parse("1e").ok());
  EXPECT_FALSE(Quantity::parse("1e+").ok());
  EXPECT_FALSE(Quantity::parse("1e99999999999999999999").ok());
}

TEST(QuantityParse, EchoesTextGoConsidersCanonical) {
  // Go's fast path keeps the input as the cached String() when it looks canonical.
  EXPECT_EQ(Quantity::mustParse("1.500").toString(), "1.500");
  EXPECT_EQ(Quantity::mustParse("+1").toString(), "+1");
  EXPECT_EQ(Quantity::mustParse("01Ki").toString(), "01Ki");
  EXPECT_EQ(Quantity::mustParse("1E6").toString(), "1E6");
  // ... but any arithmetic yields the computed canonical form.
  EXPECT_EQ((Quantity::mustParse("1.500") + Quantity()).toString(), "1500m");
  EXPECT_EQ((Quantity::mustParse("+1") * 1).toString(), "1");
  // Not echoed: a trailing "000", a leading zero, a scale that is not a multiple of three.
  EXPECT_EQ(Quantity::mustParse("1000m").toString(), "1");
  EXPECT_EQ(Quantity::mustParse("0.5").toString(), "500m");
  EXPECT_EQ(Quantity::mustParse("1.5").toString(), "1500m");
  EXPECT_EQ(Quantity::mustParse("1536Ki").toString(), "1536Ki");
  EXPECT_EQ(Quantity::mustParse("1.5Gi").toString(), "1536Mi");
}

TEST(QuantityParse, LargeExponentsUseENotation) {
  // DecimalSI has no suffix past E; Go falls back to "e" notation for its int64 form.
  EXPECT_EQ(Quantity::mustParse("1000.0E").toString(), "1e21");
  // Go's inf.Dec form keeps the exponent at E.
  EXPECT_EQ(Quantity::mustParse("1000.0000000000000000000E").toString(), "1000E");
  EXPECT_EQ(Quantity::mustParse("1000.0e18").toString(), "1e21");
}

TEST(QuantityParse, GoQuirksAccepted) {
  // Go's scanner accepts these; they are zero.
  EXPECT_TRUE(Quantity::mustParse(".").isZero());
  EXPECT_TRUE(Quantity::mustParse("-").isZero());
  // "1." takes Go's fast path with a canonical-looking mantissa, so Go echoes it.
  EXPECT_EQ(Quantity::mustParse("1.").toString(), "1.");
  EXPECT_EQ(Quantity::mustParse("1.").withFormat(Format::kDecimalSI).toString(), "1");
  EXPECT_EQ(Quantity::mustParse("-0").toString(), "0");
  EXPECT_EQ(Quantity::mustParse("-3.001n").toString(), "-4n");
}

TEST(QuantityValue, RoundsAwayFromZeroAndSaturates) {
  EXPECT_EQ(Quantity::mustParse("1.5").value(), 2);
  EXPECT_EQ(Quantity::mustParse("-1.5").value(), -2);
  EXPECT_EQ(Quantity::mustParse("100.1m").milliValue(), 101);
  EXPECT_EQ(Quantity::mustParse("-100.1m").milliValue(), -101);
  EXPECT_EQ(Quantity::mustParse("1n").milliValue(), 1);
  EXPECT_EQ(Quantity::mustParse("1Gi").value(), 1073741824);
  EXPECT_EQ(Quantity::mustParse("12E").value(), INT64_MAX);
  EXPECT_EQ(Quantity::mustParse("-12E").value(), INT64_MIN);
  EXPECT_EQ(Quantity::mustParse("10E").milliValue(), INT64_MAX);
}

TEST(QuantityValue, AsInt64FollowsGoRepresentation) {
  EXPECT_EQ(Quantity::mustParse("5").asInt64(), 5);
  EXPECT_EQ(Quantity::mustParse("5k").asInt64(), 5000);
  EXPECT_EQ(Quantity::mustParse("1.5").asInt64(), std::nullopt);
  // Go keeps "1000m" as 1000×10^-3 and does not reduce it.
  EXPECT_EQ(Quantity::mustParse("1000m").asInt64(), std::nullopt);
  EXPECT_EQ(Quantity::fromInt(-7).asInt64(), -7);
  Quantity rounded = Quantity::mustParse("1.5");
  EXPECT_FALSE(rounded.roundUp(0));
  EXPECT_EQ(rounded.asInt64(), 2);
  EXPECT_EQ((Quantity::fromInt(INT64_MAX) + Quantity::fromInt(1)).asInt64(), std::nullopt);
}

TEST(QuantityValue, DecimalString) {
  EXPECT_EQ(Quantity::mustParse("-0.5").toDecimalString(), "-0.5");
  EXPECT_EQ(Quantity::mustParse("100.035Ki").toDecimalString(), "102435.84");
  EXPECT_EQ(Quantity().toDecimalString(), "0");
}

TEST(QuantityFormat, BinaryBeyondEiKeepsTheValue) {
  Quantity big = Quantity::mustParse("1Ei") * 1024;
  EXPECT_EQ(big.toString(), "1024Ei");
  EXPECT_EQ(Quantity::mustParse("9Ei").toString(), "9223372036854775807");
}

}  // namespace
}  // namespace karpenter::api
