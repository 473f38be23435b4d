#include <string>

#include "ec2nodeclass_rules.hpp"
#include "karpenter/admission/ec2nodeclass_validation.hpp"

namespace karpenter::admission::detail {
namespace {

using api::StringMap;

const std::string kSpec = "spec";
const std::string kObject = "\"object\"";

// Selector tags: ≤20 entries, neither key nor value empty ("*" is a valid value: any).
void validateSelectorTags(const StringMap& tags, const std::string& path, FieldErrors& errors) {
  if (tags.size() > kMaxSelectorTags) {
    errors.tooMany(path, tags.size(), kMaxSelectorTags);
  }
  for (const auto& [tagKey, value] : tags) {
    if (tagKey.empty() || value.empty()) {
      errors.invalid(key(path, tagKey), value, "empty tag keys or values aren't supported");
    }
  }
}

// Compiled once per pattern: std::regex construction costs more than the whole check.
struct IdPattern {
  explicit IdPattern(std::string_view text) : text(text), re(std::string(text)) {}
  std::string_view text;
  std::regex re;
};

void validateId(std::string_view id, const std::string& path, const IdPattern& pattern,
                FieldErrors& errors) {
  if (!id.empty() && !fullMatch(id, pattern.re)) {
    errors.pattern(path, id, pattern.text);
  }
}

const IdPattern& subnetIdRule() {
  static const IdPattern pattern(kSubnetIdPattern);
  return pattern;
}
const IdPattern& securityGroupIdRule() {
  static const IdPattern pattern(kSecurityGroupIdPattern);
  return pattern;
}
const IdPattern& capacityReservationIdRule() {
  static const IdPattern pattern(kCapacityReservationIdPattern);
  return pattern;
}
const IdPattern& ownerIdRule() {
  static const IdPattern pattern(kOwnerIdPattern);
  return pattern;
}
const IdPattern& amiIdRule() {
  static const IdPattern pattern(kAmiIdPattern);
  return pattern;
}
const IdPattern& placementGroupIdRule() {
  static const IdPattern pattern(kPlacementGroupIdPattern);
  return pattern;
}

// Size limits shared by every selector list; `required` lists must not be empty.
template <typename Term>
void validateTermCount(const std::vector<Term>& terms, const std::string& path, bool required,
                       FieldErrors& errors) {
  if (required && terms.empty()) {
    errors.required(path, path.substr(kSpec.size() + 1) + " cannot be empty");
  }
  if (terms.size() > kMaxSelectorTerms) {
    errors.tooMany(path, terms.size(), kMaxSelectorTerms);
  }
}

std::string exclusive(std::string_view field, std::string_view list) {
  return "'" + std::string(field) +
         "' is mutually exclusive, cannot be set with a combination of other fields in " +
         std::string(list);
}

void validateSubnetTerms(const std::vector<api::SubnetSelectorTerm>& terms, FieldErrors& errors) {
  const std::string path = child(kSpec, "subnetSelectorTerms");
  validateTermCount(terms, path, true, errors);
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const auto& term = terms[i];
    const std::string termPath = index(path, i);
    if (term.tags.empty() && term.id.empty()) {
      errors.invalidRendered(termPath, kObject, "expected at least one, got none, ['tags', 'id']");
    }
    if (!term.id.empty() && !term.tags.empty()) {
      errors.forbidden(child(termPath, "id"), exclusive("id", "subnetSelectorTerms"));
    }
    validateId(term.id, child(termPath, "id"), subnetIdRule(), errors);
    validateSelectorTags(term.tags, child(termPath, "tags"), errors);
  }
}

void validateSecurityGroupTerms(const std::vector<api::SecurityGroupSelectorTerm>& terms,
                                FieldErrors& errors) {
  const std::string path = child(kSpec, "securityGroupSelectorTerms");
  validateTermCount(terms, path, true, errors);
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const auto& term = terms[i];
    const std::string termPath = index(path, i);
    if (term.tags.empty() && term.id.empty() && term.name.empty()) {
      errors.invalidRendered(termPath, kObject,
                             "expected at least one, got none, ['tags', 'id', 'name']");
    }
    if (!term.id.empty() && (!term.tags.empty() || !term.name.empty())) {
      errors.forbidden(child(termPath, "id"), exclusive("id", "securityGroupSelectorTerms"));
    }
    if (!term.name.empty() && (!term.tags.empty() || !term.id.empty())) {
      errors.forbidden(child(termPath, "name"), exclusive("name", "securityGroupSelectorTerms"));
    }
    validateId(term.id, child(termPath, "id"), securityGroupIdRule(), errors);
    validateSelectorTags(term.tags, child(termPath, "tags"), errors);
  }
}

void validateCapacityReservationTerms(
    const std::vector<api::CapacityReservationSelectorTerm>& terms, FieldErrors& errors) {
  const std::string path = child(kSpec, "capacityReservationSelectorTerms");
  validateTermCount(terms, path, false, errors);
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const auto& term = terms[i];
    const std::string termPath = index(path, i);
    if (term.tags.empty() && term.id.empty() && term.instanceMatchCriteria.empty()) {
      errors.invalidRendered(
          termPath, kObject,
          "expected at least one, got none, ['tags', 'id', 'instanceMatchCriteria']");
    }
    if (!term.id.empty() &&
        (!term.tags.empty() || !term.ownerID.empty() || !term.instanceMatchCriteria.empty())) {
      errors.forbidden(child(termPath, "id"), exclusive("id", "capacityReservationSelectorTerms"));
    }
    validateId(term.id, child(termPath, "id"), capacityReservationIdRule(), errors);
    validateId(term.ownerID, child(termPath, "ownerID"), ownerIdRule(), errors);
    const auto& criteria = term.instanceMatchCriteria;
    if (!criteria.empty() && criteria != "open" && criteria != "targeted") {
      errors.notSupported(child(termPath, "instanceMatchCriteria"), criteria, {"open", "targeted"});
    }
    validateSelectorTags(term.tags, child(termPath, "tags"), errors);
  }
}

// family@version: a supported family, and Windows only at `latest`. Versions are `latest` or a
// release such as v20240625 / 1.20.3 (a stricter reading than the CRD's `.+`, so typos like
// "al2023@" or "al2023@ latest" are caught at admission rather than at AMI resolution).
void validateAlias(std::string_view alias, const std::string& path, FieldErrors& errors) {
  static const std::regex kAliasRe{std::string(kAliasPattern)};
  static const std::regex kVersionRe{"^(latest|v?[0-9][0-9A-Za-z._-]*)$"};
  if (alias.size() > kMaxAliasLength) {
    errors.invalid(path, alias,
                   "must be at most " + std::to_string(kMaxAliasLength) + " characters");
  }
  if (!fullMatch(alias, kAliasRe)) {
    errors.invalid(path, alias,
                   "'alias' is improperly formatted, must match the format 'family@version'");
    return;
  }
  const auto at = alias.find('@');
  const std::string_view family = alias.substr(0, at);
  const std::string_view version = alias.substr(at + 1);
  if (!amiFamilyForAlias(family)) {
    errors.invalid(path, alias,
                   "family is not supported, must be one of the following: 'al2', 'al2023', "
                   "'bottlerocket', 'windows2019', 'windows2022', 'windows2025'");
    return;
  }
  if (family.starts_with("windows") && version != "latest") {
    errors.invalid(path, alias, "windows families may only specify version 'latest'");
  } else if (!fullMatch(version, kVersionRe)) {
    errors.invalid(path, alias,
                   "version must be 'latest' or a release version such as v20240625 or 1.20.3");
  }
}

void validateAmiTerms(const std::vector<api::AMISelectorTerm>& terms, FieldErrors& errors) {
  static const std::regex kOwnerIdRe{std::string(kOwnerIdPattern)};
  const std::string path = child(kSpec, "amiSelectorTerms");
  validateTermCount(terms, path, true, errors);
  bool anyAlias = false;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const auto& term = terms[i];
    const std::string termPath = index(path, i);
    const bool hasAlias = !term.alias.empty();
    anyAlias = anyAlias || hasAlias;
    if (!hasAlias && term.tags.empty() && term.id.empty() && term.name.empty() &&
        term.ssmParameter.empty()) {
      errors.invalidRendered(
          termPath, kObject,
          "expected at least one, got none, ['tags', 'id', 'name', 'alias', 'ssmParameter']");
    }
    if (!term.id.empty() &&
        (hasAlias || !term.tags.empty() || !term.name.empty() || !term.owner.empty())) {
      errors.forbidden(child(termPath, "id"), exclusive("id", "amiSelectorTerms"));
    }
    if (hasAlias && (!term.id.empty() || !term.tags.empty() || !term.name.empty() ||
                     !term.owner.empty() || !term.ssmParameter.empty())) {
      errors.forbidden(child(termPath, "alias"), exclusive("alias", "amiSelectorTerms"));
    }
    if (hasAlias) {
      validateAlias(term.alias, child(termPath, "alias"), errors);
    }
    validateId(term.id, child(termPath, "id"), amiIdRule(), errors);
    const auto& owner = term.owner;
    if (!owner.empty() && owner != "self" && owner != "amazon" && owner != "aws-marketplace" &&
        !fullMatch(owner, kOwnerIdRe)) {
      errors.invalid(child(termPath, "owner"), owner,
                     "must be a 12-digit AWS account ID, 'self', 'amazon' or 'aws-marketplace'");
    }
    validateSelectorTags(term.tags, child(termPath, "tags"), errors);
  }
  if (anyAlias && terms.size() != 1) {
    errors.forbidden(path,
                     "'alias' is mutually exclusive, cannot be set with a combination of other "
                     "amiSelectorTerms");
  }
}

void validatePlacementGroup(const api::PlacementGroupSelector& selector, FieldErrors& errors) {
  const std::string path = child(kSpec, "placementGroupSelector");
  if (selector.name.empty() == selector.id.empty()) {
    errors.invalidRendered(path, kObject, "must specify exactly one of ['name', 'id']");
  }
  validateId(selector.id, child(path, "id"), placementGroupIdRule(), errors);
}

}  // namespace

void validateSelectorTerms(const api::EC2NodeClassSpec& spec, FieldErrors& errors) {
  validateSubnetTerms(spec.subnetSelectorTerms, errors);
  validateSecurityGroupTerms(spec.securityGroupSelectorTerms, errors);
  validateCapacityReservationTerms(spec.capacityReservationSelectorTerms, errors);
  validateAmiTerms(spec.amiSelectorTerms, errors);
  if (spec.placementGroupSelector) {
    validatePlacementGroup(*spec.placementGroupSelector, errors);
  }
}

}  // namespace karpenter::admission::detail
