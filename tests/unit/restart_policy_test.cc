#include "daemon/engine/restart_policy.h"

#include <gtest/gtest.h>

namespace sup::engine {
namespace {

using std::chrono::seconds;

PolicyConfig DefaultPolicy() {
  PolicyConfig policy;
  policy.restart = RestartMode::kAlways;
  policy.success_exit_codes = {0};
  policy.backoff_initial = Millis(1000);
  policy.backoff_max = Millis(60000);
  policy.max_failures = 5;
  policy.failure_window = Millis(60000);
  return policy;
}

TEST(BackoffDelayTest, DoublesFromInitialUpToTheCap) {
  const PolicyConfig policy = DefaultPolicy();
  const std::vector<long> expected = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000};
  for (std::uint32_t attempt = 0; attempt < expected.size(); ++attempt) {
    EXPECT_EQ(BackoffDelay(policy, attempt, 0.5).count(), expected[attempt])
        << attempt;  // 0.5: no jitter
  }
  EXPECT_EQ(BackoffDelay(policy, 4'000'000'000u, 0.5).count(), 60000);  // no overflow
}

TEST(BackoffDelayTest, JitterStaysWithinTwentyPercent) {
  const PolicyConfig policy = DefaultPolicy();
  EXPECT_EQ(BackoffDelay(policy, 2, 0.0).count(), 3200);
  EXPECT_EQ(BackoffDelay(policy, 2, 0.999999).count(), 4799);
  for (double r = 0.0; r < 1.0; r += 0.01) {
    const auto delay = BackoffDelay(policy, 6, r).count();
    EXPECT_GE(delay, 48000);
    EXPECT_LT(delay, 72000);
  }
}

TEST(BackoffDelayTest, ZeroInitialMeansImmediate) {
  PolicyConfig policy = DefaultPolicy();
  policy.backoff_initial = Millis(0);
  EXPECT_EQ(BackoffDelay(policy, 5, 0.9).count(), 0);
}

struct ExitCase {
  RestartMode mode;
  std::int64_t code;
  bool started_ok;
  ExitVerdict verdict;
};

class DecideOnExitTest : public ::testing::TestWithParam<ExitCase> {};

TEST_P(DecideOnExitTest, FollowsThePolicy) {
  PolicyConfig policy = DefaultPolicy();
  policy.restart = GetParam().mode;
  policy.success_exit_codes = {0, 3};
  FailureHistory history;
  EXPECT_EQ(DecideOnExit(policy, GetParam().code, GetParam().started_ok, history, TimePoint{}),
            GetParam().verdict);
}

INSTANTIATE_TEST_SUITE_P(
    ExitCodesVersusPolicy, DecideOnExitTest,
    ::testing::Values(ExitCase{RestartMode::kAlways, 0, true, ExitVerdict::kRestart},
                      ExitCase{RestartMode::kAlways, 1, true, ExitVerdict::kRestart},
                      ExitCase{RestartMode::kOnFailure, 0, true, ExitVerdict::kStayDown},
                      ExitCase{RestartMode::kOnFailure, 3, true, ExitVerdict::kStayDown},
                      ExitCase{RestartMode::kOnFailure, 1, true, ExitVerdict::kRestart},
                      ExitCase{RestartMode::kOnFailure, 0, false,
                               ExitVerdict::kRestart},  // died before StartSeconds
                      ExitCase{RestartMode::kNever, 1, true, ExitVerdict::kStayDown},
                      ExitCase{RestartMode::kNever, 0, false, ExitVerdict::kStayDown}));

TEST(DecideOnExitTest, BreakerOpensOnTheFifthFailureInTheWindowNotTheFourth) {
  const PolicyConfig policy = DefaultPolicy();
  FailureHistory history;
  TimePoint now{};
  for (int failure = 1; failure <= 4; ++failure) {
    EXPECT_EQ(DecideOnExit(policy, 1, true, history, now), ExitVerdict::kRestart) << failure;
    now += seconds(10);
  }
  EXPECT_EQ(DecideOnExit(policy, 1, true, history, now), ExitVerdict::kOpenBreaker);
}

TEST(DecideOnExitTest, FailuresOutsideTheWindowDoNotCount) {
  const PolicyConfig policy = DefaultPolicy();
  FailureHistory history;
  TimePoint now{};
  for (int failure = 1; failure <= 10; ++failure) {
    EXPECT_EQ(DecideOnExit(policy, 1, true, history, now), ExitVerdict::kRestart) << failure;
    now += seconds(15);  // the fifth is always 60 s after the first: out of the window
  }
}

TEST(DecideOnExitTest, SuccessfulExitsNeverOpenTheBreaker) {
  const PolicyConfig policy = DefaultPolicy();
  FailureHistory history;
  for (int exit = 1; exit <= 10; ++exit) {
    EXPECT_EQ(DecideOnExit(policy, 0, true, history, TimePoint{}), ExitVerdict::kRestart);
  }
}

}  // namespace
}  // namespace sup::engine
