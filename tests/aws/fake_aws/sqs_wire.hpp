#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "aws/fake_ec2/loopback_server.hpp"

namespace karpenter::aws::testing {

// The two wire protocols of SQS, decoded to and encoded from one shape: the JSON protocol's
// (request members and results as AWS JSON 1.0 spells them).

struct SqsWireRequest {
  std::string protocol;  // "json" or "query"
  std::string action;
  nlohmann::json params = nlohmann::json::object();
};

// JSON 1.0 when X-Amz-Target is AmazonSQS.<Op>; else the Query protocol (form body, or the URL
// query of a GET), its flattened lists (AttributeName.N, MessageAttribute.N.Name/Value.*)
// folded into JSON arrays and maps. nullopt when neither names an action.
std::optional<SqsWireRequest> decodeSqsRequest(const LoopbackRequest& request);

// A success answer: the JSON object as is, or <ActionResponse><ActionResult>...</ActionResult>
// <ResponseMetadata><RequestId/></ResponseMetadata></ActionResponse> (the result element even
// when empty, absent only for DeleteMessage, which has no output) with Messages flattened
// to <Message> elements, Attributes to <Attribute><Name/><Value/></Attribute> and
// MessageAttributes to <MessageAttribute><Name/><Value>...</Value></MessageAttribute>.
LoopbackResponse encodeSqsResult(const std::string& protocol, const std::string& action,
                                 const nlohmann::json& result, const std::string& requestId);

// An error: JSON {"__type": "com.amazonaws.sqs#<type>", "message"} with the Query-era code in
// x-amzn-query-error ("<code>;Sender"), or Query <ErrorResponse><Error><Type/><Code/><Message/>
// </Error><RequestId/></ErrorResponse>.
LoopbackResponse encodeSqsError(const std::string& protocol, int status, const std::string& code,
                                const std::string& type, const std::string& message,
                                const std::string& requestId);

}  // namespace karpenter::aws::testing
