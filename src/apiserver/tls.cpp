// Certificate generation with OpenSSL 3's C API, for `karpenter apiserver --tls` and tests.

#include "karpenter/apiserver/tls.hpp"

#include <arpa/inet.h>
#include <memory>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace karpenter::apiserver {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;

Error openSslError(const std::string& what) {
  return Error{ErrorKind::kInternal, "generating the test apiserver certificate: " + what};
}

bool addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> extension(
      X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
  return extension && X509_add_ext(cert, extension.get(), -1) == 1;
}

// A certificate for `key` named `commonName`, signed by `issuerKey` (self-signed when issuer is
// null), carrying `extensions`.
Cert makeCertificate(EVP_PKEY* key, const std::string& commonName, X509* issuer,
                     EVP_PKEY* issuerKey,
                     const std::vector<std::pair<int, std::string>>& extensions,
                     std::chrono::hours validity) {
  Cert cert(X509_new());
  unsigned char serial[16];
  if (!cert || RAND_bytes(serial, sizeof serial) != 1) {
    return nullptr;
  }
  serial[0] &= 0x7f;  // positive
  std::unique_ptr<BIGNUM, decltype(&BN_free)> number(BN_bin2bn(serial, sizeof serial, nullptr),
                                                     BN_free);
  X509_set_version(cert.get(), 2);
  BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                  std::chrono::duration_cast<std::chrono::seconds>(validity).count());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(cert.get(), key);
  for (const auto& [nid, value] : extensions) {
    if (!addExtension(cert.get(), issuer ? issuer : cert.get(), nid, value)) {
      return nullptr;
    }
  }
  if (X509_sign(cert.get(), issuerKey, EVP_sha256()) == 0) {
    return nullptr;
  }
  return cert;
}

template <typename Write>
std::string pem(Write write) {
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  if (!bio || !write(bio.get())) {
    return "";
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

Result<ServingCertificate> makeServingCertificate(const std::vector<std::string>& dnsNames,
                                                  const std::vector<std::string>& ipAddresses,
                                                  std::chrono::hours validity) {
  std::string alternativeNames;
  for (const std::string& dns : dnsNames) {
    alternativeNames += (alternativeNames.empty() ? "DNS:" : ",DNS:") + dns;
  }
  for (const std::string& ip : ipAddresses) {
    unsigned char buffer[16];
    if (inet_pton(AF_INET, ip.c_str(), buffer) != 1 &&
        inet_pton(AF_INET6, ip.c_str(), buffer) != 1) {
      return invalidError("TLS certificate: \"" + ip + "\" is not an IP address");
    }
    alternativeNames += (alternativeNames.empty() ? "IP:" : ",IP:") + ip;
  }
  if (alternativeNames.empty()) {
    return invalidError("TLS certificate: at least one DNS name or IP address is required");
  }
  Key caKey(EVP_EC_gen("P-256"));
  Key servingKey(EVP_EC_gen("P-256"));
  if (!caKey || !servingKey) {
    return openSslError("key generation failed");
  }
  Cert ca = makeCertificate(caKey.get(), "karpenter-test-ca", nullptr, caKey.get(),
                            {{NID_basic_constraints, "critical,CA:TRUE"},
                             {NID_key_usage, "critical,keyCertSign,cRLSign"},
                             {NID_subject_key_identifier, "hash"}},
                            validity);
  if (!ca) {
    return openSslError("CA certificate");
  }
  const std::string commonName = dnsNames.empty() ? ipAddresses.front() : dnsNames.front();
  Cert serving = makeCertificate(servingKey.get(), commonName, ca.get(), caKey.get(),
                                 {{NID_basic_constraints, "critical,CA:FALSE"},
                                  {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                                  {NID_ext_key_usage, "serverAuth"},
                                  {NID_authority_key_identifier, "keyid"},
                                  {NID_subject_alt_name, alternativeNames}},
                                 validity);
  if (!serving) {
    return openSslError("serving certificate");
  }
  ServingCertificate out;
  out.caPem = pem([&](BIO* bio) { return PEM_write_bio_X509(bio, ca.get()) == 1; });
  out.certPem = pem([&](BIO* bio) { return PEM_write_bio_X509(bio, serving.get()) == 1; });
  out.keyPem = pem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, servingKey.get(), nullptr, nullptr, 0, nullptr, nullptr) ==
           1;
  });
  if (out.caPem.empty() || out.certPem.empty() || out.keyPem.empty()) {
    return openSslError("PEM encoding");
  }
  return out;
}

}  // namespace karpenter::apiserver
