#include "karpenter/aws/signed_request.hpp"

namespace karpenter::aws {

HttpRequest signedPost(const std::string& endpoint, const ParsedUrl& url,
                       std::vector<HttpHeader> headers, std::string body,
                       const Credentials& credentials, const SigningOptions& signing) {
  headers.insert(headers.begin(), {"Host", url.authority});
  SignableRequest signable{"POST", url.path, url.query, std::move(headers), std::move(body)};
  const SigningResult signature = signWithHeaders(signable, credentials, signing);
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint;
  request.headers = std::move(signable.headers);
  request.headers.insert(request.headers.end(), signature.addedHeaders.begin(),
                         signature.addedHeaders.end());
  request.body = std::move(signable.body);
  return request;
}

}  // namespace karpenter::aws
