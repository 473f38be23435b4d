#pragma once

#include <optional>
#include <string>
#include <vector>

#include "karpenter/aws/config.hpp"
#include "karpenter/aws/query_client.hpp"
#include "karpenter/util/result.hpp"

namespace karpenter::aws {

inline constexpr const char* kIamApiVersion = "2010-05-08";

struct IamRole {
  std::string name;
  std::string id;
  std::string arn;
  std::string path;
};

struct InstanceProfile {
  std::string name;
  std::string id;
  std::string arn;
  std::string path;
  std::string createDate;
  std::vector<IamRole> roles;
  Tags tags;
};

// IAM over the Query protocol (version 2010-05-08, signing name "iam", the global endpoint
// signed for us-east-1 unless AWS_ENDPOINT_URL_IAM overrides it; AwsConfig::endpointFor).
// Errors: NoSuchEntity ⇒ kNotFound, EntityAlreadyExists ⇒ kConflict (isAlreadyExists()), other
// 4xx ⇒ kInvalid; throttling and 5xx were already retried.
// Thread safety: calls may be made concurrently.
class IamClient final {
 public:
  IamClient(const AwsConfig& config, CredentialsProviderPtr credentials, HttpClientPtr http,
            Clock clock, RetryPolicy retry = {});

  Result<InstanceProfile> getInstanceProfile(const std::string& name) const;
  // `path` empty ⇒ IAM's default "/".
  Result<InstanceProfile> createInstanceProfile(const std::string& name, const Tags& tags,
                                                const std::string& path = "") const;
  Result<void> deleteInstanceProfile(const std::string& name) const;
  Result<void> addRoleToInstanceProfile(const std::string& profile, const std::string& role) const;
  Result<void> removeRoleFromInstanceProfile(const std::string& profile,
                                             const std::string& role) const;
  Result<void> tagInstanceProfile(const std::string& name, const Tags& tags) const;
  Result<IamRole> getRole(const std::string& name) const;

 private:
  QueryClient query_;
};

// EntityAlreadyExists (kConflict with that code).
bool isAlreadyExists(const Error& error);
// NoSuchEntity naming a role ("The role with name X cannot be found."), which upstream
// remembers to stop retrying profile creation for a role that does not exist.
bool isRoleNotFound(const Error& error);
// "path/Name" or "/path/Name" → "Name": AddRoleToInstanceProfile wants the bare role name.
std::string roleNameFromPath(const std::string& role);

}  // namespace karpenter::aws
