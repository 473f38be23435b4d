#include "json_wire.hpp"

#include <cstdio>

namespace karpenter::aws::testing {

LoopbackResponse jsonReply(int status, const std::string& contentType, const nlohmann::json& body,
                           const std::string& requestId) {
  LoopbackResponse response;
  response.status = status;
  response.contentType = contentType;
  response.body = body.dump();
  response.headers.push_back({"x-amzn-RequestId", requestId});
  return response;
}

LoopbackResponse jsonError(int status, const std::string& contentType, const std::string& code,
                           const std::string& message, const std::string& requestId) {
  LoopbackResponse response =
      jsonReply(status, contentType, {{"__type", code}, {"message", message}}, requestId);
  response.headers.push_back({"x-amzn-ErrorType", code});
  return response;
}

std::string fakeRequestId(uint64_t counter) {
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "6f1c2a4e-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(counter));
  return buffer;
}

}  // namespace karpenter::aws::testing
