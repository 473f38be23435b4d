// The cluster state fed by its eleven informers from a real apiserver over HTTP (in-repo by
// default, $KUBECONFIG's cluster when set; objects created are deleted afterwards). NodeClaims
// need Karpenter's CRDs: on a cluster without them that part is skipped.
#include <unistd.h>

#include <gtest/gtest.h>

#include "karpenter/state/state_informers.hpp"
#include "state/state_fixtures.hpp"
#include "support/test_apiserver.hpp"

namespace karpenter::state {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::eventually;

const kube::ResourceRef kNodes{.resource = "nodes"};
const kube::ResourceRef kPods{.resource = "pods", .nameSpace = "default"};
const kube::ResourceRef kNodeClaims{.group = "karpenter.sh", .resource = "nodeclaims"};
const kube::ResourceRef kCSINodes{.group = "storage.k8s.io", .resource = "csinodes"};

class StateInformersIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(apiserver_.ok());
    client_ = apiserver_.client();
    prefix_ = "state-it-" + std::to_string(::getpid()) + "-";
  }
  void TearDown() override {
    informers_.reset();
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
      (void)client_->remove(*it, {.gracePeriodSeconds = 0});
    }
  }

  Result<json> create(const kube::ResourceRef& collection, json object) {
    const std::string name = object["metadata"]["name"];
    auto created = client_->create(collection, object);
    if (created) {
      created_.push_back(collection.named(name));
    }
    return created;
  }

  void startInformers() {
    informers_ = std::make_unique<StateInformers>(
        *client_, state_, StateInformers::Options{.initialBackoff = 50ms, .maxBackoff = 500ms});
    informers_->start();
  }

  // Waits until a flushed snapshot satisfies `check`.
  bool eventuallyState(const std::function<bool(const ClusterSnapshot&)>& check) {
    return eventually([&] { return check(*state_.flush()); });
  }

  testing::TestApiserver apiserver_;
  std::unique_ptr<kube::HttpKubeClient> client_;
  ClusterState state_{{.publishInterval = 5ms}};
  std::unique_ptr<StateInformers> informers_;
  std::string prefix_;
  std::vector<kube::ResourceRef> created_;
};

TEST_F(StateInformersIntegrationTest, StateShowsPodsPerNodePendingPodsAndNodeClaimJoins) {
  const std::string n1 = prefix_ + "n1";
  ASSERT_TRUE(create(kNodes, testing::nodeJson(n1, "kwok://" + n1)).ok());
  ASSERT_TRUE(create(kPods, testing::podJson(prefix_ + "bound", n1, "750m", "1Gi")).ok());
  startInformers();
  ASSERT_TRUE(eventuallyState([](const ClusterSnapshot& s) { return s.synced; }))
      << "all eleven informers sync (their resources exist on the apiserver)";

  ASSERT_TRUE(eventuallyState([&](const ClusterSnapshot& s) {
    const StateNode* node = s.node(n1);
    return node != nullptr && node->pods.size() == 1 &&
           node->requested.at("cpu").milliValue() == 750;
  }));

  // A pod with no node is pending; once it is bound it moves to the node.
  const std::string pending = prefix_ + "pending";
  json unbound = testing::podJson(pending, "");
  unbound["spec"]["nodeSelector"] = {{"karpenter.test/never", "true"}};
  ASSERT_TRUE(create(kPods, unbound).ok());
  ASSERT_TRUE(eventuallyState(
      [&](const ClusterSnapshot& s) { return s.pendingPods->contains("default/" + pending); }));
  if (apiserver_.inRepo()) {
    // (A real cluster's scheduler would race us; binding by hand only against the in-repo one.)
    json binding = {{"apiVersion", "v1"},
                    {"kind", "Binding"},
                    {"metadata", {{"name", pending}, {"namespace", "default"}}},
                    {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", n1}}}};
    ASSERT_TRUE(apiserver_.store().bind("default", pending, binding).ok());
    ASSERT_TRUE(eventuallyState([&](const ClusterSnapshot& s) {
      return !s.pendingPods->contains("default/" + pending) && s.node(n1)->pods.size() == 2;
    }));
  }

  // Deleting a pod takes its requests off the node.
  ASSERT_TRUE(client_->remove(kPods.named(prefix_ + "bound"), {.gracePeriodSeconds = 0}).ok());
  ASSERT_TRUE(eventuallyState([&](const ClusterSnapshot& s) {
    for (const auto& pod : s.node(n1)->pods) {
      if (pod->metadata.name == prefix_ + "bound") {
        return false;
      }
    }
    return true;
  }));

  // A CSINode's attach limits reach the node of the same name, and leave with the CSINode.
  const json drivers = {
      {{"name", "ebs.csi.aws.com"}, {"nodeID", "i-1"}, {"allocatable", {{"count", 3}}}}};
  ASSERT_TRUE(create(kCSINodes, testing::csiNodeJson(n1, drivers)).ok());
  ASSERT_TRUE(eventuallyState([&](const ClusterSnapshot& s) {
    const auto& limits = s.node(n1)->volumeLimits;
    return limits != nullptr && *limits == VolumeLimits{{"ebs.csi.aws.com", 3}};
  }));
  ASSERT_TRUE(client_->remove(kCSINodes.named(n1), {}).ok());
  ASSERT_TRUE(eventuallyState(
      [&](const ClusterSnapshot& s) { return s.node(n1)->volumeLimits == nullptr; }));

  // NodeClaims: in flight until a node with their providerID appears, then joined.
  const std::string claim = prefix_ + "claim";
  auto createdClaim = create(kNodeClaims, testing::nodeClaimJson(claim, ""));
  if (!createdClaim.ok() && createdClaim.error().kind == ErrorKind::kNotFound) {
    GTEST_SKIP() << "this cluster has no karpenter.sh NodeClaim CRD";
  }
  ASSERT_TRUE(createdClaim.ok()) << createdClaim.error().message;
  ASSERT_TRUE(
      eventuallyState([&](const ClusterSnapshot& s) { return s.inFlight->contains(claim); }));
  json withStatus = *createdClaim;
  withStatus["status"]["providerID"] = "kwok://" + prefix_ + "n2";
  ASSERT_TRUE(client_->updateStatus(kNodeClaims.named(claim), withStatus).ok());
  const std::string n2 = prefix_ + "n2";
  ASSERT_TRUE(create(kNodes, testing::nodeJson(n2, "kwok://" + n2)).ok());
  ASSERT_TRUE(eventuallyState([&](const ClusterSnapshot& s) {
    const StateNode* node = s.node(n2);
    return node != nullptr && node->nodeClaim != nullptr &&
           node->nodeClaim->metadata.name == claim && !s.inFlight->contains(claim);
  }));
}

}  // namespace
}  // namespace karpenter::state
