#include "karpenter/aws/json_client.hpp"

#include "karpenter/aws/sigv4.hpp"
#include "signed_exchange.hpp"

namespace karpenter::aws {
namespace {

// "com.amazonaws.ssm#ParameterNotFound" / "ResourceNotFoundException:http://..." → the code.
std::string bareCode(std::string_view raw) {
  if (const size_t hash = raw.rfind('#'); hash != std::string_view::npos) {
    raw.remove_prefix(hash + 1);
  }
  if (const size_t colon = raw.find(':'); colon != std::string_view::npos) {
    raw = raw.substr(0, colon);
  }
  return std::string(raw);
}

}  // namespace

AwsErrorDetail decodeJsonError(long httpStatus, std::string_view body,
                               std::string_view errorTypeHeader, std::string_view requestId) {
  AwsErrorDetail detail;
  detail.httpStatus = httpStatus;
  detail.requestId = std::string(requestId);
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    if (auto type = parsed.find("__type"); type != parsed.end() && type->is_string()) {
      detail.code = bareCode(type->get<std::string>());
    }
    for (const char* key : {"message", "Message"}) {
      if (auto message = parsed.find(key); message != parsed.end() && message->is_string()) {
        detail.message = message->get<std::string>();
        break;
      }
    }
  } else {
    detail.message = std::string(body.substr(0, 200));
  }
  if (detail.code.empty() && !errorTypeHeader.empty()) {
    detail.code = bareCode(errorTypeHeader);
  }
  if (detail.code.empty()) {
    detail.code = "HTTP" + std::to_string(httpStatus);
  }
  return detail;
}

JsonClient::JsonClient(Options options, CredentialsProviderPtr credentials, HttpClientPtr http,
                       Clock clock)
    : options_(std::move(options)),
      credentials_(std::move(credentials)),
      http_(std::move(http)),
      clock_(std::move(clock)) {
  options_.retry.sleep = sleepOrDefault(std::move(options_.retry.sleep));
}

Result<nlohmann::json> JsonClient::callTarget(std::string_view target,
                                              const nlohmann::json& body) const {
  const std::string_view action = target.substr(target.rfind('.') + 1);
  return send(
      "POST", "/", action,
      {{"Content-Type", "application/x-amz-json-1.1"}, {"X-Amz-Target", std::string(target)}},
      body.dump());
}

Result<nlohmann::json> JsonClient::callRest(std::string_view method, std::string_view path,
                                            std::string_view action,
                                            const nlohmann::json& body) const {
  if (body.is_null()) {
    return send(method, path, action, {}, "");
  }
  return send(method, path, action, {{"Content-Type", "application/json"}}, body.dump());
}

Result<nlohmann::json> JsonClient::send(std::string_view method, std::string_view path,
                                        std::string_view action, std::vector<HttpHeader> headers,
                                        const std::string& body) const {
  auto url = parseUrl(options_.endpoint);
  if (!url) {
    return url.error().withContext(options_.service + " endpoint");
  }
  // The endpoint may carry a base path (a proxy); the operation's path goes below it.
  std::string base = url->path == "/" ? "" : url->path;
  const std::string fullPath = base + std::string(path);
  headers.insert(headers.begin(), {"Host", url->authority});
  // The path is signed decoded: the signer percent-encodes it canonically.
  SignableRequest signable{std::string(method), percentDecode(fullPath), "", std::move(headers),
                           body};
  auto response = sendSigned(
      {options_.service, options_.signingRegion, options_.retry, *credentials_, *http_, clock_},
      action, signable, url->scheme + "://" + url->authority + fullPath,
      [](const HttpResponse& reply) {
        return decodeJsonError(reply.status, reply.body, reply.header("x-amzn-ErrorType"),
                               reply.header("x-amzn-RequestId"));
      });
  if (!response) {
    return response.error();
  }
  auto parsed = nlohmann::json::parse(response->body, nullptr, false);
  if (parsed.is_discarded()) {
    return Error{ErrorKind::kUnavailable,
                 options_.service + " " + std::string(action) +
                     ": the reply is not JSON: " + response->body.substr(0, 200)};
  }
  return parsed;
}

}  // namespace karpenter::aws
