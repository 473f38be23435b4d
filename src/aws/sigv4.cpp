#include "karpenter/aws/sigv4.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <map>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace karpenter::aws {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";

std::string toHex(const unsigned char* data, size_t size) {
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 0x0f]);
  }
  return out;
}

std::string hmac(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &size);
  return std::string(reinterpret_cast<const char*>(out.data()), size);
}

std::string toLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Trims and collapses each run of whitespace (including folded line breaks) into one space.
std::string canonicalHeaderValue(std::string_view value) {
  std::string out;
  bool pendingSpace = false;
  for (char c : value) {
    if (isSpace(c)) {
      pendingSpace = !out.empty();
      continue;
    }
    if (pendingSpace) {
      out.push_back(' ');
      pendingSpace = false;
    }
    out.push_back(c);
  }
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Proxies and HTTP stacks rewrite these, so signing them would break requests in transit.
bool isUnsignedHeader(const std::string& lowerName) {
  return lowerName == "authorization" || lowerName == "user-agent" || lowerName == "expect" ||
         lowerName == "x-amzn-trace-id";
}

std::string scopeOf(const std::string& date, const SigningOptions& options) {
  return date + "/" + options.region + "/" + options.service + "/aws4_request";
}

std::vector<HttpHeader> signableHeaders(const SignableRequest& request) {
  std::vector<HttpHeader> headers;
  for (const HttpHeader& header : request.headers) {
    if (!isUnsignedHeader(toLower(header.name))) {
      headers.push_back(header);
    }
  }
  return headers;
}

}  // namespace

std::string uriEncode(std::string_view text, bool encodeSlash) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (c == '/' && !encodeSlash)) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHexUpper[u >> 4]);
      out.push_back(kHexUpper[u & 0x0f]);
    }
  }
  return out;
}

std::string percentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = hexValue(text[i + 1]);
      const int low = hexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string canonicalPath(std::string_view rawPath, bool normalize) {
  if (rawPath.empty()) {
    return "/";
  }
  if (!normalize) {
    return uriEncode(rawPath, false);
  }
  // RFC 3986 dot-segment removal plus collapsing empty segments ("//"), keeping a trailing slash.
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= rawPath.size()) {
    size_t end = rawPath.find('/', start);
    if (end == std::string_view::npos) {
      end = rawPath.size();
    }
    const std::string_view segment = rawPath.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) {
        segments.pop_back();
      }
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string path = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    path += uriEncode(segments[i], true);
    if (i + 1 < segments.size()) {
      path += "/";
    }
  }
  if (!segments.empty() && rawPath.back() == '/') {
    path += "/";
  }
  return path;
}

std::string canonicalQuery(std::string_view rawQuery) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t start = 0;
  while (start < rawQuery.size()) {
    size_t end = rawQuery.find('&', start);
    if (end == std::string_view::npos) {
      end = rawQuery.size();
    }
    const std::string_view pair = rawQuery.substr(start, end - start);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      const std::string_view name = pair.substr(0, eq);
      const std::string_view value =
          eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
      params.emplace_back(uriEncode(percentDecode(name)), uriEncode(percentDecode(value)));
    }
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) {
      out += '&';
    }
    out += name + "=" + value;
  }
  return out;
}

std::pair<std::string, std::string> canonicalHeaders(const std::vector<HttpHeader>& headers) {
  std::map<std::string, std::string> merged;
  for (const HttpHeader& header : headers) {
    auto [it, inserted] = merged.try_emplace(toLower(header.name));
    if (!inserted) {
      it->second += ',';
    }
    it->second += canonicalHeaderValue(header.value);
  }
  std::string lines;
  std::string names;
  for (const auto& [name, value] : merged) {
    lines += name + ":" + value + "\n";
    if (!names.empty()) {
      names += ';';
    }
    names += name;
  }
  return {lines, names};
}

std::string buildCanonicalRequest(std::string_view method, std::string_view rawPath,
                                  std::string_view rawQuery, const std::vector<HttpHeader>& headers,
                                  std::string_view payloadHash, bool normalizePath) {
  const auto [lines, names] = canonicalHeaders(headers);
  std::string out;
  out.append(method).append("\n");
  out.append(canonicalPath(rawPath, normalizePath)).append("\n");
  out.append(canonicalQuery(rawQuery)).append("\n");
  out.append(lines).append("\n");
  out.append(names).append("\n");
  out.append(payloadHash);
  return out;
}

std::string buildStringToSign(std::string_view amzDate, std::string_view scope,
                              std::string_view canonicalRequest) {
  std::string out(kSigV4Algorithm);
  out.append("\n").append(amzDate).append("\n").append(scope).append("\n");
  out.append(sha256Hex(canonicalRequest));
  return out;
}

std::string computeSignature(std::string_view secretAccessKey, std::string_view date,
                             std::string_view region, std::string_view service,
                             std::string_view stringToSign) {
  std::string key = hmac("AWS4" + std::string(secretAccessKey), date);
  key = hmac(key, region);
  key = hmac(key, service);
  key = hmac(key, "aws4_request");
  const std::string raw = hmac(key, stringToSign);
  return toHex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string sha256Hex(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return toHex(digest.data(), digest.size());
}

std::string formatAmzDate(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y%m%dT%H%M%SZ", &utc);
  return buffer;
}

std::optional<std::chrono::system_clock::time_point> parseAmzDate(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') {
    return std::nullopt;
  }
  std::tm utc{};
  const std::string copy(text);
  if (sscanf(copy.c_str(), "%4d%2d%2dT%2d%2d%2dZ", &utc.tm_year, &utc.tm_mon, &utc.tm_mday,
             &utc.tm_hour, &utc.tm_min, &utc.tm_sec) != 6) {
    return std::nullopt;
  }
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(timegm(&utc));
}

SigningResult signWithHeaders(const SignableRequest& request, const Credentials& credentials,
                              const SigningOptions& options) {
  const std::string amzDate = formatAmzDate(options.time);
  const std::string date = amzDate.substr(0, 8);
  const std::string scope = scopeOf(date, options);
  const std::string payloadHash = sha256Hex(request.body);

  SigningResult result;
  std::vector<HttpHeader> signedHeaders = signableHeaders(request);
  const bool hasToken = !credentials.sessionToken.empty();
  if (hasToken) {
    result.addedHeaders.push_back({"X-Amz-Security-Token", credentials.sessionToken});
    if (!options.omitSessionToken) {
      signedHeaders.push_back(result.addedHeaders.back());
    }
  }
  result.addedHeaders.push_back({"X-Amz-Date", amzDate});
  signedHeaders.push_back(result.addedHeaders.back());
  if (options.signBody) {
    result.addedHeaders.push_back({"x-amz-content-sha256", payloadHash});
    signedHeaders.push_back(result.addedHeaders.back());
  }
  result.canonicalRequest =
      buildCanonicalRequest(request.method, request.path, request.query, signedHeaders, payloadHash,
                            options.normalizePath);
  result.stringToSign = buildStringToSign(amzDate, scope, result.canonicalRequest);
  result.signature = computeSignature(credentials.secretAccessKey, date, options.region,
                                      options.service, result.stringToSign);
  const std::string names = canonicalHeaders(signedHeaders).second;
  result.addedHeaders.push_back({"Authorization", std::string(kSigV4Algorithm) +
                                                      " Credential=" + credentials.accessKeyId +
                                                      "/" + scope + ", SignedHeaders=" + names +
                                                      ", Signature=" + result.signature});
  return result;
}

SigningResult presign(const SignableRequest& request, const Credentials& credentials,
                      const SigningOptions& options) {
  const std::string amzDate = formatAmzDate(options.time);
  const std::string date = amzDate.substr(0, 8);
  const std::string scope = scopeOf(date, options);
  const std::vector<HttpHeader> signedHeaders = signableHeaders(request);
  const std::string names = canonicalHeaders(signedHeaders).second;

  SigningResult result;
  auto& query = result.addedQuery;
  query.emplace_back("X-Amz-Algorithm", std::string(kSigV4Algorithm));
  query.emplace_back("X-Amz-Credential", uriEncode(credentials.accessKeyId + "/" + scope));
  query.emplace_back("X-Amz-Date", amzDate);
  query.emplace_back("X-Amz-SignedHeaders", uriEncode(names));
  query.emplace_back("X-Amz-Expires", std::to_string(options.expires.count()));
  const bool hasToken = !credentials.sessionToken.empty();
  if (hasToken) {
    query.emplace_back("X-Amz-Security-Token", uriEncode(credentials.sessionToken));
  }
  std::string signedQuery = request.query;
  for (const auto& [name, value] : query) {
    if (name == "X-Amz-Security-Token" && options.omitSessionToken) {
      continue;  // appended after signing
    }
    if (!signedQuery.empty()) {
      signedQuery += '&';
    }
    signedQuery += name + "=" + value;
  }
  result.canonicalRequest =
      buildCanonicalRequest(request.method, request.path, signedQuery, signedHeaders,
                            sha256Hex(request.body), options.normalizePath);
  result.stringToSign = buildStringToSign(amzDate, scope, result.canonicalRequest);
  result.signature = computeSignature(credentials.secretAccessKey, date, options.region,
                                      options.service, result.stringToSign);
  query.emplace_back("X-Amz-Signature", result.signature);
  return result;
}

}  // namespace karpenter::aws
