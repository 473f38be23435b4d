#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "karpenter/apiserver/store.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::apiserver {

// HTTP/1.1 front end of the test apiserver (Boost.Beast), plain or — with a certificate and key
// — HTTPS (TLS 1.2 minimum; no client certificates asked for). Serves the REST
// paths of the Store's resources (/api/v1/..., /apis/GROUP/VERSION/..., namespaced and
// cluster-scoped, /status, pods/eviction, pods/binding), ?watch=1 as chunked newline-delimited
// watch events (a too-old resourceVersion arrives in-band as an ERROR event with 410 Expired,
// as upstream sends it), and discovery (/api, /apis, /api/v1, /apis/GROUP/VERSION).
//
// Thread safety: start() and stop() from one owning thread; port() anywhere after start().
// The Store must outlive the Server. Beast stays out of this header (pimpl).
class Server final {
 public:
  struct Options {
    std::string address = "127.0.0.1";
    uint16_t port = 0;  // 0 = any free port; see port()
    int threads = 1;
    std::chrono::seconds bookmarkInterval{60};
    std::chrono::seconds defaultWatchTimeout{1800};
    // PEM serving certificate chain and private key; both set = HTTPS (see tls.hpp to make them).
    std::string tlsCertPem;
    std::string tlsKeyPem;
  };

  Server(Store& store, Options options);
  ~Server();  // stops
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the I/O threads. kUnavailable when the address cannot be bound,
  // kInvalid when the TLS certificate or key cannot be loaded.
  Result<void> start();
  // The bound port (after a successful start()).
  uint16_t port() const;
  // How many TCP connections the server has accepted since start(): lets tests see whether a
  // client reuses connections.
  uint64_t connectionsAccepted() const;
  // Closes the listener and every connection (ending open watches) and joins the threads.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace karpenter::apiserver
