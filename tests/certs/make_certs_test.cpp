// certs/make-certs.sh, run for real into temp dirs and checked with OpenSSL's C API: the chain,
// the SANs, key/cert pairs, the printed and rendered CA bundle, the Secret, overwrite protection,
// flag errors, and that the HTTPS server serves (and enforces mTLS) with what it makes.

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "karpenter/server/https_server.hpp"
#include "manifests/manifest_files.hpp"
#include "server/tls_fixture.hpp"

namespace karpenter::testing {
namespace {

using nlohmann::json;

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using CertPtr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

CertPtr loadCert(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "r"), &std::fclose);
  return CertPtr(file ? PEM_read_X509(file.get(), nullptr, nullptr, nullptr) : nullptr);
}

KeyPtr loadKey(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "r"), &std::fclose);
  return KeyPtr(file ? PEM_read_PrivateKey(file.get(), nullptr, nullptr, nullptr) : nullptr);
}

// Standard base64 (one line, padded) to bytes; "<invalid>" when it does not decode.
std::string base64Decode(const std::string& text) {
  if (text.empty() || text.size() % 4 != 0) {
    return "<invalid>";
  }
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) {
    return "<invalid>";
  }
  size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

// True when `cert` verifies up to `ca` for `purpose` (X509_PURPOSE_SSL_SERVER / _CLIENT).
bool chainsTo(X509* cert, X509* ca, int purpose) {
  std::unique_ptr<X509_STORE, void (*)(X509_STORE*)> store(X509_STORE_new(), &X509_STORE_free);
  X509_STORE_add_cert(store.get(), ca);
  std::unique_ptr<X509_STORE_CTX, void (*)(X509_STORE_CTX*)> ctx(X509_STORE_CTX_new(),
                                                                 &X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  return X509_verify_cert(ctx.get()) == 1;
}

struct RunResult {
  int exitCode = -1;
  std::string out;
  std::string err;
};

class MakeCertsTest : public ::testing::Test {
 protected:
  // Runs the script with `args` (already shell-quoted where needed).
  RunResult run(const std::string& args) {
    const std::string outFile = dir_.file("stdout.txt");
    const std::string errFile = dir_.file("stderr.txt");
    const std::string command = "bash '" + (sourceDir() / "certs" / "make-certs.sh").string() +
                                "' " + args + " >'" + outFile + "' 2>'" + errFile + "'";
    const int status = std::system(command.c_str());
    RunResult result;
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = slurp(outFile);
    result.err = slurp(errFile);
    return result;
  }

  std::string out(const std::string& name) const { return dir_.file("out/" + name); }

  TempDir dir_;
};

TEST_F(MakeCertsTest, ServingCertificateChainsToTheCaWithTheServiceNames) {
  RunResult result = run("--out '" + dir_.file("out") + "' --san 127.0.0.1 --san localhost");
  ASSERT_EQ(result.exitCode, 0) << result.err;

  CertPtr ca = loadCert(out("ca.crt"));
  CertPtr cert = loadCert(out("tls.crt"));
  KeyPtr key = loadKey(out("tls.key"));
  ASSERT_TRUE(ca && cert && key);
  EXPECT_TRUE(chainsTo(cert.get(), ca.get(), X509_PURPOSE_SSL_SERVER));
  EXPECT_FALSE(chainsTo(cert.get(), ca.get(), X509_PURPOSE_SSL_CLIENT)) << "serverAuth only";
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
  EXPECT_GE(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_EQ(EVP_PKEY_base_id(key.get()), EVP_PKEY_EC);

  for (const char* host : {"karpenter", "karpenter.karpenter", "karpenter.karpenter.svc",
                           "karpenter.karpenter.svc.cluster.local", "localhost"}) {
    EXPECT_EQ(X509_check_host(cert.get(), host, 0, X509_CHECK_FLAG_NO_WILDCARDS, nullptr), 1)
        << host;
  }
  EXPECT_EQ(X509_check_host(cert.get(), "karpenter.other.svc", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "10.0.0.1", 0), 0);

  // stdout is exactly the one-line base64 CA bundle.
  std::string bundle = result.out;
  ASSERT_TRUE(bundle.ends_with("\n"));
  bundle.pop_back();
  EXPECT_EQ(bundle.find('\n'), std::string::npos);
  EXPECT_EQ(base64Decode(bundle), slurp(out("ca.crt")));

  struct stat info {};
  ASSERT_EQ(stat(out("tls.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u) << "private keys are owner-only";
  ASSERT_EQ(stat(out("ca.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(MakeCertsTest, RsaKeysOnRequest) {
  RunResult result = run("--out '" + dir_.file("out") + "' --key-type rsa");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  KeyPtr key = loadKey(out("tls.key"));
  ASSERT_TRUE(key);
  EXPECT_EQ(EVP_PKEY_base_id(key.get()), EVP_PKEY_RSA);
  EXPECT_EQ(EVP_PKEY_bits(key.get()), 2048);
  CertPtr ca = loadCert(out("ca.crt"));
  CertPtr cert = loadCert(out("tls.crt"));
  EXPECT_TRUE(chainsTo(cert.get(), ca.get(), X509_PURPOSE_SSL_SERVER));
}

TEST_F(MakeCertsTest, RendersTheCaBundleIntoEveryWebhookConfiguration) {
  const std::string rendered = dir_.file("rendered");
  RunResult result = run("--out '" + dir_.file("out") + "' --render-webhooks '" + rendered + "'");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const std::string ca = slurp(out("ca.crt"));

  size_t bundles = 0;
  for (const char* file : {"validating-webhook-configuration.yaml",
                           "mutating-webhook-configuration.yaml", "kube-scheduler-extender.yaml"}) {
    SCOPED_TRACE(file);
    auto documents = readDocuments(std::filesystem::path(rendered) / file);
    ASSERT_EQ(documents.size(), 1u);
    const json& object = documents[0].object;
    EXPECT_EQ(object.dump().find("${CA_BUNDLE}"), std::string::npos);
    for (const auto& webhook : object.value("webhooks", json::array())) {
      EXPECT_EQ(base64Decode(webhook["clientConfig"]["caBundle"]), ca) << webhook["name"];
      EXPECT_EQ(webhook["clientConfig"]["service"]["name"], "karpenter");
      ++bundles;
    }
    for (const auto& extender : object.value("extenders", json::array())) {
      EXPECT_EQ(base64Decode(extender["tlsConfig"]["caData"]), ca);
      ++bundles;
    }
  }
  EXPECT_EQ(bundles, 7u);  // 3 validating + 3 defaulting + the extender
}

TEST_F(MakeCertsTest, EmitsTheTlsSecretTheDeploymentMounts) {
  RunResult result = run("--out '" + dir_.file("out") + "' --secret");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  auto documents = readDocuments(out("karpenter-cert-secret.yaml"));
  ASSERT_EQ(documents.size(), 1u);
  const json& secret = documents[0].object;
  EXPECT_EQ(secret["kind"], "Secret");
  EXPECT_EQ(secret["type"], "kubernetes.io/tls");
  EXPECT_EQ(secret["metadata"]["name"], "karpenter-cert");
  EXPECT_EQ(secret["metadata"]["namespace"], "karpenter");
  for (const char* key : {"tls.crt", "tls.key", "ca.crt"}) {
    EXPECT_EQ(base64Decode(secret["data"][key]), slurp(out(key))) << key;
  }
}

TEST_F(MakeCertsTest, NamespaceAndServiceFlagsChangeNamesAndRenderedReferences) {
  const std::string rendered = dir_.file("rendered");
  RunResult result =
      run("--out '" + dir_.file("out") +
          "' --namespace kube-system --service kp --render-webhooks '" + rendered + "'");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  CertPtr cert = loadCert(out("tls.crt"));
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_host(cert.get(), "kp.kube-system.svc", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "karpenter.karpenter.svc", 0, 0, nullptr), 0);
  auto validating =
      readDocuments(std::filesystem::path(rendered) / "validating-webhook-configuration.yaml");
  for (const auto& webhook : validating.at(0).object["webhooks"]) {
    EXPECT_EQ(webhook["clientConfig"]["service"]["name"], "kp");
    EXPECT_EQ(webhook["clientConfig"]["service"]["namespace"], "kube-system");
  }
  auto extender = readDocuments(std::filesystem::path(rendered) / "kube-scheduler-extender.yaml");
  EXPECT_EQ(extender.at(0).object["extenders"][0]["urlPrefix"],
            "https://kp.kube-system.svc:8443/scheduler");
}

TEST_F(MakeCertsTest, RefusesToOverwriteWithoutForceAndReuseKeepsTheCa) {
  const std::string outDir = "--out '" + dir_.file("out") + "'";
  ASSERT_EQ(run(outDir).exitCode, 0);
  const std::string firstCa = slurp(out("ca.crt"));
  const std::string firstKey = slurp(out("tls.key"));

  RunResult again = run(outDir);
  EXPECT_NE(again.exitCode, 0);
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  EXPECT_EQ(slurp(out("ca.crt")), firstCa);
  EXPECT_EQ(slurp(out("tls.key")), firstKey);

  // --reuse keeps the pair and may be repeated (it only prints, renders, writes the Secret).
  for (int i = 0; i < 2; ++i) {
    RunResult reuse =
        run(outDir + " --reuse --secret --render-webhooks '" + dir_.file("rendered") + "'");
    ASSERT_EQ(reuse.exitCode, 0) << reuse.err;
    EXPECT_EQ(base64Decode(reuse.out.substr(0, reuse.out.size() - 1)), firstCa);
  }
  EXPECT_EQ(slurp(out("ca.crt")), firstCa);

  RunResult forced = run(outDir + " --force");
  ASSERT_EQ(forced.exitCode, 0) << forced.err;
  EXPECT_NE(slurp(out("ca.crt")), firstCa);
  EXPECT_NE(slurp(out("tls.key")), firstKey);
}

TEST_F(MakeCertsTest, BadFlagsExitNonZeroNamingTheFlagAndWriteNothing) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--bogus", "unknown flag '--bogus'"},
      {"--days abc", "--days 'abc'"},
      {"--days 0", "--days '0'"},
      {"--key-type dsa", "--key-type 'dsa'"},
      {"--san 'a,b'", "--san 'a,b'"},
      {"--san 'x\ny'", "--san"},
      {"--namespace Bad_NS", "--namespace 'Bad_NS'"},
      {"--client 'a b'", "--client 'a b'"},
      {"--reuse --force", "--reuse"},
      {"--render-webhooks", "--render-webhooks needs a value"},
      {"--san --force", "--san needs a value"},
  };
  for (const auto& [args, message] : cases) {
    SCOPED_TRACE(args);
    RunResult result = run("--out '" + dir_.file("bad") + "' " + args);
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
    EXPECT_TRUE(result.out.empty());
    EXPECT_FALSE(std::filesystem::exists(dir_.file("bad")));
  }
}

TEST_F(MakeCertsTest, ClientCertificatesAreForClientAuthOnly) {
  RunResult result = run("--out '" + dir_.file("out") + "' --client kube-apiserver");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  CertPtr ca = loadCert(out("ca.crt"));
  CertPtr client = loadCert(out("client-kube-apiserver.crt"));
  KeyPtr key = loadKey(out("client-kube-apiserver.key"));
  ASSERT_TRUE(ca && client && key);
  EXPECT_TRUE(chainsTo(client.get(), ca.get(), X509_PURPOSE_SSL_CLIENT));
  EXPECT_FALSE(chainsTo(client.get(), ca.get(), X509_PURPOSE_SSL_SERVER));
  EXPECT_EQ(X509_check_private_key(client.get(), key.get()), 1);
  EXPECT_EQ(X509_check_host(client.get(), "kube-apiserver", 0, 0, nullptr), 1);  // via CN
}

// The server the Deployment runs, given the files the script makes: a client that checks the
// Service name and presents the script's client certificate gets through; one without is refused.
TEST_F(MakeCertsTest, HttpsServerServesAndEnforcesMtlsWithTheGeneratedFiles) {
  RunResult result = run("--out '" + dir_.file("out") + "' --client kube-apiserver");
  ASSERT_EQ(result.exitCode, 0) << result.err;

  auto router = std::make_shared<server::Router>();
  router->addJsonRoute(
      "POST", "/ping",
      [](const server::Request&, const extender::WireJson&) {
        return server::Response{.status = 200, .body = R"({"pong":true})"};
      },
      1024);
  server::HttpsServer::Options options;
  options.port = 0;
  options.certFile = out("tls.crt");
  options.keyFile = out("tls.key");
  options.clientCaFile = out("ca.crt");
  server::HttpsServer httpsServer(router, options);
  auto started = httpsServer.start();
  ASSERT_TRUE(started) << started.error().message;

  auto context = clientContext(out("ca.crt"), out("client-kube-apiserver.crt"),
                               out("client-kube-apiserver.key"));
  context.set_verify_callback(ssl::host_name_verification("karpenter.karpenter.svc"));
  TlsClient client(context, httpsServer.port());
  ASSERT_FALSE(client.error()) << client.stage() << ": " << client.error().message();
  HttpReply reply = client.send(http::verb::post, "/ping", "{}");
  ASSERT_TRUE(reply.response) << reply.stage << ": " << reply.error.message();
  EXPECT_EQ(reply.response->result_int(), 200);
  EXPECT_EQ(reply.response->body(), R"({"pong":true})");

  // The serving certificate is not valid for other names.
  auto wrongName = clientContext(out("ca.crt"), out("client-kube-apiserver.crt"),
                                 out("client-kube-apiserver.key"));
  wrongName.set_verify_callback(ssl::host_name_verification("karpenter.other.svc"));
  TlsClient misdirected(wrongName, httpsServer.port());
  EXPECT_TRUE(misdirected.error());

  // Without a client certificate the server refuses (during the handshake, or at the first
  // read under TLS 1.3).
  auto anonymous = clientContext(out("ca.crt"));
  TlsClient stranger(anonymous, httpsServer.port());
  HttpReply refused = stranger.send(http::verb::post, "/ping", "{}");
  EXPECT_FALSE(refused.response.has_value());
  httpsServer.stop();
}

}  // namespace
}  // namespace karpenter::testing
