#include "wire.hpp"

#include <cctype>
#include <set>
#include <sstream>

#include "karpenter/aws/sigv4.hpp"

namespace karpenter::aws::testing {

FormParams parseForm(std::string_view body) {
  FormParams params;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('&', start);
    end = end == std::string_view::npos ? body.size() : end;
    std::string pair(body.substr(start, end - start));
    for (char& c : pair) {
      c = c == '+' ? ' ' : c;
    }
    const size_t eq = pair.find('=');
    if (!pair.empty()) {
      params[percentDecode(pair.substr(0, eq))] =
          eq == std::string::npos ? "" : percentDecode(pair.substr(eq + 1));
    }
    start = end + 1;
  }
  return params;
}

std::vector<std::string> listParam(const FormParams& params, const std::string& prefix) {
  std::vector<std::string> values;
  for (int i = 1;; ++i) {
    auto it = params.find(prefix + "." + std::to_string(i));
    if (it == params.end()) {
      return values;
    }
    values.push_back(it->second);
  }
}

std::vector<int> listIndices(const FormParams& params, const std::string& prefix) {
  std::set<int> indices;
  const std::string head = prefix + ".";
  for (auto it = params.lower_bound(head); it != params.end() && it->first.rfind(head, 0) == 0;
       ++it) {
    try {
      indices.insert(std::stoi(it->first.substr(head.size())));
    } catch (const std::exception&) {
    }
  }
  return {indices.begin(), indices.end()};
}

std::vector<Filter> filterParams(const FormParams& params) {
  std::vector<Filter> filters;
  for (int i : listIndices(params, "Filter")) {
    const std::string prefix = "Filter." + std::to_string(i);
    auto name = params.find(prefix + ".Name");
    if (name != params.end()) {
      filters.push_back({name->second, listParam(params, prefix + ".Value")});
    }
  }
  return filters;
}

Tags tagParams(const FormParams& params, const std::string& prefix) {
  Tags tags;
  for (int i : listIndices(params, prefix)) {
    const std::string item = prefix + "." + std::to_string(i);
    auto key = params.find(item + ".Key");
    if (key != params.end()) {
      auto value = params.find(item + ".Value");
      tags[key->second] = value == params.end() ? "" : value->second;
    }
  }
  return tags;
}

bool globMatch(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) {
    return text.empty();
  }
  if (pattern[0] == '*') {
    for (size_t i = 0; i <= text.size(); ++i) {
      if (globMatch(pattern.substr(1), text.substr(i))) {
        return true;
      }
    }
    return false;
  }
  return !text.empty() && (pattern[0] == '?' || pattern[0] == text[0]) &&
         globMatch(pattern.substr(1), text.substr(1));
}

ResponseXml::ResponseXml(const std::string& action, const std::string& requestId) {
  auto declaration = doc_.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  root_ = doc_.append_child((action + "Response").c_str());
  root_.append_attribute("xmlns") = "http://ec2.amazonaws.com/doc/2016-11-15/";
  addText(root_, "requestId", requestId);
}

std::string ResponseXml::str() const {
  std::ostringstream out;
  doc_.save(out, "", pugi::format_raw);
  return out.str();
}

void addText(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).text().set(value.c_str());
}

void addTagSet(pugi::xml_node parent, const Tags& tags) {
  auto set = parent.append_child("tagSet");
  for (const auto& [key, value] : tags) {
    auto item = set.append_child("item");
    addText(item, "key", key);
    addText(item, "value", value);
  }
}

void appendJsonAsXml(pugi::xml_node parent, const nlohmann::json& value) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      std::string name = key;
      name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
      appendJsonAsXml(parent.append_child(name.c_str()), child);
    }
  } else if (value.is_array()) {
    for (const auto& child : value) {
      appendJsonAsXml(parent.append_child("item"), child);
    }
  } else if (value.is_string()) {
    parent.text().set(value.get<std::string>().c_str());
  } else {
    parent.text().set(value.dump().c_str());  // numbers and booleans as JSON spells them
  }
}

LoopbackResponse ec2Error(int status, const std::string& code, const std::string& message,
                          const std::string& requestId) {
  pugi::xml_document doc;
  auto declaration = doc.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  auto response = doc.append_child("Response");
  auto error = response.append_child("Errors").append_child("Error");
  addText(error, "Code", code);
  addText(error, "Message", message);
  addText(response, "RequestID", requestId);
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return LoopbackResponse{status, "text/xml;charset=UTF-8", out.str()};
}

namespace {
std::string afterPrefix(std::string_view text, std::string_view key) {
  const size_t pos = text.find(key);
  if (pos == std::string_view::npos) {
    return "";
  }
  const size_t start = pos + key.size();
  const size_t end = text.find(',', start);
  std::string value(text.substr(start, end == std::string_view::npos ? end : end - start));
  while (!value.empty() && value.back() == ' ') {
    value.pop_back();
  }
  return value;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, separator)) {
    parts.push_back(part);
  }
  return parts;
}

std::string lower(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}
}  // namespace

SignatureCheck verifySigV4(const LoopbackRequest& request, const std::string& accessKeyId,
                           const std::string& secretAccessKey, const std::string& region,
                           const std::string& service) {
  const std::string authorization = request.header("Authorization");
  if (authorization.rfind(std::string(kSigV4Algorithm) + " ", 0) != 0) {
    return {false, 401, "AuthFailure",
            "AWS was not able to validate the provided access "
            "credentials (no AWS4-HMAC-SHA256 Authorization header)"};
  }
  const auto credential = split(afterPrefix(authorization, "Credential="), '/');
  const std::string signedHeaders = afterPrefix(authorization, "SignedHeaders=");
  const std::string signature = afterPrefix(authorization, "Signature=");
  if (credential.size() != 5 || credential[4] != "aws4_request" || signedHeaders.empty()) {
    return {false, 401, "AuthFailure", "Authorization header is malformed"};
  }
  if (credential[0] != accessKeyId) {
    return {false, 401, "AuthFailure",
            "AWS was not able to validate the provided access credentials"};
  }
  if (credential[2] != region || credential[3] != service) {
    return {false, 401, "AuthFailure",
            "Credential should be scoped to a valid region and service ('" + region + "', '" +
                service + "'), not '" + credential[2] + "', '" + credential[3] + "'"};
  }
  const std::string amzDate = request.header("X-Amz-Date");
  if (amzDate.substr(0, 8) != credential[1]) {
    return {false, 403, "SignatureDoesNotMatch", "X-Amz-Date does not match the credential date"};
  }
  std::set<std::string> names;
  for (const std::string& name : split(signedHeaders, ';')) {
    names.insert(name);
  }
  std::vector<HttpHeader> headers;
  for (const HttpHeader& header : request.headers) {
    if (names.count(lower(header.name)) > 0) {
      headers.push_back(header);
    }
  }
  std::string payloadHash = request.header("X-Amz-Content-Sha256");
  if (payloadHash.empty()) {
    payloadHash = sha256Hex(request.body);
  }
  const std::string canonical = buildCanonicalRequest(request.method, request.path, request.query,
                                                      headers, payloadHash, true);
  const std::string scope = credential[1] + "/" + region + "/" + service + "/aws4_request";
  const std::string expected = computeSignature(secretAccessKey, credential[1], region, service,
                                                buildStringToSign(amzDate, scope, canonical));
  if (expected != signature) {
    return {false, 403, "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details."};
  }
  return {true, 200, "", ""};
}

}  // namespace karpenter::aws::testing
