#include "karpenter/kube/config.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace karpenter::kube {
namespace {

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return notFoundError(path + ": cannot be read");
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string resolvePath(const std::string& baseDir, const std::string& path) {
  if (path.empty() || baseDir.empty() || std::filesystem::path(path).is_absolute()) {
    return path;
  }
  return (std::filesystem::path(baseDir) / path).lexically_normal().string();
}

// Finds `name` in a kubeconfig list (clusters/users/contexts) and returns its `field` map.
Result<YAML::Node> findNamed(const YAML::Node& root, const std::string& list,
                             const std::string& field, const std::string& name) {
  const YAML::Node entries = root[list];
  if (entries && !entries.IsSequence()) {
    return invalidError(list + ": must be a list");
  }
  if (entries) {
    for (size_t i = 0; i < entries.size(); ++i) {
      const YAML::Node entry = entries[i];
      if (entry["name"] && entry["name"].as<std::string>() == name) {
        const YAML::Node body = entry[field];
        if (!body || !body.IsMap()) {
          return invalidError(list + "[" + std::to_string(i) + "]." + field + ": missing for \"" +
                              name + "\"");
        }
        return body;
      }
    }
  }
  return invalidError(list + ": " + field + " \"" + name + "\" not found");
}

std::string scalar(const YAML::Node& map, const std::string& key) {
  const YAML::Node value = map[key];
  return value && value.IsScalar() ? value.as<std::string>() : std::string();
}

// Decodes `<key>-data` into `data` or resolves `<key>` into `file`.
Result<void> dataOrFile(const YAML::Node& map, const std::string& prefix, const std::string& key,
                        const std::string& baseDir, std::string& data, std::string& file) {
  const std::string encoded = scalar(map, key + "-data");
  if (!encoded.empty()) {
    auto decoded = base64Decode(encoded);
    if (!decoded) {
      return decoded.error().withContext(prefix + "." + key + "-data");
    }
    data = std::move(decoded.value());
    return {};
  }
  file = resolvePath(baseDir, scalar(map, key));
  return {};
}

Result<RestConfig> resolve(const YAML::Node& root, const std::string& baseDir,
                           const std::string& contextOverride) {
  const std::string contextName =
      contextOverride.empty() ? scalar(root, "current-context") : contextOverride;
  if (contextName.empty()) {
    return invalidError("current-context: not set and no context given");
  }
  auto context = findNamed(root, "contexts", "context", contextName);
  if (!context) {
    return context.error();
  }
  RestConfig config;
  config.nameSpace = scalar(*context, "namespace");
  const std::string clusterName = scalar(*context, "cluster");
  if (clusterName.empty()) {
    return invalidError("contexts: context \"" + contextName + "\": cluster: not set");
  }
  auto cluster = findNamed(root, "clusters", "cluster", clusterName);
  if (!cluster) {
    return cluster.error();
  }
  const std::string clusterPrefix = "clusters[" + clusterName + "].cluster";
  config.server = scalar(*cluster, "server");
  if (config.server.empty()) {
    return invalidError(clusterPrefix + ".server: not set");
  }
  config.tlsServerName = scalar(*cluster, "tls-server-name");
  config.insecureSkipTlsVerify = scalar(*cluster, "insecure-skip-tls-verify") == "true";
  if (auto r = dataOrFile(*cluster, clusterPrefix, "certificate-authority", baseDir, config.caData,
                          config.caFile);
      !r) {
    return r.error();
  }
  const std::string userName = scalar(*context, "user");
  if (userName.empty()) {
    return config;  // anonymous
  }
  auto user = findNamed(root, "users", "user", userName);
  if (!user) {
    return user.error();
  }
  const std::string userPrefix = "users[" + userName + "].user";
  if (auto r = dataOrFile(*user, userPrefix, "client-certificate", baseDir, config.clientCertData,
                          config.clientCertFile);
      !r) {
    return r.error();
  }
  if (auto r = dataOrFile(*user, userPrefix, "client-key", baseDir, config.clientKeyData,
                          config.clientKeyFile);
      !r) {
    return r.error();
  }
  config.token = scalar(*user, "token");
  config.tokenFile = resolvePath(baseDir, scalar(*user, "tokenFile"));
  if (const YAML::Node exec = (*user)["exec"]; exec) {
    ExecConfig plugin;
    plugin.command = scalar(exec, "command");
    if (plugin.command.empty()) {
      return invalidError(userPrefix + ".exec.command: not set");
    }
    if (!scalar(exec, "apiVersion").empty()) {
      plugin.apiVersion = scalar(exec, "apiVersion");
    }
    if (const YAML::Node args = exec["args"]; args && args.IsSequence()) {
      for (const auto& arg : args) {
        plugin.args.push_back(arg.as<std::string>());
      }
    }
    if (const YAML::Node env = exec["env"]; env && env.IsSequence()) {
      for (const auto& entry : env) {
        plugin.env.emplace_back(scalar(entry, "name"), scalar(entry, "value"));
      }
    }
    config.exec = std::move(plugin);
  }
  return config;
}

}  // namespace

Result<std::string> base64Decode(const std::string& text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  bool padding = false;
  for (const char c : text) {
    int value = -1;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '+') {
      value = 62;
    } else if (c == '/') {
      value = 63;
    } else if (c == '=') {
      padding = true;
      continue;
    } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      continue;
    }
    if (value < 0 || padding) {
      return invalidError("invalid base64");
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

Result<RestConfig> parseKubeconfig(const std::string& yaml, const std::string& source,
                                   const std::string& baseDir, const std::string& context) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return invalidError(source + ": not valid YAML: " + e.what());
  }
  if (!root.IsMap()) {
    return invalidError(source + ": not a kubeconfig (expected a map)");
  }
  try {
    auto config = resolve(root, baseDir, context);
    if (!config) {
      return config.error().withContext(source);
    }
    return config;
  } catch (const YAML::Exception& e) {
    return invalidError(source + ": " + e.what());
  }
}

Result<RestConfig> loadKubeconfig(const std::string& path, const std::string& context) {
  auto text = readFile(path);
  if (!text) {
    return text.error();
  }
  const std::string dir = std::filesystem::absolute(path).parent_path().string();
  return parseKubeconfig(*text, path, dir, context);
}

Result<RestConfig> inClusterConfig(const EnvLookup& getenv, const std::string& serviceAccountDir) {
  const auto host = getenv("KUBERNETES_SERVICE_HOST");
  const auto port = getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !port || host->empty() || port->empty()) {
    return notFoundError(
        "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be "
        "set");
  }
  RestConfig config;
  const bool ipv6 = host->find(':') != std::string::npos;
  config.server = "https://" + (ipv6 ? "[" + *host + "]" : *host) + ":" + *port;
  config.tokenFile = serviceAccountDir + "/token";
  auto token = readFile(config.tokenFile);
  if (!token) {
    return token.error();
  }
  config.caFile = serviceAccountDir + "/ca.crt";
  if (auto ns = readFile(serviceAccountDir + "/namespace"); ns) {
    config.nameSpace = *ns;
    while (!config.nameSpace.empty() && std::isspace(config.nameSpace.back())) {
      config.nameSpace.pop_back();
    }
  }
  return config;
}

}  // namespace karpenter::kube
