#include "karpenter/api/conditions.hpp"

#include <algorithm>
#include <utility>

namespace karpenter::api {

const Condition* findCondition(const std::vector<Condition>& conditions, std::string_view type) {
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const Condition& condition) { return condition.type == type; });
  return it == conditions.end() ? nullptr : &*it;
}

bool isConditionTrue(const std::vector<Condition>& conditions, std::string_view type) {
  const Condition* condition = findCondition(conditions, type);
  return condition != nullptr && condition->status == kConditionTrue;
}

bool setCondition(std::vector<Condition>& conditions, Condition desired, std::string_view now) {
  auto it = std::find_if(conditions.begin(), conditions.end(), [&](const Condition& condition) {
    return condition.type == desired.type;
  });
  if (it == conditions.end()) {
    desired.lastTransitionTime = std::string(now);
    conditions.push_back(std::move(desired));
    return true;
  }
  // The transition time records when the status last flipped, which is what consumers such as
  // Consolidatable (time since Initialized) measure; rewording a condition must not reset it.
  desired.lastTransitionTime =
      it->status == desired.status ? it->lastTransitionTime : std::string(now);
  if (*it == desired) {
    return false;
  }
  *it = std::move(desired);
  return true;
}

bool clearCondition(std::vector<Condition>& conditions, std::string_view type) {
  return std::erase_if(conditions,
                       [&](const Condition& condition) { return condition.type == type; }) > 0;
}

}  // namespace karpenter::api
