// supd watching its own supervision: the beats, and what health answers when they stop.
#include "daemon/control/self_check.h"

#include <gtest/gtest.h>

#include "common/config/validate.h"
#include "common/protocol.h"
#include "daemon/control/health_service.h"
#include "tests/fakes/control_fakes.h"
#include "tests/fakes/engine_fakes.h"

namespace sup::control {
namespace {

using std::chrono::milliseconds;
using Check = sup::v1::HealthCheckResponse;

TEST(SelfCheckTest, SupervisionIsOverdueOnlyPastTheLimitSinceTheLastBeat) {
  testing::ManualClock clock;
  SelfCheck check(clock, milliseconds(10'000));
  EXPECT_FALSE(check.Overdue());
  clock.Advance(milliseconds(10'000));
  EXPECT_FALSE(check.Overdue());  // at the limit: still in time
  clock.Advance(milliseconds(2'500));
  ASSERT_TRUE(check.Overdue());
  EXPECT_EQ(*check.Overdue(), milliseconds(12'500));
  EXPECT_EQ(check.Problem(), "supervision has not answered for 12 s");

  check.Beat();
  EXPECT_FALSE(check.Overdue());
  EXPECT_FALSE(check.Problem());
  clock.Advance(milliseconds(3'000));
  EXPECT_FALSE(check.Overdue());
  check.SetLimit(milliseconds(2'000));  // a reload lowering SelfCheckMs applies at once
  EXPECT_EQ(check.Overdue(), milliseconds(3'000));
}

// A fifth of the limit, so a stall shows within 1.2 limits and an idle supd wakes rarely for it.
TEST(SelfCheckTest, BeatsAndLooksEveryFifthOfTheLimitWithinBounds) {
  testing::ManualClock clock;
  SelfCheck check(clock, milliseconds(10'000));
  EXPECT_EQ(check.period(), milliseconds(2'000));
  check.SetLimit(milliseconds(1'000));
  EXPECT_EQ(check.period(), milliseconds(200));
  check.SetLimit(milliseconds(3'600'000));
  EXPECT_EQ(check.period(), milliseconds(10'000));
}

class SelfCheckHealthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config::RawConfig raw;
    raw.workers["api"].values["Command"] = config::RawValue::String("api.exe");
    engine_.supervisor.ApplyConfig(config::ValidateConfig(raw));
    engine_.timers.Advance(milliseconds(1000));  // api RUNNING and ready
    check_.Beat();
  }

  sup::v1::HealthCheckResponse Ask(const std::string& service) {
    testing::RecordingSink sink;
    std::unique_ptr<Session> session = health_.Open(sink, {});
    sup::v1::HealthRequest request;
    request.set_protocol_version(kProtocolVersion);
    request.mutable_check()->set_service(service);
    EXPECT_TRUE(session->OnFrame(request.SerializeAsString()).ok());
    return sink.Last<sup::v1::HealthResponse>().check();
  }

  testing::FakeEngine engine_;
  StatusBoard board_;
  StatusPublisher publisher_{engine_.supervisor, engine_.events, board_,
                             [](std::function<void()> task) { task(); }};
  SelfCheck check_{engine_.clock, milliseconds(10'000)};
  HealthService health_{board_, 2, &check_};
};

// The io thread stalls: the published status still says api serves, but nothing supervises it.
TEST_F(SelfCheckHealthTest, EverythingIsNotServingWithTheReasonWhileSupervisionIsSilent) {
  EXPECT_EQ(Ask("").status(), Check::SERVING);
  EXPECT_EQ(Ask("").reason(), "");
  EXPECT_EQ(health_.Reason(), std::nullopt);

  engine_.clock.Advance(milliseconds(11'000));  // no beat meanwhile
  const sup::v1::HealthCheckResponse whole = Ask("");
  EXPECT_EQ(whole.status(), Check::NOT_SERVING);
  EXPECT_EQ(whole.reason(), "supervision has not answered for 11 s");
  EXPECT_EQ(Ask("api").status(), Check::NOT_SERVING);
  EXPECT_EQ(health_.StatusOf("api"), Check::NOT_SERVING);
  EXPECT_EQ(health_.Reason(), "supervision has not answered for 11 s");
  EXPECT_EQ(health_.StatusOf("nosuch"), std::nullopt);  // an unknown name stays unknown

  check_.Beat();  // it answers again
  EXPECT_EQ(Ask("").status(), Check::SERVING);
  EXPECT_EQ(Ask("api").status(), Check::SERVING);
}

TEST_F(SelfCheckHealthTest, AWatchIsToldWhenSupervisionStopsAndStartsAnswering) {
  testing::RecordingSink sink;
  std::unique_ptr<Session> session = health_.Open(sink, {});
  sup::v1::HealthRequest watch;
  watch.set_protocol_version(kProtocolVersion);
  watch.mutable_watch()->set_service("");
  ASSERT_TRUE(session->OnFrame(watch.SerializeAsString()).ok());
  ASSERT_EQ(sink.frames.size(), 1u);
  EXPECT_EQ(sink.Last<sup::v1::HealthResponse>().watch().status(), Check::SERVING);

  engine_.clock.Advance(milliseconds(10'500));
  health_.Recheck();  // what the read side's watch does when it sees the silence
  ASSERT_EQ(sink.frames.size(), 2u);
  const sup::v1::HealthCheckResponse silent = sink.Last<sup::v1::HealthResponse>().watch();
  EXPECT_EQ(silent.status(), Check::NOT_SERVING);
  EXPECT_EQ(silent.reason(), "supervision has not answered for 10 s");

  check_.Beat();
  health_.Recheck();
  ASSERT_EQ(sink.frames.size(), 3u);
  EXPECT_EQ(sink.Last<sup::v1::HealthResponse>().watch().status(), Check::SERVING);
  EXPECT_EQ(sink.Last<sup::v1::HealthResponse>().watch().reason(), "");
}

TEST_F(SelfCheckHealthTest, TheReasonOfAStoppingSupdIsSaid) {
  health_.Stop();
  const sup::v1::HealthCheckResponse answer = Ask("");
  EXPECT_EQ(answer.status(), Check::NOT_SERVING);
  EXPECT_EQ(answer.reason(), "supd is stopping");
}

}  // namespace
}  // namespace sup::control
