// `karpenter controller` against an apiserver: the state syncs (the extender answers), the
// replica elects itself leader through the Lease, and the admission webhooks answer.

#include <thread>

#include <gtest/gtest.h>

#include "karpenter/operator/operator.hpp"
#include "server/tls_fixture.hpp"
#include "support/test_apiserver.hpp"

namespace karpenter::op {
namespace {

using namespace std::chrono_literals;

TEST(OperatorIntegration, SyncsElectsItselfAndServesTheExtenderAndWebhooks) {
  karpenter::testing::TestApiserver apiserver;
  ASSERT_TRUE(apiserver.ok());
  karpenter::testing::TempDir dir;
  ASSERT_TRUE(karpenter::testing::makeCa(dir, "ca"));
  ASSERT_TRUE(karpenter::testing::makeLeaf(dir, "server", "ca"));
  const std::string kubeconfig = apiserver.kubeconfigFile(dir.file("kubeconfig"));
  OperatorOptions options;
  options.bindAddress = "127.0.0.1";
  options.webhookPort = options.metricsPort = options.healthProbePort = 0;
  options.tlsCertFile = dir.file("server.crt");
  options.tlsKeyFile = dir.file("server.key");
  options.kubeconfig = kubeconfig;
  options.leaderElectionNamespace = "default";
  options.leaderElectionName = "karpenter-operator-test";
  options.shutdownGrace = 200ms;
  Operator karpenter(options);
  ASSERT_TRUE(karpenter.start());

  auto context = karpenter::testing::clientContext(dir.file("ca.crt"));
  int status = 0;
  for (int i = 0; i < 500 && status != 200; ++i) {
    karpenter::testing::TlsClient client(context, karpenter.webhookPort());
    auto reply = client.send(karpenter::testing::http::verb::post, "/scheduler/filter",
                             R"({"Pod":{"metadata":{"uid":"u"}},"NodeNames":["n1"]})");
    status = reply.response ? reply.response->result_int() : 0;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(status, 200) << "the extender never left 503 (state not synced)";

  auto client = apiserver.client();
  std::string holder;
  for (int i = 0; i < 500 && holder.empty(); ++i) {
    auto lease = client->get({.group = "coordination.k8s.io",
                              .resource = "leases",
                              .nameSpace = "default",
                              .name = "karpenter-operator-test"});
    if (lease) {
      holder = (*lease)["spec"].value("holderIdentity", "");
    }
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_FALSE(holder.empty()) << "no leader elected";

  karpenter::testing::TlsClient webhook(context, karpenter.webhookPort());
  auto review = webhook.send(
      karpenter::testing::http::verb::post, "/validate/karpenter.sh/nodepools",
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"r1",)"
      R"("kind":{"group":"karpenter.sh","version":"v1","kind":"NodePool"},)"
      R"("resource":{"group":"karpenter.sh","version":"v1","resource":"nodepools"},)"
      R"("operation":"CREATE","object":{"apiVersion":"karpenter.sh/v1","kind":"NodePool",)"
      R"("metadata":{"name":"x"},"spec":{"weight":1000,"template":{"spec":{"requirements":[],)"
      R"("nodeClassRef":{"group":"karpenter.k8s.aws","kind":"EC2NodeClass","name":"d"}}}}}}})");
  ASSERT_TRUE(review.response);
  EXPECT_EQ(review.response->result_int(), 200);
  EXPECT_NE(review.response->body().find("\"allowed\":false"), std::string::npos)
      << review.response->body();
  karpenter.stop();
  // The lease is released on a graceful stop.
  auto lease = client->get({.group = "coordination.k8s.io",
                            .resource = "leases",
                            .nameSpace = "default",
                            .name = "karpenter-operator-test"});
  ASSERT_TRUE(lease);
  EXPECT_EQ((*lease)["spec"].value("holderIdentity", ""), "");
  client->remove({.group = "coordination.k8s.io",
                  .resource = "leases",
                  .nameSpace = "default",
                  .name = "karpenter-operator-test"},
                 {});
}

}  // namespace
}  // namespace karpenter::op
