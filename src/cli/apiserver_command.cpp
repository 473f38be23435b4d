#include <arpa/inet.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <spdlog/spdlog.h>

#include "karpenter/admission/review.hpp"
#include "karpenter/api/yaml.hpp"
#include "karpenter/apiserver/server.hpp"
#include "karpenter/apiserver/store.hpp"
#include "karpenter/apiserver/tls.hpp"
#include "karpenter/cli/commands.hpp"
#include "signals.hpp"

namespace karpenter::cli {
namespace {

struct ApiserverFlags {
  std::string address = "127.0.0.1";
  uint16_t port = 0;
  std::string kubeconfigOut;
  std::vector<std::string> load;
  bool tls = false;
  std::string tlsCertFile;
  std::string tlsKeyFile;
  std::string tlsCaFile;
  std::vector<std::string> tlsSans = {"localhost", "127.0.0.1"};
};

// `caLine` is the cluster's certificate-authority(-data) line, or empty for plain HTTP.
std::string kubeconfigFor(const std::string& server, const std::string& caLine) {
  return "apiVersion: v1\nkind: Config\nclusters:\n- name: karpenter-test\n  cluster:\n"
         "    server: " +
         server + "\n" + caLine +
         "users:\n- name: karpenter-test\n  user: {}\ncontexts:\n- name: karpenter-test\n"
         "  context:\n    cluster: karpenter-test\n    user: karpenter-test\n"
         "current-context: karpenter-test\n";
}

// Creates every object of the manifests in `paths` (in file order) in the store.
Result<size_t> preload(apiserver::Store& store, const std::vector<std::string>& paths) {
  size_t created = 0;
  for (const auto& path : paths) {
    auto manifests = api::readManifests(path);
    if (!manifests) {
      return manifests.error();
    }
    for (const auto& object : *manifests) {
      const std::string apiVersion = object.value("apiVersion", "");
      const std::string kind = object.value("kind", "");
      const apiserver::ResourceInfo* info = nullptr;
      for (const auto& candidate : store.resources()) {
        if (candidate.apiVersion() == apiVersion && candidate.kind == kind) {
          info = &candidate;
        }
      }
      if (info == nullptr) {
        spdlog::warn("{}: skipping {} {}: not served by the test apiserver", path, apiVersion,
                     kind);
        continue;
      }
      std::string ns;
      if (info->namespaced) {
        ns = object["metadata"].value("namespace", "default");
      }
      nlohmann::json copy = object;
      if (info->namespaced) {
        copy["metadata"]["namespace"] = ns;
      }
      auto result = store.create({info->group, info->version, info->resource}, ns, copy);
      if (!result) {
        return invalidError(path + ": " + kind + " " + object["metadata"].value("name", "") + ": " +
                            result.error().message);
      }
      ++created;
    }
  }
  return created;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return in ? std::string(std::istreambuf_iterator<char>(in), {}) : "";
}

// The serving certificate and the kubeconfig's CA line: the given files, or a generated CA and
// certificate for --tls-san.
Result<std::pair<apiserver::ServingCertificate, std::string>> tlsMaterial(
    const ApiserverFlags& flags) {
  if (!flags.tlsCertFile.empty() || !flags.tlsKeyFile.empty()) {
    apiserver::ServingCertificate files{"", readFile(flags.tlsCertFile),
                                        readFile(flags.tlsKeyFile)};
    if (files.certPem.empty() || files.keyPem.empty()) {
      return invalidError("--tls-cert-file and --tls-key-file must both name readable PEM files");
    }
    const std::string caLine =
        flags.tlsCaFile.empty()
            ? ""
            : "    certificate-authority: " + std::filesystem::absolute(flags.tlsCaFile).string() +
                  "\n";
    return std::pair{files, caLine};
  }
  std::vector<std::string> dnsNames;
  std::vector<std::string> ips;
  for (const std::string& san : flags.tlsSans) {
    unsigned char buffer[16];
    const bool ip = inet_pton(AF_INET, san.c_str(), buffer) == 1 ||
                    inet_pton(AF_INET6, san.c_str(), buffer) == 1;
    (ip ? ips : dnsNames).push_back(san);
  }
  auto generated = apiserver::makeServingCertificate(dnsNames, ips);
  if (!generated) {
    return generated.error();
  }
  const std::string caLine =
      "    certificate-authority-data: " + admission::base64Encode(generated->caPem) + "\n";
  return std::pair{*generated, caLine};
}

int runApiserver(const ApiserverFlags& flags) {
  const sigset_t signals = blockTerminationSignals();

  apiserver::Store store(apiserver::servedResources(),
                         {.clock = [] { return std::chrono::system_clock::now(); }});
  if (auto loaded = preload(store, flags.load); !loaded) {
    std::cerr << "karpenter apiserver: " << loaded.error().message << "\n";
    return 1;
  }
  apiserver::Server::Options options{.address = flags.address, .port = flags.port};
  std::string caLine;
  const bool tls = flags.tls || !flags.tlsCertFile.empty() || !flags.tlsKeyFile.empty();
  if (tls) {
    auto material = tlsMaterial(flags);
    if (!material) {
      std::cerr << "karpenter apiserver: " << material.error().message << "\n";
      return 1;
    }
    options.tlsCertPem = material->first.certPem;
    options.tlsKeyPem = material->first.keyPem;
    caLine = material->second;
  }
  apiserver::Server server(store, options);
  if (auto started = server.start(); !started) {
    std::cerr << "karpenter apiserver: " << started.error().message << "\n";
    return 1;
  }
  const std::string url =
      (tls ? "https://" : "http://") + flags.address + ":" + std::to_string(server.port());
  if (!flags.kubeconfigOut.empty()) {
    std::ofstream(flags.kubeconfigOut) << kubeconfigFor(url, caLine);
  }
  std::cout << url << std::endl;
  waitForTermination(signals);
  server.stop();
  return 0;
}

}  // namespace

void addApiserverCommand(CLI::App& app, int& exitCode) {
  auto flags = std::make_shared<ApiserverFlags>();
  auto* command = app.add_subcommand(
      "apiserver",
      "Run the in-repo test kube-apiserver (in memory, nothing persisted; plain HTTP unless a TLS "
      "flag is given) until SIGTERM; prints its URL");
  command->add_option("--address", flags->address, "Listen address")->capture_default_str();
  command->add_option("--port", flags->port, "Listen port (0: any free port)")
      ->capture_default_str();
  command->add_option("--kubeconfig-out", flags->kubeconfigOut,
                      "Write a kubeconfig for this server to this file");
  command->add_option("--load", flags->load, "Manifest files or directories to create at start");
  command->add_flag("--tls", flags->tls,
                    "Serve HTTPS with a freshly generated CA and certificate (for --tls-san); the "
                    "kubeconfig written carries the CA as certificate-authority-data");
  command
      ->add_option("--tls-san", flags->tlsSans,
                   "DNS names and IP addresses of the generated certificate")
      ->capture_default_str();
  command->add_option("--tls-cert-file", flags->tlsCertFile,
                      "Serve HTTPS with this PEM certificate (chain) instead of a generated one");
  command->add_option("--tls-key-file", flags->tlsKeyFile, "PEM private key of --tls-cert-file");
  command->add_option("--tls-ca-file", flags->tlsCaFile,
                      "CA of --tls-cert-file, referenced by the kubeconfig written");
  command->callback([flags, &exitCode] { exitCode = runApiserver(*flags); });
}

}  // namespace karpenter::cli
