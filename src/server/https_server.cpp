// The only Beast/OpenSSL translation unit of the HTTPS server: structured like Beast's
// async-ssl server example (a session per connection on its own strand, a timeout before every
// asynchronous operation, one failure sink, header and body limits).

#include "karpenter/server/https_server.hpp"

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include "tcp_listener.hpp"

namespace karpenter::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

// TLS 1.2 suites: forward secret, AEAD only (TLS 1.3 suites are OpenSSL's defaults, all modern).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

void fail(beast::error_code ec, const char* what) {
  // stream_truncated: the peer closed without close_notify, which many clients do; harmless for
  // a server whose messages are length-delimited.
  if (ec == net::error::operation_aborted || ec == beast::error::timeout || ec == net::error::eof ||
      ec == net::error::connection_reset || ec == ssl::error::stream_truncated) {
    return;
  }
  spdlog::debug("https {}: {}", what, ec.message());
}

Result<std::shared_ptr<ssl::context>> makeTlsContext(const HttpsServer::Options& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use | ssl::context::no_compression);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_options(context->native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE);
  beast::error_code ec;
  auto failed = [&](const std::string& what) { return invalidError(what + ": " + ec.message()); };
  if (SSL_CTX_set_cipher_list(context->native_handle(), kTls12Ciphers) != 1) {
    return invalidError("cannot set the TLS 1.2 cipher list");
  }
  context->use_certificate_chain_file(options.certFile, ec);
  if (ec) {
    return failed("serving certificate " + options.certFile);
  }
  context->use_private_key_file(options.keyFile, ssl::context::pem, ec);
  if (ec) {
    return failed("serving key " + options.keyFile);
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return invalidError("serving key " + options.keyFile + " does not match " + options.certFile);
  }
  if (!options.clientCaFile.empty()) {
    context->load_verify_file(options.clientCaFile, ec);
    if (ec) {
      return failed("client CA " + options.clientCaFile);
    }
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return context;
}

// Identifies a version of the cert/key pair on disk. Modification times have nanosecond
// resolution on the filesystems we run on; the size catches same-tick rewrites of most files.
struct FileStamp {
  std::filesystem::file_time_type certTime{};
  std::filesystem::file_time_type keyTime{};
  std::uintmax_t certSize = 0;
  std::uintmax_t keySize = 0;
  bool operator==(const FileStamp&) const = default;
};

std::optional<FileStamp> stampOf(const HttpsServer::Options& options) {
  std::error_code ec;
  FileStamp stamp;
  stamp.certTime = std::filesystem::last_write_time(options.certFile, ec);
  if (!ec) {
    stamp.keyTime = std::filesystem::last_write_time(options.keyFile, ec);
  }
  if (!ec) {
    stamp.certSize = std::filesystem::file_size(options.certFile, ec);
  }
  if (!ec) {
    stamp.keySize = std::filesystem::file_size(options.keyFile, ec);
  }
  return ec ? std::nullopt : std::optional<FileStamp>(stamp);
}

// What stop() needs of a session, whatever its stream.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // An idle connection closes now, a busy one after its response.
  virtual void stopWhenIdle() = 0;
};

// What the server and its sessions share; sessions keep it alive.
struct Shared {
  std::shared_ptr<const Router> router;
  HttpsServer::Options options;
  std::atomic<size_t> connections{0};
  std::atomic<bool> stopping{false};
  std::mutex mutex;  // guards sessions; drained is notified under it when a session ends
  std::condition_variable drained;
  std::map<const SessionBase*, std::weak_ptr<SessionBase>> sessions;
};

using TlsStream = ssl::stream<beast::tcp_stream>;
using PlainStream = beast::tcp_stream;

// One connection. Stream is TlsStream (the webhook port) or PlainStream (metrics and probes);
// the two differ only in the handshake and the shutdown.
template <typename Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  Session(tcp::socket&& socket, std::shared_ptr<ssl::context> tls, std::shared_ptr<Shared> shared)
      : tls_(std::move(tls)),
        stream_(makeStream(std::move(socket))),
        readTimer_(stream_.get_executor()),
        shared_(std::move(shared)) {
    ++shared_->connections;
  }

  ~Session() {
    std::lock_guard lock(shared_->mutex);
    shared_->sessions.erase(this);
    --shared_->connections;
    shared_->drained.notify_all();
  }

  void run() {
    {
      std::lock_guard lock(shared_->mutex);
      shared_->sessions.emplace(this, this->weak_from_this());
    }
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        beast::get_lowest_layer(self->stream_).expires_after(self->shared_->options.readTimeout);
        self->stream_.async_handshake(ssl::stream_base::server,
                                      beast::bind_front_handler(&Session::onHandshake, self));
      } else {
        self->doRead();
      }
    });
  }

  void stopWhenIdle() override {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if (!self->busy_) {
        // Like net/http's Shutdown: idle keep-alive connections are simply closed.
        beast::error_code ignored;
        beast::get_lowest_layer(self->stream_).socket().close(ignored);
      }
    });
  }

 private:
  Stream makeStream(tcp::socket&& socket) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls_);
    } else {
      return Stream(std::move(socket));
    }
  }

  void onHandshake(beast::error_code ec) {
    if (ec) {
      return fail(ec, "handshake");
    }
    doRead();
  }

  void doRead() {
    if (shared_->stopping) {
      // Idle between requests while the server stops: closed at once, as stopWhenIdle closes
      // idle connections (stop() can run just before this, while the last write was finishing;
      // a TLS shutdown would then wait out the grace for a client that is not reading).
      beast::error_code ignored;
      beast::get_lowest_layer(stream_).socket().close(ignored);
      return;
    }
    // The body is read into the previous request's buffer: extender requests run to hundreds of
    // KB, and reuse spares an allocation that size (page faults when it maps fresh memory).
    spareBody_.clear();
    parser_.emplace(std::piecewise_construct, std::make_tuple(std::move(spareBody_)));
    parser_->header_limit(static_cast<uint32_t>(shared_->options.headerLimit));
    parser_->body_limit(boost::none);  // the real limit depends on the target; set after headers
    // The first request must arrive within the read timeout; later ones within the idle timeout.
    armReadDeadline(served_ == 0 ? shared_->options.readTimeout : shared_->options.idleTimeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&Session::onHeader, this->shared_from_this()));
  }

  void onHeader(beast::error_code ec, size_t) {
    readDone();
    if (ec) {
      return readFailed(ec);
    }
    busy_ = true;
    const size_t limit = shared_->router->bodyLimitFor(parser_->get().target());
    const auto length = parser_->content_length();
    if (length && *length > limit) {
      return readFailed(http::error::body_limit);
    }
    parser_->body_limit(limit);
    armReadDeadline(shared_->options.readTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::onRead, this->shared_from_this()));
  }

  void onRead(beast::error_code ec, size_t) {
    readDone();
    if (ec) {
      return readFailed(ec);
    }
    auto message = parser_->release();
    Request request{std::string(message.method_string()), std::string(message.target()),
                    std::string(message[http::field::content_type]), std::move(message.body())};
    Response response = shared_->router->handle(request);
    spareBody_ = std::move(request.body);
    send(std::move(response), message.keep_alive() && !shared_->stopping);
  }

  // Reads run against our own deadline rather than tcp_stream's timeout, which closes the
  // socket: a client that stalls mid-request must still be told 408 before the close.
  void armReadDeadline(std::chrono::milliseconds timeout) {
    beast::get_lowest_layer(stream_).expires_never();
    readTimedOut_ = false;
    readTimer_.expires_after(timeout);
    readTimer_.async_wait(
        [self = this->shared_from_this(), generation = ++readGeneration_](beast::error_code ec) {
          if (ec || generation != self->readGeneration_) {
            return;  // the read finished first
          }
          self->readTimedOut_ = true;
          beast::error_code ignored;
          beast::get_lowest_layer(self->stream_).socket().cancel(ignored);
        });
  }

  // A read completed (or failed): its deadline no longer applies.
  void readDone() {
    ++readGeneration_;
    readTimer_.cancel();
  }

  // Part of a request arrived: bytes not yet parsed, a started parse, or a header already read.
  bool requestStarted() const {
    return busy_ || buffer_.size() > 0 || (parser_ && parser_->got_some());
  }

  // Malformed or oversized requests get a JSON error and the connection closes (the rest of
  // the stream cannot be trusted); timeouts and disconnects just close.
  void readFailed(beast::error_code ec) {
    if (readTimedOut_) {
      readTimedOut_ = false;
      if (requestStarted()) {
        return send(
            jsonError(408, "request not received within " +
                               std::to_string(shared_->options.readTimeout.count()) + " ms"),
            false);
      }
      // An idle keep-alive connection (or one that never sent a byte) is simply closed.
      beast::error_code ignored;
      beast::get_lowest_layer(stream_).socket().close(ignored);
      return;
    }
    if (ec == beast::error::timeout || ec == net::error::operation_aborted) {
      return;  // the socket is already closed; dropping the last handler ends the session
    }
    if (ec == http::error::end_of_stream) {
      return doClose();
    }
    if (ec == http::error::body_limit) {
      return send(jsonError(413, "request body exceeds the limit of " +
                                     std::to_string(
                                         shared_->router->bodyLimitFor(parser_->get().target())) +
                                     " bytes"),
                  false);
    }
    if (ec == http::error::header_limit) {
      return send(jsonError(431, "request headers exceed the limit of " +
                                     std::to_string(shared_->options.headerLimit) + " bytes"),
                  false);
    }
    if (ec.category() == beast::error_code(http::error::bad_target).category()) {
      return send(jsonError(400, "malformed HTTP request: " + ec.message()), false);
    }
    fail(ec, "read");
  }

  void send(Response response, bool keepAlive) {
    busy_ = true;
    response_.emplace(static_cast<http::status>(response.status), 11);
    response_->set(http::field::content_type, response.contentType);
    for (const auto& [name, value] : response.headers) {
      response_->set(name, value);
    }
    response_->keep_alive(keepAlive);
    response_->body() = std::move(response.body);  // extender replies run to hundreds of KB
    response_->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(shared_->options.readTimeout);
    http::async_write(stream_, *response_,
                      [self = this->shared_from_this(), keepAlive](beast::error_code ec, size_t) {
                        self->busy_ = false;
                        ++self->served_;
                        if (ec) {
                          return fail(ec, "write");
                        }
                        if (!keepAlive) {
                          return self->doClose();
                        }
                        self->doRead();
                      });
  }

  void doClose() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(shared_->options.readTimeout);
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code ec) { fail(ec, "shutdown"); });
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  std::shared_ptr<ssl::context> tls_;  // outlives stream_, which refers to it; null for plain
  Stream stream_;
  net::steady_timer readTimer_;  // the deadline of the read in progress (see armReadDeadline)
  uint64_t readGeneration_ = 0;  // tells a stale deadline from the current one
  bool readTimedOut_ = false;    // the read in progress was cancelled by its deadline
  std::shared_ptr<Shared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string spareBody_;  // the last request's body buffer, reused by the next (see doRead)
  std::optional<http::response<http::string_body>> response_;
  bool busy_ = false;  // a request is being read (past its headers), handled or answered
  size_t served_ = 0;
};

}  // namespace

struct HttpsServer::Impl {
  std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  std::unique_ptr<net::io_context> ioc;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  // Touched only by start() and then the accept loop (one outstanding accept at a time).
  std::shared_ptr<ssl::context> tls;
  std::optional<FileStamp> tlsStamp;

  void reloadIfChanged() {
    auto stamp = stampOf(shared->options);
    if (!stamp || stamp == tlsStamp) {
      return;
    }
    auto context = makeTlsContext(shared->options);
    if (!context) {
      spdlog::warn("https: keeping the previous certificate: {}", context.error().message);
      return;
    }
    spdlog::info("https: serving certificate {} reloaded", shared->options.certFile);
    tls = std::move(context).value();
    tlsStamp = stamp;
  }

  void startSession(tcp::socket&& socket) {
    if (!shared->options.tls) {
      std::make_shared<Session<PlainStream>>(std::move(socket), nullptr, shared)->run();
      return;
    }
    reloadIfChanged();
    std::make_shared<Session<TlsStream>>(std::move(socket), tls, shared)->run();
  }

  void doAccept() {
    acceptor->async_accept(
        net::make_strand(*ioc), [this](beast::error_code ec, tcp::socket socket) {
          if (ec) {
            return fail(ec, "accept");  // the acceptor was closed: stop accepting
          }
          if (shared->connections >= shared->options.maxConnections) {
            spdlog::warn("https: connection cap of {} reached; closing a new connection",
                         shared->options.maxConnections);
            socket.close(ec);
          } else {
            // Responses are written whole; Nagle would hold back the tail of a multi-segment
            // reply until the client's delayed ACK (tens of milliseconds).
            socket.set_option(tcp::no_delay(true), ec);
            startSession(std::move(socket));
          }
          doAccept();
        });
  }
};

HttpsServer::HttpsServer(std::shared_ptr<const Router> router, Options options)
    : impl_(std::make_unique<Impl>()) {
  impl_->shared->router = std::move(router);
  impl_->shared->options = std::move(options);
}

HttpsServer::~HttpsServer() {
  stop(std::chrono::milliseconds(0));
}

Result<void> HttpsServer::start() {
  Impl& impl = *impl_;
  const Options& options = impl.shared->options;
  if (options.tls) {
    impl.tlsStamp = stampOf(options);
    auto context = makeTlsContext(options);
    if (!context) {
      return context.error();
    }
    impl.tls = std::move(context).value();
  }
  beast::error_code ec;
  const auto address = net::ip::make_address(options.address, ec);
  if (ec) {
    return invalidError("https address " + options.address + ": " + ec.message());
  }
  impl.ioc = std::make_unique<net::io_context>(std::max(1, options.threads));
  impl.acceptor.emplace(net::make_strand(*impl.ioc));  // stop() closes it on its strand
  const tcp::endpoint endpoint(address, options.port);
  ec = detail::listenOn(*impl.acceptor, endpoint);
  if (ec) {
    impl.acceptor.reset();
    impl.ioc.reset();
    return Error{ErrorKind::kUnavailable, "https cannot listen on " + options.address + ":" +
                                              std::to_string(options.port) + ": " + ec.message()};
  }
  impl.port = impl.acceptor->local_endpoint().port();
  impl.doAccept();
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    impl.threads.emplace_back([&impl] { impl.ioc->run(); });
  }
  return {};
}

uint16_t HttpsServer::port() const {
  return impl_->port;
}

size_t HttpsServer::connections() const {
  return impl_->shared->connections;
}

void HttpsServer::stop(std::chrono::milliseconds grace) {
  Impl& impl = *impl_;
  if (!impl.ioc) {
    return;
  }
  impl.shared->stopping = true;
  net::post(impl.acceptor->get_executor(), [&impl] {
    beast::error_code ec;
    impl.acceptor->close(ec);
  });
  std::vector<std::shared_ptr<SessionBase>> sessions;
  {
    std::lock_guard lock(impl.shared->mutex);
    for (auto& [raw, weak] : impl.shared->sessions) {
      if (auto session = weak.lock()) {
        sessions.push_back(std::move(session));
      }
    }
  }
  for (auto& session : sessions) {
    session->stopWhenIdle();
  }
  sessions.clear();  // the sessions must be able to die once their connection ends
  // Only the owning thread waits here; the I/O threads finish the in-flight requests.
  {
    std::unique_lock lock(impl.shared->mutex);
    impl.shared->drained.wait_for(lock, grace, [&] { return impl.shared->connections == 0; });
  }
  impl.ioc->stop();
  for (std::thread& thread : impl.threads) {
    thread.join();
  }
  impl.threads.clear();
  impl.acceptor.reset();
  impl.ioc.reset();  // destroys the remaining sessions with their pending handlers
}

}  // namespace karpenter::server
