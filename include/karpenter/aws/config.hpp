#pragma once

#include <map>
#include <string>
#include <string_view>

#include "karpenter/aws/http.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::aws {

// Settings of one profile from the shared files, keys as written (aws_access_key_id, region,
// role_arn, ...).
using ProfileSettings = std::map<std::string, std::string>;

// Parses shared config/credentials INI text into section → settings. In the config file
// (configFile = true) "[profile x]" names profile x and "[default]" the default profile; in the
// credentials file a section name is the profile name. Comments start with '#' or ';'.
std::map<std::string, ProfileSettings> parseSharedIni(std::string_view text, bool configFile);

// AWS_PROFILE, else "default".
std::string activeProfileName(const Environment& env);
// AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE, else ~/.aws/credentials / ~/.aws/config.
std::string sharedCredentialsPath(const Environment& env);
std::string sharedConfigPath(const Environment& env);
// The profile's settings from both files (the credentials file wins on a shared key). Missing
// files count as empty.
ProfileSettings loadProfile(const Environment& env, const std::string& profile);

// Where and in which region to call AWS. The services this project calls are ec2, ssm, sqs, sts,
// iam, pricing and eks.
struct AwsConfig {
  std::string region;
  std::string endpointUrl;                         // AWS_ENDPOINT_URL: every service
  std::map<std::string, std::string> serviceUrls;  // AWS_ENDPOINT_URL_<SERVICE>, by service id

  // The per-service override, else AWS_ENDPOINT_URL, else the public regional endpoint
  // (https://<service>.<region>.amazonaws.com; IAM global; pricing in its few home regions).
  std::string endpointFor(std::string_view serviceId) const;
  // The region to sign with for a service (pricing and IAM live in fixed regions).
  std::string signingRegionFor(std::string_view serviceId) const;
};

// Region from AWS_REGION, AWS_DEFAULT_REGION or the active profile's `region`; kInvalid naming
// those sources when none is set.
Result<AwsConfig> loadAwsConfig(const Environment& env);

}  // namespace karpenter::aws
