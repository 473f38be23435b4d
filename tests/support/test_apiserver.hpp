#pragma once

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "karpenter/apiserver/resources.hpp"
#include "karpenter/apiserver/server.hpp"
#include "karpenter/apiserver/store.hpp"
#include "karpenter/kube/client.hpp"
#include "karpenter/kube/config.hpp"

namespace karpenter::testing {

// The apiserver an integration test talks to: the cluster named by $KUBECONFIG when set,
// otherwise the in-repo test apiserver on 127.0.0.1 (a free port). Tests that need to reach
// behind the HTTP API (drop connections, compact history) check inRepo() and skip otherwise.
class TestApiserver {
 public:
  struct Options {
    size_t historyWindow = 10'000;
    std::chrono::seconds bookmarkInterval{60};
  };

  // ADD_FAILURE()s and leaves ok() false when it cannot start.
  explicit TestApiserver(Options options) : options_(options) {
    if (const char* kubeconfig = std::getenv("KUBECONFIG"); kubeconfig && *kubeconfig) {
      auto loaded = kube::loadKubeconfig(kubeconfig);
      if (!loaded.ok()) {
        ADD_FAILURE() << loaded.error().message;
        return;
      }
      config_ = *loaded;
      kubeconfigPath_ = kubeconfig;
      ok_ = true;
      return;
    }
    store_ = std::make_unique<apiserver::Store>(
        apiserver::servedResources(),
        apiserver::Store::Options{.clock = [] { return std::chrono::system_clock::now(); },
                                  .historyWindow = options_.historyWindow});
    ok_ = startServer(0);
    if (ok_) {
      config_.server = "http://127.0.0.1:" + std::to_string(server_->port());
    }
  }
  TestApiserver() : TestApiserver(Options{}) {}
  ~TestApiserver() {
    if (server_) {
      server_->stop();
    }
  }

  bool ok() const { return ok_; }
  bool inRepo() const { return store_ != nullptr; }
  const kube::RestConfig& config() const { return config_; }
  // The kubeconfig path in real-cluster mode, else empty.
  const std::string& kubeconfigPath() const { return kubeconfigPath_; }
  // A kubeconfig for a child process or the operator: $KUBECONFIG in real-cluster mode, else
  // one written to `path` that names the in-repo server (plain HTTP, no credentials).
  std::string kubeconfigFile(const std::string& path) const {
    if (!kubeconfigPath_.empty()) {
      return kubeconfigPath_;
    }
    std::ofstream(path) << "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
                           "    server: "
                        << config_.server
                        << "\nusers:\n- name: u\n  user: {}\ncontexts:\n- name: x\n"
                           "  context: {cluster: c, user: u}\ncurrent-context: x\n";
    return path;
  }
  apiserver::Store& store() { return *store_; }

  std::unique_ptr<kube::HttpKubeClient> client(kube::HttpKubeClient::Options options = {}) const {
    return std::make_unique<kube::HttpKubeClient>(config_, std::move(options));
  }

  // In-repo only: closes the listener and every connection (ending open watches).
  void stopServer() { server_->stop(); }
  // In-repo only: serves the same store again on the same port.
  bool restartServer() {
    const uint16_t port = port_;
    server_.reset();
    return startServer(port);
  }

 private:
  bool startServer(uint16_t port) {
    // The old listener's port may linger briefly; retry the bind for a while.
    for (int attempt = 0; attempt < 50; ++attempt) {
      server_ = std::make_unique<apiserver::Server>(
          *store_,
          apiserver::Server::Options{.port = port, .bookmarkInterval = options_.bookmarkInterval});
      if (server_->start().ok()) {
        port_ = server_->port();
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "cannot start the test apiserver on port " << port;
    return false;
  }

  Options options_;
  bool ok_ = false;
  kube::RestConfig config_;
  std::string kubeconfigPath_;
  std::unique_ptr<apiserver::Store> store_;
  std::unique_ptr<apiserver::Server> server_;
  uint16_t port_ = 0;
};

// Polls `condition` every 10 ms until it holds or `timeout` passes; returns its last value.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace karpenter::testing
