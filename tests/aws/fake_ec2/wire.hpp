#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "karpenter/aws/query_client.hpp"
#include "loopback_server.hpp"

namespace karpenter::aws::testing {

// Wire helpers shared by the fake AWS endpoints: form decoding, EC2-flattened lists, response
// and error XML, and SigV4 verification.

using FormParams = std::map<std::string, std::string>;

// application/x-www-form-urlencoded ('+' is a space).
FormParams parseForm(std::string_view body);
// prefix.1, prefix.2, ... until the first gap.
std::vector<std::string> listParam(const FormParams& params, const std::string& prefix);
// The distinct N of "prefix.N.*" keys, ascending.
std::vector<int> listIndices(const FormParams& params, const std::string& prefix);
std::vector<Filter> filterParams(const FormParams& params);
// prefix.N.Key / prefix.N.Value
Tags tagParams(const FormParams& params, const std::string& prefix);
// '*' and '?' wildcards, as EC2 filter values allow.
bool globMatch(std::string_view pattern, std::string_view text);

// An EC2 success document: <ActionResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
// with <requestId>; add children to root().
class ResponseXml {
 public:
  ResponseXml(const std::string& action, const std::string& requestId);
  pugi::xml_node root() { return root_; }
  std::string str() const;

 private:
  pugi::xml_document doc_;
  pugi::xml_node root_;
};

void addText(pugi::xml_node parent, const char* name, const std::string& value);
void addTagSet(pugi::xml_node parent, const Tags& tags);
// Writes DescribeInstanceTypes-style JSON (PascalCase keys) as EC2 XML: lowerCamel element
// names, arrays as <item> lists.
void appendJsonAsXml(pugi::xml_node parent, const nlohmann::json& value);

// <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>
LoopbackResponse ec2Error(int status, const std::string& code, const std::string& message,
                          const std::string& requestId);

struct SignatureCheck {
  bool ok = false;
  int status = 0;
  std::string code;
  std::string message;
};
// Verifies the SigV4 Authorization header of `request` against the key pair, for `region` and
// `service`, by recomputing the signature over the headers the client said it signed.
SignatureCheck verifySigV4(const LoopbackRequest& request, const std::string& accessKeyId,
                           const std::string& secretAccessKey, const std::string& region,
                           const std::string& service);

}  // namespace karpenter::aws::testing
