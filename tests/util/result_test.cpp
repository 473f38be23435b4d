#include "karpenter/util/result.hpp"

#include <gtest/gtest.h>

namespace karpenter {
namespace {

Result<int> half(int n) {
  if (n % 2 != 0) {
    return invalidError("odd value " + std::to_string(n));
  }
  return n / 2;
}

TEST(Result, CarriesValueOrError) {
  auto good = half(4);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 2);
  auto bad = half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(bad.error().message, "odd value 3");
}

TEST(Result, ContextPrefixesTheMessage) {
  Error error = invalidError("must be positive").withContext("spec.weight");
  EXPECT_EQ(error.message, "spec.weight: must be positive");
  EXPECT_STREQ(errorKindName(error.kind), "Invalid");
}

TEST(Result, VoidResult) {
  Result<void> fine;
  EXPECT_TRUE(fine.ok());
  Result<void> failed = notFoundError("nodepool \"x\" not found");
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace karpenter
