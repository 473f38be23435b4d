#include "karpenter/cloudprovider/simulated/simulated_cloud.hpp"

#include <atomic>
#include <limits>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "karpenter/api/well_known.hpp"

namespace karpenter::cloudprovider::simulated {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

class SimulatedCloudTest : public ::testing::Test {
 protected:
  SimulatedCloudTest() : cloud_(SimulatedCloud::Options{.clock = [this] { return now_.load(); }}) {}

  static api::NodeClaim nodeClaim(
      const std::string& name,
      std::vector<std::pair<std::string, std::vector<std::string>>> requirements,
      api::ResourceList requests = {}) {
    api::NodeClaim claim;
    claim.metadata.name = name;
    claim.metadata.labels["karpenter.sh/nodepool"] = "default";
    for (auto& [key, values] : requirements) {
      claim.spec.requirements.push_back({key, "In", std::move(values)});
    }
    claim.spec.resources.requests = std::move(requests);
    return claim;
  }

  // The cheapest available offering of `typeNames` for `capacityType`, from instanceTypes().
  std::pair<std::string, double> cheapest(const std::vector<std::string>& typeNames,
                                          const std::string& capacityType) {
    auto types = cloud_.instanceTypes(api::NodePool{});
    EXPECT_TRUE(types.ok());
    std::pair<std::string, double> best{"", std::numeric_limits<double>::infinity()};
    for (const auto& type : *types) {
      if (std::find(typeNames.begin(), typeNames.end(), type.name) == typeNames.end()) {
        continue;
      }
      for (const auto& o : type.offerings) {
        if (o.available &&
            o.requirements.find(api::kCapacityTypeLabelKey)->values().front() == capacityType &&
            o.price < best.second) {
          best = {type.name + "/" + o.requirements.find(api::kLabelTopologyZone)->values().front(),
                  o.price};
        }
      }
    }
    return best;
  }

  bool offeringAvailable(const std::string& typeName, const std::string& zone,
                         const std::string& capacityType) {
    auto types = cloud_.instanceTypes(api::NodePool{});
    for (const auto& type : *types) {
      if (type.name != typeName) {
        continue;
      }
      for (const auto& o : type.offerings) {
        if (o.requirements.find(api::kLabelTopologyZone)->values().front() == zone &&
            o.requirements.find(api::kCapacityTypeLabelKey)->values().front() == capacityType) {
          return o.available;
        }
      }
    }
    ADD_FAILURE() << "no offering " << typeName << " " << zone << " " << capacityType;
    return false;
  }

  static std::string where(const api::NodeClaim& launched) {
    return launched.metadata.labels.at(std::string(api::kLabelInstanceType)) + "/" +
           launched.metadata.labels.at(std::string(api::kLabelTopologyZone));
  }

  std::atomic<std::chrono::system_clock::time_point> now_{std::chrono::system_clock::time_point{} +
                                                          std::chrono::hours(24 * 365 * 55)};
  SimulatedCloud cloud_;
};

const std::string kType(api::kLabelInstanceType);
const std::string kCapacity(api::kCapacityTypeLabelKey);
const std::string kZone(api::kLabelTopologyZone);

TEST_F(SimulatedCloudTest, CreateLaunchesTheCheapestCompatibleOffering) {
  const std::vector<std::string> types = {"m5.large", "m6i.large", "c5.xlarge", "r5.large"};
  auto launched = cloud_.create(nodeClaim("a", {{kType, types}}));
  ASSERT_TRUE(launched.ok()) << launched.error().message;
  const auto expected = cheapest(types, "spot");  // spot is always the cheaper capacity type
  EXPECT_EQ(where(*launched), expected.first);
  EXPECT_EQ(launched->metadata.labels.at(kCapacity), "spot");

  auto onDemand = cloud_.create(nodeClaim("b", {{kType, types}, {kCapacity, {"on-demand"}}}));
  ASSERT_TRUE(onDemand.ok()) << onDemand.error().message;
  EXPECT_EQ(where(*onDemand), cheapest(types, "on-demand").first);
  EXPECT_EQ(onDemand->metadata.labels.at(kCapacity), "on-demand");
}

TEST_F(SimulatedCloudTest, LaunchedNodeClaimCarriesProviderIdCapacityAndLabels) {
  auto launched = cloud_.create(nodeClaim("a", {{kType, {"m5.large"}}, {kZone, {"us-east-1b"}}}));
  ASSERT_TRUE(launched.ok()) << launched.error().message;
  EXPECT_TRUE(launched->status.providerID.starts_with("kwok://us-east-1b/i-"))
      << launched->status.providerID;
  EXPECT_EQ(launched->status.providerID.size(), std::string("kwok://us-east-1b/i-").size() + 17);
  const auto& labels = launched->metadata.labels;
  EXPECT_EQ(labels.at("karpenter.sh/nodepool"), "default");  // the NodeClaim's own labels stay
  EXPECT_EQ(labels.at(kType), "m5.large");
  EXPECT_EQ(labels.at(kZone), "us-east-1b");
  EXPECT_EQ(labels.at(std::string(api::kAwsLabelTopologyZoneId)), "use1-az2");
  EXPECT_EQ(labels.at(std::string(api::kLabelArch)), "amd64");
  EXPECT_EQ(labels.at(std::string(api::kLabelOs)), "linux");
  EXPECT_EQ(labels.at(std::string(api::kAwsLabelInstanceFamily)), "m5");
  EXPECT_FALSE(labels.contains(std::string(api::kAwsLabelInstanceGpuCount)));
  const auto type = toInstanceType(*cloud_.catalog().find("m5.large"), "us-east-1", {});
  EXPECT_EQ(launched->status.capacity, type.capacity);
  EXPECT_EQ(launched->status.allocatable, type.allocatable());

  auto got = cloud_.get(launched->status.providerID);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->metadata.name, "a");
  EXPECT_EQ(got->status.providerID, launched->status.providerID);
  const auto instances = cloud_.instances();
  ASSERT_EQ(instances.size(), 1u);
  EXPECT_TRUE(instances[0].nodeName.starts_with("ip-10-0-64-"));  // zone b's /18
  EXPECT_TRUE(instances[0].nodeName.ends_with(".ec2.internal"));
  EXPECT_EQ(instances[0].registrationDelay, std::chrono::milliseconds(500));
}

TEST_F(SimulatedCloudTest, RequestsNarrowTheChoiceToTypesThatFit) {
  api::ResourceList requests{{"cpu", api::Quantity::mustParse("3")},
                             {"memory", api::Quantity::mustParse("4Gi")}};
  auto launched =
      cloud_.create(nodeClaim("a", {{kType, {"m5.large", "m5.xlarge", "m5.2xlarge"}}}, requests));
  ASSERT_TRUE(launched.ok()) << launched.error().message;
  EXPECT_EQ(launched->metadata.labels.at(kType), "m5.xlarge");

  api::ResourceList gpu{{"nvidia.com/gpu", api::Quantity::mustParse("1")}};
  auto gpuLaunch = cloud_.create(nodeClaim("g", {{std::string(api::kLabelArch), {"amd64"}}}, gpu));
  ASSERT_TRUE(gpuLaunch.ok()) << gpuLaunch.error().message;
  EXPECT_EQ(gpuLaunch->metadata.labels.at(std::string(api::kAwsLabelInstanceGpuName)), "t4");
}

TEST_F(SimulatedCloudTest, InsufficientCapacityFallsBackToTheNextOfferingAndIsRemembered) {
  const std::vector<std::string> types = {"m5.large"};
  const auto first = cheapest(types, "on-demand");  // all zones cost the same: us-east-1a
  ASSERT_EQ(first.first, "m5.large/us-east-1a");
  cloud_.injectInsufficientCapacity({"m5.large", "us-east-1a", "on-demand"});

  auto launched = cloud_.create(nodeClaim("a", {{kType, types}, {kCapacity, {"on-demand"}}}));
  ASSERT_TRUE(launched.ok()) << launched.error().message;
  EXPECT_EQ(where(*launched), "m5.large/us-east-1b");
  EXPECT_FALSE(offeringAvailable("m5.large", "us-east-1a", "on-demand"));
  EXPECT_TRUE(offeringAvailable("m5.large", "us-east-1a", "spot"));
  EXPECT_TRUE(offeringAvailable("m5.large", "us-east-1b", "on-demand"));

  // Capacity is back, but the mark holds for 3 minutes: the pool is not tried again.
  cloud_.clearInsufficientCapacity();
  now_ = now_.load() + minutes(2) + seconds(59);
  auto second = cloud_.create(nodeClaim("b", {{kType, types}, {kCapacity, {"on-demand"}}}));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(where(*second), "m5.large/us-east-1b");
  EXPECT_FALSE(offeringAvailable("m5.large", "us-east-1a", "on-demand"));

  now_ = now_.load() + seconds(1);
  EXPECT_TRUE(offeringAvailable("m5.large", "us-east-1a", "on-demand"));
  auto third = cloud_.create(nodeClaim("c", {{kType, types}, {kCapacity, {"on-demand"}}}));
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(where(*third), "m5.large/us-east-1a");
}

TEST_F(SimulatedCloudTest, NoCapacityAnywhereIsInsufficientCapacityNamingWhatWasTried) {
  cloud_.injectInsufficientCapacity({.zone = "us-east-1a"});
  cloud_.injectInsufficientCapacity({.instanceType = "m5.large"});
  auto launched = cloud_.create(nodeClaim("a", {{kType, {"m5.large"}}, {kCapacity, {"spot"}}}));
  ASSERT_FALSE(launched.ok());
  EXPECT_EQ(launched.error().kind, ErrorKind::kInsufficientCapacity);
  for (const char* zone : {"us-east-1a", "us-east-1b", "us-east-1c"}) {
    EXPECT_NE(launched.error().message.find(std::string("spot:m5.large:") + zone),
              std::string::npos)
        << launched.error().message;
    EXPECT_FALSE(offeringAvailable("m5.large", zone, "spot"));
  }
  EXPECT_TRUE(cloud_.instances().empty());

  // A zone-wide fault leaves other zones usable.
  auto other = cloud_.create(nodeClaim("b", {{kType, {"c5.large"}}, {kCapacity, {"on-demand"}}}));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(where(*other), "c5.large/us-east-1b");

  auto nothing = cloud_.create(nodeClaim("c", {{kType, {"no-such.type"}}}));
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(nothing.error().kind, ErrorKind::kInsufficientCapacity);
  EXPECT_NE(nothing.error().message.find("no available offering satisfies"), std::string::npos);
}

TEST_F(SimulatedCloudTest, RemoveThenNotFound) {
  auto launched = cloud_.create(nodeClaim("a", {{kType, {"m5.large"}}}));
  ASSERT_TRUE(launched.ok());
  auto listed = cloud_.list();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].status.providerID, launched->status.providerID);

  EXPECT_TRUE(cloud_.remove(*launched).ok());
  auto again = cloud_.remove(*launched);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kNotFound);
  auto got = cloud_.get(launched->status.providerID);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(cloud_.list()->empty());
  auto unlaunched = cloud_.remove(nodeClaim("never", {}));
  ASSERT_FALSE(unlaunched.ok());
  EXPECT_EQ(unlaunched.error().kind, ErrorKind::kNotFound);
}

TEST_F(SimulatedCloudTest, InjectedCreateAndDeleteErrorsHappenOnce) {
  cloud_.failNextCreates(Error{ErrorKind::kUnavailable, "CreateFleet: internal error"});
  auto failed = cloud_.create(nodeClaim("a", {{kType, {"m5.large"}}}));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().kind, ErrorKind::kUnavailable);
  EXPECT_NE(failed.error().message.find("nodeclaim \"a\""), std::string::npos);
  EXPECT_TRUE(cloud_.instances().empty());
  auto launched = cloud_.create(nodeClaim("a", {{kType, {"m5.large"}}}));
  ASSERT_TRUE(launched.ok());

  cloud_.failNextDeletes(Error{ErrorKind::kThrottled, "RequestLimitExceeded"}, 2);
  EXPECT_EQ(cloud_.remove(*launched).error().kind, ErrorKind::kThrottled);
  EXPECT_EQ(cloud_.remove(*launched).error().kind, ErrorKind::kThrottled);
  EXPECT_EQ(cloud_.instances().size(), 1u);
  EXPECT_TRUE(cloud_.remove(*launched).ok());
}

TEST_F(SimulatedCloudTest, InvalidRequirementsAreInvalid) {
  api::NodeClaim claim = nodeClaim("a", {});
  claim.spec.requirements.push_back({kType, "Between", {"x"}});
  auto launched = cloud_.create(claim);
  ASSERT_FALSE(launched.ok());
  EXPECT_EQ(launched.error().kind, ErrorKind::kInvalid);
}

TEST_F(SimulatedCloudTest, RegistrationDriftAndRepairSettings) {
  cloud_.setRegistrationDelay(std::nullopt);
  auto never = cloud_.create(nodeClaim("a", {{kType, {"m5.large"}}}));
  ASSERT_TRUE(never.ok());
  cloud_.setRegistrationDelay(std::chrono::milliseconds(5000));
  auto slow = cloud_.create(nodeClaim("b", {{kType, {"m5.large"}}}));
  ASSERT_TRUE(slow.ok());
  auto instances = cloud_.instances();
  ASSERT_EQ(instances.size(), 2u);
  EXPECT_EQ(instances[0].registrationDelay, std::nullopt);
  EXPECT_EQ(instances[1].registrationDelay, std::chrono::milliseconds(5000));
  ASSERT_TRUE(
      cloud_.setInstanceRegistrationDelay(never->status.providerID, std::chrono::milliseconds(1))
          .ok());
  EXPECT_EQ(cloud_.instances()[0].registrationDelay, std::chrono::milliseconds(1));
  EXPECT_EQ(cloud_.setInstanceRegistrationDelay("kwok://x/i-0", std::nullopt).error().kind,
            ErrorKind::kNotFound);

  EXPECT_EQ(*cloud_.isDrifted(*slow), "");
  cloud_.setDrifted(slow->status.providerID, "AMIDrift");
  EXPECT_EQ(*cloud_.isDrifted(*slow), "AMIDrift");
  EXPECT_EQ(*cloud_.isDrifted(*never), "");

  EXPECT_EQ(cloud_.name(), "kwok");
  const auto policies = cloud_.repairPolicies();
  ASSERT_EQ(policies.size(), 2u);
  EXPECT_EQ(policies[0], (RepairPolicy{"Ready", "False", minutes(10)}));
  EXPECT_EQ(policies[1], (RepairPolicy{"Ready", "Unknown", minutes(10)}));
}

TEST_F(SimulatedCloudTest, ConcurrentCreatesGetDistinctInstancesAndAddresses) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto launched = cloud_.create(
            nodeClaim("n-" + std::to_string(t) + "-" + std::to_string(i), {{kType, {"m5.large"}}}));
        EXPECT_TRUE(launched.ok());
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  std::set<std::string> ids;
  std::set<std::string> names;
  for (const auto& instance : cloud_.instances()) {
    ids.insert(instance.providerID);
    names.insert(instance.nodeName);
  }
  EXPECT_EQ(ids.size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(names.size(), size_t{kThreads * kPerThread});
}

}  // namespace
}  // namespace karpenter::cloudprovider::simulated
