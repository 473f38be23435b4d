#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "karpenter/aws/query_client.hpp"
#include "loopback_server.hpp"
#include "wire.hpp"

namespace karpenter::aws::testing {

// A test EC2 endpoint speaking the real Query wire protocol (form-encoded requests, the
// 2016-11-15 XML shapes and error XML), serving the instance types and offerings of
// ../shared/testdata/ec2 (karpenter-fake-*.json; zones test-zone-1a/1b/1c) with on-demand prices
// from on-demand-prices-us-east-1.json, keeping instances, launch templates and fleets in
// memory, and verifying the SigV4 signature of every request. Faults can be injected.
//
// Thread safety: every public method may be called from any thread (one mutex).
class FakeEc2 final {
 public:
  struct Options {
    std::string accessKeyId = "AKIDFAKEEC2EXAMPLE";
    std::string secretAccessKey = "fakeEc2Secret/K7MDENG+bPxRfiCYEXAMPLEKEY";
    std::string region = "us-east-1";
  };

  struct FakeInstance {
    std::string id;
    std::string instanceType;
    std::string zone;
    std::string subnetId;
    std::string imageId;
    std::string lifecycle;  // "spot" or "on-demand"
    std::string state;  // pending → running on the next describe; shutting-down → terminated
    std::string launchTime;
    std::string fleetId;
    Tags tags;
    // (groupId, groupName) of the launch template's or RunInstances' SecurityGroupId.N, as
    // DescribeInstances reports them in the instance's groupSet.
    std::vector<std::pair<std::string, std::string>> securityGroups;
  };

  FakeEc2();
  explicit FakeEc2(Options options);
  ~FakeEc2();

  std::string url() const;
  const Options& options() const { return options_; }

  // Handles one request as the server does (usable without a socket).
  LoopbackResponse handle(const LoopbackRequest& request);

  // --- Fault injection ---
  // CreateFleet/RunInstances in this pool fail with InsufficientInstanceCapacity.
  void setInsufficientCapacity(const std::string& capacityType, const std::string& instanceType,
                               const std::string& zone);
  // The next n requests (after signature checks) fail with RequestLimitExceeded (HTTP 503).
  void throttleNextRequests(int n);
  // The next n requests fail with InternalError and this HTTP status.
  void failNextRequests(int n, int status = 500);
  // CreateFleet launches at most this many instances per call; the rest is reported as
  // InsufficientInstanceCapacity errors (partial fulfilment). Negative = unlimited.
  void limitFleetFulfilment(int maxInstances);
  // Describe* pages hold at most this many items whatever MaxResults asks (as EC2 may do).
  void setMaxPageSize(size_t items);
  // While held, CreateFleet launches its instances but its answer waits (at most a minute)
  // until release: a caller killed meanwhile never learns the IDs of what it launched.
  void holdCreateFleetAnswers();
  void releaseCreateFleetAnswers();
  // Subnets: each launched instance takes one address of its subnet; CreateFleet overrides in
  // a subnet with none left fail with InsufficientFreeAddressesInSubnet, as EC2 answers.
  // The testdata zones start with one subnet each (subnet-test1.., 250/240/230 free).
  void setSubnetFreeAddresses(const std::string& subnetId, int64_t available);
  // Another subnet (VPC vpc-test1, tagged karpenter.sh/discovery=test) in `zone`.
  void addSubnet(const std::string& subnetId, const std::string& zone, int64_t available);

  // --- Observation ---
  std::vector<FakeInstance> instances() const;
  // Decoded form parameters of every request with this Action, oldest first.
  std::vector<FormParams> requests(const std::string& action) const;
  int rejectedSignatures() const;
  // The testdata zones (sorted) and the spot price the fake quotes for a pool.
  std::vector<std::string> zones() const;
  double spotPrice(const std::string& instanceType, const std::string& zone) const;
  double onDemandPrice(const std::string& instanceType) const;

 private:
  struct LaunchTemplateRecord {
    std::string id;
    std::string name;
    std::string createTime;
    FormParams data;  // LaunchTemplateData.* as sent
    Tags tags;
  };
  struct SubnetRecord {
    std::string id, zone, zoneId, vpcId, cidr;
    int64_t availableIps = 0;
    Tags tags;
  };
  struct SecurityGroupRecord {
    std::string id, name, vpcId, description;
    Tags tags;
  };
  struct ImageRecord {
    std::string id, name, architecture, creationDate, ownerId;
    Tags tags;
  };
  using Handler = LoopbackResponse (FakeEc2::*)(const FormParams&, const std::string&);

  // What handle() answers, with the request's Action (called with mutex_ held).
  LoopbackResponse answer(const LoopbackRequest& request, std::string& action);
  LoopbackResponse dispatch(const std::string& action, const FormParams& params,
                            const std::string& requestId);
  LoopbackResponse describeInstanceTypes(const FormParams&, const std::string&);
  LoopbackResponse describeInstanceTypeOfferings(const FormParams&, const std::string&);
  LoopbackResponse describeSpotPriceHistory(const FormParams&, const std::string&);
  LoopbackResponse describeSubnets(const FormParams&, const std::string&);
  LoopbackResponse describeSecurityGroups(const FormParams&, const std::string&);
  LoopbackResponse describeImages(const FormParams&, const std::string&);
  LoopbackResponse createLaunchTemplate(const FormParams&, const std::string&);
  LoopbackResponse describeLaunchTemplates(const FormParams&, const std::string&);
  LoopbackResponse deleteLaunchTemplate(const FormParams&, const std::string&);
  LoopbackResponse createFleet(const FormParams&, const std::string&);
  LoopbackResponse runInstances(const FormParams&, const std::string&);
  LoopbackResponse describeInstances(const FormParams&, const std::string&);
  LoopbackResponse terminateInstances(const FormParams&, const std::string&);
  LoopbackResponse createTags(const FormParams&, const std::string&);

  bool offered(const std::string& instanceType, const std::string& zone) const;
  bool insufficient(const std::string& capacityType, const std::string& instanceType,
                    const std::string& zone) const;
  std::string nextId(const std::string& prefix);
  std::string now() const;
  FakeInstance& launch(const std::string& type, const std::string& zone, const std::string& subnet,
                       const std::string& image, const std::string& lifecycle, const Tags& tags,
                       const std::vector<std::string>& securityGroupIds);
  const LaunchTemplateRecord* findLaunchTemplate(const FormParams& params,
                                                 const std::string& prefix) const;

  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable fleetAnswersReleased_;
  bool holdFleetAnswers_ = false;
  nlohmann::json instanceTypes_;                                // testdata, PascalCase
  std::vector<std::pair<std::string, std::string>> offerings_;  // (type, zone)
  std::map<std::string, double> onDemandPrices_;
  std::vector<SubnetRecord> subnets_;
  std::vector<SecurityGroupRecord> securityGroups_;
  std::vector<ImageRecord> images_;
  std::map<std::string, LaunchTemplateRecord> launchTemplates_;  // by name
  std::vector<FakeInstance> instances_;
  std::map<std::string, Tags> fleetTags_;
  std::set<std::tuple<std::string, std::string, std::string>> insufficientPools_;
  std::map<std::string, std::vector<FormParams>> requests_;
  int throttleCount_ = 0;
  int failCount_ = 0;
  int failStatus_ = 500;
  int fleetLimit_ = -1;
  size_t pageCap_ = SIZE_MAX;
  int rejectedSignatures_ = 0;
  uint64_t idCounter_ = 0;
  std::unique_ptr<LoopbackServer> server_;
};

}  // namespace karpenter::aws::testing
