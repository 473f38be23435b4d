#include "fake_eks.hpp"

#include "json_wire.hpp"

namespace karpenter::aws::testing {
namespace {

constexpr const char* kContentType = "application/json";
constexpr const char* kAccount = "123456789012";
// base64 of a PEM header, enough for clients that only carry the value through.
constexpr const char* kCaData =
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJmYWtlCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K";

}  // namespace

FakeEks::FakeEks() : FakeEks(Options{}) {}

FakeEks::FakeEks(Options options) : options_(std::move(options)) {
  server_ = std::make_unique<LoopbackServer>(
      [this](const LoopbackRequest& request) { return handle(request); });
}

FakeEks::~FakeEks() {
  server_.reset();  // stop serving before the state goes away
}

std::string FakeEks::url() const {
  return server_->url();
}

LoopbackResponse FakeEks::handle(const LoopbackRequest& request) {
  std::lock_guard lock(mutex_);
  const std::string requestId = fakeRequestId(++counter_);
  const SignatureCheck check =
      verifySigV4(request, options_.accessKeyId, options_.secretAccessKey, options_.region, "eks");
  if (!check.ok) {
    ++rejectedSignatures_;
    const std::string code =
        check.code == "AuthFailure" ? "UnrecognizedClientException" : "InvalidSignatureException";
    return jsonError(403, kContentType, code, check.message, requestId);
  }
  const std::string prefix = "/clusters/";
  if (request.method != "GET" || request.path.rfind(prefix, 0) != 0 ||
      request.path.size() == prefix.size()) {
    return jsonError(
        404, kContentType, "UnknownOperationException",
        "the fake serves GET /clusters/<name>, not " + request.method + " " + request.path,
        requestId);
  }
  ++describeCalls_;
  const std::string name = request.path.substr(prefix.size());
  auto it = clusters_.find(name);
  if (it == clusters_.end()) {
    return jsonError(404, kContentType, "ResourceNotFoundException",
                     "No cluster found for name: " + name + ".", requestId);
  }
  return jsonReply(200, kContentType, {{"cluster", it->second}}, requestId);
}

void FakeEks::addCluster(const std::string& name, const std::string& version,
                         const std::string& serviceIpv4Cidr) {
  std::lock_guard lock(mutex_);
  const std::string arn = "arn:aws:eks:" + options_.region + ":" + kAccount + ":cluster/" + name;
  clusters_[name] = {
      {"name", name},
      {"arn", arn},
      {"createdAt", 1704067200.0},
      {"version", version},
      {"endpoint",
       "https://0123456789ABCDEF0123456789ABCDEF.gr7." + options_.region + ".eks.amazonaws.com"},
      {"roleArn", std::string("arn:aws:iam::") + kAccount + ":role/eks-cluster-role"},
      {"resourcesVpcConfig",
       {{"subnetIds", {"subnet-test1", "subnet-test2"}},
        {"securityGroupIds", nlohmann::json::array()},
        {"clusterSecurityGroupId", "sg-cluster"},
        {"vpcId", "vpc-test1"},
        {"endpointPublicAccess", true},
        {"endpointPrivateAccess", true},
        {"publicAccessCidrs", {"0.0.0.0/0"}}}},
      {"kubernetesNetworkConfig", {{"serviceIpv4Cidr", serviceIpv4Cidr}, {"ipFamily", "ipv4"}}},
      {"status", "ACTIVE"},
      {"certificateAuthority", {{"data", kCaData}}},
      {"platformVersion", "eks.1"},
      {"tags", nlohmann::json::object()}};
}

nlohmann::json FakeEks::cluster(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = clusters_.find(name);
  return it == clusters_.end() ? nlohmann::json() : it->second;
}

int FakeEks::describeCalls() const {
  std::lock_guard lock(mutex_);
  return describeCalls_;
}

int FakeEks::rejectedSignatures() const {
  std::lock_guard lock(mutex_);
  return rejectedSignatures_;
}

}  // namespace karpenter::aws::testing
