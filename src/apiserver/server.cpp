// The only Beast translation unit of the apiserver: structured like Beast's async server example
// (a session per connection on its own strand, a timeout before every operation, a body limit).

#include "karpenter/apiserver/server.hpp"

#include <atomic>
#include <deque>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include "../server/tcp_listener.hpp"
#include "rest_router.hpp"

namespace karpenter::apiserver {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr std::chrono::seconds kIoTimeout{30};
constexpr uint64_t kBodyLimit = 3 * 1024 * 1024;  // upstream's request size limit

void fail(beast::error_code ec, const char* what) {
  if (ec == net::error::operation_aborted || ec == beast::error::timeout || ec == net::error::eof ||
      ec == net::error::connection_reset) {
    return;  // ordinary ends of a connection
  }
  spdlog::debug("apiserver {}: {}", what, ec.message());
}

// One connection, plain (beast::tcp_stream) or TLS (TlsStream).
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;
  using std::enable_shared_from_this<Session<Stream>>::weak_from_this;

 public:
  template <class... TlsContext>
  Session(tcp::socket&& socket, Store& store, const Server::Options& options,
          TlsContext&... context)
      : stream_(std::move(socket), context...),
        store_(store),
        options_(options),
        watchTimer_(stream_.get_executor()) {}

  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if constexpr (kTls) {
        beast::get_lowest_layer(self->stream_).expires_after(kIoTimeout);
        self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
          if (ec) {
            return fail(ec, "tls handshake");
          }
          self->doRead();
        });
      } else {
        self->doRead();
      }
    });
  }

 private:
  void doRead() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    beast::get_lowest_layer(stream_).expires_after(kIoTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::onRead, shared_from_this()));
  }

  void onRead(beast::error_code ec, size_t) {
    if (ec == http::error::end_of_stream) {
      return doClose();
    }
    if (ec) {
      return fail(ec, "read");
    }
    http::request<http::string_body> request = parser_->release();
    RestRequest rest{std::string(request.method_string()), std::string(request.target()),
                     std::string(request[http::field::content_type]),
                     std::string(request[http::field::user_agent]), request.body()};
    auto routed = routeRequest(store_, rest);
    if (auto* response = std::get_if<RestResponse>(&routed)) {
      return sendResponse(*response, request.version(), request.keep_alive());
    }
    startWatch(std::get<WatchRequest>(routed), request.version());
  }

  void sendResponse(const RestResponse& response, unsigned version, bool keepAlive) {
    auto message = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version);
    message->set(http::field::content_type, "application/json");
    message->keep_alive(keepAlive);
    message->body() = response.body.dump() + "\n";
    message->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(kIoTimeout);
    http::async_write(
        stream_, *message,
        [self = shared_from_this(), message, keepAlive](beast::error_code ec, size_t) {
          if (ec) {
            return fail(ec, "write");
          }
          if (!keepAlive) {
            return self->doClose();
          }
          self->doRead();
        });
  }

  // Streams watch events as chunks until the timeout, an error, or the client going away.
  void startWatch(const WatchRequest& watch, unsigned version) {
    header_.emplace(http::status::ok, version);
    header_->set(http::field::content_type, "application/json");
    header_->chunked(true);
    serializer_.emplace(*header_);
    beast::get_lowest_layer(stream_).expires_never();  // a watch is idle between events
    http::async_write_header(stream_, *serializer_,
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                               if (ec) {
                                 self->watch_.stop();
                                 return fail(ec, "watch header");
                               }
                               self->headerSent_ = true;
                               self->flush();
                             });
    std::weak_ptr<Session> weak = weak_from_this();
    auto executor = stream_.get_executor();
    // Called under the Store's lock: only hand the line over to this session's strand.
    auto sink = [weak, executor](const nlohmann::json& event) {
      net::post(executor, [weak, line = event.dump() + "\n"]() mutable {
        if (auto self = weak.lock()) {
          self->enqueue(std::move(line));
        }
      });
    };
    auto registered = store_.watch(watch.gvr, watch.ns, watch.options, sink);
    if (!registered) {
      // Upstream reports a too-old resourceVersion in-band, as an ERROR event.
      enqueue(nlohmann::json{{"type", "ERROR"}, {"object", registered.error().toStatus()}}.dump() +
              "\n");
      return finish();
    }
    watch_ = std::move(registered).value();
    const auto timeout = watch.timeoutSeconds > 0 ? std::chrono::seconds(watch.timeoutSeconds)
                                                  : options_.defaultWatchTimeout;
    watchTimer_.expires_after(timeout);
    watchTimer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) {
        self->finish();
      }
    });
  }

  void enqueue(std::string line) {
    outbox_.push_back(std::move(line));
    flush();
  }

  void finish() {
    finishing_ = true;
    watch_.stop();
    flush();
  }

  void flush() {
    if (writing_ || !headerSent_) {
      return;
    }
    if (outbox_.empty()) {
      if (finishing_) {
        writing_ = true;
        net::async_write(
            stream_, http::make_chunk_last(),
            [self = shared_from_this()](beast::error_code, size_t) { self->doClose(); });
      }
      return;
    }
    writing_ = true;
    net::async_write(stream_, http::make_chunk(net::buffer(outbox_.front())),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->writing_ = false;
                       if (ec) {
                         self->watch_.stop();
                         self->watchTimer_.cancel();
                         return fail(ec, "watch write");
                       }
                       self->outbox_.pop_front();
                       self->flush();
                     });
  }

  void doClose() {
    beast::error_code ec;
    watchTimer_.cancel();
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  Store& store_;
  const Server::Options& options_;
  std::optional<http::request_parser<http::string_body>> parser_;
  // Watch streaming state; touched only on the session's strand.
  std::optional<http::response<http::empty_body>> header_;
  std::optional<http::response_serializer<http::empty_body>> serializer_;
  net::steady_timer watchTimer_;
  std::deque<std::string> outbox_;
  WatchHandle watch_;
  bool headerSent_ = false;
  bool writing_ = false;
  bool finishing_ = false;
};

}  // namespace

struct Server::Impl {
  Impl(Store& s, Options o) : store(s), options(std::move(o)) {}

  void doAccept() {
    acceptor->async_accept(
        net::make_strand(*ioc), [this](beast::error_code ec, tcp::socket socket) {
          if (ec) {
            return fail(ec, "accept");  // the acceptor was closed: stop accepting
          }
          ++accepted;
          if (tls) {
            std::make_shared<Session<TlsStream>>(std::move(socket), store, options, *tls)->run();
          } else {
            std::make_shared<Session<beast::tcp_stream>>(std::move(socket), store, options)->run();
          }
          doAccept();
        });
  }

  void scheduleBookmarks() {
    bookmarkTimer->expires_after(options.bookmarkInterval);
    bookmarkTimer->async_wait([this](beast::error_code ec) {
      if (!ec) {
        store.sendBookmarks();
        scheduleBookmarks();
      }
    });
  }

  Store& store;
  Options options;
  std::optional<ssl::context> tls;  // set when serving HTTPS
  std::unique_ptr<net::io_context> ioc;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> bookmarkTimer;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  std::atomic<uint64_t> accepted{0};
};

Server::Server(Store& store, Options options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {}

Server::~Server() {
  stop();
}

Result<void> Server::start() {
  Impl& impl = *impl_;
  if (!impl.options.tlsCertPem.empty() || !impl.options.tlsKeyPem.empty()) {
    impl.tls.emplace(ssl::context::tls_server);
    impl.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1);
    beast::error_code ec;
    impl.tls->use_certificate_chain(net::buffer(impl.options.tlsCertPem), ec);
    if (!ec) {
      impl.tls->use_private_key(net::buffer(impl.options.tlsKeyPem), ssl::context::pem, ec);
    }
    if (ec) {
      impl.tls.reset();
      return invalidError("apiserver TLS certificate or key: " + ec.message());
    }
  }
  impl.ioc = std::make_unique<net::io_context>(impl.options.threads);
  beast::error_code ec;
  const auto address = net::ip::make_address(impl.options.address, ec);
  if (ec) {
    return invalidError("apiserver address " + impl.options.address + ": " + ec.message());
  }
  impl.acceptor.emplace(*impl.ioc);
  const tcp::endpoint endpoint(address, impl.options.port);
  ec = karpenter::server::detail::listenOn(*impl.acceptor, endpoint);
  if (ec) {
    impl.acceptor.reset();
    return Error{ErrorKind::kUnavailable, "apiserver cannot listen on " + impl.options.address +
                                              ":" + std::to_string(impl.options.port) + ": " +
                                              ec.message()};
  }
  impl.port = impl.acceptor->local_endpoint().port();
  impl.bookmarkTimer.emplace(*impl.ioc);
  impl.doAccept();
  impl.scheduleBookmarks();
  for (int i = 0; i < std::max(1, impl.options.threads); ++i) {
    impl.threads.emplace_back([&impl] { impl.ioc->run(); });
  }
  return {};
}

uint16_t Server::port() const {
  return impl_->port;
}

uint64_t Server::connectionsAccepted() const {
  return impl_->accepted.load();
}

void Server::stop() {
  Impl& impl = *impl_;
  if (!impl.ioc) {
    return;
  }
  impl.ioc->stop();
  for (std::thread& thread : impl.threads) {
    thread.join();
  }
  impl.threads.clear();
  impl.bookmarkTimer.reset();
  impl.acceptor.reset();
  // Destroying the context destroys the pending handlers and with them every session, which
  // unregisters its watch from the Store.
  impl.ioc.reset();
}

}  // namespace karpenter::apiserver
