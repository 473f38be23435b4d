#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "karpenter/util/result.hpp"

namespace karpenter::apiserver {

// PEM material for serving the test apiserver over HTTPS.
struct ServingCertificate {
  std::string caPem;    // the self-signed CA that clients trust (kubeconfig certificate-authority)
  std::string certPem;  // the serving certificate, issued by the CA
  std::string keyPem;   // its private key
};

// A fresh P-256 CA ("karpenter-test-ca") and a serving certificate it signs whose
// subjectAltName holds exactly `dnsNames` and `ipAddresses` (serverAuth; valid from an hour ago
// for `validity`). kInvalid for an unparsable IP address, kInternal if OpenSSL fails.
Result<ServingCertificate> makeServingCertificate(
    const std::vector<std::string>& dnsNames, const std::vector<std::string>& ipAddresses,
    std::chrono::hours validity = std::chrono::hours(24 * 365));

}  // namespace karpenter::apiserver
