#include "fake_ssm.hpp"

#include <nlohmann/json.hpp>

#include "json_wire.hpp"

namespace karpenter::aws::testing {
namespace {

constexpr const char* kContentType = "application/x-amz-json-1.1";
constexpr const char* kAccount = "123456789012";

}  // namespace

FakeSsm::FakeSsm() : FakeSsm(Options{}) {}

FakeSsm::FakeSsm(Options options) : options_(std::move(options)) {
  server_ = std::make_unique<LoopbackServer>(
      [this](const LoopbackRequest& request) { return handle(request); });
}

FakeSsm::~FakeSsm() {
  server_.reset();  // stop serving before the state goes away
}

std::string FakeSsm::url() const {
  return server_->url();
}

LoopbackResponse FakeSsm::handle(const LoopbackRequest& request) {
  std::lock_guard lock(mutex_);
  const std::string requestId = fakeRequestId(++requestCounter_);
  const SignatureCheck check =
      verifySigV4(request, options_.accessKeyId, options_.secretAccessKey, options_.region, "ssm");
  if (!check.ok) {
    ++rejectedSignatures_;
    const std::string code =
        check.code == "AuthFailure" ? "UnrecognizedClientException" : "InvalidSignatureException";
    return jsonError(400, kContentType, code, check.message, requestId);
  }
  if (throttleCount_ > 0) {
    --throttleCount_;
    return jsonError(400, kContentType, "ThrottlingException", "Rate exceeded", requestId);
  }
  const std::string target = request.header("X-Amz-Target");
  if (request.method != "POST" || request.path != "/" ||
      request.header("Content-Type").rfind(kContentType, 0) != 0) {
    return jsonError(400, kContentType, "SerializationException",
                     "expected POST / with Content-Type application/x-amz-json-1.1", requestId);
  }
  if (target != "AmazonSSM.GetParameter") {
    return jsonError(400, kContentType, "UnknownOperationException",
                     "the fake serves AmazonSSM.GetParameter, not " + target, requestId);
  }
  const auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("Name") || !body["Name"].is_string()) {
    return jsonError(400, kContentType, "ValidationException",
                     "1 validation error detected: Value null at 'name' failed to satisfy "
                     "constraint: Member must not be null",
                     requestId);
  }
  const std::string name = body["Name"];
  requested_.push_back(name);
  auto found = parameters_.find(name);
  if (found == parameters_.end()) {
    return jsonError(400, kContentType, "ParameterNotFound", "Parameter " + name + " not found.",
                     requestId);
  }
  // Public parameters (/aws/service/...) have no account in their ARN.
  const std::string account = name.rfind("/aws/service/", 0) == 0 ? "" : kAccount;
  const std::string arnName = name.front() == '/' ? name : "/" + name;
  nlohmann::json parameter = {
      {"Name", name},
      {"Type", "String"},
      {"Value", found->second.value},
      {"Version", found->second.version},
      {"LastModifiedDate", 1704067200.123},
      {"ARN", "arn:aws:ssm:" + options_.region + ":" + account + ":parameter" + arnName},
      {"DataType", found->second.dataType}};
  return jsonReply(200, kContentType, {{"Parameter", parameter}}, requestId);
}

void FakeSsm::putParameter(const std::string& name, const std::string& value,
                           const std::string& dataType) {
  std::lock_guard lock(mutex_);
  Parameter& parameter = parameters_[name];
  parameter.value = value;
  parameter.dataType = dataType;
  ++parameter.version;
}

void FakeSsm::deleteParameter(const std::string& name) {
  std::lock_guard lock(mutex_);
  parameters_.erase(name);
}

void FakeSsm::throttleNextRequests(int n) {
  std::lock_guard lock(mutex_);
  throttleCount_ = n;
}

std::vector<std::string> FakeSsm::requestedNames() const {
  std::lock_guard lock(mutex_);
  return requested_;
}

int FakeSsm::rejectedSignatures() const {
  std::lock_guard lock(mutex_);
  return rejectedSignatures_;
}

}  // namespace karpenter::aws::testing
