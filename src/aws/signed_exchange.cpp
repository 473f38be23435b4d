#include "signed_exchange.hpp"

#include <spdlog/spdlog.h>

namespace karpenter::aws {

Result<HttpResponse> sendSigned(
    const SignedExchange& exchange, std::string_view action, const SignableRequest& signable,
    const std::string& url, const std::function<AwsErrorDetail(const HttpResponse&)>& decodeError,
    const SignedSendOptions& options) {
  const auto cancelled = [&] { return options.cancelled && options.cancelled(); };
  const auto cancelledError = [&] {
    return Error{ErrorKind::kUnavailable,
                 exchange.service + " " + std::string(action) + ": cancelled"};
  };
  Error last{ErrorKind::kInternal, "no attempt made"};
  for (int attempt = 0; attempt < std::max(1, exchange.retry.maxAttempts); ++attempt) {
    if (attempt > 0) {
      if (cancelled()) {
        return cancelledError();
      }
      const auto delay = backoffDelay(exchange.retry, attempt - 1);
      spdlog::debug("{} {}: retry {} after {} ms: {}", exchange.service, action, attempt,
                    delay.count(), last.message);
      exchange.retry.sleep(delay);
    }
    auto credentials = exchange.credentials.credentials();
    if (!credentials) {
      return credentials.error().withContext(exchange.service + " " + std::string(action));
    }
    // Signed per attempt: the signature carries the time, and credentials may have rotated.
    SigningOptions signing{exchange.signingRegion, exchange.service, exchange.clock()};
    const SigningResult signature = signWithHeaders(signable, *credentials, signing);
    HttpRequest request;
    request.method = signable.method;
    request.url = url;
    request.headers = signable.headers;
    request.headers.insert(request.headers.end(), signature.addedHeaders.begin(),
                           signature.addedHeaders.end());
    request.body = signable.body;
    if (options.timeout) {
      request.timeout = *options.timeout;
    }
    request.cancelled = options.cancelled;
    auto response = exchange.http.send(request);
    if (!response) {
      if (cancelled()) {
        return cancelledError();
      }
      last = response.error().withContext(exchange.service + " " + std::string(action));
      continue;  // transport failures are retried like server faults
    }
    if (response->status >= 200 && response->status < 300) {
      return std::move(*response);
    }
    last = toError(decodeError(*response), exchange.service, action);
    if (!retryableAwsError(last.kind)) {
      return last;
    }
  }
  return last;
}

}  // namespace karpenter::aws
