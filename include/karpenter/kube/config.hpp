#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "karpenter/util/result.hpp"

namespace karpenter::kube {

// An `exec` credential plugin from a kubeconfig user (client.authentication.k8s.io).
struct ExecConfig {
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string apiVersion = "client.authentication.k8s.io/v1";
};

// Everything needed to reach one apiserver as one identity: the resolved cluster + user of a
// kubeconfig context, or the in-cluster service account. File paths are absolute (kubeconfig
// paths are resolved against the kubeconfig's directory); *Data fields hold decoded PEM bytes.
// A plain value; copy freely.
struct RestConfig {
  std::string server;  // "https://host:port" (or "http://" for the in-repo test apiserver)
  std::string tlsServerName;
  bool insecureSkipTlsVerify = false;
  std::string caFile;
  std::string caData;
  std::string clientCertFile;
  std::string clientCertData;
  std::string clientKeyFile;
  std::string clientKeyData;
  std::string token;      // a static bearer token (used when tokenFile is empty)
  std::string tokenFile;  // re-read when it changes; wins over `token`, as in client-go
  std::optional<ExecConfig> exec;
  std::string nameSpace;  // the context's (or service account's) namespace; may be empty
};

// Parses kubeconfig YAML text. `source` names the file in error messages; relative paths resolve
// against `baseDir`. `context` overrides current-context when non-empty. Errors are kInvalid and
// name the source and the field, e.g. "/k/config: contexts: context \"x\" not found".
Result<RestConfig> parseKubeconfig(const std::string& yaml, const std::string& source,
                                   const std::string& baseDir, const std::string& context = "");

// Reads and parses a kubeconfig file (kNotFound if it cannot be read).
Result<RestConfig> loadKubeconfig(const std::string& path, const std::string& context = "");

// In-cluster configuration: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT (IPv6
// bracketed), token file and CA under `serviceAccountDir`, namespace from its `namespace` file.
// `getenv` is injectable for tests. kNotFound when not running in a cluster.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
Result<RestConfig> inClusterConfig(
    const EnvLookup& getenv,
    const std::string& serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount");

// Decodes standard base64 (padding optional, whitespace ignored); kInvalid on bad input.
Result<std::string> base64Decode(const std::string& text);

// Supplies the bearer token for each request: a static token, the token file (re-read when its
// modification time or size changes, so rotated service-account tokens are picked up), or an exec
// plugin's credential (cached until expirationTimestamp). Thread safety: token() may be called
// from any thread.
class TokenSource {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // `now` is the only source of time (exec credential expiry); defaults to system_clock.
  explicit TokenSource(RestConfig config, Clock now = {});
  ~TokenSource();
  TokenSource(const TokenSource&) = delete;
  TokenSource& operator=(const TokenSource&) = delete;

  // The current token; empty when the config has no token at all. Errors name the file or the
  // plugin that failed.
  Result<std::string> token();
  // Forgets a cached exec credential (call after a 401 so the next token() runs the plugin).
  void invalidate();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace karpenter::kube
