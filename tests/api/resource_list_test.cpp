#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "karpenter/api/quantity.hpp"

namespace karpenter::api {
namespace {

using Format = Quantity::Format;

Quantity q(std::string_view text) {
  return Quantity::mustParse(text);
}

TEST(QuantityArithmetic, AddAndSubtractAreExact) {
  EXPECT_EQ((q("100m") + q("1.9")).toString(), "2");
  EXPECT_EQ((q("1Gi") + q("512Mi")).toString(), "1536Mi");
  EXPECT_EQ((q("1") - q("1n")).toString(), "999999999n");
  EXPECT_EQ((q("0.1") + q("0.2")), q("300m"));
  EXPECT_EQ((q("1k") - q("2k")).toString(), "-1k");
  EXPECT_EQ((q("-1.5") + q("1.5")).toString(), "0");
  Quantity total;
  for (int i = 0; i < 1000; ++i) {
    total += q("1m");
  }
  EXPECT_EQ(total.toString(), "1");
}

TEST(QuantityArithmetic, ZeroAdoptsTheOtherFormat) {
  Quantity sum;
  sum += q("1Gi");
  EXPECT_EQ(sum.format(), Format::kBinarySI);
  EXPECT_EQ(sum.toString(), "1Gi");
  Quantity difference;
  difference -= q("2Mi");
  EXPECT_EQ(difference.format(), Format::kBinarySI);
  EXPECT_EQ(difference.toString(), "-2Mi");
  // A non-zero left side keeps its own format.
  EXPECT_EQ((q("1k") + q("1Ki")).toString(), "2024");
  EXPECT_EQ((q("1Ki") + q("1k")).format(), Format::kBinarySI);
}

TEST(QuantityArithmetic, Multiply) {
  EXPECT_EQ((q("250m") * 4).toString(), "1");
  EXPECT_EQ((q("1Gi") * 3).toString(), "3Gi");
  EXPECT_EQ((q("-2") * 3).toString(), "-6");
  EXPECT_EQ((q("2") * -3).toString(), "-6");
  EXPECT_TRUE((q("5Gi") * 0).isZero());
  Quantity product = q("1.5");
  product *= 2;
  EXPECT_EQ(product.toString(), "3");
  EXPECT_EQ((q("1E") * 100).toString(), "100E");
}

TEST(QuantityArithmetic, NegativeValues) {
  EXPECT_EQ(q("-1.5").sign(), -1);
  EXPECT_EQ(q("1.5").sign(), 1);
  EXPECT_EQ(Quantity().sign(), 0);
  EXPECT_EQ((-q("1.5")).toString(), "-1500m");
  EXPECT_EQ((-q("-1.5")), q("1.5"));
  EXPECT_LT(q("-1"), q("-1m"));
  EXPECT_LT(q("-1Ki"), q("-1k"));
}

TEST(QuantityArithmetic, Compare) {
  EXPECT_EQ(q("1Ki"), q("1024"));
  EXPECT_EQ(q("1k"), q("1000"));
  EXPECT_EQ(q("1000m"), q("1"));
  EXPECT_EQ(q("1e3"), q("1k"));
  EXPECT_NE(q("1Ki"), q("1k"));
  EXPECT_GT(q("1Ki"), q("1k"));
  EXPECT_LT(q("999999999n"), q("1"));
  EXPECT_GT(q("10000000000000000001"), q("10000000000000000000"));
  EXPECT_TRUE(q("0") == Quantity());
  EXPECT_TRUE(q("0Gi") == q("0m"));
}

TEST(QuantityArithmetic, OverflowSaturates) {
  // Far past int64, still exact.
  Quantity big = Quantity::fromInt(INT64_MAX) + Quantity::fromInt(INT64_MAX);
  EXPECT_EQ(big.toString(), "18446744073709551614");
  EXPECT_EQ(big.value(), INT64_MAX);
  EXPECT_EQ(big.milliValue(), INT64_MAX);
  EXPECT_EQ((-big).value(), INT64_MIN);
  // Past the exact range (±1.7e29) values saturate rather than wrap.
  Quantity huge = q("100000000E");  // 1e26
  Quantity sum = huge;
  for (int i = 0; i < 20; ++i) {
    sum = sum * 1000;
  }
  EXPECT_GT(sum, huge);
  EXPECT_EQ(sum.sign(), 1);
  EXPECT_EQ(sum + sum, sum);
  Quantity negative = -sum;
  EXPECT_LT(negative, -huge);
  EXPECT_EQ(negative * 1000, negative);
  EXPECT_EQ(negative * -1, sum);
  EXPECT_EQ(negative - sum, negative);
}

TEST(QuantityArithmetic, FromIntAndMilli) {
  EXPECT_EQ(Quantity::fromInt(5).toString(), "5");
  EXPECT_EQ(Quantity::fromInt(2048, Format::kBinarySI).toString(), "2Ki");
  EXPECT_EQ(Quantity::fromMilli(1500).toString(), "1500m");
  EXPECT_EQ(Quantity::fromMilli(2000).toString(), "2");
  EXPECT_EQ(Quantity::fromMilli(-1).toString(), "-1m");
  EXPECT_EQ(Quantity::fromInt(INT64_MIN).toString(), "-9223372036854775808");
  EXPECT_EQ(Quantity::fromInt(3000, Format::kDecimalExponent).toString(), "3e3");
}

ResourceList list(std::initializer_list<std::pair<const char*, const char*>> entries) {
  ResourceList result;
  for (const auto& [name, text] : entries) {
    result.emplace(name, q(text));
  }
  return result;
}

TEST(Resources, AddMergesNames) {
  const ResourceList sum = resources::add(list({{"cpu", "500m"}, {"memory", "1Gi"}}),
                                          list({{"cpu", "1"}, {"pods", "1"}}));
  EXPECT_EQ(resources::toString(sum), R"({"cpu":"1500m","memory":"1Gi","pods":"1"})");
}

TEST(Resources, SubtractMakesMissingNamesNegative) {
  const ResourceList difference = resources::subtract(list({{"cpu", "2"}, {"memory", "1Gi"}}),
                                                      list({{"cpu", "500m"}, {"gpu", "1"}}));
  EXPECT_EQ(resources::toString(difference), R"({"cpu":"1500m","gpu":"-1","memory":"1Gi"})");
}

TEST(Resources, MaxPerName) {
  const ResourceList larger =
      resources::max(list({{"cpu", "2"}, {"memory", "1Gi"}}),
                     list({{"cpu", "3"}, {"memory", "512Mi"}, {"pods", "-1"}}));
  EXPECT_EQ(resources::toString(larger), R"({"cpu":"3","memory":"1Gi","pods":"-1"})");
}

TEST(Resources, Fits) {
  const ResourceList available = list({{"cpu", "2"}, {"memory", "4Gi"}});
  EXPECT_TRUE(resources::fits(list({{"cpu", "2"}, {"memory", "4Gi"}}), available));
  EXPECT_TRUE(resources::fits(list({{"cpu", "1999m"}}), available));
  EXPECT_TRUE(resources::fits({}, available));
  EXPECT_FALSE(resources::fits(list({{"cpu", "2001m"}}), available));
  EXPECT_FALSE(resources::fits(list({{"memory", "4097Mi"}}), available));
  // Missing in available means zero available.
  EXPECT_FALSE(resources::fits(list({{"nvidia.com/gpu", "1"}}), available));
  // A request of zero always fits, even where nothing (or less than nothing) is left.
  EXPECT_TRUE(resources::fits(list({{"nvidia.com/gpu", "0"}}), available));
  EXPECT_TRUE(resources::fits(list({{"cpu", "0"}}), list({{"cpu", "-1"}})));
  EXPECT_FALSE(resources::fits(list({{"cpu", "1m"}}), list({{"cpu", "-1"}})));
  EXPECT_TRUE(resources::fits(list({{"cpu", "-1"}}), {}));
}

TEST(Resources, InsufficientNamesEachShortResource) {
  const ResourceList available = list({{"cpu", "2"}, {"memory", "4Gi"}});
  EXPECT_EQ(resources::insufficient(
                list({{"cpu", "3"}, {"memory", "1Gi"}, {"pods", "1"}, {"gpu", "0"}}), available),
            (std::vector<std::string>{"cpu", "pods"}));
  EXPECT_TRUE(resources::insufficient(list({{"cpu", "2"}}), available).empty());
}

TEST(Resources, ToStringEscapesNames) {
  EXPECT_EQ(resources::toString({}), "{}");
  EXPECT_EQ(resources::toString(list({{"we\"ird", "1"}})), R"({"we\"ird":"1"})");
}

}  // namespace
}  // namespace karpenter::api
