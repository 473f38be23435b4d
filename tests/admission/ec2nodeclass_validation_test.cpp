#include "karpenter/admission/ec2nodeclass_validation.hpp"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "karpenter/admission/defaulting.hpp"
#include "karpenter/api/codec.hpp"
#include "karpenter/api/patch.hpp"

namespace karpenter::admission {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kValid = R"({
  "apiVersion": "karpenter.k8s.aws/v1", "kind": "EC2NodeClass", "metadata": {"name": "default"},
  "spec": {
    "role": "KarpenterNodeRole",
    "amiSelectorTerms": [{"alias": "al2023@latest"}],
    "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": "demo"}}],
    "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": "demo"}}]
  }})";

// The valid class with `specPatch` merged into its spec (RFC 7386: null removes a field), then
// validated; the messages of every violation.
std::vector<std::string> check(const std::string& specPatch) {
  json object = json::parse(kValid);
  object["spec"] = api::applyMergePatch(object["spec"], json::parse(specPatch));
  auto decoded = api::decodeObject<api::EC2NodeClass>(object);
  EXPECT_TRUE(decoded.ok()) << decoded.error().message;
  if (!decoded.ok()) {
    return {"decode failed"};
  }
  return validateEC2NodeClass(*decoded).messages();
}

TEST(EC2NodeClassValidation, ValidClassIsAdmitted) {
  EXPECT_THAT(check("{}"), IsEmpty());
}

TEST(EC2NodeClassValidation, DefaultedValidClassIsAdmitted) {
  auto decoded = api::decodeObject<api::EC2NodeClass>(defaultEC2NodeClass(json::parse(kValid)));
  ASSERT_TRUE(decoded.ok());
  EXPECT_THAT(validateEC2NodeClass(*decoded).messages(), IsEmpty());
}

TEST(EC2NodeClassValidation, SubnetSelectorTerms) {
  EXPECT_THAT(check(R"({"subnetSelectorTerms":[{"id":"subnet-0abc12"}]})"), IsEmpty());
  EXPECT_THAT(
      check(R"({"subnetSelectorTerms":[]})"),
      ElementsAre("spec.subnetSelectorTerms: Required value: subnetSelectorTerms cannot be empty"));
  EXPECT_THAT(check(R"({"subnetSelectorTerms":[{}]})"),
              ElementsAre("spec.subnetSelectorTerms[0]: Invalid value: \"object\": expected at "
                          "least one, got none, ['tags', 'id']"));
  EXPECT_THAT(check(R"({"subnetSelectorTerms":[{"id":"subnet-1","tags":{"a":"b"}}]})"),
              ElementsAre("spec.subnetSelectorTerms[0].id: Forbidden: 'id' is mutually exclusive, "
                          "cannot be set with a combination of other fields in "
                          "subnetSelectorTerms"));
  EXPECT_THAT(check(R"({"subnetSelectorTerms":[{"id":"sg-1"}]})"),
              ElementsAre("spec.subnetSelectorTerms[0].id: Invalid value: \"sg-1\": "
                          "spec.subnetSelectorTerms[0].id in body should match "
                          "'^subnet-[0-9a-z]+$'"));
  EXPECT_THAT(check(R"({"subnetSelectorTerms":[{"tags":{"a":""}}]})"),
              ElementsAre("spec.subnetSelectorTerms[0].tags[a]: Invalid value: \"\": empty tag "
                          "keys or values aren't supported"));
  json terms = json::array();
  for (int i = 0; i < 31; ++i) {
    terms.push_back({{"id", "subnet-" + std::to_string(i)}});
  }
  EXPECT_THAT(check(json{{"subnetSelectorTerms", terms}}.dump()),
              ElementsAre("spec.subnetSelectorTerms: Too many: 31: must have at most 30 items"));
  json tags = json::object();
  for (int i = 0; i < 21; ++i) {
    tags["k" + std::to_string(i)] = "*";
  }
  EXPECT_THAT(check(json{{"subnetSelectorTerms", {{{"tags", tags}}}}}.dump()),
              ElementsAre("spec.subnetSelectorTerms[0].tags: Too many: 21: must have at most 20 "
                          "items"));
}

TEST(EC2NodeClassValidation, SecurityGroupSelectorTerms) {
  EXPECT_THAT(check(R"({"securityGroupSelectorTerms":[{"id":"sg-123"},{"name":"web"}]})"),
              IsEmpty());
  EXPECT_THAT(check(R"({"securityGroupSelectorTerms":[]})"),
              ElementsAre("spec.securityGroupSelectorTerms: Required value: "
                          "securityGroupSelectorTerms cannot be empty"));
  EXPECT_THAT(check(R"({"securityGroupSelectorTerms":[{}]})"),
              ElementsAre(HasSubstr("expected at least one, got none, ['tags', 'id', 'name']")));
  EXPECT_THAT(
      check(R"({"securityGroupSelectorTerms":[{"id":"sg-1","name":"web"}]})"),
      ElementsAre(HasSubstr("securityGroupSelectorTerms[0].id: Forbidden: 'id' is mutually"),
                  HasSubstr("securityGroupSelectorTerms[0].name: Forbidden: 'name' is mutually")));
  EXPECT_THAT(check(R"({"securityGroupSelectorTerms":[{"name":"web","tags":{"a":"b"}}]})"),
              ElementsAre(HasSubstr("[0].name: Forbidden")));
  EXPECT_THAT(check(R"({"securityGroupSelectorTerms":[{"id":"subnet-1"}]})"),
              ElementsAre(HasSubstr("should match '^sg-[0-9a-z]+$'")));
}

TEST(EC2NodeClassValidation, CapacityReservationSelectorTerms) {
  EXPECT_THAT(check(R"({"capacityReservationSelectorTerms":[{"id":"cr-0abc"},
      {"tags":{"team":"a"},"ownerID":"123456789012","instanceMatchCriteria":"targeted"}]})"),
              IsEmpty());
  EXPECT_THAT(check(R"({"capacityReservationSelectorTerms":[{"ownerID":"123456789012"}]})"),
              ElementsAre(HasSubstr("capacityReservationSelectorTerms[0]: Invalid value: "
                                    "\"object\": expected at least one")));
  EXPECT_THAT(check(R"({"capacityReservationSelectorTerms":[{"id":"cr-1","tags":{"a":"b"}}]})"),
              ElementsAre(HasSubstr("capacityReservationSelectorTerms[0].id: Forbidden")));
  EXPECT_THAT(check(R"({"capacityReservationSelectorTerms":[{"id":"r-1"}]})"),
              ElementsAre(HasSubstr("should match '^cr-[0-9a-z]+$'")));
  EXPECT_THAT(
      check(R"({"capacityReservationSelectorTerms":[{"tags":{"a":"b"},"ownerID":"12345"}]})"),
      ElementsAre(HasSubstr("[0].ownerID: Invalid value: \"12345\"")));
  EXPECT_THAT(
      check(R"({"capacityReservationSelectorTerms":[{"instanceMatchCriteria":"closed"}]})"),
      ElementsAre("spec.capacityReservationSelectorTerms[0].instanceMatchCriteria: Unsupported "
                  "value: \"closed\": supported values: \"open\", \"targeted\""));
}

TEST(EC2NodeClassValidation, AmiSelectorTermsFields) {
  EXPECT_THAT(check(R"({"amiFamily":"AL2023","amiSelectorTerms":[{"id":"ami-0123"},
      {"name":"my-ami-*","owner":"123456789012"},{"tags":{"a":"b"},"owner":"self"},
      {"ssmParameter":"/my/ami"}]})"),
              IsEmpty());
  EXPECT_THAT(check(R"({"amiSelectorTerms":[]})"),
              ElementsAre("spec.amiSelectorTerms: Required value: amiSelectorTerms cannot be empty",
                          "spec.amiFamily: Required value: must specify amiFamily if "
                          "amiSelectorTerms does not contain an alias"));
  EXPECT_THAT(check(R"({"amiFamily":"AL2","amiSelectorTerms":[{"owner":"self"}]})"),
              ElementsAre(HasSubstr("['tags', 'id', 'name', 'alias', 'ssmParameter']")));
  EXPECT_THAT(check(R"({"amiFamily":"AL2","amiSelectorTerms":[{"id":"ami-1","name":"x"}]})"),
              ElementsAre(HasSubstr("amiSelectorTerms[0].id: Forbidden: 'id' is mutually")));
  EXPECT_THAT(check(R"({"amiFamily":"AL2","amiSelectorTerms":[{"id":"img-1"}]})"),
              ElementsAre(HasSubstr("should match '^ami-[0-9a-z]+$'")));
  EXPECT_THAT(check(R"({"amiFamily":"AL2","amiSelectorTerms":[{"name":"x","owner":"me"}]})"),
              ElementsAre(HasSubstr("amiSelectorTerms[0].owner: Invalid value: \"me\"")));
}

TEST(EC2NodeClassValidation, AmiAlias) {
  for (const char* alias :
       {"al2@latest", "al2023@v20240625", "bottlerocket@1.20.3", "bottlerocket@v1.20.3",
        "windows2019@latest", "windows2022@latest", "windows2025@latest"}) {
    EXPECT_THAT(check(json{{"amiSelectorTerms", {{{"alias", alias}}}}}.dump()), IsEmpty()) << alias;
  }
  EXPECT_THAT(check(R"({"amiSelectorTerms":[{"alias":"al2023"}]})"),
              ElementsAre("spec.amiSelectorTerms[0].alias: Invalid value: \"al2023\": 'alias' is "
                          "improperly formatted, must match the format 'family@version'"));
  EXPECT_THAT(check(R"({"amiSelectorTerms":[{"alias":"ubuntu@latest"}]})"),
              ElementsAre(HasSubstr("family is not supported")));
  EXPECT_THAT(check(R"({"amiSelectorTerms":[{"alias":"windows2022@v2024"}]})"),
              ElementsAre(HasSubstr("windows families may only specify version 'latest'")));
  EXPECT_THAT(check(R"({"amiSelectorTerms":[{"alias":"al2023@ latest"}]})"),
              ElementsAre(HasSubstr("version must be 'latest' or a release version")));
  EXPECT_THAT(check(R"({"amiSelectorTerms":[{"alias":"bottlerocket@v1.20.3-0123456789abcdef"}]})"),
              ElementsAre(HasSubstr("must be at most 30 characters")));
  EXPECT_THAT(check(R"({"amiSelectorTerms":[{"alias":"al2023@latest","owner":"self"}]})"),
              ElementsAre(HasSubstr("[0].alias: Forbidden: 'alias' is mutually exclusive, cannot "
                                    "be set with a combination of other fields")));
  EXPECT_THAT(check(R"({"amiSelectorTerms":[{"alias":"al2023@latest"},{"id":"ami-1"}]})"),
              ElementsAre("spec.amiSelectorTerms: Forbidden: 'alias' is mutually exclusive, "
                          "cannot be set with a combination of other amiSelectorTerms"));
}

TEST(EC2NodeClassValidation, AmiFamily) {
  EXPECT_THAT(check(R"({"amiFamily":"AL2023"})"), IsEmpty());
  EXPECT_THAT(check(R"({"amiFamily":"Custom"})"), IsEmpty());
  EXPECT_THAT(check(R"({"amiFamily":"Bottlerocket"})"),
              ElementsAre("spec.amiFamily: Invalid value: \"Bottlerocket\": if set, amiFamily "
                          "must be 'AL2023' or 'Custom' when using an AL2023 alias"));
  EXPECT_THAT(check(R"({"amiFamily":"Ubuntu"})"),
              ElementsAre(HasSubstr("spec.amiFamily: Unsupported value: \"Ubuntu\"")));
  EXPECT_THAT(check(R"({"amiSelectorTerms":[{"id":"ami-1"}]})"),
              ElementsAre("spec.amiFamily: Required value: must specify amiFamily if "
                          "amiSelectorTerms does not contain an alias"));
}

TEST(EC2NodeClassValidation, RoleXorInstanceProfile) {
  EXPECT_THAT(check(R"({"role":null,"instanceProfile":"KarpenterProfile"})"), IsEmpty());
  EXPECT_THAT(check(R"({"instanceProfile":"KarpenterProfile"})"),
              ElementsAre("spec: Invalid value: \"object\": must specify exactly one of ['role', "
                          "'instanceProfile']"));
  EXPECT_THAT(check(R"({"role":null})"), ElementsAre(HasSubstr("exactly one of")));
  EXPECT_THAT(check(R"({"role":""})"),
              ElementsAre("spec.role: Invalid value: \"\": role cannot be empty"));
  EXPECT_THAT(check(R"({"role":null,"instanceProfile":""})"),
              ElementsAre("spec.instanceProfile: Invalid value: \"\": instanceProfile cannot be "
                          "empty"));
}

TEST(EC2NodeClassValidation, RoleIsMutableOnUpdate) {
  auto old = api::decodeObject<api::EC2NodeClass>(json::parse(kValid));
  ASSERT_TRUE(old.ok());
  auto updated = *old;
  updated.spec.role = "AnotherRole";
  updated.original = json();
  EXPECT_THAT(validateEC2NodeClassUpdate(*old, updated).messages(), IsEmpty());
  updated.spec.role.clear();
  EXPECT_THAT(validateEC2NodeClassUpdate(*old, updated).messages(),
              ElementsAre(HasSubstr("exactly one of")));
}

TEST(EC2NodeClassValidation, Tags) {
  EXPECT_THAT(check(R"({"tags":{"team":"a","Name":"node","kubernetes.io/role":"x"}})"), IsEmpty());
  EXPECT_THAT(check(R"({"tags":{"":"x"}})"),
              ElementsAre("spec.tags[]: Invalid value: \"\": empty tag keys aren't supported"));
  EXPECT_THAT(
      check(R"({"tags":{"kubernetes.io/cluster/demo":"owned","karpenter.sh/nodepool":"a",
          "karpenter.sh/nodeclaim":"b","karpenter.k8s.aws/ec2nodeclass":"c",
          "eks:eks-cluster-name":"d","aws:foo":"e"}})"),
      ElementsAre(
          HasSubstr("tags[aws:foo]: Invalid value: \"aws:foo\": tag keys starting with"),
          HasSubstr("tags[eks:eks-cluster-name]: Invalid value: \"eks:eks-cluster-name\": "
                    "tag contains a restricted tag matching eks:eks-cluster-name"),
          HasSubstr("tag contains a restricted tag matching karpenter.k8s.aws/ec2nodeclass"),
          HasSubstr("tag contains a restricted tag matching karpenter.sh/nodeclaim"),
          HasSubstr("tag contains a restricted tag matching karpenter.sh/nodepool"),
          HasSubstr("tag contains a restricted tag matching kubernetes.io/cluster/")));
  EXPECT_THAT(check(json{{"tags", {{std::string(128, 'k'), std::string(256, 'v')}}}}.dump()),
              IsEmpty());
  EXPECT_THAT(check(json{{"tags", {{std::string(129, 'k'), "v"}}}}.dump()),
              ElementsAre(HasSubstr("tag keys must be at most 128 characters")));
  EXPECT_THAT(check(json{{"tags", {{"k", std::string(257, 'v')}}}}.dump()),
              ElementsAre(HasSubstr("tag values must be at most 256 characters")));
}

TEST(EC2NodeClassValidation, BlockDeviceMappings) {
  EXPECT_THAT(check(R"({"blockDeviceMappings":[
      {"deviceName":"/dev/xvda","rootVolume":true,"ebs":{"volumeSize":"100Gi","volumeType":"gp3",
       "iops":3000,"throughput":125,"encrypted":true}},
      {"deviceName":"/dev/xvdb","ebs":{"volumeSize":"64T","volumeType":"io2","iops":10000}},
      {"deviceName":"/dev/xvdc","ebs":{"snapshotID":"snap-1","volumeInitializationRate":200}}]})"),
              IsEmpty());
  EXPECT_THAT(check(R"({"blockDeviceMappings":[
      {"deviceName":"/dev/xvda","rootVolume":true,"ebs":{"volumeSize":"1Gi"}},
      {"deviceName":"/dev/xvdb","rootVolume":true,"ebs":{"volumeSize":"1Gi"}}]})"),
              ElementsAre("spec.blockDeviceMappings: Invalid value: \"array\": must have only one "
                          "blockDeviceMappings with rootVolume"));
  EXPECT_THAT(check(R"({"blockDeviceMappings":[{"ebs":{"volumeSize":"1Gi"}}]})"),
              ElementsAre("spec.blockDeviceMappings[0].deviceName: Required value"));
  EXPECT_THAT(
      check(R"({"blockDeviceMappings":[{"deviceName":"/dev/xvda","ebs":{"volumeSize":"1Gi"}},
      {"deviceName":"/dev/xvda","ebs":{"volumeSize":"1Gi"}}]})"),
      ElementsAre("spec.blockDeviceMappings[1].deviceName: Duplicate value: \"/dev/xvda\""));
  EXPECT_THAT(
      check(R"({"blockDeviceMappings":[{"deviceName":"/dev/xvda","ebs":{"encrypted":true}}]})"),
      ElementsAre("spec.blockDeviceMappings[0].ebs: Invalid value: \"object\": snapshotID "
                  "or volumeSize must be defined"));
  json mappings = json::array();
  for (int i = 0; i < 51; ++i) {
    mappings.push_back(
        {{"deviceName", "/dev/sd" + std::to_string(i)}, {"ebs", {{"volumeSize", "1Gi"}}}});
  }
  EXPECT_THAT(check(json{{"blockDeviceMappings", mappings}}.dump()),
              ElementsAre(HasSubstr("Too many: 51: must have at most 50 items")));
}

TEST(EC2NodeClassValidation, VolumeSize) {
  for (const char* size : {"1Gi", "1G", "59000Gi", "64000G", "18Ti", "58Ti", "1T", "64T"}) {
    EXPECT_THAT(check(json{{"blockDeviceMappings",
                            {{{"deviceName", "/dev/xvda"}, {"ebs", {{"volumeSize", size}}}}}}}
                          .dump()),
                IsEmpty())
        << size;
  }
  for (const char* size : {"0Gi", "59001Gi", "64001G", "59Ti", "65T", "Ti", "20", "20Mi", "1.5Gi",
                           "-1Gi", "99999999999999999999Gi"}) {
    EXPECT_THAT(check(json{{"blockDeviceMappings",
                            {{{"deviceName", "/dev/xvda"}, {"ebs", {{"volumeSize", size}}}}}}}
                          .dump()),
                ElementsAre(HasSubstr("spec.blockDeviceMappings[0].ebs.volumeSize: Invalid value")))
        << size;
  }
}

TEST(EC2NodeClassValidation, VolumeTypeIopsThroughput) {
  auto ebs = [](const char* fields) {
    return check(
        std::string(
            R"({"blockDeviceMappings":[{"deviceName":"/dev/xvda","ebs":{"volumeSize":"20Gi",)") +
        fields + "}}]}");
  };
  for (const char* type : {"standard", "io1", "io2", "gp2", "sc1", "st1", "gp3"}) {
    EXPECT_THAT(ebs((std::string(R"("volumeType":")") + type + "\"").c_str()), IsEmpty()) << type;
  }
  EXPECT_THAT(ebs(R"("volumeType":"gp4")"),
              ElementsAre(HasSubstr("ebs.volumeType: Unsupported value: \"gp4\"")));
  EXPECT_THAT(ebs(R"("volumeType":"gp2","iops":3000)"),
              ElementsAre("spec.blockDeviceMappings[0].ebs.iops: Forbidden: iops is only "
                          "supported for volumeType io1, io2 and gp3"));
  EXPECT_THAT(ebs(R"("iops":3000)"), ElementsAre(HasSubstr("ebs.iops: Forbidden")));
  EXPECT_THAT(ebs(R"("volumeType":"io1","throughput":200)"),
              ElementsAre("spec.blockDeviceMappings[0].ebs.throughput: Forbidden: throughput is "
                          "only supported for volumeType gp3"));
  EXPECT_THAT(ebs(R"("volumeType":"gp3","iops":-1)"),
              ElementsAre(HasSubstr("ebs.iops: Invalid value: -1")));
  EXPECT_THAT(ebs(R"("snapshotID":"snap-1","volumeInitializationRate":99)"),
              ElementsAre(HasSubstr("volumeInitializationRate: Invalid value: 99: must be between "
                                    "100 and 300")));
  EXPECT_THAT(ebs(R"("volumeInitializationRate":150)"),
              ElementsAre(HasSubstr("volumeInitializationRate requires snapshotID")));
}

TEST(EC2NodeClassValidation, MetadataOptions) {
  EXPECT_THAT(check(R"({"metadataOptions":{"httpEndpoint":"disabled","httpProtocolIPv6":"enabled",
      "httpPutResponseHopLimit":64,"httpTokens":"optional"}})"),
              IsEmpty());
  EXPECT_THAT(
      check(R"({"metadataOptions":{"httpEndpoint":"on","httpProtocolIPv6":"yes",
          "httpPutResponseHopLimit":0,"httpTokens":"maybe"}})"),
      ElementsAre(
          "spec.metadataOptions.httpEndpoint: Unsupported value: \"on\": supported values: "
          "\"enabled\", \"disabled\"",
          HasSubstr("httpProtocolIPv6: Unsupported value: \"yes\""),
          "spec.metadataOptions.httpPutResponseHopLimit: Invalid value: 0: must be between 1 "
          "and 64",
          HasSubstr("httpTokens: Unsupported value: \"maybe\"")));
  EXPECT_THAT(check(R"({"metadataOptions":{"httpPutResponseHopLimit":65}})"),
              ElementsAre(HasSubstr("Invalid value: 65")));
}

TEST(EC2NodeClassValidation, KubeletCounts) {
  EXPECT_THAT(check(R"({"kubelet":{"maxPods":0,"podsPerCore":2,"clusterDNS":["10.0.0.10","fd00::a"],
      "imageGCHighThresholdPercent":85,"imageGCLowThresholdPercent":80}})"),
              IsEmpty());
  EXPECT_THAT(
      check(R"({"kubelet":{"maxPods":-1,"podsPerCore":-2}})"),
      ElementsAre("spec.kubelet.maxPods: Invalid value: -1: must be greater than or equal to 0",
                  "spec.kubelet.podsPerCore: Invalid value: -2: must be greater than or "
                  "equal to 0"));
  EXPECT_THAT(check(R"({"kubelet":{"clusterDNS":["10.0.0.10","dns.local","10.0.0.256"]}})"),
              ElementsAre("spec.kubelet.clusterDNS[1]: Invalid value: \"dns.local\": must be an "
                          "IPv4 or IPv6 address",
                          HasSubstr("clusterDNS[2]: Invalid value: \"10.0.0.256\"")));
  EXPECT_THAT(
      check(R"({"kubelet":{"imageGCHighThresholdPercent":80,"imageGCLowThresholdPercent":80}})"),
      ElementsAre("spec.kubelet.imageGCHighThresholdPercent: Invalid value: 80: "
                  "imageGCHighThresholdPercent must be greater than "
                  "imageGCLowThresholdPercent"));
  EXPECT_THAT(
      check(R"({"kubelet":{"imageGCHighThresholdPercent":101,"imageGCLowThresholdPercent":-1}})"),
      ElementsAre(HasSubstr("imageGCHighThresholdPercent: Invalid value: 101: must be "
                            "between 0 and 100"),
                  HasSubstr("imageGCLowThresholdPercent: Invalid value: -1")));
}

TEST(EC2NodeClassValidation, KubeletReserved) {
  EXPECT_THAT(check(R"({"kubelet":{"systemReserved":{"cpu":"100m","memory":"100Mi",
      "ephemeral-storage":"1Gi","pid":"100"},"kubeReserved":{"cpu":"0"}}})"),
              IsEmpty());
  EXPECT_THAT(
      check(R"({"kubelet":{"systemReserved":{"gpu":"1"},"kubeReserved":{"memory":"-1Gi"}}})"),
      ElementsAre("spec.kubelet.systemReserved[gpu]: Unsupported value: \"gpu\": supported "
                  "values: \"cpu\", \"memory\", \"ephemeral-storage\", \"pid\"",
                  "spec.kubelet.kubeReserved[memory]: Invalid value: \"-1Gi\": kubeReserved "
                  "value cannot be a negative resource quantity"));
  EXPECT_THAT(check(R"({"kubelet":{"kubeReserved":{"cpu":"lots"}}})"),
              ElementsAre(HasSubstr("kubeReserved[cpu]: Invalid value: \"lots\": must be a "
                                    "resource quantity")));
}

TEST(EC2NodeClassValidation, KubeletEviction) {
  EXPECT_THAT(
      check(R"({"kubelet":{"evictionHard":{"memory.available":"5%","nodefs.available":"10.5%",
      "pid.available":"100"},"evictionSoft":{"memory.available":"500Mi"},
      "evictionSoftGracePeriod":{"memory.available":"1m30s"}}})"),
      IsEmpty());
  EXPECT_THAT(check(R"({"kubelet":{"evictionHard":{"memory.free":"5%"}}})"),
              ElementsAre("spec.kubelet.evictionHard[memory.free]: Invalid value: \"memory.free\": "
                          "valid keys for evictionHard are ['memory.available','nodefs.available',"
                          "'nodefs.inodesFree','imagefs.available','imagefs.inodesFree',"
                          "'pid.available']"));
  EXPECT_THAT(check(R"({"kubelet":{"evictionHard":{"memory.available":"101%"}}})"),
              ElementsAre(HasSubstr("evictionHard[memory.available]: Invalid value: \"101%\": "
                                    "must be a percentage")));
  EXPECT_THAT(check(R"({"kubelet":{"evictionHard":{"memory.available":"-5Mi"}}})"),
              ElementsAre(HasSubstr("must not be negative")));
  EXPECT_THAT(check(R"({"kubelet":{"evictionSoft":{"memory.available":"500Mi"}}})"),
              ElementsAre("spec.kubelet.evictionSoft[memory.available]: Invalid value: \"500Mi\": "
                          "evictionSoft OwnerKey does not have a matching "
                          "evictionSoftGracePeriod"));
  EXPECT_THAT(check(R"({"kubelet":{"evictionSoftGracePeriod":{"nodefs.available":"1m"}}})"),
              ElementsAre(HasSubstr("evictionSoftGracePeriod OwnerKey does not have a matching "
                                    "evictionSoft")));
  EXPECT_THAT(check(R"({"kubelet":{"evictionSoft":{"memory.available":"1Gi"},
      "evictionSoftGracePeriod":{"memory.available":"soon"}}})"),
              ElementsAre(HasSubstr("evictionSoftGracePeriod[memory.available]: Invalid value: "
                                    "\"soon\": must be a non-negative duration")));
}

TEST(EC2NodeClassValidation, InstanceStorePolicyAndBooleans) {
  EXPECT_THAT(check(R"({"instanceStorePolicy":"RAID0","associatePublicIPAddress":false,
      "detailedMonitoring":true,"userData":"anything at all"})"),
              IsEmpty());
  EXPECT_THAT(check(R"({"instanceStorePolicy":"RAID1"})"),
              ElementsAre("spec.instanceStorePolicy: Unsupported value: \"RAID1\": supported "
                          "values: \"RAID0\""));
}

TEST(EC2NodeClassValidation, NetworkInterfaces) {
  EXPECT_THAT(check(R"({"networkInterfaces":[{"networkCardIndex":0,"deviceIndex":0,
      "interfaceType":"interface"},{"networkCardIndex":1,"deviceIndex":0,"interfaceType":"efa-only"}]})"),
              IsEmpty());
  EXPECT_THAT(check(R"({"networkInterfaces":[{"networkCardIndex":1,"deviceIndex":0,
      "interfaceType":"efa"}]})"),
              ElementsAre(HasSubstr("[0].interfaceType: Unsupported value: \"efa\""),
                          HasSubstr("must include the primary interface")));
  EXPECT_THAT(check(R"({"networkInterfaces":[{"networkCardIndex":0,"deviceIndex":0,
      "interfaceType":"interface"},{"networkCardIndex":0,"deviceIndex":0,"interfaceType":"interface"},
      {"networkCardIndex":1,"deviceIndex":1,"interfaceType":"efa-only"},
      {"networkCardIndex":1,"deviceIndex":2,"interfaceType":"efa-only"}]})"),
              ElementsAre("spec.networkInterfaces[1]: Duplicate value: \"0/0\"",
                          HasSubstr("networkInterfaces[3]: Forbidden: at most one efa-only")));
}

TEST(EC2NodeClassValidation, ConnectionTrackingPlacementCpuPrefixes) {
  EXPECT_THAT(check(R"({"connectionTracking":{"tcpEstablishedTimeout":432000,"udpStreamTimeout":60,
      "udpTimeout":30},"placementGroupSelector":{"id":"pg-0abc"},
      "cpuOptions":{"nestedVirtualization":"enabled"},"ipPrefixCount":0})"),
              IsEmpty());
  EXPECT_THAT(check(R"({"connectionTracking":{}})"),
              ElementsAre(HasSubstr("spec.connectionTracking: Invalid value: \"object\": expected "
                                    "at least one")));
  EXPECT_THAT(check(R"({"connectionTracking":{"tcpEstablishedTimeout":59,"udpStreamTimeout":181,
      "udpTimeout":61}})"),
              ElementsAre(HasSubstr("tcpEstablishedTimeout: Invalid value: 59"),
                          HasSubstr("udpStreamTimeout: Invalid value: 181"),
                          HasSubstr("udpTimeout: Invalid value: 61")));
  EXPECT_THAT(check(R"({"placementGroupSelector":{"name":"a","id":"pg-1"}})"),
              ElementsAre(HasSubstr("must specify exactly one of ['name', 'id']")));
  EXPECT_THAT(check(R"({"placementGroupSelector":{"id":"placement-1"}})"),
              ElementsAre(HasSubstr("should match '^pg-[0-9a-z]+$'")));
  EXPECT_THAT(check(R"({"cpuOptions":{"nestedVirtualization":"on"}})"),
              ElementsAre(HasSubstr("nestedVirtualization: Unsupported value: \"on\"")));
  EXPECT_THAT(
      check(R"({"ipPrefixCount":-1})"),
      ElementsAre("spec.ipPrefixCount: Invalid value: -1: must be greater than or equal to 0"));
}

TEST(EC2NodeClassValidation, AllViolationsAtOnce) {
  const auto messages = check(R"({"role":null,"subnetSelectorTerms":[],
      "amiSelectorTerms":[{"alias":"windows2022@v1"}],"tags":{"karpenter.sh/nodepool":"x"},
      "metadataOptions":{"httpTokens":"no"},"kubelet":{"maxPods":-1}})");
  EXPECT_EQ(messages.size(), 6U) << ::testing::PrintToString(messages);
}

TEST(EC2NodeClassValidation, EffectiveAmiFamily) {
  api::EC2NodeClassSpec spec;
  spec.amiSelectorTerms = {api::AMISelectorTerm{.alias = "bottlerocket@latest"}};
  EXPECT_EQ(effectiveAmiFamily(spec), "Bottlerocket");
  spec.amiFamily = "Custom";
  EXPECT_EQ(effectiveAmiFamily(spec), "Custom");
  spec.amiFamily = "Nope";
  EXPECT_EQ(effectiveAmiFamily(spec), std::nullopt);
  EXPECT_EQ(amiFamilyForAlias("windows2025"), "Windows2025");
  EXPECT_EQ(amiFamilyForAlias("ubuntu"), std::nullopt);
}

}  // namespace
}  // namespace karpenter::admission
