// The EC2 Query client against the wire-faithful test endpoint (tests/aws/fake_ec2).

#include "karpenter/aws/ec2_client.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "aws/fake_ec2/fake_clients.hpp"
#include "aws/fake_ec2/fake_ec2.hpp"
#include "support/testdata.hpp"

namespace karpenter::aws {
namespace {

using testing::FakeEc2;
using testing::FormParams;

class Ec2ClientTest : public ::testing::Test {
 protected:
  Ec2Client client(const std::string& secret = "", int maxAttempts = 5) {
    return Ec2Client(testing::fakeServiceConfig("ec2", fake_.url()),
                     testing::fakeCredentials(fake_, secret), makeCurlHttpClient(), systemClock(),
                     testing::recordingRetry(sleeps_, maxAttempts));
  }

  static std::string param(const FormParams& params, const std::string& name) {
    auto it = params.find(name);
    return it == params.end() ? "<unset>" : it->second;
  }

  CreateLaunchTemplateRequest launchTemplate(const std::string& name) {
    CreateLaunchTemplateRequest request;
    request.name = name;
    request.imageId = "ami-test1";
    request.securityGroupIds = {"sg-test1"};
    request.metadataOptions = MetadataOptions{};
    request.blockDeviceMappings = {{"/dev/xvda", 20, "gp3", true, true}};
    request.tags = {{"karpenter.k8s.aws/ec2nodeclass", "default"}};
    return request;
  }

  CreateFleetRequest fleetOver(const std::vector<std::string>& types, const std::string& capacity) {
    CreateFleetRequest request;
    request.launchTemplateName = "karpenter.k8s.aws/test";
    request.capacityType = capacity;
    for (const std::string& type : types) {
      for (const auto& zone : fake_.zones()) {
        request.overrides.push_back({type, "", zone, "", std::nullopt});
      }
    }
    request.tagSpecifications = {{"instance", {{"karpenter.sh/nodepool", "default"}}},
                                 {"fleet", {{"karpenter.sh/nodepool", "default"}}}};
    return request;
  }

  FakeEc2 fake_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

TEST_F(Ec2ClientTest, DescribeInstanceTypesDecodesEveryTestdataType) {
  const auto expected = karpenter::testing::readTestdataJson(
      "ec2/karpenter-fake-DescribeInstanceTypes.json")["InstanceTypes"];
  auto types = client().describeInstanceTypes();
  ASSERT_TRUE(types) << types.error().message;
  ASSERT_EQ(types->size(), expected.size());
  for (const auto& want : expected) {
    auto it = std::find_if(types->begin(), types->end(),
                           [&](const auto& t) { return t.instanceType == want["InstanceType"]; });
    ASSERT_NE(it, types->end()) << want["InstanceType"];
    EXPECT_EQ(it->defaultVCpus, want["VCpuInfo"]["DefaultVCpus"].get<int64_t>());
    EXPECT_EQ(it->memoryMiB, want["MemoryInfo"]["SizeInMiB"].get<int64_t>());
    EXPECT_EQ(it->architectures,
              want["ProcessorInfo"]["SupportedArchitectures"].get<std::vector<std::string>>());
    EXPECT_EQ(it->maximumNetworkInterfaces,
              want["NetworkInfo"]["MaximumNetworkInterfaces"].get<int64_t>());
    EXPECT_EQ(it->ipv4AddressesPerInterface,
              want["NetworkInfo"]["Ipv4AddressesPerInterface"].get<int64_t>());
    EXPECT_EQ(it->raw["networkInfo"]["networkCards"].size(),
              want["NetworkInfo"]["NetworkCards"].size());
  }
}

TEST_F(Ec2ClientTest, FollowsNextTokenAcrossPages) {
  fake_.setMaxPageSize(5);
  auto types = client().describeInstanceTypes();
  ASSERT_TRUE(types) << types.error().message;
  EXPECT_EQ(types->size(), 17u);
  const auto calls = fake_.requests("DescribeInstanceTypes");
  ASSERT_EQ(calls.size(), 4u);  // 5 + 5 + 5 + 2
  EXPECT_EQ(param(calls[0], "NextToken"), "<unset>");
  EXPECT_EQ(param(calls[1], "NextToken"), "page-5");
  EXPECT_EQ(param(calls[3], "MaxResults"), "100");
}

TEST_F(Ec2ClientTest, FiltersUseOneBasedIndices) {
  auto arm = client().describeInstanceTypes({{"processor-info.supported-architecture", {"arm64"}},
                                             {"supported-virtualization-type", {"hvm"}}});
  ASSERT_TRUE(arm) << arm.error().message;
  const auto expected = karpenter::testing::readTestdataJson(
      "ec2/karpenter-fake-DescribeInstanceTypes.json")["InstanceTypes"];
  const auto armCount = std::count_if(expected.begin(), expected.end(), [](const auto& t) {
    return t["ProcessorInfo"]["SupportedArchitectures"][0] == "arm64";
  });
  EXPECT_EQ(static_cast<long>(arm->size()), armCount);
  const FormParams sent = fake_.requests("DescribeInstanceTypes").back();
  EXPECT_EQ(param(sent, "Filter.1.Name"), "processor-info.supported-architecture");
  EXPECT_EQ(param(sent, "Filter.1.Value.1"), "arm64");
  EXPECT_EQ(param(sent, "Filter.2.Name"), "supported-virtualization-type");
  EXPECT_EQ(param(sent, "Version"), "2016-11-15");
}

TEST_F(Ec2ClientTest, OfferingsAndSpotPrices) {
  auto offerings = client().describeInstanceTypeOfferings();
  ASSERT_TRUE(offerings) << offerings.error().message;
  const auto expected = karpenter::testing::readTestdataJson(
      "ec2/karpenter-fake-DescribeInstanceTypeOfferings.json")["InstanceTypeOfferings"];
  ASSERT_EQ(offerings->size(), expected.size());
  EXPECT_EQ((*offerings)[0].locationType, "availability-zone");

  auto prices = client().describeSpotPriceHistory({"Linux/UNIX"}, std::nullopt,
                                                  {{"instance-type", {"m5.large"}}});
  ASSERT_TRUE(prices) << prices.error().message;
  ASSERT_FALSE(prices->empty());
  for (const SpotPrice& price : *prices) {
    EXPECT_EQ(price.instanceType, "m5.large");
    EXPECT_EQ(price.productDescription, "Linux/UNIX");
    EXPECT_NEAR(price.price, fake_.spotPrice("m5.large", price.availabilityZone), 1e-6);
  }
}

TEST_F(Ec2ClientTest, SubnetsSecurityGroupsImagesBySelector) {
  auto subnets = client().describeSubnets({{"tag:karpenter.sh/discovery", {"test"}}});
  ASSERT_TRUE(subnets) << subnets.error().message;
  EXPECT_EQ(subnets->size(), fake_.zones().size());
  EXPECT_EQ((*subnets)[0].tags.at("karpenter.sh/discovery"), "test");
  EXPECT_GT((*subnets)[0].availableIpAddressCount, 0);
  auto one = client().describeSubnets({{"subnet-id", {"subnet-test2"}}});
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].availabilityZone, fake_.zones()[1]);

  auto groups = client().describeSecurityGroups({{"group-name", {"test-group-*"}}});
  ASSERT_TRUE(groups);
  EXPECT_EQ(groups->size(), fake_.zones().size());  // one seeded group per zone
  auto images = client().describeImages({{"name", {"*arm64*"}}}, {"self", "amazon"});
  ASSERT_TRUE(images) << images.error().message;
  ASSERT_EQ(images->size(), 1u);
  EXPECT_EQ((*images)[0].architecture, "arm64");

  auto bad = client().describeSubnets({{"no-such-filter", {"x"}}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(awsErrorCode(bad.error()), "InvalidParameterValue");
}

TEST_F(Ec2ClientTest, LaunchTemplateLifecycle) {
  auto created = client().createLaunchTemplate(launchTemplate("karpenter.k8s.aws/abc"));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->name, "karpenter.k8s.aws/abc");
  EXPECT_EQ(created->id.rfind("lt-", 0), 0u);
  const FormParams sent = fake_.requests("CreateLaunchTemplate").back();
  EXPECT_EQ(param(sent, "LaunchTemplateData.BlockDeviceMapping.1.Ebs.VolumeType"), "gp3");
  EXPECT_EQ(param(sent, "LaunchTemplateData.MetadataOptions.HttpTokens"), "required");
  EXPECT_EQ(param(sent, "LaunchTemplateData.SecurityGroupId.1"), "sg-test1");
  EXPECT_EQ(param(sent, "TagSpecification.1.ResourceType"), "launch-template");

  auto duplicate = client().createLaunchTemplate(launchTemplate("karpenter.k8s.aws/abc"));
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().kind, ErrorKind::kConflict);

  auto found = client().describeLaunchTemplates({"karpenter.k8s.aws/abc"});
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].tags.at("karpenter.k8s.aws/ec2nodeclass"), "default");
  auto byTag =
      client().describeLaunchTemplates({}, {{"tag-key", {"karpenter.k8s.aws/ec2nodeclass"}}});
  ASSERT_TRUE(byTag);
  EXPECT_EQ(byTag->size(), 1u);

  ASSERT_TRUE(client().deleteLaunchTemplate("karpenter.k8s.aws/abc"));
  auto gone = client().describeLaunchTemplates({"karpenter.k8s.aws/abc"});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(awsErrorCode(gone.error()), "InvalidLaunchTemplateName.NotFoundException");
  EXPECT_NE(gone.error().message.find("request id req-"), std::string::npos);
}

TEST_F(Ec2ClientTest, CreateFleetSpotTakesTheCheapestPoolAndSendsTheWireShape) {
  ASSERT_TRUE(client().createLaunchTemplate(launchTemplate("karpenter.k8s.aws/test")));
  auto fleet = client().createFleet(fleetOver({"m5.large", "m5.xlarge"}, "spot"));
  ASSERT_TRUE(fleet) << fleet.error().message;
  ASSERT_EQ(fleet->instances.size(), 1u);
  EXPECT_TRUE(fleet->errors.empty());
  // The cheapest spot pool among the overrides that the zone offers.
  double best = 1e9;
  std::string bestPool;
  for (const std::string type : {"m5.large", "m5.xlarge"}) {
    for (const auto& zone : fake_.zones()) {
      auto offered = client().describeInstanceTypeOfferings(
          "availability-zone", {{"instance-type", {type}}, {"location", {zone}}});
      if (!offered->empty() && fake_.spotPrice(type, zone) < best) {
        best = fake_.spotPrice(type, zone);
        bestPool = type + "/" + zone;
      }
    }
  }
  const FleetInstance& launched = fleet->instances[0];
  EXPECT_EQ(launched.instanceType + "/" + launched.availabilityZone, bestPool);
  EXPECT_EQ(launched.lifecycle, "spot");
  ASSERT_EQ(launched.instanceIds.size(), 1u);

  const FormParams sent = fake_.requests("CreateFleet").back();
  EXPECT_EQ(param(sent, "Type"), "instant");
  EXPECT_EQ(param(sent, "SpotOptions.AllocationStrategy"), "price-capacity-optimized");
  EXPECT_EQ(param(sent, "TargetCapacitySpecification.DefaultTargetCapacityType"), "spot");
  EXPECT_EQ(param(sent, "LaunchTemplateConfigs.1.LaunchTemplateSpecification.Version"), "$Latest");
  const std::string firstXlarge = std::to_string(fake_.zones().size() + 1);
  EXPECT_EQ(param(sent, "LaunchTemplateConfigs.1.Overrides." + firstXlarge + ".InstanceType"),
            "m5.xlarge");
  EXPECT_EQ(param(sent, "TagSpecification.2.ResourceType"), "fleet");
  EXPECT_EQ(param(sent, "TagSpecification.1.Tag.1.Key"), "karpenter.sh/nodepool");

  auto described = client().describeInstances(launched.instanceIds);
  ASSERT_TRUE(described) << described.error().message;
  ASSERT_EQ(described->size(), 1u);
  EXPECT_EQ((*described)[0].lifecycle, "spot");
  EXPECT_EQ((*described)[0].tags.at("karpenter.sh/nodepool"), "default");
}

TEST_F(Ec2ClientTest, CreateFleetReportsInsufficientCapacityPerPool) {
  ASSERT_TRUE(client().createLaunchTemplate(launchTemplate("karpenter.k8s.aws/test")));
  const auto zones = fake_.zones();
  fake_.setInsufficientCapacity("on-demand", "m5.large", zones[0]);
  auto fleet = client().createFleet(fleetOver({"m5.large"}, "on-demand"));
  ASSERT_TRUE(fleet) << fleet.error().message;
  ASSERT_EQ(fleet->instances.size(), 1u);
  EXPECT_NE(fleet->instances[0].availabilityZone, zones[0]);
  ASSERT_EQ(fleet->errors.size(), 1u);
  EXPECT_EQ(fleet->errors[0].errorCode, "InsufficientInstanceCapacity");
  EXPECT_EQ(fleet->errors[0].instanceType, "m5.large");
  EXPECT_EQ(fleet->errors[0].availabilityZone, zones[0]);
  EXPECT_EQ(param(fake_.requests("CreateFleet").back(), "OnDemandOptions.AllocationStrategy"),
            "lowest-price");

  for (const auto& zone : zones) {
    fake_.setInsufficientCapacity("spot", "m5.large", zone);
  }
  auto none = client().createFleet(fleetOver({"m5.large"}, "spot"));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->instances.empty());
  EXPECT_FALSE(none->errors.empty());
  for (const FleetError& error : none->errors) {
    EXPECT_EQ(error.errorCode, "InsufficientInstanceCapacity");
    EXPECT_EQ(error.lifecycle, "spot");
  }
}

TEST_F(Ec2ClientTest, CreateFleetPartialFulfilment) {
  ASSERT_TRUE(client().createLaunchTemplate(launchTemplate("karpenter.k8s.aws/test")));
  fake_.limitFleetFulfilment(2);
  CreateFleetRequest request = fleetOver({"m5.large"}, "on-demand");
  request.totalTargetCapacity = 3;
  auto fleet = client().createFleet(request);
  ASSERT_TRUE(fleet) << fleet.error().message;
  size_t launched = 0;
  for (const auto& instance : fleet->instances) {
    launched += instance.instanceIds.size();
  }
  EXPECT_EQ(launched, 2u);
  ASSERT_FALSE(fleet->errors.empty());
  EXPECT_EQ(fleet->errors[0].errorCode, "InsufficientInstanceCapacity");
}

TEST_F(Ec2ClientTest, CreateFleetWithoutLaunchTemplateIsNotFound) {
  auto fleet = client().createFleet(fleetOver({"m5.large"}, "spot"));
  ASSERT_FALSE(fleet);
  EXPECT_EQ(fleet.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(awsErrorCode(fleet.error()), "InvalidLaunchTemplateName.NotFoundException");
}

TEST_F(Ec2ClientTest, ThrottlingIsRetriedWithJitteredBackoff) {
  fake_.throttleNextRequests(2);
  auto types = client().describeInstanceTypes();
  ASSERT_TRUE(types) << types.error().message;
  EXPECT_EQ(fake_.requests("DescribeInstanceTypes").size(), 3u);
  ASSERT_EQ(sleeps_.size(), 2u);
  EXPECT_LE(sleeps_[0].count(), 200);  // full jitter under base·2^0
  EXPECT_LE(sleeps_[1].count(), 400);  // and base·2^1

  fake_.throttleNextRequests(10);
  auto throttled = client("", 3).describeInstanceTypes();
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().kind, ErrorKind::kThrottled);
  EXPECT_EQ(awsErrorCode(throttled.error()), "RequestLimitExceeded");
  EXPECT_NE(throttled.error().message.find("request id"), std::string::npos);
}

TEST_F(Ec2ClientTest, ServerErrorsAreRetriedClientErrorsAreNot) {
  fake_.failNextRequests(1, 503);
  ASSERT_TRUE(client().describeSubnets({}));
  EXPECT_EQ(fake_.requests("DescribeSubnets").size(), 2u);
  fake_.failNextRequests(2, 500);
  auto failed = client("", 2).describeSubnets({});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, ErrorKind::kUnavailable);
  const size_t before = fake_.requests("DescribeInstances").size();
  auto missing = client().describeInstances({"i-00000000000000bad"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(fake_.requests("DescribeInstances").size(), before + 1);  // no retry
}

TEST_F(Ec2ClientTest, InstanceLifecycleRunTagDescribeTerminate) {
  RunInstancesRequest run;
  run.imageId = "ami-test1";
  run.instanceType = "m5.large";
  run.subnetId = "subnet-test1";
  run.tagSpecifications = {{"instance", {{"Name", "parity"}}}};
  auto started = client().runInstances(run);
  ASSERT_TRUE(started) << started.error().message;
  ASSERT_EQ(started->size(), 1u);
  const std::string id = (*started)[0].id;
  EXPECT_EQ((*started)[0].state, "pending");
  ASSERT_TRUE(client().createTags({id}, {{"karpenter.sh/nodeclaim", "default-abc"}}));
  auto byTag = client().describeInstances({}, {{"tag:karpenter.sh/nodeclaim", {"default-abc"}},
                                               {"instance-state-name", {"pending", "running"}}});
  ASSERT_TRUE(byTag) << byTag.error().message;
  ASSERT_EQ(byTag->size(), 1u);
  EXPECT_EQ((*byTag)[0].state, "running");
  EXPECT_EQ((*byTag)[0].tags.at("Name"), "parity");
  auto terminated = client().terminateInstances({id});
  ASSERT_TRUE(terminated);
  ASSERT_EQ(terminated->size(), 1u);
  EXPECT_EQ((*terminated)[0].previousState, "running");
  EXPECT_EQ((*terminated)[0].currentState, "shutting-down");
  auto unknown = client().createTags({"i-0000000000000dead"}, {{"a", "b"}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::kNotFound);
}

TEST_F(Ec2ClientTest, WrongSecretIsASignatureError) {
  auto denied = client("not-the-secret").describeInstanceTypes();
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(awsErrorCode(denied.error()), "SignatureDoesNotMatch");
  EXPECT_EQ(fake_.rejectedSignatures(), 1);
  EXPECT_TRUE(fake_.requests("DescribeInstanceTypes").empty());
}

TEST(QueryErrors, KindsFollowTheCode) {
  EXPECT_EQ(errorKindForAwsCode("InsufficientInstanceCapacity", 500),
            ErrorKind::kInsufficientCapacity);
  EXPECT_EQ(errorKindForAwsCode("RequestLimitExceeded", 503), ErrorKind::kThrottled);
  EXPECT_EQ(errorKindForAwsCode("Throttling", 400), ErrorKind::kThrottled);
  EXPECT_EQ(errorKindForAwsCode("InternalError", 500), ErrorKind::kUnavailable);
  EXPECT_EQ(errorKindForAwsCode("Whatever", 502), ErrorKind::kUnavailable);
  EXPECT_EQ(errorKindForAwsCode("UnauthorizedOperation", 403), ErrorKind::kInvalid);
  EXPECT_EQ(errorKindForAwsCode("InvalidParameterValue", 400), ErrorKind::kInvalid);
  EXPECT_EQ(errorKindForAwsCode("InvalidInstanceID.NotFound", 400), ErrorKind::kNotFound);
  EXPECT_EQ(errorKindForAwsCode("InvalidLaunchTemplateName.NotFoundException", 400),
            ErrorKind::kNotFound);
  EXPECT_EQ(errorKindForAwsCode("ParameterNotFound", 400), ErrorKind::kNotFound);
  EXPECT_EQ(errorKindForAwsCode("InvalidLaunchTemplateName.AlreadyExistsException", 400),
            ErrorKind::kConflict);
}

TEST(QueryErrors, DecodesEc2AndQueryShapes) {
  auto ec2 = decodeQueryError(
      400,
      "<?xml version=\"1.0\"?><Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code>"
      "<Message>The instance ID 'i-1' does not exist</Message></Error></Errors>"
      "<RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>");
  EXPECT_EQ(ec2.code, "InvalidInstanceID.NotFound");
  EXPECT_EQ(ec2.requestId, "ea966190-f9aa-478e-9ede-example");
  const Error error = toError(ec2, "ec2", "DescribeInstances");
  EXPECT_EQ(error.kind, ErrorKind::kNotFound);
  EXPECT_EQ(error.message,
            "ec2 DescribeInstances: InvalidInstanceID.NotFound: The instance ID 'i-1' does not "
            "exist (request id ea966190-f9aa-478e-9ede-example)");
  auto iam =
      decodeQueryError(404,
                       "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code>"
                       "<Message>x</Message></Error><RequestId>r</RequestId></ErrorResponse>");
  EXPECT_EQ(iam.code, "NoSuchEntity");
  EXPECT_EQ(iam.requestId, "r");
  EXPECT_EQ(decodeQueryError(502, "<html>bad gateway").code, "HTTP502");
}

TEST(QueryParams, EncodesNestedListsOneBased) {
  QueryParams params;
  params.setFilters({{"tag:a b", {"x", "y/z"}}}).setTags("Tag", {{"k", "v"}});
  EXPECT_EQ(params.encode("DescribeThings", "2016-11-15"),
            "Action=DescribeThings&Version=2016-11-15&Filter.1.Name=tag%3Aa%20b&Filter.1.Value.1=x"
            "&Filter.1.Value.2=y%2Fz&Tag.1.Key=k&Tag.1.Value=v");
}

}  // namespace
}  // namespace karpenter::aws
