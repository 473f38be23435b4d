// Fidelity of the test pricing endpoint: the Debian awscli (its own SigV4 signer and JSON 1.1
// serializer) calls `aws pricing get-products` against it and must parse the answer, PriceList
// strings included. Skipped only when `aws` is not installed.

#include <cstdio>
#include <filesystem>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include "aws/fake_ec2/fake_pricing.hpp"
#include "support/testdata.hpp"

namespace karpenter::aws {
namespace {

using testing::FakePricing;

std::string quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return quoted + "'";
}

TEST(AwsCliPricing, GetProductsParsesEveryPage) {
  if (!std::filesystem::exists("/usr/bin/aws")) {
    GTEST_SKIP() << "the Debian awscli is not installed (apt-get install -y awscli)";
  }
  FakePricing fake;
  const auto home = std::filesystem::temp_directory_path() /
                    ("karpenter-awscli-pricing-" + std::to_string(::getpid()));
  std::filesystem::create_directories(home);
  const std::string command =
      "env -i PATH=/usr/bin:/bin HOME=" + quote(home.string()) +
      " AWS_ACCESS_KEY_ID=" + quote(fake.options().accessKeyId) +
      " AWS_SECRET_ACCESS_KEY=" + quote(fake.options().secretAccessKey) +
      " AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent"
      " AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1 /usr/bin/aws pricing get-products"
      " --service-code AmazonEC2 --filters"
      " Type=TERM_MATCH,Field=regionCode,Value=us-east-1"
      " Type=TERM_MATCH,Field=operatingSystem,Value=Linux"
      " Type=TERM_MATCH,Field=tenancy,Value=Shared"
      " --endpoint-url " +
      fake.url() + " --region us-east-1 --no-cli-pager --output json 2>" +
      quote((home / "stderr.txt").string());
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[65536];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    out.append(buffer, n);
  }
  const int status = pclose(pipe);
  const std::string err = karpenter::testing::readFile(home / "stderr.txt");
  std::filesystem::remove_all(home);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << err;
  EXPECT_EQ(fake.rejectedSignatures(), 0);
  const auto answer = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(answer.is_object()) << out.substr(0, 500);
  // awscli follows NextToken itself and prints every PriceList string.
  ASSERT_TRUE(answer.contains("PriceList"));
  EXPECT_GT(fake.requests().size(), 1u);
  size_t priced = 0;
  for (const auto& item : answer["PriceList"]) {
    ASSERT_TRUE(item.is_string());
    const auto product = nlohmann::json::parse(item.get<std::string>());
    const std::string type = product["product"]["attributes"]["instanceType"];
    EXPECT_EQ(product["product"]["attributes"]["tenancy"], "Shared");
    for (const auto& term : product["terms"]["OnDemand"]) {
      for (const auto& dimension : term["priceDimensions"]) {
        EXPECT_DOUBLE_EQ(std::stod(dimension["pricePerUnit"]["USD"].get<std::string>()),
                         fake.onDemandPrice(type));
        ++priced;
      }
    }
  }
  const auto prices = karpenter::testing::readTestdataJson("ec2/on-demand-prices-us-east-1.json");
  EXPECT_EQ(priced, answer["PriceList"].size());
  EXPECT_GT(priced, prices.size() / 2);  // every shared-tenancy type
}

}  // namespace
}  // namespace karpenter::aws
