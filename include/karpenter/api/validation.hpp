#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace karpenter::api {

// Name and value format checks of k8s.io/apimachinery/pkg/util/validation, with upstream's rules
// and message wording. Each check returns the list of reasons the value is invalid (empty when
// valid); messages carry no field path so callers (webhook validation) can prefix their own.
// All functions are pure and thread-safe.

inline constexpr std::size_t kQualifiedNameMaxLength = 63;
inline constexpr std::size_t kLabelValueMaxLength = 63;
inline constexpr std::size_t kDNS1123LabelMaxLength = 63;
inline constexpr std::size_t kDNS1123SubdomainMaxLength = 253;

// A "qualified name" (label key, annotation key, finalizer name...): an optional DNS-1123
// subdomain prefix of at most 253 characters and "/", then a name of at most 63 characters
// matching ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9].
std::vector<std::string> isQualifiedName(std::string_view value);

// A label value: empty, or at most 63 characters matching the qualified-name name pattern.
std::vector<std::string> isValidLabelValue(std::string_view value);

// An RFC 1123 subdomain: at most 253 characters, dot-separated RFC 1123 labels (lower case).
std::vector<std::string> isDNS1123Subdomain(std::string_view value);

// An RFC 1123 label: at most 63 characters matching [a-z0-9]([-a-z0-9]*[a-z0-9])?.
std::vector<std::string> isDNS1123Label(std::string_view value);

// Allocation-free predicates for hot paths; equivalent to the list forms returning no errors.
bool isQualifiedNameValid(std::string_view value);
bool isLabelValueValid(std::string_view value);

// Upstream's message builders, shared by other validators that want the same wording.
std::string maxLenError(std::size_t length);
std::string emptyError();
std::string regexError(std::string_view message, std::string_view pattern,
                       std::initializer_list<std::string_view> examples);

}  // namespace karpenter::api
