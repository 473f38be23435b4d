#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace karpenter::aws {

// An AWS access key, optionally temporary (session token + expiry). `source` names the
// provider that produced it ("environment", "profile default", "imds", ...) for logs.
struct Credentials {
  std::string accessKeyId;
  std::string secretAccessKey;
  std::string sessionToken;
  std::optional<std::chrono::system_clock::time_point> expiration;
  std::string source;
};

struct HttpHeader {
  std::string name;
  std::string value;
};

// A request to sign. `path` is the raw (not percent-encoded) path, e.g. "/" or "/a b/";
// `query` is the query string without '?', and may already hold percent escapes (they are
// decoded and re-encoded canonically). Headers keep their order; a name may repeat.
struct SignableRequest {
  std::string method;
  std::string path = "/";
  std::string query;
  std::vector<HttpHeader> headers;
  std::string body;
};

struct SigningOptions {
  std::string region;
  std::string service;
  std::chrono::system_clock::time_point time;
  // Remove "." / ".." segments and duplicate slashes (every service but S3).
  bool normalizePath = true;
  // Header signing: add and sign x-amz-content-sha256 (S3-style payload signing).
  bool signBody = false;
  // Add the session token after signing instead of signing it (services such as IoT want this).
  bool omitSessionToken = false;
  // Presigning only: X-Amz-Expires.
  std::chrono::seconds expires{3600};
};

// Everything signing produced, so that tests (and the verifying fake) can compare each stage.
struct SigningResult {
  std::string canonicalRequest;
  std::string stringToSign;
  std::string signature;  // lowercase hex
  // Header signing: headers to add to the request, in this order (X-Amz-Security-Token,
  // X-Amz-Date, x-amz-content-sha256, Authorization — each only when it applies).
  std::vector<HttpHeader> addedHeaders;
  // Presigning: query parameters to append, already percent-encoded, in the order AWS SDKs
  // write them (X-Amz-Algorithm, -Credential, -Date, -SignedHeaders, -Expires,
  // -Security-Token, -Signature).
  std::vector<std::pair<std::string, std::string>> addedQuery;
};

inline constexpr std::string_view kSigV4Algorithm = "AWS4-HMAC-SHA256";

// Signs via the Authorization header. Every header of the request is signed except the few
// that proxies rewrite (user-agent, expect, x-amzn-trace-id, authorization).
SigningResult signWithHeaders(const SignableRequest& request, const Credentials& credentials,
                              const SigningOptions& options);
// Presigns via the query string (X-Amz-* parameters); the payload hash is the body's.
SigningResult presign(const SignableRequest& request, const Credentials& credentials,
                      const SigningOptions& options);

// --- The building blocks (also used by the test endpoint to verify signatures). ---

// RFC 3986 encoding of everything but unreserved characters (A-Z a-z 0-9 - . _ ~);
// '/' is kept when encodeSlash is false.
std::string uriEncode(std::string_view text, bool encodeSlash = true);
// Decodes %XX escapes; malformed escapes are kept literally.
std::string percentDecode(std::string_view text);
std::string canonicalPath(std::string_view rawPath, bool normalize);
std::string canonicalQuery(std::string_view rawQuery);
// "name:value\n" lines (lowercase names, sorted, values trimmed with inner whitespace runs
// collapsed, repeated names joined with ',') and the ';'-joined names.
std::pair<std::string, std::string> canonicalHeaders(const std::vector<HttpHeader>& headers);
std::string buildCanonicalRequest(std::string_view method, std::string_view rawPath,
                                  std::string_view rawQuery, const std::vector<HttpHeader>& headers,
                                  std::string_view payloadHash, bool normalizePath);
std::string buildStringToSign(std::string_view amzDate, std::string_view scope,
                              std::string_view canonicalRequest);
// HMAC chain "AWS4"+secret → date → region → service → "aws4_request", then HMAC(stringToSign).
std::string computeSignature(std::string_view secretAccessKey, std::string_view date,
                             std::string_view region, std::string_view service,
                             std::string_view stringToSign);

std::string sha256Hex(std::string_view data);
// 20150830T123600Z
std::string formatAmzDate(std::chrono::system_clock::time_point time);
// Parses 20150830T123600Z; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parseAmzDate(std::string_view text);

}  // namespace karpenter::aws
