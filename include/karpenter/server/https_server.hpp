#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "karpenter/server/http.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::server {

// Async HTTPS/1.1 server (Boost.Beast + OpenSSL) in front of a Router, with keep-alive.
//
// - TLS 1.2 minimum (1.3 preferred), ECDHE + AEAD ciphers only for TLS 1.2.
// - Rotation: the serving cert/key files are stat'ed at every accept; when either changed, a new
//   TLS context is built and used for new connections (existing ones keep theirs). A pair that
//   fails to load (e.g. half-written) is logged and the previous context stays in use.
// - mTLS: with clientCaFile set, clients must present a certificate issued by that CA or the
//   handshake fails.
// - Limits: headerLimit (431 and close), the Router's per-path body limit (413 and close),
//   malformed HTTP (400 and close), a read timeout for the handshake (close) and for each
//   request (408 and close once part of it arrived; a connection that sent nothing is just
//   closed), an idle timeout between keep-alive requests (close), maxConnections (excess
//   connections are closed at accept).
// Beast and OpenSSL stay out of this header (pimpl).
//
// Thread safety: start() and stop() from one owning thread; port() anywhere after start().
// The Router is shared read-only by the I/O threads.
class HttpsServer final {
 public:
  struct Options {
    std::string address = "127.0.0.1";
    uint16_t port = 8443;  // 0 = any free port; see port()
    int threads = 1;
    // false serves plain HTTP/1.1 with the same limits (the metrics and health-probe port);
    // the certificate options are then ignored.
    bool tls = true;
    std::string certFile;      // PEM serving certificate (chain)
    std::string keyFile;       // PEM private key
    std::string clientCaFile;  // PEM CA bundle; non-empty enables mTLS
    size_t headerLimit = 16 * 1024;
    size_t maxConnections = 512;
    std::chrono::milliseconds readTimeout{10'000};
    std::chrono::milliseconds idleTimeout{90'000};
  };

  HttpsServer(std::shared_ptr<const Router> router, Options options);
  ~HttpsServer();  // stops with no grace period
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  // Loads the certificate (kInvalid naming the file when it cannot), binds, listens and starts
  // the I/O threads (kUnavailable when the address cannot be bound).
  Result<void> start();
  // The bound port (after a successful start()).
  uint16_t port() const;
  // Connections currently open.
  size_t connections() const;
  // Graceful stop: stops accepting, closes idle keep-alive connections, lets requests in flight
  // finish (their connections close after the response) for up to `grace`, then closes the rest
  // and joins the threads. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace karpenter::server
