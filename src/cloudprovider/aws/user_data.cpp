#include "karpenter/cloudprovider/aws/user_data.hpp"

#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "karpenter/cloudprovider/aws/instance_type_model.hpp"

namespace karpenter::cloudprovider::aws {
namespace {

constexpr std::string_view kBoundary = "//";

struct MimePart {
  std::string contentType;
  std::string body;
};

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return "";
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::string lowerCopy(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

// Splits a MIME multipart document into its parts' content types and bodies.
Result<std::vector<MimePart>> parseMime(const std::string& text) {
  const auto headerEnd =
      text.find("\n\n") != std::string::npos ? text.find("\n\n") : text.find("\r\n\r\n");
  const std::string headers = lowerCopy(text.substr(0, headerEnd));
  const auto at = headers.find("boundary=");
  if (at == std::string::npos) {
    return invalidError("spec.userData: MIME user data without a multipart boundary");
  }
  std::string boundary = text.substr(at + 9);
  boundary = boundary.substr(0, boundary.find_first_of("\r\n;"));
  if (!boundary.empty() && boundary.front() == '"') {
    boundary = boundary.substr(1, boundary.find('"', 1) - 1);
  }
  const std::string delimiter = "--" + boundary;
  std::vector<MimePart> parts;
  size_t pos = text.find(delimiter);
  while (pos != std::string::npos) {
    pos += delimiter.size();
    if (text.compare(pos, 2, "--") == 0) {
      return parts;
    }
    const size_t next = text.find(delimiter, pos);
    if (next == std::string::npos) {
      break;
    }
    std::string part = text.substr(pos, next - pos);
    size_t split = part.find("\n\n");
    size_t skip = 2;
    if (split == std::string::npos) {
      split = part.find("\r\n\r\n");
      skip = 4;
    }
    if (split == std::string::npos) {
      return invalidError("spec.userData: a MIME part has no blank line after its headers");
    }
    MimePart parsed;
    std::istringstream lines(part.substr(0, split));
    for (std::string line; std::getline(lines, line);) {
      if (lowerCopy(line).starts_with("content-type:")) {
        parsed.contentType = trim(line.substr(13));
      }
    }
    parsed.body = part.substr(split + skip);
    while (!parsed.body.empty() && (parsed.body.back() == '\n' || parsed.body.back() == '\r')) {
      parsed.body.pop_back();
    }
    parts.push_back(std::move(parsed));
    pos = next;
  }
  return invalidError("spec.userData: MIME user data without the closing boundary");
}

// The user's parts: a MIME document's parts, or the whole text as one part of `plainType`.
Result<std::vector<MimePart>> userParts(const std::optional<std::string>& userData,
                                        std::string_view plainType) {
  if (!userData || trim(*userData).empty()) {
    return std::vector<MimePart>{};
  }
  if (lowerCopy(userData->substr(0, 64)).find("mime-version") != std::string::npos) {
    return parseMime(*userData);
  }
  std::string body = *userData;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) {
    body.pop_back();  // writeMime ends every part with one newline
  }
  return std::vector<MimePart>{{std::string(plainType), std::move(body)}};
}

std::string writeMime(const std::vector<MimePart>& parts) {
  std::string out = "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"" +
                    std::string(kBoundary) + "\"\n\n";
  for (const auto& part : parts) {
    out += "--" + std::string(kBoundary) + "\nContent-Type: " + part.contentType + "\n\n" +
           part.body + "\n";
  }
  return out + "--" + std::string(kBoundary) + "--\n";
}

std::string joinLabels(const std::map<std::string, std::string>& labels) {
  std::string out;
  for (const auto& [key, value] : labels) {
    if (kubeletMaySetLabel(key)) {
      out += (out.empty() ? "" : ",") + key + "=" + value;
    }
  }
  return out;
}

std::string joinTaints(const std::vector<api::Taint>& taints) {
  std::string out;
  for (const auto& taint : taints) {
    out += (out.empty() ? "" : ",") + taint.key + (taint.value.empty() ? "" : "=" + taint.value) +
           ":" + taint.effect;
  }
  return out;
}

// YAML scalars are written as JSON strings: valid YAML, no quoting rules of our own.
std::string quoted(const std::string& text) {
  return nlohmann::json(text).dump();
}

std::string nodeConfig(const BootstrapOptions& options) {
  std::string yaml =
      "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n"
      "    name: " +
      quoted(options.clusterName) +
      "\n"
      "    apiServerEndpoint: " +
      quoted(options.clusterEndpoint) + "\n";
  if (!options.caBundle.empty()) {
    yaml += "    certificateAuthority: " + quoted(options.caBundle) + "\n";
  }
  if (!options.clusterCIDR.empty()) {
    yaml += "    cidr: " + quoted(options.clusterCIDR) + "\n";
  }
  std::string config;
  const auto& kubelet = options.kubelet;
  if (kubelet.maxPods) {
    config += "      maxPods: " + std::to_string(*kubelet.maxPods) + "\n";
  }
  if (kubelet.podsPerCore) {
    config += "      podsPerCore: " + std::to_string(*kubelet.podsPerCore) + "\n";
  }
  if (!kubelet.clusterDNS.empty()) {
    config += "      clusterDNS:\n";
    for (const auto& ip : kubelet.clusterDNS) {
      config += "      - " + quoted(ip) + "\n";
    }
  }
  for (const auto& [field, values] : {std::pair{"kubeReserved", &kubelet.kubeReserved},
                                      {"systemReserved", &kubelet.systemReserved},
                                      {"evictionHard", &kubelet.evictionHard},
                                      {"evictionSoft", &kubelet.evictionSoft}}) {
    if (!values->empty()) {
      config += "      " + std::string(field) + ":\n";
      for (const auto& [key, value] : *values) {
        config += "        " + quoted(key) + ": " + quoted(value) + "\n";
      }
    }
  }
  std::string flags;
  if (const auto labels = joinLabels(options.labels); !labels.empty()) {
    flags += "    - " + quoted("--node-labels=" + labels) + "\n";
  }
  if (const auto taints = joinTaints(options.taints); !taints.empty()) {
    flags += "    - " + quoted("--register-with-taints=" + taints) + "\n";
  }
  yaml += "  kubelet:\n";
  yaml += config.empty() ? "    config: {}\n" : "    config:\n" + config;
  yaml += flags.empty() ? "    flags: []\n" : "    flags:\n" + flags;
  return yaml;
}

std::string shellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c == '\'' ? std::string("'\"'\"'") : std::string(1, c);
  }
  return out + "'";
}

std::string bootstrapScript(const BootstrapOptions& options) {
  std::string script =
      "#!/bin/bash -xe\nexec > >(tee /var/log/user-data.log|logger -t user-data -s "
      "2>/dev/console) 2>&1\n/etc/eks/bootstrap.sh " +
      shellQuote(options.clusterName) + " --apiserver-endpoint " +
      shellQuote(options.clusterEndpoint);
  if (!options.caBundle.empty()) {
    script += " --b64-cluster-ca " + shellQuote(options.caBundle);
  }
  if (!options.kubelet.clusterDNS.empty()) {
    script += " --dns-cluster-ip " + shellQuote(options.kubelet.clusterDNS.front());
  }
  std::string extra;
  if (options.kubelet.maxPods) {
    script += " --use-max-pods false";
    extra += "--max-pods=" + std::to_string(*options.kubelet.maxPods);
  }
  if (const auto labels = joinLabels(options.labels); !labels.empty()) {
    extra += (extra.empty() ? "" : " ") + std::string("--node-labels=") + labels;
  }
  if (const auto taints = joinTaints(options.taints); !taints.empty()) {
    extra += (extra.empty() ? "" : " ") + std::string("--register-with-taints=") + taints;
  }
  if (!extra.empty()) {
    script += " --kubelet-extra-args " + shellQuote(extra);
  }
  return script;
}

// A PowerShell single-quoted string: only ' needs escaping, by doubling it.
std::string powershellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c == '\'' ? std::string("''") : std::string(1, c);
  }
  return out + "'";
}

// key=value pairs joined by ',' after `flag`, e.g. --kube-reserved=cpu=100m,memory=1Gi; "" when
// `values` is empty. `op` separates key and value (eviction thresholds use '<').
std::string windowsMapArg(const char* flag, const api::StringMap& values, const char* op) {
  std::string joined;
  for (const auto& [key, value] : values) {
    joined += (joined.empty() ? "" : ",") + key + op + value;
  }
  return joined.empty() ? "" : std::string(flag) + "=" + joined;
}

// The kubelet flags Start-EKSBootstrap.ps1 passes through (upstream bootstrap.go
// kubeletExtraArgs): labels, taints, then the kubelet settings.
std::vector<std::string> windowsKubeletArgs(const BootstrapOptions& options) {
  std::vector<std::string> args;
  if (const auto labels = joinLabels(options.labels); !labels.empty()) {
    args.push_back("--node-labels=\"" + labels + "\"");
  }
  if (const auto taints = joinTaints(options.taints); !taints.empty()) {
    args.push_back("--register-with-taints=\"" + taints + "\"");
  }
  const auto& kubelet = options.kubelet;
  if (kubelet.maxPods) {
    args.push_back("--max-pods=" + std::to_string(*kubelet.maxPods));
  }
  if (kubelet.podsPerCore) {
    args.push_back("--pods-per-core=" + std::to_string(*kubelet.podsPerCore));
  }
  for (auto arg : {windowsMapArg("--system-reserved", kubelet.systemReserved, "="),
                   windowsMapArg("--kube-reserved", kubelet.kubeReserved, "="),
                   windowsMapArg("--eviction-hard", kubelet.evictionHard, "<"),
                   windowsMapArg("--eviction-soft", kubelet.evictionSoft, "<")}) {
    if (!arg.empty()) {
      args.push_back(std::move(arg));
    }
  }
  return args;
}

// Windows2019/2022/2025 (upstream bootstrap/windows.go): one <powershell> block, the user's
// script first (its own <powershell> tags dropped: EC2 runs only the first block), then the
// EKS-optimized AMI's Start-EKSBootstrap.ps1.
std::string windowsBootstrap(const BootstrapOptions& options) {
  std::string script = "<powershell>\n";
  if (options.customUserData && !options.customUserData->empty()) {
    std::string custom = *options.customUserData;
    for (const std::string tag : {"<powershell>", "</powershell>"}) {
      for (size_t at = custom.find(tag); at != std::string::npos; at = custom.find(tag)) {
        custom.erase(at, tag.size());
      }
    }
    script += trim(custom) + "\n";
  }
  script +=
      "[string]$EKSBootstrapScriptFile = "
      "\"$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1\"\n"
      "& $EKSBootstrapScriptFile -EKSClusterName " +
      powershellQuote(options.clusterName) + " -APIServerEndpoint " +
      powershellQuote(options.clusterEndpoint);
  if (!options.caBundle.empty()) {
    script += " -Base64ClusterCA " + powershellQuote(options.caBundle);
  }
  std::string args;
  for (const auto& arg : windowsKubeletArgs(options)) {
    args += (args.empty() ? "" : " ") + arg;
  }
  if (!args.empty()) {
    script += " -KubeletExtraArgs " + powershellQuote(args);
  }
  if (!options.kubelet.clusterDNS.empty()) {
    script += " -DNSClusterIP " + powershellQuote(options.kubelet.clusterDNS.front());
  }
  return script + "\n</powershell>";
}

// A TOML document as tables of `key = value` lines, values kept as written. Enough for
// Bottlerocket settings; arrays of tables and multi-line values are refused.
struct TomlTable {
  std::string name;
  std::vector<std::pair<std::string, std::string>> entries;
};

Result<std::vector<TomlTable>> parseToml(const std::string& text) {
  std::vector<TomlTable> tables{{"", {}}};
  std::istringstream lines(text);
  int number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    const std::string content = trim(line);
    if (content.empty() || content.front() == '#') {
      continue;
    }
    if (content.starts_with("[[")) {
      return invalidError("spec.userData line " + std::to_string(number) +
                          ": arrays of tables are not supported in Bottlerocket settings");
    }
    if (content.front() == '[') {
      if (content.back() != ']') {
        return invalidError("spec.userData line " + std::to_string(number) + ": unclosed table");
      }
      tables.push_back({trim(content.substr(1, content.size() - 2)), {}});
      continue;
    }
    const auto eq = content.find('=');
    if (eq == std::string::npos) {
      return invalidError("spec.userData line " + std::to_string(number) +
                          ": expected key = value, got " + content);
    }
    std::string value = trim(content.substr(eq + 1));
    if (value.starts_with("\"\"\"") || value.starts_with("'''") ||
        (value.front() == '[' && value.find(']') == std::string::npos)) {
      return invalidError("spec.userData line " + std::to_string(number) +
                          ": multi-line values are not supported in Bottlerocket settings");
    }
    tables.back().entries.emplace_back(trim(content.substr(0, eq)), std::move(value));
  }
  return tables;
}

void setToml(std::vector<TomlTable>& tables, const std::string& table, const std::string& key,
             const std::string& value) {
  for (auto& t : tables) {
    if (t.name == table) {
      for (auto& [k, v] : t.entries) {
        if (k == key) {
          v = value;
          return;
        }
      }
      t.entries.emplace_back(key, value);
      return;
    }
  }
  tables.push_back({table, {{key, value}}});
}

Result<std::string> bottlerocketSettings(const BootstrapOptions& options) {
  auto tables = parseToml(options.customUserData.value_or(""));
  if (!tables) {
    return tables.error();
  }
  const std::string k8s = "settings.kubernetes";
  setToml(*tables, k8s, "cluster-name", quoted(options.clusterName));
  setToml(*tables, k8s, "api-server", quoted(options.clusterEndpoint));
  if (!options.caBundle.empty()) {
    setToml(*tables, k8s, "cluster-certificate", quoted(options.caBundle));
  }
  if (options.kubelet.maxPods) {
    setToml(*tables, k8s, "max-pods", std::to_string(*options.kubelet.maxPods));
  }
  if (!options.kubelet.clusterDNS.empty()) {
    setToml(*tables, k8s, "cluster-dns-ip", quoted(options.kubelet.clusterDNS.front()));
  }
  for (const auto& [key, value] : options.labels) {
    if (kubeletMaySetLabel(key)) {
      setToml(*tables, k8s + ".node-labels", quoted(key), quoted(value));
    }
  }
  std::map<std::string, std::vector<std::string>> taints;
  for (const auto& taint : options.taints) {
    taints[taint.key].push_back(taint.value + ":" + taint.effect);
  }
  for (const auto& [key, values] : taints) {
    setToml(*tables, k8s + ".node-taints", quoted(key), nlohmann::json(values).dump());
  }
  std::string out;
  for (const auto& table : *tables) {
    if (table.entries.empty()) {
      continue;
    }
    if (!table.name.empty()) {
      out += (out.empty() ? "" : "\n") + std::string("[") + table.name + "]\n";
    }
    for (const auto& [key, value] : table.entries) {
      out += key + " = " + value + "\n";
    }
  }
  return out;
}

}  // namespace

bool kubeletMaySetLabel(std::string_view key) {
  const auto slash = key.find('/');
  if (slash == std::string_view::npos) {
    return true;
  }
  const std::string_view domain = key.substr(0, slash);
  const bool restricted = domain == "kubernetes.io" || domain == "k8s.io" ||
                          domain.ends_with(".kubernetes.io") || domain.ends_with(".k8s.io");
  if (!restricted) {
    return true;
  }
  // The kubelet's allowed set (NodeRestriction): these prefixes and well-known labels.
  return domain == "kubelet.kubernetes.io" || domain == "node.kubernetes.io" ||
         key == "kubernetes.io/arch" || key == "kubernetes.io/os" ||
         key == "kubernetes.io/hostname" || key == "topology.kubernetes.io/zone" ||
         key == "topology.kubernetes.io/region";
}

Result<std::string> bootstrapUserData(std::string_view amiFamily, const BootstrapOptions& options) {
  if (amiFamily == kAmiFamilyCustom) {
    return options.customUserData.value_or("");
  }
  if (amiFamily == kAmiFamilyBottlerocket) {
    return bottlerocketSettings(options);
  }
  if (amiFamily == kAmiFamilyAL2023) {
    auto parts = userParts(options.customUserData, "application/node.eks.aws");
    if (!parts) {
      return parts.error();
    }
    parts->push_back({"application/node.eks.aws", nodeConfig(options)});
    return writeMime(*parts);
  }
  if (amiFamily == kAmiFamilyAL2) {
    auto parts = userParts(options.customUserData, "text/x-shellscript; charset=\"us-ascii\"");
    if (!parts) {
      return parts.error();
    }
    parts->push_back({"text/x-shellscript; charset=\"us-ascii\"", bootstrapScript(options)});
    return writeMime(*parts);
  }
  if (isWindowsFamily(amiFamily)) {
    return windowsBootstrap(options);
  }
  return invalidError("user data for AMI family " + std::string(amiFamily) +
                      " is not supported (AL2023, AL2, Bottlerocket, Windows2019/2022/2025, "
                      "Custom are)");
}

}  // namespace karpenter::cloudprovider::aws
