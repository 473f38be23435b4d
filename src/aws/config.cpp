#include "karpenter/aws/config.hpp"

#include <array>
#include <cctype>
#include <fstream>
#include <sstream>

namespace karpenter::aws {
namespace {

constexpr std::array<std::string_view, 7> kServices = {"ec2", "ssm",     "sqs", "sts",
                                                       "iam", "pricing", "eks"};

std::string trim(std::string_view text) {
  size_t start = 0;
  size_t end = text.size();
  while (start < end && std::isspace(static_cast<unsigned char>(text[start]))) {
    ++start;
  }
  while (end > start && std::isspace(static_cast<unsigned char>(text[end - 1]))) {
    --end;
  }
  return std::string(text.substr(start, end - start));
}

std::string readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "";
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string homeDir(const Environment& env) {
  return env("HOME").value_or("");
}

bool isChina(const std::string& region) {
  return region.rfind("cn-", 0) == 0;
}

// The Price List API is served from a few regions only; the nearest one is used.
std::string pricingRegion(const std::string& region) {
  if (region.rfind("ap-", 0) == 0) {
    return "ap-south-1";
  }
  if (isChina(region)) {
    return "cn-northwest-1";
  }
  if (region.rfind("eu-", 0) == 0) {
    return "eu-central-1";
  }
  return "us-east-1";
}

}  // namespace

std::map<std::string, ProfileSettings> parseSharedIni(std::string_view text, bool configFile) {
  std::map<std::string, ProfileSettings> sections;
  ProfileSettings* current = nullptr;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    const std::string trimmed = trim(line);
    if (trimmed.empty() || trimmed[0] == '#' || trimmed[0] == ';') {
      continue;
    }
    if (trimmed.front() == '[') {
      std::string name = trim(trimmed.substr(1, trimmed.find(']') - 1));
      if (configFile) {
        if (name.rfind("profile ", 0) == 0) {
          name = trim(name.substr(8));
        } else if (name != "default") {
          current = nullptr;  // sso-session, services, ...: not profiles
          continue;
        }
      }
      current = &sections[name];
      continue;
    }
    const size_t eq = trimmed.find('=');
    if (current == nullptr || eq == std::string::npos) {
      continue;  // nested sub-settings (s3 =\n  ...) and stray lines are not used here
    }
    (*current)[trim(trimmed.substr(0, eq))] = trim(trimmed.substr(eq + 1));
  }
  return sections;
}

std::string activeProfileName(const Environment& env) {
  return env("AWS_PROFILE").value_or("default");
}

std::string sharedCredentialsPath(const Environment& env) {
  return env("AWS_SHARED_CREDENTIALS_FILE").value_or(homeDir(env) + "/.aws/credentials");
}

std::string sharedConfigPath(const Environment& env) {
  return env("AWS_CONFIG_FILE").value_or(homeDir(env) + "/.aws/config");
}

ProfileSettings loadProfile(const Environment& env, const std::string& profile) {
  ProfileSettings merged;
  auto config = parseSharedIni(readWholeFile(sharedConfigPath(env)), true);
  if (auto it = config.find(profile); it != config.end()) {
    merged = it->second;
  }
  auto credentials = parseSharedIni(readWholeFile(sharedCredentialsPath(env)), false);
  if (auto it = credentials.find(profile); it != credentials.end()) {
    for (const auto& [key, value] : it->second) {
      merged[key] = value;
    }
  }
  return merged;
}

std::string AwsConfig::endpointFor(std::string_view serviceId) const {
  if (auto it = serviceUrls.find(std::string(serviceId)); it != serviceUrls.end()) {
    return it->second;
  }
  if (!endpointUrl.empty()) {
    return endpointUrl;
  }
  const std::string suffix = isChina(region) ? ".amazonaws.com.cn" : ".amazonaws.com";
  if (serviceId == "iam") {
    return isChina(region) ? "https://iam.cn-north-1.amazonaws.com.cn"
                           : "https://iam.amazonaws.com";
  }
  if (serviceId == "pricing") {
    return "https://api.pricing." + pricingRegion(region) + suffix;
  }
  return "https://" + std::string(serviceId) + "." + region + suffix;
}

std::string AwsConfig::signingRegionFor(std::string_view serviceId) const {
  if (serviceId == "iam") {
    return isChina(region) ? "cn-north-1" : "us-east-1";
  }
  if (serviceId == "pricing") {
    return pricingRegion(region);
  }
  return region;
}

Result<AwsConfig> loadAwsConfig(const Environment& env) {
  AwsConfig config;
  if (auto region = env("AWS_REGION")) {
    config.region = *region;
  } else if (auto fallback = env("AWS_DEFAULT_REGION")) {
    config.region = *fallback;
  } else {
    const ProfileSettings profile = loadProfile(env, activeProfileName(env));
    if (auto it = profile.find("region"); it != profile.end()) {
      config.region = it->second;
    }
  }
  if (config.region.empty()) {
    return invalidError(
        "AWS region is not set: set AWS_REGION (or AWS_DEFAULT_REGION, or `region` in the "
        "profile of " +
        sharedConfigPath(env) + ")");
  }
  config.endpointUrl = env("AWS_ENDPOINT_URL").value_or("");
  for (std::string_view service : kServices) {
    std::string name = "AWS_ENDPOINT_URL_";
    for (char c : service) {
      name.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    if (auto url = env(name)) {
      config.serviceUrls[std::string(service)] = *url;
    }
  }
  return config;
}

}  // namespace karpenter::aws
