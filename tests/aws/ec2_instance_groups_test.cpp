// An instance's security groups: DescribeInstances' groupSet as EC2 writes it (a canned answer
// in the 2016-11-15 shape), and the test EC2 reporting the groups its instances were launched
// with (the launch template's SecurityGroupId.N, or RunInstances' own).

#include <gtest/gtest.h>

#include "aws/fake_ec2/fake_clients.hpp"
#include "karpenter/aws/ec2_client.hpp"

namespace karpenter::aws {
namespace {

// Answers every request with one fixed body, as EC2 would have answered it.
class CannedEc2Answer final : public HttpClient {
 public:
  explicit CannedEc2Answer(std::string body) : body_(std::move(body)) {}
  Result<HttpResponse> send(const HttpRequest&) override {
    return HttpResponse{200, {{"Content-Type", "text/xml;charset=UTF-8"}}, body_};
  }

 private:
  std::string body_;
};

// The nesting of a real answer: a reservation-level groupSet (empty in a VPC), the instance's
// groupSet, and an ENI's own groupSet inside networkInterfaceSet.
constexpr const char* kDescribeInstancesAnswer = R"(<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
  <reservationSet>
    <item>
      <reservationId>r-1234567890abcdef0</reservationId>
      <ownerId>123456789012</ownerId>
      <groupSet/>
      <instancesSet>
        <item>
          <instanceId>i-1234567890abcdef0</instanceId>
          <imageId>ami-bff32ccc</imageId>
          <instanceState><code>16</code><name>running</name></instanceState>
          <instanceType>m5.large</instanceType>
          <placement>
            <availabilityZone>us-east-1a</availabilityZone>
            <groupName/>
            <tenancy>default</tenancy>
          </placement>
          <subnetId>subnet-56f5f633</subnetId>
          <vpcId>vpc-11112222</vpcId>
          <groupSet>
            <item>
              <groupId>sg-e4076980</groupId>
              <groupName>SecurityGroup1</groupName>
            </item>
            <item>
              <groupId>sg-0a1b2c3d</groupId>
              <groupName>eks-cluster-sg-test</groupName>
            </item>
          </groupSet>
          <networkInterfaceSet>
            <item>
              <networkInterfaceId>eni-0598c7d356eba48d7</networkInterfaceId>
              <groupSet>
                <item>
                  <groupId>sg-e4076980</groupId>
                  <groupName>SecurityGroup1</groupName>
                </item>
              </groupSet>
            </item>
          </networkInterfaceSet>
          <tagSet>
            <item><key>karpenter.sh/nodepool</key><value>default</value></item>
          </tagSet>
        </item>
      </instancesSet>
    </item>
  </reservationSet>
</DescribeInstancesResponse>)";

TEST(Ec2InstanceGroups, ParsesTheInstancesOwnGroupSet) {
  AwsConfig config;
  config.region = "us-east-1";
  config.serviceUrls["ec2"] = "http://127.0.0.1:9";  // never dialled: the answer is canned
  Ec2Client client(config, makeStaticProvider({"AKIDEXAMPLE", "secret", "", std::nullopt, "test"}),
                   std::make_shared<CannedEc2Answer>(kDescribeInstancesAnswer), systemClock());
  auto instances = client.describeInstances({"i-1234567890abcdef0"});
  ASSERT_TRUE(instances.ok()) << instances.error().message;
  ASSERT_EQ(instances->size(), 1u);
  const Instance& instance = instances->front();
  ASSERT_EQ(instance.securityGroups.size(), 2u);
  EXPECT_EQ(instance.securityGroups[0].id, "sg-e4076980");
  EXPECT_EQ(instance.securityGroups[0].name, "SecurityGroup1");
  EXPECT_EQ(instance.securityGroups[1].id, "sg-0a1b2c3d");
  EXPECT_EQ(instance.securityGroups[1].name, "eks-cluster-sg-test");
  EXPECT_EQ(instance.tags.at("karpenter.sh/nodepool"), "default");
}

TEST(Ec2InstanceGroups, TheTestEc2ReportsTheGroupsInstancesWereLaunchedWith) {
  testing::FakeEc2 ec2;
  auto client = testing::fakeEc2Client(ec2);
  CreateLaunchTemplateRequest launchTemplate;
  launchTemplate.name = "karpenter.k8s.aws/groups";
  launchTemplate.imageId = "ami-test1";
  launchTemplate.securityGroupIds = {"sg-test2", "sg-test1"};
  ASSERT_TRUE(client->createLaunchTemplate(launchTemplate).ok());

  RunInstancesRequest fromTemplate;
  fromTemplate.instanceType = "m5.large";
  fromTemplate.launchTemplateName = launchTemplate.name;
  auto launched = client->runInstances(fromTemplate);
  ASSERT_TRUE(launched.ok()) << launched.error().message;
  ASSERT_EQ(launched->size(), 1u);

  auto described = client->describeInstances({launched->front().id});
  ASSERT_TRUE(described.ok()) << described.error().message;
  ASSERT_EQ(described->size(), 1u);
  const auto& groups = described->front().securityGroups;
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].id, "sg-test2");
  EXPECT_EQ(groups[0].name, "test-group-2");
  EXPECT_EQ(groups[1].id, "sg-test1");
  EXPECT_EQ(groups[1].name, "test-group-1");
}

}  // namespace
}  // namespace karpenter::aws
