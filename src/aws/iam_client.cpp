#include "karpenter/aws/iam_client.hpp"

#include <pugixml.hpp>

namespace karpenter::aws {
namespace {

// IAM replies <OpResponse><OpResult>...</OpResult><ResponseMetadata/></OpResponse>.
Result<pugi::xml_node> resultNode(pugi::xml_document& doc, const std::string& body,
                                  const std::string& action) {
  if (!doc.load_buffer(body.data(), body.size())) {
    return Error{ErrorKind::kUnavailable,
                 "iam " + action + ": the reply is not XML: " + body.substr(0, 200)};
  }
  pugi::xml_node result =
      doc.child((action + "Response").c_str()).child((action + "Result").c_str());
  if (!result) {
    return Error{ErrorKind::kUnavailable,
                 "iam " + action + ": the reply has no " + action + "Result element"};
  }
  return result;
}

IamRole decodeRole(const pugi::xml_node& node) {
  return IamRole{node.child_value("RoleName"), node.child_value("RoleId"), node.child_value("Arn"),
                 node.child_value("Path")};
}

InstanceProfile decodeProfile(const pugi::xml_node& node) {
  InstanceProfile profile;
  profile.name = node.child_value("InstanceProfileName");
  profile.id = node.child_value("InstanceProfileId");
  profile.arn = node.child_value("Arn");
  profile.path = node.child_value("Path");
  profile.createDate = node.child_value("CreateDate");
  for (pugi::xml_node role : node.child("Roles").children("member")) {
    profile.roles.push_back(decodeRole(role));
  }
  for (pugi::xml_node tag : node.child("Tags").children("member")) {
    profile.tags[tag.child_value("Key")] = tag.child_value("Value");
  }
  return profile;
}

Result<InstanceProfile> profileFrom(const Result<std::string>& reply, const std::string& action) {
  if (!reply) {
    return reply.error();
  }
  pugi::xml_document doc;
  auto result = resultNode(doc, *reply, action);
  if (!result) {
    return result.error();
  }
  return decodeProfile(result->child("InstanceProfile"));
}

Result<void> voidFrom(const Result<std::string>& reply) {
  if (!reply) {
    return reply.error();
  }
  return {};
}

}  // namespace

IamClient::IamClient(const AwsConfig& config, CredentialsProviderPtr credentials,
                     HttpClientPtr http, Clock clock, RetryPolicy retry)
    : query_(QueryClient::Options{config.endpointFor("iam"), "iam", config.signingRegionFor("iam"),
                                  kIamApiVersion, std::move(retry)},
             std::move(credentials), std::move(http), std::move(clock)) {}

Result<InstanceProfile> IamClient::getInstanceProfile(const std::string& name) const {
  return profileFrom(
      query_.call("GetInstanceProfile", QueryParams().set("InstanceProfileName", name)),
      "GetInstanceProfile");
}

Result<InstanceProfile> IamClient::createInstanceProfile(const std::string& name, const Tags& tags,
                                                         const std::string& path) const {
  QueryParams params;
  params.set("InstanceProfileName", name).setIfNotEmpty("Path", path).setTags("Tags.member", tags);
  return profileFrom(query_.call("CreateInstanceProfile", params), "CreateInstanceProfile");
}

Result<void> IamClient::deleteInstanceProfile(const std::string& name) const {
  return voidFrom(
      query_.call("DeleteInstanceProfile", QueryParams().set("InstanceProfileName", name)));
}

Result<void> IamClient::addRoleToInstanceProfile(const std::string& profile,
                                                 const std::string& role) const {
  return voidFrom(query_.call(
      "AddRoleToInstanceProfile",
      QueryParams().set("InstanceProfileName", profile).set("RoleName", roleNameFromPath(role))));
}

Result<void> IamClient::removeRoleFromInstanceProfile(const std::string& profile,
                                                      const std::string& role) const {
  return voidFrom(query_.call(
      "RemoveRoleFromInstanceProfile",
      QueryParams().set("InstanceProfileName", profile).set("RoleName", roleNameFromPath(role))));
}

Result<void> IamClient::tagInstanceProfile(const std::string& name, const Tags& tags) const {
  return voidFrom(
      query_.call("TagInstanceProfile",
                  QueryParams().set("InstanceProfileName", name).setTags("Tags.member", tags)));
}

Result<IamRole> IamClient::getRole(const std::string& name) const {
  auto reply = query_.call("GetRole", QueryParams().set("RoleName", roleNameFromPath(name)));
  if (!reply) {
    return reply.error();
  }
  pugi::xml_document doc;
  auto result = resultNode(doc, *reply, "GetRole");
  if (!result) {
    return result.error();
  }
  return decodeRole(result->child("Role"));
}

bool isAlreadyExists(const Error& error) {
  return error.kind == ErrorKind::kConflict && awsErrorCode(error) == "EntityAlreadyExists";
}

bool isRoleNotFound(const Error& error) {
  if (error.kind != ErrorKind::kNotFound || awsErrorCode(error) != "NoSuchEntity") {
    return false;
  }
  const size_t code = error.message.find("NoSuchEntity: ");
  std::string message = error.message.substr(code + 14);
  for (char& c : message) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return message.find("role") != std::string::npos;
}

std::string roleNameFromPath(const std::string& role) {
  const size_t slash = role.rfind('/');
  return slash == std::string::npos ? role : role.substr(slash + 1);
}

}  // namespace karpenter::aws
