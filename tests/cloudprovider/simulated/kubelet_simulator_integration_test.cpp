// The simulated cloud and its kubelets against a real API server over HTTP: the in-repo test
// apiserver on 127.0.0.1, or the cluster named by $KUBECONFIG (every object created is deleted).
#include <chrono>
#include <cstdlib>
#include <functional>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "karpenter/apiserver/resources.hpp"
#include "karpenter/apiserver/server.hpp"
#include "karpenter/apiserver/store.hpp"
#include "karpenter/cloudprovider/simulated/kubelet_simulator.hpp"
#include "karpenter/kube/client.hpp"

namespace karpenter::cloudprovider::simulated {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

const kube::ResourceRef kNodes{.resource = "nodes"};
const kube::ResourceRef kPods{.resource = "pods", .nameSpace = "default"};
const kube::ResourceRef kLeases{
    .group = "coordination.k8s.io", .resource = "leases", .nameSpace = "kube-node-lease"};

bool eventually(const std::function<bool()>& condition,
                milliseconds timeout = milliseconds(10'000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return condition();
}

class KubeletSimulatorIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kube::RestConfig config;
    if (const char* kubeconfig = std::getenv("KUBECONFIG"); kubeconfig && *kubeconfig) {
      auto loaded = kube::loadKubeconfig(kubeconfig);
      ASSERT_TRUE(loaded.ok()) << loaded.error().message;
      config = *loaded;
    } else {
      store_ = std::make_unique<apiserver::Store>(
          apiserver::servedResources(),
          apiserver::Store::Options{.clock = [] { return std::chrono::system_clock::now(); }});
      server_ = std::make_unique<apiserver::Server>(*store_, apiserver::Server::Options{});
      ASSERT_TRUE(server_->start().ok());
      config.server = "http://127.0.0.1:" + std::to_string(server_->port());
    }
    client_ = std::make_unique<kube::HttpKubeClient>(config, kube::HttpKubeClient::Options{});
    // A per-process seed keeps node names apart when several runs share a real cluster.
    cloud_ = std::make_unique<SimulatedCloud>(SimulatedCloud::Options{
        .registrationDelay = milliseconds(50), .seed = static_cast<uint64_t>(::getpid())});
    kubelets_ = std::make_unique<KubeletSimulator>(
        *cloud_, *client_,
        KubeletSimulator::Options{.tick = milliseconds(20),
                                  .leaseRenewInterval = milliseconds(200),
                                  .nodeStatusInterval = milliseconds(200),
                                  .startupTaintRemovalDelay = milliseconds(300)});
    kubelets_->start();
    prefix_ = "kwok-it-" + std::to_string(::getpid()) + "-";
  }

  void TearDown() override {
    for (const auto& pod : pods_) {
      (void)client_->remove(kPods.named(pod), {.gracePeriodSeconds = 0});
    }
    const auto claims = cloud_->list();
    for (const auto& claim : *claims) {
      (void)cloud_->remove(claim);
    }
    if (kubelets_) {
      // Let the simulator delete the nodes of the instances just removed, then stop it.
      eventually([&] { return kubelets_->nodeNames().empty(); }, milliseconds(5000));
      kubelets_->stop();
    }
    client_.reset();
    if (server_) {
      server_->stop();
    }
  }

  api::NodeClaim nodeClaim(const std::string& name) {
    api::NodeClaim claim;
    claim.metadata.name = prefix_ + name;
    claim.metadata.labels = {{"karpenter.sh/nodepool", "default"}, {"team", "a"}};
    claim.spec.requirements.push_back({"node.kubernetes.io/instance-type", "In", {"m5.large"}});
    claim.spec.taints.push_back({"team", "a", "NoSchedule"});
    claim.spec.startupTaints.push_back({"example.com/agent-not-ready", "", "NoSchedule"});
    return claim;
  }

  json pod(const std::string& name, const std::string& nodeName) {
    pods_.push_back(prefix_ + name);
    json object = {{"apiVersion", "v1"},
                   {"kind", "Pod"},
                   {"metadata", {{"name", prefix_ + name}, {"namespace", "default"}}},
                   {"spec",
                    {{"containers", {{{"name", "app"}, {"image", "registry.k8s.io/pause:3.9"}}}},
                     {"initContainers", {{{"name", "init"}, {"image", "busybox"}}}}}}};
    if (!nodeName.empty()) {
      object["spec"]["nodeName"] = nodeName;
    }
    return object;
  }

  std::string phaseOf(const std::string& name) {
    auto got = client_->get(kPods.named(prefix_ + name));
    if (!got.ok() || !got->contains("status")) {
      return "";
    }
    return (*got)["status"].value("phase", "");
  }

  std::unique_ptr<apiserver::Store> store_;
  std::unique_ptr<apiserver::Server> server_;
  std::unique_ptr<kube::HttpKubeClient> client_;
  std::unique_ptr<SimulatedCloud> cloud_;
  std::unique_ptr<KubeletSimulator> kubelets_;
  std::string prefix_;
  std::vector<std::string> pods_;
};

TEST_F(KubeletSimulatorIntegrationTest, LaunchedInstanceBecomesAReadyNodeWithLeaseAndRunsPods) {
  auto launched = cloud_->create(nodeClaim("a"));
  ASSERT_TRUE(launched.ok()) << launched.error().message;
  const auto instance = cloud_->instances().at(0);
  const kube::ResourceRef nodeRef = kNodes.named(instance.nodeName);

  ASSERT_TRUE(eventually([&] { return client_->get(nodeRef).ok(); }))
      << "node " << instance.nodeName << " never registered";
  auto node = client_->get(nodeRef);
  ASSERT_TRUE(node.ok());
  EXPECT_EQ((*node)["spec"]["providerID"], launched->status.providerID);
  const json& labels = (*node)["metadata"]["labels"];
  EXPECT_EQ(labels["kubernetes.io/hostname"], instance.nodeName);
  EXPECT_EQ(labels["node.kubernetes.io/instance-type"], "m5.large");
  EXPECT_EQ(labels["topology.kubernetes.io/zone"], instance.zone);
  EXPECT_EQ(labels["karpenter.sh/capacity-type"], "spot");
  EXPECT_EQ(labels["karpenter.sh/nodepool"], "default");
  EXPECT_EQ(labels["team"], "a");
  EXPECT_EQ((*node)["status"]["allocatable"]["cpu"], "1930m");
  EXPECT_EQ((*node)["status"]["allocatable"]["memory"], "6903Mi");
  EXPECT_EQ((*node)["status"]["capacity"]["pods"], "29");
  EXPECT_EQ((*node)["status"]["nodeInfo"]["architecture"], "amd64");
  EXPECT_EQ((*node)["status"]["addresses"][0]["address"], instance.privateIp);
  bool ready = false;
  for (const auto& condition : (*node)["status"]["conditions"]) {
    ready = ready || (condition["type"] == "Ready" && condition["status"] == "True");
  }
  EXPECT_TRUE(ready) << (*node)["status"].dump();
  std::set<std::string> taintKeys;
  for (const auto& taint : (*node)["spec"]["taints"]) {
    taintKeys.insert(taint["key"].get<std::string>() + ":" + taint["effect"].get<std::string>());
  }
  // The startup taint may already be gone (removal after 300 ms); the others stay.
  EXPECT_TRUE(taintKeys.contains("team:NoSchedule"));
  EXPECT_TRUE(taintKeys.contains("karpenter.sh/unregistered:NoExecute"));

  // The lease exists and is renewed.
  const kube::ResourceRef leaseRef = kLeases.named(instance.nodeName);
  ASSERT_TRUE(eventually([&] { return client_->get(leaseRef).ok(); }));
  auto lease = client_->get(leaseRef);
  EXPECT_EQ((*lease)["spec"]["holderIdentity"], instance.nodeName);
  EXPECT_EQ((*lease)["spec"]["leaseDurationSeconds"], 40);
  const std::string firstRenew = (*lease)["spec"]["renewTime"];
  EXPECT_TRUE(eventually([&] {
    auto again = client_->get(leaseRef);
    return again.ok() && (*again)["spec"]["renewTime"] != firstRenew;
  })) << "lease never renewed";
  // So is the Ready heartbeat.
  const std::string firstHeartbeat = (*node)["status"]["conditions"][3]["lastHeartbeatTime"];
  EXPECT_TRUE(eventually(
      [&] {
        auto again = client_->get(nodeRef);
        return again.ok() &&
               (*again)["status"]["conditions"][3]["lastHeartbeatTime"] != firstHeartbeat;
      },
      milliseconds(5000)))
      << "heartbeat never refreshed";

  // The startup taint goes after its delay, nothing else does.
  EXPECT_TRUE(eventually([&] {
    auto again = client_->get(nodeRef);
    if (!again.ok()) {
      return false;
    }
    for (const auto& taint : (*again)["spec"]["taints"]) {
      if (taint["key"] == "example.com/agent-not-ready") {
        return false;
      }
    }
    return (*again)["spec"]["taints"].size() == 2;
  })) << "startup taint not removed";

  // A pod created already bound, and one bound afterwards through pods/binding, both run.
  ASSERT_TRUE(client_->create(kPods, pod("bound", instance.nodeName)).ok());
  if (store_) {
    // Bound after creation (a MODIFIED event), as kube-scheduler binds. HttpKubeClient::create
    // cannot POST to a subresource, so the in-process store binds it directly.
    ASSERT_TRUE(client_->create(kPods, pod("later", "")).ok());
    auto bound = store_->bind(
        "default", prefix_ + "later",
        {{"apiVersion", "v1"},
         {"kind", "Binding"},
         {"metadata", {{"name", prefix_ + "later"}, {"namespace", "default"}}},
         {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", instance.nodeName}}}});
    ASSERT_TRUE(bound.ok());
  } else {
    ASSERT_TRUE(client_->create(kPods, pod("later", instance.nodeName)).ok());
  }
  EXPECT_TRUE(eventually([&] { return phaseOf("bound") == "Running"; }));
  EXPECT_TRUE(eventually([&] { return phaseOf("later") == "Running"; }));
  auto running = client_->get(kPods.named(prefix_ + "later"));
  ASSERT_TRUE(running.ok());
  const json& status = (*running)["status"];
  EXPECT_EQ(status["hostIP"], instance.privateIp);
  EXPECT_TRUE(status["podIP"].get<std::string>().starts_with("100.64.")) << status["podIP"];
  EXPECT_EQ(status["containerStatuses"][0]["state"].contains("running"), true);
  EXPECT_EQ(status["initContainerStatuses"][0]["state"]["terminated"]["reason"], "Completed");
  std::set<std::string> trueConditions;
  for (const auto& condition : status["conditions"]) {
    if (condition["status"] == "True") {
      trueConditions.insert(condition["type"]);
    }
  }
  for (const char* type : {"PodScheduled", "Initialized", "ContainersReady", "Ready"}) {
    EXPECT_TRUE(trueConditions.contains(type)) << type;
  }
  EXPECT_NE(phaseOf("bound"), "");
  EXPECT_NE((*client_->get(kPods.named(prefix_ + "bound")))["status"]["podIP"], status["podIP"]);

  // Terminating the instance removes its Node and Lease.
  ASSERT_TRUE(cloud_->remove(*launched).ok());
  EXPECT_TRUE(eventually([&] {
    auto gone = client_->get(nodeRef);
    return !gone.ok() && gone.error().kind == ErrorKind::kNotFound;
  })) << "node not deleted";
  auto leaseGone = client_->get(leaseRef);
  ASSERT_FALSE(leaseGone.ok());
  EXPECT_EQ(leaseGone.error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(kubelets_->nodeNames().empty());
}

TEST_F(KubeletSimulatorIntegrationTest, InstanceThatNeverRegistersHasNoNodeAndStopIsPrompt) {
  cloud_->setRegistrationDelay(std::nullopt);
  auto silent = cloud_->create(nodeClaim("silent"));
  ASSERT_TRUE(silent.ok());
  cloud_->setRegistrationDelay(milliseconds(0));
  auto prompt = cloud_->create(nodeClaim("prompt"));
  ASSERT_TRUE(prompt.ok());
  const auto instances = cloud_->instances();
  ASSERT_EQ(instances.size(), 2u);
  ASSERT_TRUE(eventually([&] { return client_->get(kNodes.named(instances[1].nodeName)).ok(); }));
  // Many ticks later the silent instance still has no Node.
  std::this_thread::sleep_for(milliseconds(300));
  auto none = client_->get(kNodes.named(instances[0].nodeName));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(kubelets_->nodeNames(), std::vector<std::string>{instances[1].nodeName});

  // Once allowed, it registers.
  ASSERT_TRUE(
      cloud_->setInstanceRegistrationDelay(silent->status.providerID, milliseconds(0)).ok());
  EXPECT_TRUE(eventually([&] { return client_->get(kNodes.named(instances[0].nodeName)).ok(); }));

  // Remove both instances, wait for the nodes to go, then stop: it must not hang on the watch.
  const auto claims = cloud_->list();
  for (const auto& claim : *claims) {
    auto removed = cloud_->remove(claim);
    ASSERT_TRUE(removed.ok()) << removed.error().message;
  }
  ASSERT_TRUE(eventually([&] { return kubelets_->nodeNames().empty(); }));
  const auto before = std::chrono::steady_clock::now();
  kubelets_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, milliseconds(3000));
}

}  // namespace
}  // namespace karpenter::cloudprovider::simulated
