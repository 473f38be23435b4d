#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "aws/fake_ec2/loopback_server.hpp"

namespace karpenter::aws::testing {

// A JSON reply with the x-amzn-RequestId header AWS JSON services send.
LoopbackResponse jsonReply(int status, const std::string& contentType, const nlohmann::json& body,
                           const std::string& requestId);
// An awsJson1.1 / restJson1 error: {"__type": code, "message": ...} plus x-amzn-ErrorType.
LoopbackResponse jsonError(int status, const std::string& contentType, const std::string& code,
                           const std::string& message, const std::string& requestId);
// A request id shaped like AWS's (a UUID), distinct per counter value.
std::string fakeRequestId(uint64_t counter);

}  // namespace karpenter::aws::testing
