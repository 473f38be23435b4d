#include "karpenter/api/validation.hpp"

namespace karpenter::api {
namespace {

// The patterns are matched by hand rather than with std::regex: these checks run for every label
// of every object we decode, and std::regex is both slow and allocates.
constexpr std::string_view kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view kQualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr std::string_view kLabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr std::string_view kLabelValueErrMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";
constexpr std::string_view kDNS1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view kDNS1123LabelErrMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character";
constexpr std::string_view kDNS1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view kDNS1123SubdomainErrMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";

bool isAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool isLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool matchesNamePattern(std::string_view s) {
  if (s.empty() || !isAlnum(s.front()) || !isAlnum(s.back())) {
    return false;
  }
  for (char c : s) {
    if (!isAlnum(c) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool matchesDNS1123Label(std::string_view s) {
  if (s.empty() || !isLowerAlnum(s.front()) || !isLowerAlnum(s.back())) {
    return false;
  }
  for (char c : s) {
    if (!isLowerAlnum(c) && c != '-') {
      return false;
    }
  }
  return true;
}

// One or more DNS-1123 labels joined by single dots.
bool matchesDNS1123Subdomain(std::string_view s) {
  while (true) {
    std::size_t dot = s.find('.');
    if (!matchesDNS1123Label(s.substr(0, dot))) {
      return false;
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    s.remove_prefix(dot + 1);
  }
}

std::string withPrefix(std::string_view prefix, std::string message) {
  return std::string(prefix) + message;
}

}  // namespace

std::string maxLenError(std::size_t length) {
  return std::string("must be no more than ").append(std::to_string(length)).append(" characters");
}

std::string emptyError() {
  return "must be non-empty";
}

std::string regexError(std::string_view message, std::string_view pattern,
                       std::initializer_list<std::string_view> examples) {
  std::string out(message);
  if (examples.size() == 0) {
    out += " (regex used for validation is '";
  } else {
    out += " (e.g. ";
    bool first = true;
    for (std::string_view example : examples) {
      if (!first) {
        out += " or ";
      }
      first = false;
      out += "'";
      out += example;
      out += "', ";
    }
    out += "regex used for validation is '";
  }
  out += pattern;
  out += "')";
  return out;
}

std::vector<std::string> isDNS1123Label(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kDNS1123LabelMaxLength) {
    errs.push_back(maxLenError(kDNS1123LabelMaxLength));
  }
  if (!matchesDNS1123Label(value)) {
    // A valid subdomain that is not a valid label can only be failing on its dots (the length
    // was reported above), so say that instead of quoting the pattern.
    if (matchesDNS1123Subdomain(value)) {
      errs.emplace_back("must not contain dots");
    } else {
      errs.push_back(regexError(kDNS1123LabelErrMsg, kDNS1123LabelFmt, {"my-name", "123-abc"}));
    }
  }
  return errs;
}

std::vector<std::string> isDNS1123Subdomain(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kDNS1123SubdomainMaxLength) {
    errs.push_back(maxLenError(kDNS1123SubdomainMaxLength));
  }
  if (!matchesDNS1123Subdomain(value)) {
    errs.push_back(regexError(kDNS1123SubdomainErrMsg, kDNS1123SubdomainFmt, {"example.com"}));
  }
  return errs;
}

std::vector<std::string> isQualifiedName(std::string_view value) {
  std::vector<std::string> errs;
  std::string_view name = value;
  std::size_t slash = value.find('/');
  if (slash != std::string_view::npos) {
    if (value.find('/', slash + 1) != std::string_view::npos) {
      errs.push_back(
          "a qualified name " +
          regexError(kQualifiedNameErrMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}) +
          " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errs;
    }
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back(std::string("prefix part ").append(emptyError()));
    } else {
      for (std::string& message : isDNS1123Subdomain(prefix)) {
        errs.push_back(withPrefix("prefix part ", std::move(message)));
      }
    }
  }
  if (name.empty()) {
    errs.push_back(std::string("name part ").append(emptyError()));
  } else if (name.size() > kQualifiedNameMaxLength) {
    errs.push_back(std::string("name part ").append(maxLenError(kQualifiedNameMaxLength)));
  }
  if (!matchesNamePattern(name)) {
    errs.push_back("name part " + regexError(kQualifiedNameErrMsg, kQualifiedNameFmt,
                                             {"MyName", "my.name", "123-abc"}));
  }
  return errs;
}

std::vector<std::string> isValidLabelValue(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kLabelValueMaxLength) {
    errs.push_back(maxLenError(kLabelValueMaxLength));
  }
  if (!value.empty() && !matchesNamePattern(value)) {
    errs.push_back(regexError(kLabelValueErrMsg, kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  }
  return errs;
}

bool isQualifiedNameValid(std::string_view value) {
  std::string_view name = value;
  std::size_t slash = value.find('/');
  if (slash != std::string_view::npos) {
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (name.find('/') != std::string_view::npos || prefix.empty() ||
        prefix.size() > kDNS1123SubdomainMaxLength || !matchesDNS1123Subdomain(prefix)) {
      return false;
    }
  }
  return name.size() <= kQualifiedNameMaxLength && matchesNamePattern(name);
}

bool isLabelValueValid(std::string_view value) {
  return value.size() <= kLabelValueMaxLength && (value.empty() || matchesNamePattern(value));
}

}  // namespace karpenter::api
