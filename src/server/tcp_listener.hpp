#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/socket_base.hpp>

namespace karpenter::server::detail {

// Opens `acceptor` on `endpoint`, binds with SO_REUSEADDR (so a restarted server can take its
// port back at once) and listens. Returns the first failure; the acceptor is then unusable.
// Shared by every Beast server in the product (the HTTPS server and the in-repo apiserver).
inline boost::system::error_code listenOn(boost::asio::ip::tcp::acceptor& acceptor,
                                          const boost::asio::ip::tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor.set_option(boost::asio::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  }
  return ec;
}

}  // namespace karpenter::server::detail
