#pragma once

// Test-only helpers for driving HttpsServer over real TLS: a temp dir with a CA and certificates
// made by the openssl CLI, and a synchronous Beast TLS client.

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace karpenter::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

// A unique directory under the system temp dir, removed with everything in it on destruction.
class TempDir final {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "karpenter-tls-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Runs a shell command in `dir`, quietly; true when it exits 0.
inline bool run(const TempDir& dir, const std::string& command) {
  const std::string full = "cd '" + dir.file("") + "' && " + command + " >/dev/null 2>&1";
  return std::system(full.c_str()) == 0;
}

// <name>.crt/<name>.key: a self-signed P-256 CA.
inline bool makeCa(const TempDir& dir, const std::string& name) {
  return run(dir,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout " +
                 name + ".key -out " + name + ".crt -days 2 -subj /CN=" + name);
}

// <name>.crt/<name>.key issued by <ca>, valid for 127.0.0.1 and localhost, client or server use.
inline bool makeLeaf(const TempDir& dir, const std::string& name, const std::string& ca) {
  return run(dir,
             "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n"
             "extendedKeyUsage=serverAuth,clientAuth\\n' > " +
                 name + ".ext") &&
         run(dir, "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " +
                      name + ".key -out " + name + ".csr -subj /CN=" + name) &&
         run(dir, "openssl x509 -req -in " + name + ".csr -CA " + ca + ".crt -CAkey " + ca +
                      ".key -CAcreateserial -days 2 -out " + name + ".crt -extfile " + name +
                      ".ext");
}

// A TLS client context trusting `caFile`, optionally presenting a client certificate.
inline ssl::context clientContext(const std::string& caFile, const std::string& certFile = "",
                                  const std::string& keyFile = "") {
  ssl::context context(ssl::context::tls_client);
  context.load_verify_file(caFile);
  context.set_verify_mode(ssl::verify_peer);
  if (!certFile.empty()) {
    context.use_certificate_chain_file(certFile);
    context.use_private_key_file(keyFile, ssl::context::pem);
  }
  return context;
}

struct HttpReply {
  beast::error_code error;  // the first failure (connect, handshake, write or read), if any
  std::string stage;        // where it failed
  std::optional<http::response<http::string_body>> response;
};

// One TLS connection to 127.0.0.1:port, used synchronously.
class TlsClient final {
 public:
  TlsClient(ssl::context& context, uint16_t port) : stream_(ioc_, context) {
    beast::get_lowest_layer(stream_).connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), port), error_);
    if (error_) {
      stage_ = "connect";
      return;
    }
    stream_.handshake(ssl::stream_base::client, error_);
    if (error_) {
      stage_ = "handshake";
    }
  }

  const beast::error_code& error() const { return error_; }
  const std::string& stage() const { return stage_; }
  SSL* native() { return stream_.native_handle(); }

  HttpReply send(http::verb method, const std::string& target, const std::string& body,
                 const std::string& contentType = "application/json") {
    HttpReply reply{error_, stage_, std::nullopt};
    if (reply.error) {
      return reply;
    }
    http::request<http::string_body> request(method, target, 11);
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::content_type, contentType);
    request.keep_alive(true);
    request.body() = body;
    request.prepare_payload();
    http::write(stream_, request, reply.error);
    if (reply.error) {
      reply.stage = "write";
      return reply;
    }
    http::response<http::string_body> response;
    http::read(stream_, buffer_, response, reply.error);
    if (reply.error) {
      reply.stage = "read";
      return reply;
    }
    reply.response = std::move(response);
    return reply;
  }

  // Writes raw bytes (for malformed requests) and reads one response.
  HttpReply sendRaw(const std::string& bytes) {
    HttpReply reply{error_, stage_, std::nullopt};
    if (!reply.error) {
      net::write(stream_, net::buffer(bytes), reply.error);
    }
    if (!reply.error) {
      http::response<http::string_body> response;
      http::read(stream_, buffer_, response, reply.error);
      if (!reply.error) {
        reply.response = std::move(response);
      }
    }
    return reply;
  }

 private:
  net::io_context ioc_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  beast::error_code error_;
  std::string stage_;
};

}  // namespace karpenter::testing
