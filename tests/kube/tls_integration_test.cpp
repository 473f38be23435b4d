// The client over TLS to the in-repo test apiserver serving a generated certificate: the right CA
// works, a wrong CA fails with an error that says what to check, and kubeconfig's
// tls-server-name makes SNI and verification use that name while connecting to 127.0.0.1.
#include <gtest/gtest.h>

#include "karpenter/admission/review.hpp"
#include "karpenter/apiserver/resources.hpp"
#include "karpenter/apiserver/server.hpp"
#include "karpenter/apiserver/store.hpp"
#include "karpenter/apiserver/tls.hpp"
#include "karpenter/kube/client.hpp"
#include "karpenter/kube/config.hpp"

namespace karpenter::kube {
namespace {

const ResourceRef kPods{.resource = "pods", .nameSpace = "default"};

class TlsIntegrationTest : public ::testing::Test {
 protected:
  // Serves HTTPS with a certificate for `dnsNames` and `ips`; returns its CA.
  std::string serve(const std::vector<std::string>& dnsNames, const std::vector<std::string>& ips) {
    auto certificate = apiserver::makeServingCertificate(dnsNames, ips);
    EXPECT_TRUE(certificate.ok()) << certificate.error().message;
    server_ = std::make_unique<apiserver::Server>(
        store_, apiserver::Server::Options{.tlsCertPem = certificate->certPem,
                                           .tlsKeyPem = certificate->keyPem});
    EXPECT_TRUE(server_->start().ok());
    return certificate->caPem;
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(server_->port()); }

  static Result<ListPage> listPods(const RestConfig& config) {
    HttpKubeClient client(config, {.maxRetries = 0});
    return client.list(kPods, {});
  }

  apiserver::Store store_{apiserver::servedResources(),
                          {.clock = [] { return std::chrono::system_clock::now(); }}};
  std::unique_ptr<apiserver::Server> server_;
};

TEST_F(TlsIntegrationTest, TheRightCaIsTrustedAndAWrongOneIsRefusedClearly) {
  const std::string ca = serve({"localhost"}, {"127.0.0.1"});
  ASSERT_TRUE(listPods({.server = url(), .caData = ca}).ok());

  auto other = apiserver::makeServingCertificate({"localhost"}, {});
  ASSERT_TRUE(other.ok());
  auto refused = listPods({.server = url(), .caData = other->caPem});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::kUnavailable);
  EXPECT_NE(refused.error().message.find("certificate-authority"), std::string::npos)
      << refused.error().message;

  auto plain = listPods({.server = "http://127.0.0.1:" + std::to_string(server_->port())});
  EXPECT_FALSE(plain.ok());
}

TEST_F(TlsIntegrationTest, TlsServerNameFromTheKubeconfigDrivesSniAndVerification) {
  const std::string ca = serve({"kubernetes.test"}, {});
  // Without tls-server-name the certificate does not name 127.0.0.1.
  auto mismatch = listPods({.server = url(), .caData = ca});
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().kind, ErrorKind::kUnavailable);

  const std::string kubeconfig =
      "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
      "    server: " +
      url() +
      "\n    tls-server-name: kubernetes.test\n"
      "    certificate-authority-data: " +
      admission::base64Encode(ca) +
      "\nusers:\n- name: u\n  user: {}\ncontexts:\n- name: x\n"
      "  context: {cluster: c, user: u}\ncurrent-context: x\n";
  auto config = parseKubeconfig(kubeconfig, "test", "/");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->tlsServerName, "kubernetes.test");
  auto listed = listPods(*config);
  ASSERT_TRUE(listed.ok()) << listed.error().message;

  // A write and a watch go the same way.
  HttpKubeClient client(*config, {.maxRetries = 0});
  ASSERT_TRUE(client
                  .create(kPods, {{"metadata", {{"name", "p"}}},
                                  {"spec", {{"containers", {{{"name", "c"}, {"image", "i"}}}}}}})
                  .ok());
  int events = 0;
  auto watched = client.watch(kPods, {.resourceVersion = "0"}, [&](const WatchEvent& event) {
    events += event.type == "ADDED" ? 1 : 0;
    return false;
  });
  EXPECT_TRUE(watched.ok()) << watched.error().message;
  EXPECT_EQ(events, 1);

  config->tlsServerName = "other.test";
  EXPECT_FALSE(listPods(*config).ok());
}

TEST(ServingCertificateTest, RejectsWhatCannotBeACertificate) {
  EXPECT_FALSE(apiserver::makeServingCertificate({}, {}).ok());
  EXPECT_EQ(apiserver::makeServingCertificate({}, {"not-an-ip"}).error().kind, ErrorKind::kInvalid);
}

}  // namespace
}  // namespace karpenter::kube
