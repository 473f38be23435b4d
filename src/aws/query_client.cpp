#include "karpenter/aws/query_client.hpp"

#include <mutex>
#include <random>
#include <thread>

#include <pugixml.hpp>
#include <spdlog/spdlog.h>

#include "karpenter/aws/sigv4.hpp"
#include "signed_exchange.hpp"
#include "xml_json.hpp"

namespace karpenter::aws {
namespace {

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

std::chrono::milliseconds backoffDelay(const RetryPolicy& policy, int attempt) {
  static std::mutex mutex;
  static std::mt19937_64 random{std::random_device{}()};
  const int64_t ceiling =
      std::min<int64_t>(policy.max.count(), policy.base.count() << std::min(attempt, 20));
  std::lock_guard lock(mutex);
  return std::chrono::milliseconds(
      std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(ceiling, 0))(random));
}

bool retryableAwsError(ErrorKind kind) {
  return kind == ErrorKind::kThrottled || kind == ErrorKind::kUnavailable;
}

std::function<void(std::chrono::milliseconds)> sleepOrDefault(
    std::function<void(std::chrono::milliseconds)> sleep) {
  if (sleep) {
    return sleep;
  }
  return [](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); };
}

QueryParams& QueryParams::set(std::string name, std::string value) {
  entries_.emplace_back(std::move(name), std::move(value));
  return *this;
}

QueryParams& QueryParams::setIfNotEmpty(std::string name, const std::string& value) {
  if (!value.empty()) {
    set(std::move(name), value);
  }
  return *this;
}

QueryParams& QueryParams::setList(const std::string& prefix,
                                  const std::vector<std::string>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    set(prefix + "." + std::to_string(i + 1), values[i]);
  }
  return *this;
}

QueryParams& QueryParams::setFilters(const std::vector<Filter>& filters) {
  for (size_t i = 0; i < filters.size(); ++i) {
    const std::string prefix = "Filter." + std::to_string(i + 1);
    set(prefix + ".Name", filters[i].name);
    setList(prefix + ".Value", filters[i].values);
  }
  return *this;
}

QueryParams& QueryParams::setTags(const std::string& prefix, const Tags& tags) {
  size_t index = 1;
  for (const auto& [key, value] : tags) {
    const std::string item = prefix + "." + std::to_string(index++);
    set(item + ".Key", key);
    set(item + ".Value", value);
  }
  return *this;
}

std::string QueryParams::encode(std::string_view action, std::string_view version) const {
  std::string body = "Action=" + uriEncode(action) + "&Version=" + uriEncode(version);
  for (const auto& [name, value] : entries_) {
    body += "&" + uriEncode(name) + "=" + uriEncode(value);
  }
  return body;
}

ErrorKind errorKindForAwsCode(std::string_view code, long httpStatus) {
  if (code == "InsufficientInstanceCapacity" || code == "InsufficientHostCapacity" ||
      code == "InsufficientReservedInstanceCapacity" || code == "InsufficientCapacity" ||
      code == "InsufficientCapacityOnHost" || code == "MaxSpotInstanceCountExceeded" ||
      code == "VcpuLimitExceeded" || code == "UnfulfillableCapacity" ||
      code == "ReservationCapacityExceeded") {
    return ErrorKind::kInsufficientCapacity;
  }
  if (code == "RequestLimitExceeded" || code == "Throttling" || code == "ThrottlingException" ||
      code == "RequestThrottled" || code == "TooManyRequestsException" ||
      code == "RequestThrottledException") {
    return ErrorKind::kThrottled;
  }
  if (httpStatus >= 500 || code == "InternalError" || code == "InternalFailure" ||
      code == "ServiceUnavailable" || code == "Unavailable") {
    return ErrorKind::kUnavailable;
  }
  if (endsWith(code, ".NotFound") || endsWith(code, "NotFoundException") ||
      code == "NoSuchEntity" || code == "ParameterNotFound" || code == "QueueDoesNotExist" ||
      code == "AWS.SimpleQueueService.NonExistentQueue") {
    return ErrorKind::kNotFound;
  }
  if (code.find("AlreadyExists") != std::string_view::npos ||
      code == "IdempotentParameterMismatch" || code == "EntityAlreadyExists") {
    return ErrorKind::kConflict;
  }
  return ErrorKind::kInvalid;
}

AwsErrorDetail decodeQueryError(long httpStatus, std::string_view body) {
  AwsErrorDetail detail;
  detail.httpStatus = httpStatus;
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) {
    detail.code = "HTTP" + std::to_string(httpStatus);
    detail.message = std::string(body.substr(0, 200));
    return detail;
  }
  // EC2: <Response><Errors><Error>..</Error></Errors><RequestID>..</RequestID></Response>
  // STS/IAM/SQS: <ErrorResponse><Error>..</Error><RequestId>..</RequestId></ErrorResponse>
  pugi::xml_node error = doc.child("Response").child("Errors").child("Error");
  if (error) {
    detail.requestId = doc.child("Response").child_value("RequestID");
  } else {
    error = doc.child("ErrorResponse").child("Error");
    detail.requestId = doc.child("ErrorResponse").child_value("RequestId");
  }
  detail.code = error.child_value("Code");
  detail.message = error.child_value("Message");
  if (detail.code.empty()) {
    detail.code = "HTTP" + std::to_string(httpStatus);
  }
  return detail;
}

Error toError(const AwsErrorDetail& detail, std::string_view service, std::string_view action) {
  std::string message =
      std::string(service) + " " + std::string(action) + ": " + detail.code + ": " + detail.message;
  if (!detail.requestId.empty()) {
    message += " (request id " + detail.requestId + ")";
  }
  return Error{errorKindForAwsCode(detail.code, detail.httpStatus), std::move(message)};
}

std::string awsErrorCode(const Error& error) {
  // "<service> <action>: <Code>: ..."
  const size_t first = error.message.find(": ");
  if (first == std::string::npos) {
    return "";
  }
  const size_t second = error.message.find(": ", first + 2);
  if (second == std::string::npos) {
    return "";
  }
  return error.message.substr(first + 2, second - first - 2);
}

nlohmann::json xmlToJson(const pugi::xml_node& node) {
  bool hasElements = false;
  bool allItems = true;
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element) {
      hasElements = true;
      allItems = allItems && std::string_view(child.name()) == "item";
    }
  }
  if (!hasElements) {
    return node.child_value();
  }
  if (allItems) {
    nlohmann::json array = nlohmann::json::array();
    for (pugi::xml_node child = node.child("item"); child; child = child.next_sibling("item")) {
      array.push_back(xmlToJson(child));
    }
    return array;
  }
  nlohmann::json object = nlohmann::json::object();
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element) {
      object[child.name()] = xmlToJson(child);
    }
  }
  return object;
}

QueryClient::QueryClient(Options options, CredentialsProviderPtr credentials, HttpClientPtr http,
                         Clock clock)
    : options_(std::move(options)),
      credentials_(std::move(credentials)),
      http_(std::move(http)),
      clock_(std::move(clock)) {
  options_.retry.sleep = sleepOrDefault(std::move(options_.retry.sleep));
}

Result<std::string> QueryClient::call(std::string_view action, const QueryParams& params) const {
  auto url = parseUrl(options_.endpoint);
  if (!url) {
    return url.error().withContext(options_.service + " endpoint");
  }
  SignableRequest signable{"POST",
                           url->path,
                           url->query,
                           {{"Host", url->authority},
                            {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
                           params.encode(action, options_.version)};
  auto response = sendSigned(
      {options_.service, options_.signingRegion, options_.retry, *credentials_, *http_, clock_},
      action, signable, options_.endpoint,
      [](const HttpResponse& reply) { return decodeQueryError(reply.status, reply.body); });
  if (!response) {
    return response.error();
  }
  return std::move(response->body);
}

}  // namespace karpenter::aws
