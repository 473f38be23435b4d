// Fidelity of the test EC2 endpoint: the Debian `awscli` package (an independent SigV4 signer,
// Query serializer and XML parser) drives it as a real client would, and every answer must
// parse into the values the endpoint holds. Skipped only when `aws` is not installed.

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "aws/fake_aws/aws_cli.hpp"
#include "aws/fake_ec2/fake_ec2.hpp"
#include "support/testdata.hpp"

namespace karpenter::aws {
namespace {

using testing::AwsCli;
using testing::AwsCliResult;
using testing::FakeEc2;

class AwsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cli_.available()) {
      GTEST_SKIP() << "awscli is not installed (apt-get install -y awscli); the endpoint's "
                      "fidelity against an independent client is not checked";
    }
  }

  AwsCliResult run(const std::vector<std::string>& args, const std::string& secret = "") {
    return cli_.run(args, secret);
  }

  AwsCliResult runOk(const std::vector<std::string>& args) {
    AwsCliResult result = run(args);
    EXPECT_EQ(result.exitCode, 0) << args[1] << " stderr: " << result.err;
    EXPECT_FALSE(result.json.is_discarded()) << args[1] << " printed: " << result.out;
    return result;
  }

  FakeEc2 fake_;
  AwsCli cli_{fake_.url(), fake_.options().accessKeyId, fake_.options().secretAccessKey};
};

// Every field of `want` that awscli printed must carry the same value; fields the installed
// awscli model does not know are counted in `unknown` (awscli drops them silently).
void compareKnownFields(const nlohmann::json& want, const nlohmann::json& got,
                        const std::string& path, std::vector<std::string>& mismatches,
                        std::vector<std::string>& unknown) {
  if (want.is_object()) {
    for (auto it = want.begin(); it != want.end(); ++it) {
      if (!got.is_object() || !got.contains(it.key())) {
        unknown.push_back(path + "." + it.key());
        continue;
      }
      compareKnownFields(it.value(), got[it.key()], path + "." + it.key(), mismatches, unknown);
    }
  } else if (want.is_array()) {
    if (!got.is_array() || got.size() != want.size()) {
      mismatches.push_back(path + " (list length)");
      return;
    }
    for (size_t i = 0; i < want.size(); ++i) {
      compareKnownFields(want[i], got[i], path + "[" + std::to_string(i) + "]", mismatches,
                         unknown);
    }
  } else if (want.is_number()) {
    if (!got.is_number() || want.get<double>() != got.get<double>()) {
      mismatches.push_back(path + ": want " + want.dump() + ", got " + got.dump());
    }
  } else if (want != got) {
    mismatches.push_back(path + ": want " + want.dump() + ", got " + got.dump());
  }
}

TEST_F(AwsCliTest, DescribeInstanceTypesRoundTripsTheTestdata) {
  const auto want = karpenter::testing::readTestdataJson(
      "ec2/karpenter-fake-DescribeInstanceTypes.json")["InstanceTypes"];
  const AwsCliResult result = runOk({"ec2", "describe-instance-types"});
  const auto& got = result.json["InstanceTypes"];
  ASSERT_EQ(got.size(), want.size()) << result.out;
  std::vector<std::string> mismatches;
  std::vector<std::string> unknown;
  for (const auto& type : want) {
    const auto match = std::find_if(got.begin(), got.end(), [&](const auto& g) {
      return g["InstanceType"] == type["InstanceType"];
    });
    ASSERT_NE(match, got.end()) << type["InstanceType"];
    compareKnownFields(type, *match, type["InstanceType"].get<std::string>(), mismatches, unknown);
  }
  EXPECT_TRUE(mismatches.empty()) << ::testing::PrintToString(mismatches);
  // The blocks the provider reads must all have come through (fields inside them that are
  // newer than the installed awscli, such as ProcessorInfo.Manufacturer, may be unknown to it).
  for (const auto& type : got) {
    for (const std::string field : {"VCpuInfo", "MemoryInfo", "ProcessorInfo", "NetworkInfo",
                                    "SupportedUsageClasses", "Hypervisor", "EbsInfo"}) {
      EXPECT_TRUE(type.contains(field)) << type["InstanceType"] << " lacks " << field;
    }
    EXPECT_TRUE(type["NetworkInfo"].contains("MaximumNetworkInterfaces"));
    EXPECT_TRUE(type["NetworkInfo"].contains("Ipv4AddressesPerInterface"));
    EXPECT_TRUE(type["VCpuInfo"].contains("DefaultVCpus"));
    EXPECT_TRUE(type["MemoryInfo"].contains("SizeInMiB"));
  }
  if (!unknown.empty()) {
    std::set<std::string> names;
    for (const std::string& path : unknown) {
      names.insert(path.substr(path.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ")));
    }
    std::cout << "fields newer than the installed awscli model: " << ::testing::PrintToString(names)
              << "\n";
  }
}

TEST_F(AwsCliTest, DescribeInstanceTypeOfferings) {
  const auto want = karpenter::testing::readTestdataJson(
      "ec2/karpenter-fake-DescribeInstanceTypeOfferings.json")["InstanceTypeOfferings"];
  const AwsCliResult result =
      runOk({"ec2", "describe-instance-type-offerings", "--location-type", "availability-zone"});
  std::set<std::string> wantSet;
  for (const auto& o : want) {
    wantSet.insert(o["InstanceType"].get<std::string>() + "@" + o["Location"].get<std::string>());
  }
  std::set<std::string> gotSet;
  for (const auto& o : result.json["InstanceTypeOfferings"]) {
    EXPECT_EQ(o["LocationType"], "availability-zone");
    gotSet.insert(o["InstanceType"].get<std::string>() + "@" + o["Location"].get<std::string>());
  }
  EXPECT_EQ(gotSet, wantSet);
}

TEST_F(AwsCliTest, RunFleetDescribeTerminate) {
  const auto zones = fake_.zones();
  // run-instances
  const AwsCliResult ran =
      runOk({"ec2", "run-instances", "--image-id", "ami-test1", "--instance-type", "m5.large",
             "--subnet-id", "subnet-test1", "--count", "1", "--tag-specifications",
             "ResourceType=instance,Tags=[{Key=Name,Value=from-awscli}]"});
  ASSERT_EQ(ran.json["Instances"].size(), 1u) << ran.out;
  const std::string runId = ran.json["Instances"][0]["InstanceId"];
  EXPECT_EQ(ran.json["Instances"][0]["State"]["Name"], "pending");
  EXPECT_EQ(ran.json["Instances"][0]["State"]["Code"], 0);
  EXPECT_EQ(ran.json["Instances"][0]["Placement"]["AvailabilityZone"], zones[0]);
  EXPECT_EQ(ran.json["Instances"][0]["Tags"][0]["Value"], "from-awscli");
  EXPECT_FALSE(ran.json["ReservationId"].get<std::string>().empty());

  // create-launch-template + create-fleet (instant, spot, one pool out of capacity)
  const AwsCliResult lt =
      runOk({"ec2", "create-launch-template", "--launch-template-name", "karpenter-cli",
             "--launch-template-data", R"({"ImageId":"ami-test1"})"});
  EXPECT_EQ(lt.json["LaunchTemplate"]["LaunchTemplateName"], "karpenter-cli");
  const std::string cheap = zones[0];  // the fake's spot discount is deepest in the first zone
  const std::string other = zones[2];
  ASSERT_LT(fake_.spotPrice("m5.large", cheap), fake_.spotPrice("m5.large", other));
  fake_.setInsufficientCapacity("spot", "m5.large", cheap);
  const std::string configs =
      R"([{"LaunchTemplateSpecification":{"LaunchTemplateName":"karpenter-cli","Version":"$Latest"},)"
      R"("Overrides":[{"InstanceType":"m5.large","AvailabilityZone":")" +
      cheap + R"("},{"InstanceType":"m5.large","AvailabilityZone":")" + other + R"("}]}])";
  const AwsCliResult fleet =
      runOk({"ec2", "create-fleet", "--type", "instant", "--target-capacity-specification",
             "TotalTargetCapacity=1,DefaultTargetCapacityType=spot", "--spot-options",
             "AllocationStrategy=price-capacity-optimized", "--launch-template-configs", configs,
             "--tag-specifications",
             "ResourceType=instance,Tags=[{Key=karpenter.sh/nodepool,Value=default}]"});
  EXPECT_EQ(fleet.json["FleetId"].get<std::string>().rfind("fleet-", 0), 0u) << fleet.out;
  ASSERT_EQ(fleet.json["Instances"].size(), 1u) << fleet.out;
  const auto& launched = fleet.json["Instances"][0];
  ASSERT_EQ(launched["InstanceIds"].size(), 1u);
  const std::string fleetId = launched["InstanceIds"][0];
  EXPECT_EQ(launched["Lifecycle"], "spot");
  EXPECT_EQ(launched["InstanceType"], "m5.large");
  EXPECT_EQ(launched["LaunchTemplateAndOverrides"]["Overrides"]["AvailabilityZone"], other);
  ASSERT_EQ(fleet.json["Errors"].size(), 1u);
  EXPECT_EQ(fleet.json["Errors"][0]["ErrorCode"], "InsufficientInstanceCapacity");
  EXPECT_EQ(fleet.json["Errors"][0]["LaunchTemplateAndOverrides"]["Overrides"]["AvailabilityZone"],
            cheap);

  // describe-instances: both, now running, with their tags and lifecycle
  const AwsCliResult described =
      runOk({"ec2", "describe-instances", "--instance-ids", runId, fleetId});
  std::map<std::string, nlohmann::json> byId;
  for (const auto& reservation : described.json["Reservations"]) {
    for (const auto& instance : reservation["Instances"]) {
      byId[instance["InstanceId"]] = instance;
    }
  }
  ASSERT_EQ(byId.size(), 2u) << described.out;
  EXPECT_EQ(byId[runId]["State"]["Name"], "running");
  EXPECT_EQ(byId[runId]["InstanceType"], "m5.large");
  EXPECT_FALSE(byId[runId].contains("InstanceLifecycle"));
  EXPECT_EQ(byId[fleetId]["InstanceLifecycle"], "spot");
  EXPECT_EQ(byId[fleetId]["Placement"]["AvailabilityZone"], other);
  EXPECT_EQ(byId[fleetId]["Tags"][0]["Key"], "karpenter.sh/nodepool");
  EXPECT_FALSE(byId[fleetId]["LaunchTime"].get<std::string>().empty());

  // terminate-instances
  const AwsCliResult terminated =
      runOk({"ec2", "terminate-instances", "--instance-ids", runId, fleetId});
  ASSERT_EQ(terminated.json["TerminatingInstances"].size(), 2u) << terminated.out;
  for (const auto& change : terminated.json["TerminatingInstances"]) {
    EXPECT_EQ(change["CurrentState"]["Name"], "shutting-down");
    EXPECT_EQ(change["CurrentState"]["Code"], 32);
    EXPECT_EQ(change["PreviousState"]["Name"], "running");
  }
  for (const auto& instance : fake_.instances()) {
    EXPECT_EQ(instance.state, "shutting-down") << instance.id;
  }
}

TEST_F(AwsCliTest, ErrorsParseAsAwsErrors) {
  const AwsCliResult missing =
      run({"ec2", "describe-instances", "--instance-ids", "i-0123456789abcdef0"});
  EXPECT_NE(missing.exitCode, 0);
  EXPECT_NE(missing.err.find("InvalidInstanceID.NotFound"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("i-0123456789abcdef0"), std::string::npos) << missing.err;
}

TEST_F(AwsCliTest, WrongSecretFailsWithTheSignatureError) {
  const AwsCliResult denied = run({"ec2", "describe-instance-types"}, "wrong/secret/key");
  EXPECT_NE(denied.exitCode, 0) << denied.out;
  EXPECT_NE(denied.err.find("SignatureDoesNotMatch"), std::string::npos) << denied.err;
  EXPECT_GE(fake_.rejectedSignatures(), 1);
  EXPECT_TRUE(fake_.requests("DescribeInstanceTypes").empty());
}

}  // namespace
}  // namespace karpenter::aws
