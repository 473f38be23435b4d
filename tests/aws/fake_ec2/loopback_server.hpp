#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "karpenter/aws/sigv4.hpp"

namespace karpenter::aws::testing {

struct LoopbackRequest {
  std::string method;
  std::string target;  // as received: path[?query]
  std::string path;    // percent-decoded
  std::string query;   // raw, without '?'
  std::vector<HttpHeader> headers;
  std::string body;

  // First header with this name (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

struct LoopbackResponse {
  int status = 200;
  std::string contentType = "text/xml;charset=UTF-8";
  std::string body;
  std::vector<HttpHeader> headers;
};

using LoopbackHandler = std::function<LoopbackResponse(const LoopbackRequest&)>;

// A plain-HTTP/1.1 Beast server on 127.0.0.1 and a free port, `threads` I/O threads (default
// one); the handler runs on them, one request at a time per connection — with more than one
// thread, requests of different connections run concurrently (a handler may then block, e.g. a
// long poll, without stalling other clients). Stops (and joins) on destruction.
class LoopbackServer final {
 public:
  explicit LoopbackServer(LoopbackHandler handler, size_t threads = 1);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  uint16_t port() const;
  // http://127.0.0.1:<port>
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace karpenter::aws::testing
