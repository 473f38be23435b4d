#pragma once

// A synchronous plain HTTP/1.1 client for tests (Beast): one request per call.

#include <cstdint>
#include <string>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace karpenter::testing {

struct PlainReply {
  int status = 0;  // 0 when the request failed (connection refused, reset, …)
  std::string contentType;
  std::string body;
};

inline PlainReply plainGet(uint16_t port, const std::string& target) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) {
    return {};
  }
  http::request<http::string_body> request(http::verb::get, target, 11);
  request.set(http::field::host, "127.0.0.1");
  http::write(stream, request, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!ec) {
    http::read(stream, buffer, response, ec);
  }
  if (ec) {
    return {};
  }
  return {static_cast<int>(response.result_int()), std::string(response[http::field::content_type]),
          response.body()};
}

}  // namespace karpenter::testing
