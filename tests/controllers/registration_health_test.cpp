// The per-NodePool record of registration outcomes behind NodeRegistrationHealthy: upstream's
// four-outcome window and its "at least half failed" threshold.

#include "karpenter/controllers/registration_health.hpp"

#include <gtest/gtest.h>

namespace karpenter::controllers {
namespace {

using Status = RegistrationHealth::Status;

TEST(RegistrationHealth, HalfOfTheLastFourOutcomesFailingIsUnhealthy) {
  RegistrationHealth health;
  EXPECT_EQ(health.status("pool"), Status::kUnknown);
  health.update("pool", false);
  EXPECT_EQ(health.status("pool"), Status::kHealthy);  // 1 of 4 slots: below the threshold
  EXPECT_EQ(health.dryRun("pool", false), Status::kUnhealthy);
  EXPECT_EQ(health.status("pool"), Status::kHealthy);  // a dry run records nothing
  health.update("pool", false);
  EXPECT_EQ(health.status("pool"), Status::kUnhealthy);
  health.update("pool", true);
  health.update("pool", true);
  EXPECT_EQ(health.status("pool"), Status::kUnhealthy);  // still 2 of the last 4
  health.update("pool", true);                           // the oldest failure leaves the window
  EXPECT_EQ(health.status("pool"), Status::kHealthy);
  EXPECT_EQ(health.status("other"), Status::kUnknown);
}

TEST(RegistrationHealth, SetStatusSeedsOrClearsTheRecord) {
  RegistrationHealth health;
  health.setStatus("pool", Status::kUnhealthy);
  EXPECT_EQ(health.status("pool"), Status::kUnhealthy);
  EXPECT_EQ(health.dryRun("pool", true), Status::kUnhealthy);
  health.setStatus("pool", Status::kUnknown);
  EXPECT_EQ(health.status("pool"), Status::kUnknown);
  health.setStatus("pool", Status::kHealthy);
  EXPECT_EQ(health.status("pool"), Status::kHealthy);
}

}  // namespace
}  // namespace karpenter::controllers
