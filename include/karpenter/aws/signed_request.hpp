#pragma once

#include <string>
#include <vector>

#include "karpenter/aws/http.hpp"
#include "karpenter/aws/sigv4.hpp"

namespace karpenter::aws {

// The POST both wire protocols send (Query forms, AWS JSON): Host (from `url`, the parsed
// `endpoint`) and `headers`, signed with SigV4 in header form; the caller sets timeouts and
// cancellation on the result.
HttpRequest signedPost(const std::string& endpoint, const ParsedUrl& url,
                       std::vector<HttpHeader> headers, std::string body,
                       const Credentials& credentials, const SigningOptions& signing);

}  // namespace karpenter::aws
