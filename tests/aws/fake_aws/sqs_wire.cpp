#include "sqs_wire.hpp"

#include <sstream>

#include <pugixml.hpp>

#include "aws/fake_ec2/wire.hpp"

namespace karpenter::aws::testing {
namespace {

using json = nlohmann::json;

constexpr const char* kXmlns = "http://queue.amazonaws.com/doc/2012-11-05/";

// Integer members stay strings when they do not parse, so validation can name them.
json scalar(const std::string& name, const std::string& value) {
  static const char* const kIntegers[] = {"MaxNumberOfMessages", "VisibilityTimeout",
                                          "WaitTimeSeconds", "DelaySeconds"};
  for (const char* integer : kIntegers) {
    if (name == integer) {
      try {
        size_t used = 0;
        const long long parsed = std::stoll(value, &used);
        if (used == value.size()) {
          return parsed;
        }
      } catch (const std::exception&) {
      }
    }
  }
  return value;
}

json queryParams(const FormParams& form) {
  json params = json::object();
  static const std::pair<const char*, const char*> kLists[] = {
      {"AttributeName", "AttributeNames"},
      {"MessageSystemAttributeName", "MessageSystemAttributeNames"},
      {"MessageAttributeName", "MessageAttributeNames"}};
  for (const auto& [prefix, member] : kLists) {
    const std::vector<std::string> values = listParam(form, prefix);
    if (!values.empty()) {
      params[member] = values;
    }
  }
  json attributes = json::object();
  for (int i : listIndices(form, "MessageAttribute")) {
    const std::string item = "MessageAttribute." + std::to_string(i);
    auto name = form.find(item + ".Name");
    if (name == form.end()) {
      continue;
    }
    json value = json::object();
    for (const char* field : {"StringValue", "BinaryValue", "DataType"}) {
      if (auto it = form.find(item + ".Value." + field); it != form.end()) {
        value[field] = it->second;
      }
    }
    attributes[name->second] = value;
  }
  if (!attributes.empty()) {
    params["MessageAttributes"] = attributes;
  }
  for (const auto& [name, value] : form) {
    if (name != "Action" && name != "Version" && name.find('.') == std::string::npos) {
      params[name] = scalar(name, value);
    }
  }
  return params;
}

void addElement(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).text().set(value.c_str());
}

void appendMessage(pugi::xml_node parent, const json& message) {
  pugi::xml_node node = parent.append_child("Message");
  for (const char* field : {"MessageId", "ReceiptHandle", "MD5OfBody", "Body"}) {
    if (message.contains(field)) {
      addElement(node, field, message[field].get<std::string>());
    }
  }
  const json system = message.value("Attributes", json::object());
  for (const auto& [name, value] : system.items()) {
    pugi::xml_node attribute = node.append_child("Attribute");
    addElement(attribute, "Name", name);
    addElement(attribute, "Value", value.get<std::string>());
  }
  if (message.contains("MD5OfMessageAttributes")) {
    addElement(node, "MD5OfMessageAttributes", message["MD5OfMessageAttributes"]);
  }
  const json custom = message.value("MessageAttributes", json::object());
  for (const auto& [name, value] : custom.items()) {
    pugi::xml_node attribute = node.append_child("MessageAttribute");
    addElement(attribute, "Name", name);
    pugi::xml_node body = attribute.append_child("Value");
    for (const char* field : {"StringValue", "BinaryValue", "DataType"}) {
      if (value.contains(field)) {
        addElement(body, field, value[field].get<std::string>());
      }
    }
  }
}

std::string serialize(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

}  // namespace

std::optional<SqsWireRequest> decodeSqsRequest(const LoopbackRequest& request) {
  SqsWireRequest decoded;
  const std::string target = request.header("X-Amz-Target");
  if (target.rfind("AmazonSQS.", 0) == 0) {
    decoded.protocol = "json";
    decoded.action = target.substr(std::string("AmazonSQS.").size());
    decoded.params = json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
    if (!decoded.params.is_object()) {
      decoded.params = json::object();
      decoded.action = "";  // an unreadable body: answered as a malformed request
    }
    return decoded;
  }
  const FormParams form = parseForm(request.method == "GET" ? request.query : request.body);
  auto action = form.find("Action");
  if (action == form.end()) {
    return std::nullopt;
  }
  decoded.protocol = "query";
  decoded.action = action->second;
  decoded.params = queryParams(form);
  return decoded;
}

LoopbackResponse encodeSqsResult(const std::string& protocol, const std::string& action,
                                 const json& result, const std::string& requestId) {
  if (protocol == "json") {
    return {200, "application/x-amz-json-1.0", result.dump(), {{"x-amzn-RequestId", requestId}}};
  }
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child((action + "Response").c_str());
  root.append_attribute("xmlns") = kXmlns;
  // SQS writes the result element whenever the operation has an output, empty or not (an
  // empty ReceiveMessage is <ReceiveMessageResult/>; botocore's parser requires it); only
  // output-less operations such as DeleteMessage answer with the metadata alone.
  if (action != "DeleteMessage") {
    pugi::xml_node body = root.append_child((action + "Result").c_str());
    for (const auto& [name, value] : result.items()) {
      if (name == "Messages") {
        for (const json& message : value) {
          appendMessage(body, message);
        }
      } else {
        addElement(body, name.c_str(), value.get<std::string>());
      }
    }
  }
  addElement(root.append_child("ResponseMetadata"), "RequestId", requestId);
  return {200, "text/xml", serialize(doc), {}};
}

LoopbackResponse encodeSqsError(const std::string& protocol, int status, const std::string& code,
                                const std::string& type, const std::string& message,
                                const std::string& requestId) {
  const std::string fault = status >= 500 ? "Receiver" : "Sender";
  if (protocol == "json") {
    const json body = {{"__type", "com.amazonaws.sqs#" + type}, {"message", message}};
    return {status,
            "application/x-amz-json-1.0",
            body.dump(),
            {{"x-amzn-query-error", code + ";" + fault}, {"x-amzn-RequestId", requestId}}};
  }
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("ErrorResponse");
  root.append_attribute("xmlns") = kXmlns;
  pugi::xml_node error = root.append_child("Error");
  addElement(error, "Type", fault);
  addElement(error, "Code", code);
  addElement(error, "Message", message);
  error.append_child("Detail");
  addElement(root, "RequestId", requestId);
  return {status, "text/xml", serialize(doc), {}};
}

}  // namespace karpenter::aws::testing
