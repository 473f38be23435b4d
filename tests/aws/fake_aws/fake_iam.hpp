#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aws/fake_ec2/loopback_server.hpp"
#include "aws/fake_ec2/wire.hpp"

namespace karpenter::aws::testing {

// A test IAM endpoint speaking the Query protocol as IAM does (form-encoded Action +
// Version=2010-05-08; replies <OpResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
// <OpResult>…</OpResult><ResponseMetadata><RequestId/>; errors <ErrorResponse><Error><Type>
// Sender</Type><Code>NoSuchEntity</Code>…). Serves roles and instance profiles in memory
// (Get/Create/Delete/Tag InstanceProfile, Add/RemoveRoleToInstanceProfile, GetRole) with IAM's
// rules: one role per profile (LimitExceeded), no delete while a role is attached
// (DeleteConflict). Verifies the SigV4 signature (service "iam", region us-east-1).
// Thread safety: every public method may be called from any thread (one mutex).
class FakeIam final {
 public:
  struct Options {
    std::string accessKeyId = "AKIDFAKEEC2EXAMPLE";
    std::string secretAccessKey = "fakeEc2Secret/K7MDENG+bPxRfiCYEXAMPLEKEY";
    std::string region = "us-east-1";  // IAM signs for us-east-1 whatever the caller's region
  };

  struct Profile {
    std::string name, id, path, createDate;
    std::vector<std::string> roles;
    Tags tags;
  };

  FakeIam();
  explicit FakeIam(Options options);
  ~FakeIam();

  std::string url() const;
  const Options& options() const { return options_; }
  LoopbackResponse handle(const LoopbackRequest& request);

  void addRole(const std::string& name, const std::string& path = "/");
  // An existing profile (as an administrator would have made it); `role` may be empty.
  void addInstanceProfile(const std::string& name, const std::string& role);

  std::map<std::string, Profile> instanceProfiles() const;
  // Decoded form parameters of every request with this Action, oldest first.
  std::vector<FormParams> requests(const std::string& action) const;
  int rejectedSignatures() const;

 private:
  struct Role {
    std::string name, id, path, createDate;
  };
  using Handler = LoopbackResponse (FakeIam::*)(const FormParams&, const std::string&);

  LoopbackResponse getInstanceProfile(const FormParams&, const std::string&);
  LoopbackResponse createInstanceProfile(const FormParams&, const std::string&);
  LoopbackResponse deleteInstanceProfile(const FormParams&, const std::string&);
  LoopbackResponse addRoleToInstanceProfile(const FormParams&, const std::string&);
  LoopbackResponse removeRoleFromInstanceProfile(const FormParams&, const std::string&);
  LoopbackResponse tagInstanceProfile(const FormParams&, const std::string&);
  LoopbackResponse getRole(const FormParams&, const std::string&);
  LoopbackResponse profileReply(const std::string& action, const Profile& profile,
                                const std::string& requestId) const;
  std::string nextId(const std::string& prefix);

  Options options_;
  mutable std::mutex mutex_;
  std::map<std::string, Role> roles_;
  std::map<std::string, Profile> profiles_;
  std::map<std::string, std::vector<FormParams>> requests_;
  int rejectedSignatures_ = 0;
  uint64_t counter_ = 0;
  std::unique_ptr<LoopbackServer> server_;
};

}  // namespace karpenter::aws::testing
