#include "loopback_server.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <strings.h>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace karpenter::aws::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, const LoopbackHandler& handler)
      : stream_(std::move(socket)), handler_(handler) {}

  void run() { doRead(); }

 private:
  void doRead() {
    request_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, request_,
                     beast::bind_front_handler(&Session::onRead, shared_from_this()));
  }

  void onRead(beast::error_code ec, size_t) {
    if (ec) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return;
    }
    LoopbackRequest request;
    request.method = std::string(request_.method_string());
    request.target = std::string(request_.target());
    const size_t question = request.target.find('?');
    request.path = percentDecode(request.target.substr(0, question));
    request.query = question == std::string::npos ? "" : request.target.substr(question + 1);
    for (const auto& field : request_) {
      request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    request.body = request_.body();
    const LoopbackResponse reply = handler_(request);
    auto message = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(reply.status), request_.version());
    message->set(http::field::content_type, reply.contentType);
    for (const HttpHeader& header : reply.headers) {
      message->set(header.name, header.value);
    }
    message->keep_alive(request_.keep_alive());
    message->body() = reply.body;
    message->prepare_payload();
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message](beast::error_code writeEc, size_t) {
                        if (writeEc || !message->keep_alive()) {
                          beast::error_code ignored;
                          self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                          return;
                        }
                        self->doRead();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  const LoopbackHandler& handler_;
};

}  // namespace

std::string LoopbackRequest::header(std::string_view name) const {
  for (const HttpHeader& h : headers) {
    if (h.name.size() == name.size() && strncasecmp(h.name.data(), name.data(), name.size()) == 0) {
      return h.value;
    }
  }
  return "";
}

struct LoopbackServer::Impl {
  explicit Impl(LoopbackHandler h) : handler(std::move(h)), acceptor(ioc) {}

  void doAccept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
      if (ec) {
        return;
      }
      std::make_shared<Session>(std::move(s), handler)->run();
      doAccept();
    });
  }

  LoopbackHandler handler;
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  uint16_t port = 0;
};

LoopbackServer::LoopbackServer(LoopbackHandler handler, size_t threads)
    : impl_(std::make_unique<Impl>(std::move(handler))) {
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->doAccept();
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
}

LoopbackServer::~LoopbackServer() {
  impl_->ioc.stop();
  for (std::thread& thread : impl_->threads) {
    thread.join();
  }
}

uint16_t LoopbackServer::port() const {
  return impl_->port;
}

std::string LoopbackServer::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}

}  // namespace karpenter::aws::testing
