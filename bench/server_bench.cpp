// The HTTPS server under load (issue 3): the real HttpsServer on a loopback port, TLS with
// keep-alive, driven by N client threads that each own one TLS connection and send requests back
// to back for a fixed wall time. Client and server share the machine's cores, so these figures
// are a floor for what a dedicated server does.
//
//   BM_Extender/<connections>/<server threads>: kube-scheduler's per-pod pair — POST
//     /scheduler/filter then POST /scheduler/prioritize — for one pod against 5,000 nodes in
//     cache mode (NodeNames, nodeCacheCapable: true), over a cluster state snapshot of 5,000
//     nodes read through SnapshotClusterView (some disrupted, deleting, drifted,
//     consolidatable, expiring; prices set; one node nominated for the pod).
//   BM_ExtenderRouterOnly/<0 filter, 1 prioritize>: the handler alone (no socket, no TLS).
//   BM_AdmissionValidate / BM_AdmissionDefault /<connections>/<server threads>: an
//     AdmissionReview for a NodePool on the validating and on the defaulting path.
//
// <server threads> 0 means HttpsServer::Options' default. Counters: p50_us, p99_us (per HTTP
// request), req_per_s (HTTP requests per second over all connections); the extender adds per-verb
// percentiles. Time per run: KARPENTER_BENCH_SECONDS (default 2). The "time" column is the run's
// wall time (manual time), not a per-request figure.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "karpenter/admission/routes.hpp"
#include "karpenter/extender/decisions.hpp"
#include "karpenter/server/http.hpp"
#include "karpenter/server/https_server.hpp"
#include "karpenter/state/cluster_view.hpp"
#include "karpenter/state/snapshot.hpp"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kNodes = 5000;
constexpr int kNominatedIndex = 1234;
constexpr const char* kPodUid = "4f6a1c2e-8d3b-4e5f-9a7b-0c1d2e3f4a5b";

double runSeconds() {
  const char* text = std::getenv("KARPENTER_BENCH_SECONDS");
  const double seconds = text == nullptr ? 2.0 : std::atof(text);
  return seconds > 0 ? seconds : 2.0;
}

// ---- Certificates: a CA and a serving certificate for 127.0.0.1, made by the openssl CLI ----

class CertDir final {
 public:
  CertDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "karpenter-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    dir_ = pattern;
    const std::string ext = "subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n";
    const char* ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    run(std::string("openssl req -x509 ") + ec +
        " -keyout ca.key -out ca.crt -days 2 -subj /CN=ca");
    run(std::string("openssl req ") + ec + " -keyout server.key -out server.csr -subj /CN=server");
    run("printf '" + ext + "' > server.ext");
    run("openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
        "-out server.crt -extfile server.ext");
  }
  ~CertDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  CertDir(const CertDir&) = delete;
  CertDir& operator=(const CertDir&) = delete;

  std::string file(const std::string& name) const { return (dir_ / name).string(); }

 private:
  void run(const std::string& command) const {
    const std::string full = "cd '" + dir_.string() + "' && " + command + " >/dev/null 2>&1";
    if (std::system(full.c_str()) != 0) {
      throw std::runtime_error("certificate generation failed: " + command);
    }
  }
  std::filesystem::path dir_;
};

// ---- The cluster the extender reads ----

std::string nodeName(int i) {
  return "ip-10-0-" + std::to_string(i / 250) + "-" + std::to_string(i % 250) +
         ".us-west-2.compute.internal";
}

// A cluster state snapshot of kNodes nodes whose extender facts are set directly, read through
// the product's SnapshotClusterView (the snapshot's hash index), as `karpenter controller` does.
class BenchCluster final {
 public:
  BenchCluster() {
    struct Shape {
      int64_t milliCpu;
      int64_t memoryGiB;
      double price;
    };
    // m5/c5/r5 sizes with us-west-2 on-demand prices: price per vCPU differs between families.
    const std::vector<Shape> shapes = {{1930, 7, 0.096},  {3920, 14, 0.192}, {7910, 29, 0.384},
                                       {1930, 3, 0.085},  {3920, 6, 0.17},   {7910, 13, 0.34},
                                       {1930, 15, 0.126}, {3920, 30, 0.252}, {15890, 60, 0.768}};
    std::mt19937 random(42);
    std::uniform_real_distribution<double> fill(0.0, 0.95);
    auto nodes = std::make_shared<karpenter::state::ClusterSnapshot::NodeMap>();
    for (int i = 0; i < kNodes; ++i) {
      auto entry = std::make_shared<karpenter::state::StateNode>();
      entry->name = nodeName(i);
      karpenter::extender::NodeFacts& facts = entry->facts;
      const Shape& shape = shapes[random() % shapes.size()];
      facts.managed = i % 10 != 0;  // one node in ten is not Karpenter's
      facts.disruptedTaint = facts.managed && i % 50 == 1;
      facts.deleting = i % 100 == 2;
      facts.nodeClaimDeleting = facts.managed && i % 100 == 3;
      facts.consolidatable = facts.managed && i % 20 == 4;
      facts.drifted = facts.managed && i % 33 == 5;
      facts.expiring = facts.managed && i % 50 == 6;
      facts.pricePerHour = i % 25 == 7 ? 0 : shape.price;  // a few unknown prices
      facts.allocatableMilliCpu = shape.milliCpu;
      facts.allocatableMemoryBytes = shape.memoryGiB << 30;
      facts.requestedMilliCpu = static_cast<int64_t>(fill(random) * shape.milliCpu);
      facts.requestedMemoryBytes =
          static_cast<int64_t>(fill(random) * static_cast<double>(shape.memoryGiB << 30));
      if (facts.managed && (facts.disruptedTaint || facts.deleting || facts.nodeClaimDeleting)) {
        ++expectedFailed_;
      }
      nodes->emplace(entry->name, std::move(entry));
    }
    karpenter::state::ClusterSnapshot snapshot = karpenter::state::ClusterSnapshot::empty();
    snapshot.synced = true;
    snapshot.nodes = std::move(nodes);
    snapshot.nominations =
        std::make_shared<const std::map<std::string, karpenter::state::Nomination, std::less<>>>(
            std::map<std::string, karpenter::state::Nomination, std::less<>>{
                {kPodUid, {nodeName(kNominatedIndex), Clock::now() + std::chrono::hours(24)}}});
    snapshot.reindex();
    snapshot_ = std::make_shared<const karpenter::state::ClusterSnapshot>(std::move(snapshot));
  }

  // What the operator's extender routes get per request.
  std::shared_ptr<const karpenter::extender::ClusterView> view() const {
    return std::make_shared<karpenter::state::SnapshotClusterView>(snapshot_, Clock::now());
  }

  // Nodes filter must reject: disrupted, deleting, or NodeClaim deleting — managed ones only.
  int expectedFailed() const { return expectedFailed_; }

 private:
  std::shared_ptr<const karpenter::state::ClusterSnapshot> snapshot_;
  int expectedFailed_ = 0;
};

// A pending Deployment pod as kube-scheduler sends it in ExtenderArgs.Pod.
json pendingPod() {
  auto container = [](const std::string& name, const std::string& cpu, const std::string& mem) {
    return json{{"name", name},
                {"image", "registry.example.com/" + name + ":1.4.2"},
                {"ports", {{{"containerPort", 8080}, {"protocol", "TCP"}}}},
                {"env", {{{"name", "LOG_LEVEL"}, {"value", "info"}}}},
                {"resources",
                 {{"requests", {{"cpu", cpu}, {"memory", mem}}},
                  {"limits", {{"cpu", cpu}, {"memory", mem}}}}},
                {"terminationMessagePath", "/dev/termination-log"},
                {"imagePullPolicy", "IfNotPresent"}};
  };
  return json{
      {"metadata",
       {{"name", "web-7d9f8c6b5-x2k4q"},
        {"generateName", "web-7d9f8c6b5-"},
        {"namespace", "default"},
        {"uid", kPodUid},
        {"resourceVersion", "123456"},
        {"creationTimestamp", "2024-05-01T10:00:00Z"},
        {"labels", {{"app", "web"}, {"pod-template-hash", "7d9f8c6b5"}}},
        {"ownerReferences",
         {{{"apiVersion", "apps/v1"},
           {"kind", "ReplicaSet"},
           {"name", "web-7d9f8c6b5"},
           {"uid", "0b7e2f4c-1111-2222-3333-444455556666"},
           {"controller", true},
           {"blockOwnerDeletion", true}}}}}},
      {"spec",
       {{"containers", {container("web", "500m", "512Mi"), container("sidecar", "100m", "64Mi")}},
        {"restartPolicy", "Always"},
        {"terminationGracePeriodSeconds", 30},
        {"dnsPolicy", "ClusterFirst"},
        {"serviceAccountName", "default"},
        {"schedulerName", "default-scheduler"},
        {"tolerations",
         {{{"key", "node.kubernetes.io/not-ready"},
           {"operator", "Exists"},
           {"effect", "NoExecute"},
           {"tolerationSeconds", 300}}}},
        {"priority", 0}}},
      {"status",
       {{"phase", "Pending"},
        {"conditions",
         {{{"type", "PodScheduled"},
           {"status", "False"},
           {"reason", "Unschedulable"},
           {"lastTransitionTime", "2024-05-01T10:00:01Z"}}}},
        {"qosClass", "Guaranteed"}}}};
}

std::string extenderArgsBody() {
  json names = json::array();
  for (int i = 0; i < kNodes; ++i) {
    names.push_back(nodeName(i));
  }
  return json{{"Pod", pendingPod()}, {"Nodes", nullptr}, {"NodeNames", names}}.dump();
}

// An AdmissionReview as kube-apiserver sends it for a NodePool CREATE (kube-wire.md §2.1).
std::string nodePoolReviewBody() {
  const json nodePool = json::parse(R"({"apiVersion":"karpenter.sh/v1","kind":"NodePool",
    "metadata":{"name":"default","uid":"3c2b1a09-aaaa-bbbb-cccc-ddddeeeeffff"},
    "spec":{"template":{"metadata":{"labels":{"team":"web"}},"spec":{
      "requirements":[
        {"key":"kubernetes.io/arch","operator":"In","values":["amd64"]},
        {"key":"karpenter.sh/capacity-type","operator":"In","values":["spot","on-demand"]},
        {"key":"karpenter.k8s.aws/instance-category","operator":"In","values":["c","m","r"]},
        {"key":"karpenter.k8s.aws/instance-generation","operator":"Gt","values":["4"]}],
      "taints":[{"key":"example.com/dedicated","value":"web","effect":"NoSchedule"}],
      "nodeClassRef":{"group":"karpenter.k8s.aws","kind":"EC2NodeClass","name":"default"}}},
      "limits":{"cpu":"1000","memory":"1000Gi"}}})");
  const std::string group = "karpenter.sh";
  return json{{"apiVersion", "admission.k8s.io/v1"},
              {"kind", "AdmissionReview"},
              {"request",
               {{"uid", "705ab4f5-6393-11e8-b7cc-42010a800002"},
                {"kind", {{"group", group}, {"version", "v1"}, {"kind", "NodePool"}}},
                {"resource", {{"group", group}, {"version", "v1"}, {"resource", "nodepools"}}},
                {"requestKind", {{"group", group}, {"version", "v1"}, {"kind", "NodePool"}}},
                {"name", "default"},
                {"operation", "CREATE"},
                {"userInfo", {{"username", "admin"}, {"groups", {"system:authenticated"}}}},
                {"object", nodePool},
                {"oldObject", nullptr},
                {"dryRun", false},
                {"options", {{"apiVersion", "meta.k8s.io/v1"}, {"kind", "CreateOptions"}}}}}}
      .dump();
}

// ---- The server: one per server-thread setting, started on first use, kept for the process ----

struct Served {
  std::unique_ptr<karpenter::server::HttpsServer> server;
  uint16_t port = 0;
};

class Fixture final {
 public:
  static Fixture& get() {
    static Fixture fixture;
    return fixture;
  }

  const CertDir& certs() const { return certs_; }
  const BenchCluster& cluster() const { return *cluster_; }
  const std::string& extenderBody() const { return extenderBody_; }
  const std::string& reviewBody() const { return reviewBody_; }
  const karpenter::server::Router& router() const { return *router_; }

  // The port of a running server with `threads` I/O threads (0 = the Options default).
  uint16_t port(int threads) {
    Served& served = servers_[threads];
    if (served.server) {
      return served.port;
    }
    karpenter::server::HttpsServer::Options options;
    options.port = 0;
    if (threads > 0) {
      options.threads = threads;
    }
    options.certFile = certs_.file("server.crt");
    options.keyFile = certs_.file("server.key");
    served.server = std::make_unique<karpenter::server::HttpsServer>(router_, options);
    if (auto started = served.server->start(); !started) {
      throw std::runtime_error("server did not start: " + started.error().message);
    }
    served.port = served.server->port();
    return served.port;
  }

  static int defaultThreads() { return karpenter::server::HttpsServer::Options{}.threads; }

 private:
  Fixture()
      : cluster_(std::make_shared<BenchCluster>()),
        extenderBody_(extenderArgsBody()),
        reviewBody_(nodePoolReviewBody()) {
    spdlog::set_level(spdlog::level::warn);
    auto router = std::make_shared<karpenter::server::Router>();
    karpenter::server::addExtenderRoutes(*router, [cluster = cluster_] { return cluster->view(); });
    karpenter::admission::addAdmissionRoutes(*router);
    router_ = std::move(router);
  }

  CertDir certs_;
  std::shared_ptr<const BenchCluster> cluster_;
  std::string extenderBody_;
  std::string reviewBody_;
  std::shared_ptr<const karpenter::server::Router> router_;
  std::map<int, Served> servers_;
};

// ---- The client: one synchronous TLS connection per thread ----

class Connection final {
 public:
  Connection(ssl::context& context, uint16_t port) : stream_(ioc_, context) {
    beast::get_lowest_layer(stream_).connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    beast::get_lowest_layer(stream_).socket().set_option(tcp::no_delay(true));
    stream_.handshake(ssl::stream_base::client);
  }

  // Sends one request and reads the response; throws on a transport error.
  http::response<http::string_body> send(const http::request<http::string_body>& request) {
    http::write(stream_, request);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(stream_, buffer_, parser);
    return parser.release();
  }

 private:
  net::io_context ioc_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

http::request<http::string_body> post(const std::string& target, const std::string& body) {
  http::request<http::string_body> request(http::verb::post, target, 11);
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::content_type, "application/json");
  request.keep_alive(true);
  request.body() = body;
  request.prepare_payload();
  return request;
}

// One step of a client's loop: the requests it sends in order, and a check of the first answer
// to each (the warm-up), so a benchmark that measures errors fails instead.
struct Step {
  http::request<http::string_body> request;
  std::function<std::string(const json& answer)> check;  // "" when the answer is right
};

struct RunResult {
  std::vector<std::vector<uint32_t>> latencyNs;  // per step, all connections
  double wallSeconds = 0;
  size_t requests = 0;
  std::string error;
};

double percentileUs(std::vector<uint32_t>& values, double fraction) {
  if (values.empty()) {
    return 0;
  }
  const size_t index = std::min(values.size() - 1,
                                static_cast<size_t>(fraction * static_cast<double>(values.size())));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index),
                   values.end());
  return values[index] / 1000.0;
}

RunResult runLoad(const std::vector<Step>& steps, int connections, uint16_t port) {
  ssl::context context(ssl::context::tls_client);
  context.load_verify_file(Fixture::get().certs().file("ca.crt"));
  context.set_verify_mode(ssl::verify_peer);

  const auto duration = std::chrono::duration<double>(runSeconds());
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::atomic<bool> failed{false};
  Clock::time_point deadline;
  std::mutex errorMutex;
  std::string firstError;
  std::vector<std::vector<std::vector<uint32_t>>> perThread(
      connections, std::vector<std::vector<uint32_t>>(steps.size()));

  auto client = [&](int index) {
    auto report = [&](const std::string& error) {
      std::lock_guard<std::mutex> lock(errorMutex);
      if (firstError.empty()) {
        firstError = error;
      }
      failed = true;
    };
    std::optional<Connection> connection;
    try {
      connection.emplace(context, port);
      // Warm-up: every step once, answers checked.
      for (const Step& step : steps) {
        auto response = connection->send(step.request);
        if (response.result_int() != 200) {
          throw std::runtime_error(std::string(step.request.target()) + " answered " +
                                   std::to_string(response.result_int()) + ": " + response.body());
        }
        if (std::string error = step.check(json::parse(response.body())); !error.empty()) {
          throw std::runtime_error(std::string(step.request.target()) + ": " + error);
        }
      }
    } catch (const std::exception& e) {
      report(e.what());
      ++ready;
      return;
    }
    ++ready;
    while (!go.load()) {
      std::this_thread::yield();
    }
    auto& latencies = perThread[index];
    try {
      while (!failed.load(std::memory_order_relaxed) && Clock::now() < deadline) {
        for (size_t s = 0; s < steps.size(); ++s) {
          const auto start = Clock::now();
          auto response = connection->send(steps[s].request);
          const auto elapsed = Clock::now() - start;
          if (response.result_int() != 200) {
            throw std::runtime_error("status " + std::to_string(response.result_int()));
          }
          latencies[s].push_back(static_cast<uint32_t>(
              std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()));
        }
      }
    } catch (const std::exception& e) {
      report(e.what());
    }
  };

  std::vector<std::thread> threads;
  threads.reserve(connections);
  for (int i = 0; i < connections; ++i) {
    threads.emplace_back(client, i);
  }
  while (ready.load() < connections) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const auto start = Clock::now();
  deadline = start + std::chrono::duration_cast<Clock::duration>(duration);
  go = true;
  for (auto& thread : threads) {
    thread.join();
  }
  RunResult result;
  result.wallSeconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.error = firstError;
  result.latencyNs.resize(steps.size());
  for (auto& thread : perThread) {
    for (size_t s = 0; s < steps.size(); ++s) {
      result.requests += thread[s].size();
      result.latencyNs[s].insert(result.latencyNs[s].end(), thread[s].begin(), thread[s].end());
    }
  }
  return result;
}

// The fixture, or null (and the benchmark skipped) when certificates or bodies cannot be made.
Fixture* fixtureOrSkip(benchmark::State& state) {
  try {
    return &Fixture::get();
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return nullptr;
  }
}

// Runs the load once (one benchmark iteration) and reports its figures as counters.
void measure(benchmark::State& state, const std::vector<Step>& steps,
             const std::vector<std::string>& stepNames) {
  const int connections = static_cast<int>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  uint16_t port = 0;
  try {
    port = Fixture::get().port(threads);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  RunResult result;
  for (auto _ : state) {
    result = runLoad(steps, connections, port);
    state.SetIterationTime(result.wallSeconds);
  }
  if (!result.error.empty()) {
    state.SkipWithError(result.error.c_str());
    return;
  }
  std::vector<uint32_t> all;
  for (size_t s = 0; s < steps.size(); ++s) {
    all.insert(all.end(), result.latencyNs[s].begin(), result.latencyNs[s].end());
    if (steps.size() > 1) {
      state.counters[stepNames[s] + "_p50_us"] = percentileUs(result.latencyNs[s], 0.50);
      state.counters[stepNames[s] + "_p99_us"] = percentileUs(result.latencyNs[s], 0.99);
    }
  }
  state.counters["p50_us"] = percentileUs(all, 0.50);
  state.counters["p99_us"] = percentileUs(all, 0.99);
  state.counters["req_per_s"] = static_cast<double>(result.requests) / result.wallSeconds;
  state.counters["requests"] = static_cast<double>(result.requests);
  state.counters["server_threads"] = threads > 0 ? threads : Fixture::defaultThreads();
}

void BM_Extender(benchmark::State& state) {
  Fixture* fixture = fixtureOrSkip(state);
  if (fixture == nullptr) {
    return;
  }
  const int expectedFailed = fixture->cluster().expectedFailed();
  const std::string nominated = nodeName(kNominatedIndex);
  std::vector<Step> steps;
  steps.push_back({post("/scheduler/filter", fixture->extenderBody()), [=](const json& answer) {
                     const size_t passed = answer.value("NodeNames", json::array()).size();
                     const size_t failedNodes = answer.value("FailedNodes", json::object()).size();
                     if (failedNodes != static_cast<size_t>(expectedFailed) ||
                         passed + failedNodes != static_cast<size_t>(kNodes)) {
                       return "filter passed " + std::to_string(passed) + " and failed " +
                              std::to_string(failedNodes) + ", expected " +
                              std::to_string(kNodes - expectedFailed) + " and " +
                              std::to_string(expectedFailed);
                     }
                     return std::string();
                   }});
  steps.push_back({post("/scheduler/prioritize", fixture->extenderBody()), [=](const json& answer) {
                     if (!answer.is_array() || answer.size() != static_cast<size_t>(kNodes)) {
                       return std::string("prioritize did not score every node");
                     }
                     for (const json& host : answer) {
                       const bool isNominated = host.at("Host") == nominated;
                       const int64_t score = host.at("Score");
                       if (isNominated != (score == 10)) {
                         return "node " + host.at("Host").get<std::string>() + " scored " +
                                std::to_string(score);
                       }
                     }
                     return std::string();
                   }});
  measure(state, steps, {"filter", "prioritize"});
}

void BM_AdmissionValidate(benchmark::State& state) {
  Fixture* fixture = fixtureOrSkip(state);
  if (fixture == nullptr) {
    return;
  }
  std::vector<Step> steps;
  steps.push_back({post(std::string(karpenter::admission::kValidateNodePoolsPath) + "?timeout=10s",
                        fixture->reviewBody()),
                   [](const json& answer) {
                     return answer.at("response").at("allowed") == true
                                ? std::string()
                                : "the NodePool was rejected: " + answer.dump();
                   }});
  measure(state, steps, {"validate"});
}

void BM_AdmissionDefault(benchmark::State& state) {
  Fixture* fixture = fixtureOrSkip(state);
  if (fixture == nullptr) {
    return;
  }
  std::vector<Step> steps;
  steps.push_back({post(std::string(karpenter::admission::kDefaultNodePoolsPath) + "?timeout=10s",
                        fixture->reviewBody()),
                   [](const json& answer) {
                     // The NodePool leaves disruption and expireAfter unset, so there is a patch.
                     return answer.at("response").contains("patch")
                                ? std::string()
                                : "no defaulting patch: " + answer.dump();
                   }});
  measure(state, steps, {"default"});
}

// The same extender call without sockets or TLS: Router::handle on the request body, on the
// benchmark's thread. The difference to BM_Extender/1 is the transport's share.
void BM_ExtenderRouterOnly(benchmark::State& state) {
  Fixture* fixture = fixtureOrSkip(state);
  if (fixture == nullptr) {
    return;
  }
  const std::string target = state.range(0) == 0 ? "/scheduler/filter" : "/scheduler/prioritize";
  const karpenter::server::Request request{"POST", target, "application/json",
                                           fixture->extenderBody()};
  size_t bytes = 0;
  for (auto _ : state) {
    const karpenter::server::Response response = fixture->router().handle(request);
    if (response.status != 200) {
      state.SkipWithError(("status " + std::to_string(response.status)).c_str());
      return;
    }
    bytes = response.body.size();
  }
  state.counters["response_bytes"] = static_cast<double>(bytes);
  state.counters["request_bytes"] = static_cast<double>(request.body.size());
}
BENCHMARK(BM_ExtenderRouterOnly)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Args: {connections, server threads (0 = default)}. One iteration = one timed run.
void extenderArgs(benchmark::internal::Benchmark* b) {
  for (int threads : {0, 2}) {
    for (int connections : {1, 8, 64}) {
      b->Args({connections, threads});
    }
  }
  b->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);
}

void admissionArgs(benchmark::internal::Benchmark* b) {
  for (int threads : {0, 2}) {
    for (int connections : {1, 8}) {
      b->Args({connections, threads});
    }
  }
  b->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);
}

BENCHMARK(BM_Extender)->Apply(extenderArgs);
BENCHMARK(BM_AdmissionValidate)->Apply(admissionArgs);
BENCHMARK(BM_AdmissionDefault)->Apply(admissionArgs);

}  // namespace
