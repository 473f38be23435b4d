#include <array>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_targets.hpp"
#include "karpenter/admission/routes.hpp"

namespace karpenter::fuzz {
namespace {

constexpr std::array<std::string_view, 6> kPaths = {
    admission::kValidateNodePoolsPath,      admission::kValidateNodeClaimsPath,
    admission::kValidateEC2NodeClassesPath, admission::kDefaultNodePoolsPath,
    admission::kDefaultNodeClaimsPath,      admission::kDefaultEC2NodeClassesPath};

const server::Router& router() {
  static const server::Router instance = [] {
    server::Router r;
    admission::addAdmissionRoutes(r);
    return r;
  }();
  return instance;
}

}  // namespace

int admissionReview(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  server::Request request;
  request.method = "POST";
  request.target = std::string(kPaths[data[0] % kPaths.size()]);
  request.contentType = "application/json";
  request.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  const server::Response response = router().handle(request);
  if (response.status == 500) {
    std::abort();  // a handler threw: input must never do that
  }
  if (response.status == 200) {
    const auto reply = nlohmann::json::parse(response.body);
    const auto sent = nlohmann::json::parse(request.body);
    if (reply.at("response").at("uid") != sent.at("request").at("uid")) {
      std::abort();
    }
  }
  return 0;
}

}  // namespace karpenter::fuzz

KARPENTER_FUZZ_ENTRY(admissionReview)
