#include "karpenter/admission/nodepool_validation.hpp"

#include <regex>
#include <string>

#include "karpenter/admission/cron.hpp"
#include "karpenter/admission/template_rules.hpp"

namespace karpenter::admission {
namespace {

bool matches(std::string_view value, const std::regex& re) {
  return std::regex_match(value.begin(), value.end(), re);
}

void validateResourcesNonNegative(const api::ResourceList& resources, std::string_view path,
                                  FieldErrors& errors) {
  for (const auto& [name, quantity] : resources) {
    if (quantity.sign() < 0) {
      errors.invalid(key(path, name), quantity.toString(), "must be greater than or equal to 0");
    }
  }
}

void validateBudget(const api::Budget& budget, const std::string& path, FieldErrors& errors) {
  static const std::regex kNodesRe{std::string(kBudgetNodesPattern)};
  static const std::regex kDurationRe{std::string(kBudgetDurationPattern)};
  if (budget.nodes.empty()) {
    errors.required(child(path, "nodes"));
  } else if (!matches(budget.nodes, kNodesRe)) {
    errors.pattern(child(path, "nodes"), budget.nodes, kBudgetNodesPattern);
  }
  if (budget.schedule.has_value() != budget.duration.has_value()) {
    errors.invalidRendered(path, "\"object\"", "'schedule' must be set with 'duration'");
  }
  if (budget.schedule) {
    if (auto problem = checkCronSchedule(*budget.schedule)) {
      errors.invalid(child(path, "schedule"), *budget.schedule,
                     "invalid cron schedule: " + *problem);
    }
  }
  if (budget.duration && !matches(*budget.duration, kDurationRe)) {
    errors.pattern(child(path, "duration"), *budget.duration, kBudgetDurationPattern);
  }
  const std::string reasonsPath = child(path, "reasons");
  if (budget.reasons.size() > kMaxBudgetReasons) {
    errors.tooMany(reasonsPath, budget.reasons.size(), kMaxBudgetReasons);
  }
  for (std::size_t i = 0; i < budget.reasons.size(); ++i) {
    const auto& reason = budget.reasons[i];
    if (reason != api::kDisruptionReasonUnderutilized && reason != api::kDisruptionReasonEmpty &&
        reason != api::kDisruptionReasonDrifted) {
      errors.notSupported(index(reasonsPath, i), reason,
                          {api::kDisruptionReasonUnderutilized, api::kDisruptionReasonEmpty,
                           api::kDisruptionReasonDrifted});
    }
  }
}

void validateDisruption(const api::Disruption& disruption, FieldErrors& errors) {
  const std::string path = "spec.disruption";
  validateNillableDuration(disruption.consolidateAfter, child(path, "consolidateAfter"), errors);
  const auto& policy = disruption.consolidationPolicy;
  if (!policy.empty() && policy != api::kConsolidationPolicyWhenEmpty &&
      policy != api::kConsolidationPolicyWhenEmptyOrUnderutilized &&
      policy != api::kConsolidationPolicyBalanced) {
    errors.notSupported(
        child(path, "consolidationPolicy"), policy,
        {api::kConsolidationPolicyWhenEmpty, api::kConsolidationPolicyWhenEmptyOrUnderutilized,
         api::kConsolidationPolicyBalanced});
  }
  const std::string budgetsPath = child(path, "budgets");
  if (disruption.budgets.size() > kMaxBudgets) {
    errors.tooMany(budgetsPath, disruption.budgets.size(), kMaxBudgets);
  }
  for (std::size_t i = 0; i < disruption.budgets.size(); ++i) {
    validateBudget(disruption.budgets[i], index(budgetsPath, i), errors);
  }
}

void validateStaticPool(const api::NodePoolSpec& spec, FieldErrors& errors) {
  if (spec.weight && (*spec.weight < 1 || *spec.weight > 100)) {
    errors.invalidInt("spec.weight", *spec.weight, "must be between 1 and 100");
  }
  if (!spec.replicas) {
    return;
  }
  if (*spec.replicas < 0) {
    errors.invalidInt("spec.replicas", *spec.replicas, "must be greater than or equal to 0");
  }
  if (spec.weight) {
    errors.forbidden("spec.weight", "'weight' cannot be set when 'replicas' is set");
  }
  for (const auto& limit : spec.limits) {
    if (limit.first != "nodes") {
      errors.forbidden(key("spec.limits", limit.first),
                       "only the 'nodes' limit is allowed when 'replicas' is set");
    }
  }
}

}  // namespace

FieldErrors validateNodePool(const api::NodePool& pool) {
  FieldErrors errors;
  const auto& spec = pool.spec;
  const auto& tmpl = spec.template_.spec;
  const std::string specPath = "spec.template.spec";
  validateTemplateLabels(spec.template_.metadata.labels, "spec.template.metadata.labels", errors);
  validateTaints(tmpl.taints, child(specPath, "taints"), tmpl.startupTaints,
                 child(specPath, "startupTaints"), errors);
  validateRequirements(tmpl.requirements, child(specPath, "requirements"),
                       RequirementRules{.allowNodePoolKey = false}, errors);
  validateNodeClassRef(tmpl.nodeClassRef, child(specPath, "nodeClassRef"), errors);
  validateNillableDuration(tmpl.expireAfter, child(specPath, "expireAfter"), errors);
  if (tmpl.terminationGracePeriod) {
    if (tmpl.terminationGracePeriod->empty()) {
      errors.pattern(child(specPath, "terminationGracePeriod"), "", kDurationPattern);
    }
    validateDuration(*tmpl.terminationGracePeriod, child(specPath, "terminationGracePeriod"),
                     errors);
  }
  validateDisruption(spec.disruption, errors);
  validateResourcesNonNegative(spec.limits, "spec.limits", errors);
  validateStaticPool(spec, errors);
  return errors;
}

FieldErrors validateNodePoolUpdate(const api::NodePool& old, const api::NodePool& updated) {
  FieldErrors errors = validateNodePool(updated);
  const auto& before = old.spec.template_.spec.nodeClassRef;
  const auto& after = updated.spec.template_.spec.nodeClassRef;
  const std::string refPath = "spec.template.spec.nodeClassRef";
  if (before.group != after.group) {
    errors.invalid(child(refPath, "group"), after.group, "nodeClassRef.group is immutable");
  }
  if (before.kind != after.kind) {
    errors.invalid(child(refPath, "kind"), after.kind, "nodeClassRef.kind is immutable");
  }
  if (old.spec.replicas.has_value() != updated.spec.replicas.has_value()) {
    errors.forbidden("spec.replicas",
                     "replicas cannot be added to or removed from an existing NodePool");
  }
  return errors;
}

FieldErrors validateNodeClaim(const api::NodeClaim& claim) {
  FieldErrors errors;
  const auto& spec = claim.spec;
  validateTaints(spec.taints, "spec.taints", spec.startupTaints, "spec.startupTaints", errors);
  validateRequirements(spec.requirements, "spec.requirements",
                       RequirementRules{.allowNodePoolKey = true}, errors);
  validateNodeClassRef(spec.nodeClassRef, "spec.nodeClassRef", errors);
  validateNillableDuration(spec.expireAfter, "spec.expireAfter", errors);
  if (spec.terminationGracePeriod) {
    if (spec.terminationGracePeriod->empty()) {
      errors.pattern("spec.terminationGracePeriod", "", kDurationPattern);
    }
    validateDuration(*spec.terminationGracePeriod, "spec.terminationGracePeriod", errors);
  }
  validateResourcesNonNegative(spec.resources.requests, "spec.resources.requests", errors);
  return errors;
}

FieldErrors validateNodeClaimUpdate(const api::NodeClaim& old, const api::NodeClaim& updated) {
  FieldErrors errors = validateNodeClaim(updated);
  if (!(old.spec == updated.spec)) {
    errors.invalidRendered("spec", "\"object\"", "spec is immutable");
  }
  return errors;
}

}  // namespace karpenter::admission
