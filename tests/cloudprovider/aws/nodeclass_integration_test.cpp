// The EC2NodeClass controller on the test apiserver against the wire-faithful test EC2, SSM and
// IAM endpoints: Ready when everything resolves, a named reason when a selector matches
// nothing, alias AMIs through SSM with the cluster's Kubernetes version, the instance profile
// created from spec.role and deleted with the class (after its NodeClaims are gone).

#include <gtest/gtest.h>

#include "aws/fake_ec2/fake_ec2.hpp"
#include "aws_test_account.hpp"
#include "karpenter/cloudprovider/aws/nodeclass_controller.hpp"
#include "karpenter/cloudprovider/aws/nodeclass_hash.hpp"
#include "karpenter/cloudprovider/aws/nodeclass_instance_profile.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

using controllers::test::json;
using controllers::test::kNodeClaims;
using controllers::test::kNodeClasses;
using namespace std::chrono_literals;

constexpr const char* kAl2023Prefix = "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/";

class NodeClassLoop : public controllers::test::ControllerLoop {
 protected:
  void SetUp() override {
    ControllerLoop::SetUp();
    if (IsSkipped()) {
      return;
    }
    testing::seedAccount(account_.ssm, account_.iam, "1.31");

    const auto config = account_.config();
    auto credentials = karpenter::aws::testing::fakeCredentials(account_.ec2);
    auto http = karpenter::aws::makeCurlHttpClient();
    const auto clock = karpenter::aws::systemClock();
    clients_.ec2 = std::make_shared<karpenter::aws::Ec2Client>(config, credentials, http, clock);
    clients_.ssm = std::make_shared<karpenter::aws::SsmClient>(config, credentials, http, clock);
    clients_.iam = std::make_shared<karpenter::aws::IamClient>(config, credentials, http, clock);
    start(fastOptions(), false);  // informers and state only; this suite runs one controller
  }

  void TearDown() override {
    if (controller_) {
      controller_->stop();
    }
    ControllerLoop::TearDown();
  }

  void startController(std::function<Result<std::string>()> version = [] {
    return Result<std::string>(std::string("1.31"));
  }) {
    EC2NodeClassController::Options options;
    options.clusterName = "test-cluster";
    options.region = "us-east-1";
    options.kubernetesVersion = std::move(version);
    options.pollInterval = 20ms;
    options.deletionRecheck = 1s;
    options.resolveInterval = 1s;  // upstream's 1 min, shortened so changes show within a test
    controller_ =
        std::make_unique<EC2NodeClassController>(*client_, manager_->state(), clients_, options);
    controller_->start();
  }

  static json nodeClass(const std::string& name, const std::string& discovery = "test") {
    json object = testing::discoveredNodeClass(name, discovery);
    object["spec"]["tags"] = {{"team", "autoscaling"}};
    return object;
  }

  json conditionOf(const json& object, std::string_view type) {
    for (const auto& c :
         object.value("status", json::object()).value("conditions", json::array())) {
      if (c.value("type", "") == type) {
        return c;
      }
    }
    return nullptr;
  }

  // Waits until the stored class has a condition of `type` with `status`; returns the object.
  json waitFor(const std::string& name, std::string_view type, const std::string& status) {
    json stored;
    const bool reached = eventually([&] {
      stored = get(kNodeClasses.named(name));
      const json c = conditionOf(stored, type);
      return !c.is_null() && c.value("status", "") == status;
    });
    EXPECT_TRUE(reached) << type << " never became " << status << ": " << stored.dump(2);
    return stored;
  }

  testing::FakeAwsAccount account_;
  EC2NodeClassController::Clients clients_;
  std::unique_ptr<EC2NodeClassController> controller_;
};

TEST_F(NodeClassLoop, ReadyWhenEverythingResolves) {
  startController();
  create(kNodeClasses, nodeClass("default"));
  const json stored = waitFor("default", "Ready", "True");
  const json& status = stored["status"];

  // Subnets: every test subnet (one per zone, subnet-testN has 260 - 10·N free IPs), most
  // free IPs first.
  const size_t zones = account_.ec2.zones().size();
  ASSERT_EQ(status["subnets"].size(), zones) << status.dump(2);
  for (size_t i = 0; i < zones; ++i) {
    EXPECT_EQ(status["subnets"][i]["id"], "subnet-test" + std::to_string(i + 1));
    EXPECT_EQ(status["subnets"][i]["zone"], account_.ec2.zones()[i]);
  }
  EXPECT_EQ(status["subnets"][0]["zoneID"], "tstz1-az1");
  ASSERT_EQ(status["securityGroups"].size(), zones);
  EXPECT_EQ(status["securityGroups"][0]["id"], "sg-test1");
  EXPECT_EQ(status["securityGroups"][0]["name"], "test-group-1");

  // AMIs: the alias resolved through SSM for Kubernetes 1.31, one per architecture.
  ASSERT_EQ(status["amis"].size(), 2u) << status["amis"].dump(2);
  std::map<std::string, std::string> archOf;
  for (const auto& ami : status["amis"]) {
    for (const auto& r : ami["requirements"]) {
      if (r["key"] == "kubernetes.io/arch") {
        archOf[ami["id"]] = r["values"][0];
      }
    }
  }
  EXPECT_EQ(archOf,
            (std::map<std::string, std::string>{{"ami-test1", "amd64"}, {"ami-test2", "arm64"}}));
  const auto asked = account_.ssm.requestedNames();
  EXPECT_NE(std::find(asked.begin(), asked.end(),
                      std::string(kAl2023Prefix) + "x86_64/standard/recommended/image_id"),
            asked.end());

  // Instance profile: generated from the role, tagged, holding the role.
  auto decoded = api::decodeJson<api::EC2NodeClass>(stored);
  ASSERT_TRUE(decoded);
  const std::string profileName =
      InstanceProfileManager::generatedName("test-cluster", "us-east-1", *decoded);
  EXPECT_EQ(status["instanceProfile"], profileName);
  EXPECT_EQ(profileName.rfind("test-cluster_", 0), 0u);
  const auto profiles = account_.iam.instanceProfiles();
  ASSERT_TRUE(profiles.contains(profileName));
  EXPECT_EQ(profiles.at(profileName).roles, std::vector<std::string>{"KarpenterNodeRole-test"});
  const auto& tags = profiles.at(profileName).tags;
  EXPECT_EQ(tags.at("kubernetes.io/cluster/test-cluster"), "owned");
  EXPECT_EQ(tags.at("eks:eks-cluster-name"), "test-cluster");
  EXPECT_EQ(tags.at("karpenter.k8s.aws/ec2nodeclass"), "default");
  EXPECT_EQ(tags.at("topology.kubernetes.io/region"), "us-east-1");
  EXPECT_EQ(tags.at("team"), "autoscaling");

  for (const std::string type : {"SubnetsReady", "SecurityGroupsReady", "AMIsReady",
                                 "InstanceProfileReady", "ValidationSucceeded"}) {
    EXPECT_EQ(conditionOf(stored, type).value("status", ""), "True") << type;
  }
  // Finalizer and drift hash.
  EXPECT_EQ(stored["metadata"]["finalizers"], json::array({"karpenter.k8s.aws/termination"}));
  EXPECT_TRUE(eventually([&] {
    const json annotations =
        get(kNodeClasses.named("default"))["metadata"].value("annotations", json::object());
    return annotations.value(std::string(kNodeClassHashAnnotation), "") ==
               nodeClassHash(decoded->spec) &&
           annotations.value(std::string(kNodeClassHashVersionAnnotation), "") ==
               kNodeClassHashVersion;
  }));
  EXPECT_EQ(account_.ec2.rejectedSignatures(), 0);
  EXPECT_EQ(account_.iam.rejectedSignatures(), 0);
  EXPECT_EQ(account_.ssm.rejectedSignatures(), 0);
}

TEST_F(NodeClassLoop, NotReadyNamesTheSelectorThatMatchedNothing) {
  startController();
  create(kNodeClasses, nodeClass("nowhere", "no-such-cluster"));
  const json stored = waitFor("nowhere", "SubnetsReady", "False");
  const json subnets = conditionOf(stored, "SubnetsReady");
  EXPECT_EQ(subnets["reason"], "SubnetsNotFound");
  EXPECT_NE(subnets["message"].get<std::string>().find("no-such-cluster"), std::string::npos)
      << subnets.dump();
  const json ready = conditionOf(stored, "Ready");
  EXPECT_EQ(ready["status"], "False");
  EXPECT_EQ(ready["reason"], "SubnetsNotFound");
  EXPECT_EQ(stored["status"]["subnets"], json::array());
  // What did resolve is still reported.
  EXPECT_EQ(conditionOf(stored, "SecurityGroupsReady")["status"], "True");
  EXPECT_EQ(conditionOf(stored, "AMIsReady")["status"], "True");
}

TEST_F(NodeClassLoop, AliasWithoutAPublishedParameterIsNotReady) {
  startController([] { return Result<std::string>(std::string("1.30")); });
  create(kNodeClasses, nodeClass("old"));
  const json stored = waitFor("old", "AMIsReady", "False");
  EXPECT_EQ(conditionOf(stored, "AMIsReady")["reason"], "AMINotFound");
  EXPECT_EQ(conditionOf(stored, "Ready")["status"], "False");
}

TEST_F(NodeClassLoop, MissingGivenInstanceProfileIsNotReady) {
  startController();
  json object = nodeClass("given");
  object["spec"].erase("role");
  object["spec"]["instanceProfile"] = "AdminMadeProfile";
  create(kNodeClasses, object);
  json stored = waitFor("given", "InstanceProfileReady", "False");
  EXPECT_EQ(conditionOf(stored, "InstanceProfileReady")["reason"], "InstanceProfileNotFound");
  EXPECT_NE(conditionOf(stored, "InstanceProfileReady")["message"].get<std::string>().find(
                "AdminMadeProfile"),
            std::string::npos);
  // Once the administrator creates it (with a role), the class becomes Ready; Karpenter never
  // creates or tags a profile it was given.
  account_.iam.addInstanceProfile("AdminMadeProfile", "KarpenterNodeRole-test");
  stored = waitFor("given", "Ready", "True");
  EXPECT_EQ(stored["status"]["instanceProfile"], "AdminMadeProfile");
  EXPECT_TRUE(account_.iam.requests("CreateInstanceProfile").empty());
  EXPECT_TRUE(account_.iam.requests("TagInstanceProfile").empty());
}

TEST_F(NodeClassLoop, DeletionWaitsForNodeClaimsThenDeletesTheGeneratedProfile) {
  startController();
  create(kNodeClasses, nodeClass("doomed"));
  json stored = waitFor("doomed", "Ready", "True");
  const std::string profile = stored["status"]["instanceProfile"];
  ASSERT_TRUE(account_.iam.instanceProfiles().contains(profile));

  create(kNodeClaims,
         {{"apiVersion", "karpenter.sh/v1"},
          {"kind", "NodeClaim"},
          {"metadata", {{"name", "doomed-claim"}, {"labels", {{"karpenter.sh/nodepool", "p"}}}}},
          {"spec",
           {{"nodeClassRef",
             {{"group", "karpenter.k8s.aws"}, {"kind", "EC2NodeClass"}, {"name", "doomed"}}},
            {"requirements", json::array()}}}});
  ASSERT_TRUE(eventually(
      [&] { return manager_->state().snapshot()->nodeClaims->contains("doomed-claim"); }));
  ASSERT_TRUE(client_->remove(kNodeClasses.named("doomed"), {}));
  // Held by the finalizer while the NodeClaim exists; the profile stays.
  std::this_thread::sleep_for(500ms);
  stored = get(kNodeClasses.named("doomed"));
  ASSERT_FALSE(stored.is_null()) << "deleted while a NodeClaim still referenced it";
  EXPECT_TRUE(stored["metadata"].contains("deletionTimestamp"));
  EXPECT_TRUE(account_.iam.instanceProfiles().contains(profile));

  ASSERT_TRUE(client_->remove(kNodeClaims.named("doomed-claim"), {}));
  EXPECT_TRUE(eventually([&] { return get(kNodeClasses.named("doomed")).is_null(); }))
      << get(kNodeClasses.named("doomed")).dump(2);
  EXPECT_FALSE(account_.iam.instanceProfiles().contains(profile));
  EXPECT_EQ(account_.iam.requests("RemoveRoleFromInstanceProfile").size(), 1u);
  EXPECT_EQ(account_.iam.requests("DeleteInstanceProfile").size(), 1u);
}

TEST_F(NodeClassLoop, UnknownRoleCreatesNoProfile) {
  startController();
  json object = nodeClass("typo");
  object["spec"]["role"] = "KarpenterNodeRole-tset";
  create(kNodeClasses, object);
  const json stored = waitFor("typo", "InstanceProfileReady", "False");
  EXPECT_EQ(conditionOf(stored, "InstanceProfileReady")["reason"], "InstanceProfileNotFound");
  EXPECT_NE(conditionOf(stored, "InstanceProfileReady")["message"].get<std::string>().find(
                "KarpenterNodeRole-tset"),
            std::string::npos);
  EXPECT_TRUE(account_.iam.instanceProfiles().empty());
}

}  // namespace
}  // namespace karpenter::cloudprovider::aws
