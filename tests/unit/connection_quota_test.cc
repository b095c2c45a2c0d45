#include "daemon/control/connection_quota.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/rate_limit.h"

namespace sup::control {
namespace {

const ClientAccount kAlice{"S-1-5-21-1-1-1-1001", false};
const ClientAccount kBob{"S-1-5-21-1-1-1-1002", false};
const ClientAccount kAdmin{"S-1-5-21-1-1-1-500", true};

bool IsAdmitted(const ConnectionQuota::Decision& decision) {
  return std::holds_alternative<ConnectionQuota::Admitted>(decision);
}

TEST(ConnectionQuotaTest, DefaultsGiveEachAccountAQuarterAndKeepAnEighthForAdministrators) {
  const ConnectionLimits control = DefaultConnectionLimits(32, true);
  EXPECT_EQ(control.reserved_for_administrators, 4);
  EXPECT_EQ(control.per_account, 7);
  const ConnectionLimits health = DefaultConnectionLimits(32, false);
  EXPECT_EQ(health.reserved_for_administrators, 0);
  EXPECT_EQ(health.per_account, 8);
  // The smallest PipeInstances still lets everyone in: one each, one kept.
  const ConnectionLimits smallest = DefaultConnectionLimits(2, true);
  EXPECT_EQ(smallest.reserved_for_administrators, 1);
  EXPECT_EQ(smallest.per_account, 1);
}

TEST(ConnectionQuotaTest, AnAccountGetsItsShareThenOneRefusalWithAReplyThenSilence) {
  ConnectionQuota quota({.instances = 32, .per_account = 2});
  std::vector<ConnectionQuota::Decision> held;
  held.push_back(quota.Admit(kAlice));
  held.push_back(quota.Admit(kAlice));
  EXPECT_TRUE(IsAdmitted(held[0]) && IsAdmitted(held[1]));
  held.push_back(quota.Admit(kAlice));
  const auto* refused = std::get_if<ConnectionQuota::RefusedWithReply>(&held.back());
  ASSERT_NE(refused, nullptr);
  EXPECT_NE(refused->reason.find("already holds 2 connections"), std::string::npos)
      << refused->reason;
  EXPECT_TRUE(std::holds_alternative<ConnectionQuota::RefusedSilently>(quota.Admit(kAlice)));
  EXPECT_TRUE(IsAdmitted(quota.Admit(kBob)));  // another account is not affected
  EXPECT_EQ(quota.HeldBy(kAlice.sid), 2);

  held.pop_back();  // the refusal answered and closed: the next one is answered again
  EXPECT_TRUE(std::holds_alternative<ConnectionQuota::RefusedWithReply>(quota.Admit(kAlice)));
  held.erase(held.begin());  // one admitted connection closed: admitted again
  EXPECT_TRUE(IsAdmitted(quota.Admit(kAlice)));
}

TEST(ConnectionQuotaTest, NonAdministratorsTogetherLeaveTheReservedInstancesFree) {
  ConnectionQuota quota({.instances = 4, .reserved_for_administrators = 1, .per_account = 4});
  std::vector<ConnectionQuota::Decision> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(quota.Admit({"S-1-5-21-1-1-1-" + std::to_string(2000 + i), false}));
    EXPECT_TRUE(IsAdmitted(held.back())) << i;
  }
  const ConnectionQuota::Decision fourth = quota.Admit({"S-1-5-21-1-1-1-2003", false});
  const auto* refused = std::get_if<ConnectionQuota::RefusedWithReply>(&fourth);
  ASSERT_NE(refused, nullptr);
  EXPECT_NE(refused->reason.find("the other 1 are kept for administrators"), std::string::npos)
      << refused->reason;
  const ConnectionQuota::Decision admin = quota.Admit(kAdmin);
  EXPECT_TRUE(IsAdmitted(admin));
  held.pop_back();
  EXPECT_TRUE(IsAdmitted(quota.Admit({"S-1-5-21-1-1-1-2003", false})));
}

TEST(ConnectionQuotaTest, AdministratorsHaveAShareToo) {
  ConnectionQuota quota({.instances = 8, .reserved_for_administrators = 2, .per_account = 2});
  const ConnectionQuota::Decision first = quota.Admit(kAdmin);
  const ConnectionQuota::Decision second = quota.Admit(kAdmin);
  EXPECT_TRUE(IsAdmitted(first) && IsAdmitted(second));
  EXPECT_FALSE(IsAdmitted(quota.Admit(kAdmin)));
}

TEST(ConnectionQuotaTest, ClientsWhoseAccountCannotBeReadShareOneShare) {
  ConnectionQuota quota({.instances = 32, .per_account = 1});
  const ConnectionQuota::Decision first = quota.Admit({"", false});
  EXPECT_TRUE(IsAdmitted(first));
  EXPECT_FALSE(IsAdmitted(quota.Admit({"", false})));
}

TEST(ConnectionQuotaTest, AHoldMovedOrReleasedGivesItsPlaceBackOnce) {
  ConnectionQuota quota({.instances = 32, .per_account = 1});
  ConnectionQuota::Decision decision = quota.Admit(kAlice);
  ConnectionQuota::Hold hold = std::move(std::get<ConnectionQuota::Admitted>(decision).hold);
  EXPECT_EQ(quota.HeldBy(kAlice.sid), 1);
  decision = quota.Admit(kBob);  // the moved-from hold inside gives nothing back
  EXPECT_EQ(quota.HeldBy(kAlice.sid), 1);
  hold.Release();
  hold.Release();
  EXPECT_EQ(quota.HeldBy(kAlice.sid), 0);
  EXPECT_EQ(quota.HeldBy(kBob.sid), 1);
}

TEST(RateLimitTest, LetsABurstThroughPerWindowAndCountsTheRest) {
  using namespace std::chrono_literals;
  RateLimit limit(2, 60s);
  const RateLimit::TimePoint start{};
  EXPECT_EQ(limit.Allow(start), 0u);
  EXPECT_EQ(limit.Allow(start + 1s), 0u);
  EXPECT_EQ(limit.Allow(start + 2s), std::nullopt);
  EXPECT_EQ(limit.Allow(start + 59s), std::nullopt);
  EXPECT_EQ(limit.Allow(start + 60s), 2u);  // a new window: says what was left out
  EXPECT_EQ(limit.Allow(start + 61s), 0u);
}

}  // namespace
}  // namespace sup::control
