#include "fake_iam.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include <pugixml.hpp>

namespace karpenter::aws::testing {
namespace {

constexpr const char* kNamespace = "https://iam.amazonaws.com/doc/2010-05-08/";
constexpr const char* kAccount = "123456789012";
constexpr const char* kCreateDate = "2024-01-01T00:00:00Z";

std::string param(const FormParams& params, const std::string& name) {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

std::string render(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

// <ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/></ErrorResponse>
LoopbackResponse iamError(int status, const std::string& code, const std::string& message,
                          const std::string& requestId) {
  pugi::xml_document doc;
  doc.append_child(pugi::node_declaration).append_attribute("version") = "1.0";
  auto root = doc.append_child("ErrorResponse");
  root.append_attribute("xmlns") = kNamespace;
  auto error = root.append_child("Error");
  addText(error, "Type", status >= 500 ? "Receiver" : "Sender");
  addText(error, "Code", code);
  addText(error, "Message", message);
  addText(root, "RequestId", requestId);
  return {status, "text/xml", render(doc)};
}

// <OpResponse xmlns=…>[<OpResult/>]<ResponseMetadata><RequestId/></ResponseMetadata>
struct IamReply {
  pugi::xml_document doc;
  pugi::xml_node root;
  pugi::xml_node result;

  IamReply(const std::string& action, const std::string& requestId, bool withResult) {
    doc.append_child(pugi::node_declaration).append_attribute("version") = "1.0";
    root = doc.append_child((action + "Response").c_str());
    root.append_attribute("xmlns") = kNamespace;
    if (withResult) {
      result = root.append_child((action + "Result").c_str());
    }
    addText(root.append_child("ResponseMetadata"), "RequestId", requestId);
  }
  LoopbackResponse response() const { return {200, "text/xml", render(doc)}; }
};

LoopbackResponse noSuchProfile(const std::string& name, const std::string& requestId) {
  return iamError(404, "NoSuchEntity", "Instance Profile " + name + " cannot be found.", requestId);
}

LoopbackResponse noSuchRole(const std::string& name, const std::string& requestId) {
  return iamError(404, "NoSuchEntity", "The role with name " + name + " cannot be found.",
                  requestId);
}

std::string roleArn(const std::string& path, const std::string& name) {
  return std::string("arn:aws:iam::") + kAccount + ":role" + path + name;
}

}  // namespace

FakeIam::FakeIam() : FakeIam(Options{}) {}

FakeIam::FakeIam(Options options) : options_(std::move(options)) {
  server_ = std::make_unique<LoopbackServer>(
      [this](const LoopbackRequest& request) { return handle(request); });
}

FakeIam::~FakeIam() {
  server_.reset();  // stop serving before the state goes away
}

std::string FakeIam::url() const {
  return server_->url();
}

std::string FakeIam::nextId(const std::string& prefix) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%016llX", static_cast<unsigned long long>(++counter_));
  return prefix + buffer;
}

LoopbackResponse FakeIam::handle(const LoopbackRequest& request) {
  std::lock_guard lock(mutex_);
  const std::string requestId = nextId("req-");
  const SignatureCheck check =
      verifySigV4(request, options_.accessKeyId, options_.secretAccessKey, options_.region, "iam");
  if (!check.ok) {
    ++rejectedSignatures_;
    const std::string code =
        check.code == "AuthFailure" ? "InvalidClientTokenId" : "SignatureDoesNotMatch";
    return iamError(403, code, check.message, requestId);
  }
  const FormParams params =
      parseForm(request.method == "POST" ? request.body : std::string_view(request.query));
  const std::string action = param(params, "Action");
  requests_[action].push_back(params);
  if (param(params, "Version") != "2010-05-08") {
    return iamError(400, "InvalidParameterValue",
                    "Version must be 2010-05-08, not '" + param(params, "Version") + "'",
                    requestId);
  }
  static const std::map<std::string, Handler> kHandlers = {
      {"GetInstanceProfile", &FakeIam::getInstanceProfile},
      {"CreateInstanceProfile", &FakeIam::createInstanceProfile},
      {"DeleteInstanceProfile", &FakeIam::deleteInstanceProfile},
      {"AddRoleToInstanceProfile", &FakeIam::addRoleToInstanceProfile},
      {"RemoveRoleFromInstanceProfile", &FakeIam::removeRoleFromInstanceProfile},
      {"TagInstanceProfile", &FakeIam::tagInstanceProfile},
      {"GetRole", &FakeIam::getRole},
  };
  auto it = kHandlers.find(action);
  if (it == kHandlers.end()) {
    return iamError(400, "InvalidAction", "Could not find operation " + action, requestId);
  }
  return (this->*(it->second))(params, requestId);
}

LoopbackResponse FakeIam::profileReply(const std::string& action, const Profile& profile,
                                       const std::string& requestId) const {
  IamReply reply(action, requestId, true);
  auto node = reply.result.append_child("InstanceProfile");
  addText(node, "InstanceProfileId", profile.id);
  auto roles = node.append_child("Roles");
  for (const auto& name : profile.roles) {
    const Role& role = roles_.at(name);
    auto member = roles.append_child("member");
    addText(member, "Path", role.path);
    addText(member, "RoleName", role.name);
    addText(member, "RoleId", role.id);
    addText(member, "Arn", roleArn(role.path, role.name));
    addText(member, "CreateDate", role.createDate);
  }
  addText(node, "InstanceProfileName", profile.name);
  addText(node, "Path", profile.path);
  addText(
      node, "Arn",
      std::string("arn:aws:iam::") + kAccount + ":instance-profile" + profile.path + profile.name);
  addText(node, "CreateDate", profile.createDate);
  if (!profile.tags.empty()) {
    auto tags = node.append_child("Tags");
    for (const auto& [key, value] : profile.tags) {
      auto member = tags.append_child("member");
      addText(member, "Key", key);
      addText(member, "Value", value);
    }
  }
  return reply.response();
}

LoopbackResponse FakeIam::getInstanceProfile(const FormParams& params,
                                             const std::string& requestId) {
  const std::string name = param(params, "InstanceProfileName");
  auto it = profiles_.find(name);
  if (it == profiles_.end()) {
    return noSuchProfile(name, requestId);
  }
  return profileReply("GetInstanceProfile", it->second, requestId);
}

LoopbackResponse FakeIam::createInstanceProfile(const FormParams& params,
                                                const std::string& requestId) {
  const std::string name = param(params, "InstanceProfileName");
  if (name.empty()) {
    return iamError(400, "ValidationError",
                    "1 validation error detected: Value null at 'instanceProfileName' failed to "
                    "satisfy constraint: Member must not be null",
                    requestId);
  }
  if (profiles_.contains(name)) {
    return iamError(409, "EntityAlreadyExists", "Instance Profile " + name + " already exists.",
                    requestId);
  }
  Profile profile{name,
                  nextId("AIPA"),
                  param(params, "Path"),
                  kCreateDate,
                  {},
                  tagParams(params, "Tags.member")};
  if (profile.path.empty()) {
    profile.path = "/";
  }
  profiles_[name] = profile;
  return profileReply("CreateInstanceProfile", profile, requestId);
}

LoopbackResponse FakeIam::deleteInstanceProfile(const FormParams& params,
                                                const std::string& requestId) {
  const std::string name = param(params, "InstanceProfileName");
  auto it = profiles_.find(name);
  if (it == profiles_.end()) {
    return noSuchProfile(name, requestId);
  }
  if (!it->second.roles.empty()) {
    return iamError(409, "DeleteConflict",
                    "Cannot delete entity, must remove roles from instance profile first.",
                    requestId);
  }
  profiles_.erase(it);
  return IamReply("DeleteInstanceProfile", requestId, false).response();
}

LoopbackResponse FakeIam::addRoleToInstanceProfile(const FormParams& params,
                                                   const std::string& requestId) {
  const std::string name = param(params, "InstanceProfileName");
  const std::string role = param(params, "RoleName");
  auto it = profiles_.find(name);
  if (it == profiles_.end()) {
    return noSuchProfile(name, requestId);
  }
  if (!roles_.contains(role)) {
    return noSuchRole(role, requestId);
  }
  if (!it->second.roles.empty()) {
    return iamError(409, "LimitExceeded",
                    "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", requestId);
  }
  it->second.roles.push_back(role);
  return IamReply("AddRoleToInstanceProfile", requestId, false).response();
}

LoopbackResponse FakeIam::removeRoleFromInstanceProfile(const FormParams& params,
                                                        const std::string& requestId) {
  const std::string name = param(params, "InstanceProfileName");
  const std::string role = param(params, "RoleName");
  auto it = profiles_.find(name);
  if (it == profiles_.end()) {
    return noSuchProfile(name, requestId);
  }
  auto& roles = it->second.roles;
  auto found = std::find(roles.begin(), roles.end(), role);
  if (found == roles.end()) {
    return noSuchRole(role, requestId);
  }
  roles.erase(found);
  return IamReply("RemoveRoleFromInstanceProfile", requestId, false).response();
}

LoopbackResponse FakeIam::tagInstanceProfile(const FormParams& params,
                                             const std::string& requestId) {
  const std::string name = param(params, "InstanceProfileName");
  auto it = profiles_.find(name);
  if (it == profiles_.end()) {
    return noSuchProfile(name, requestId);
  }
  for (const auto& [key, value] : tagParams(params, "Tags.member")) {
    it->second.tags[key] = value;
  }
  return IamReply("TagInstanceProfile", requestId, false).response();
}

LoopbackResponse FakeIam::getRole(const FormParams& params, const std::string& requestId) {
  const std::string name = param(params, "RoleName");
  auto it = roles_.find(name);
  if (it == roles_.end()) {
    return noSuchRole(name, requestId);
  }
  IamReply reply("GetRole", requestId, true);
  auto node = reply.result.append_child("Role");
  addText(node, "Path", it->second.path);
  addText(node, "RoleName", it->second.name);
  addText(node, "RoleId", it->second.id);
  addText(node, "Arn", roleArn(it->second.path, it->second.name));
  addText(node, "CreateDate", it->second.createDate);
  addText(node, "AssumeRolePolicyDocument",
          "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D");
  return reply.response();
}

void FakeIam::addRole(const std::string& name, const std::string& path) {
  std::lock_guard lock(mutex_);
  roles_[name] = Role{name, nextId("AROA"), path, kCreateDate};
}

void FakeIam::addInstanceProfile(const std::string& name, const std::string& role) {
  std::lock_guard lock(mutex_);
  Profile profile{name, nextId("AIPA"), "/", kCreateDate, {}, {}};
  if (!role.empty()) {
    if (!roles_.contains(role)) {
      roles_[role] = Role{role, nextId("AROA"), "/", kCreateDate};
    }
    profile.roles.push_back(role);
  }
  profiles_[name] = profile;
}

std::map<std::string, FakeIam::Profile> FakeIam::instanceProfiles() const {
  std::lock_guard lock(mutex_);
  return profiles_;
}

std::vector<FormParams> FakeIam::requests(const std::string& action) const {
  std::lock_guard lock(mutex_);
  auto it = requests_.find(action);
  return it == requests_.end() ? std::vector<FormParams>{} : it->second;
}

int FakeIam::rejectedSignatures() const {
  std::lock_guard lock(mutex_);
  return rejectedSignatures_;
}

}  // namespace karpenter::aws::testing
