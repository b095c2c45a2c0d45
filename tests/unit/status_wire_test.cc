#include "daemon/control/status_wire.h"

#include <gtest/gtest.h>

#include "tests/fakes/manual_clock.h"

namespace sup::control {
namespace {

TEST(StatusWireTest, CarriesEveryFieldTheCliShows) {
  engine::WorkerSnapshot snapshot;
  snapshot.name = "api";
  snapshot.state = WorkerState::kBackoff;
  snapshot.reason = Reason::kLivenessFailed;
  snapshot.health = Health::kUnhealthy;
  snapshot.restarts = 3;
  snapshot.last_exit_code = 0xC0000005;
  snapshot.next_restart_in = Millis(4000);
  snapshot.has_config = true;
  snapshot.backoff_attempt = 3;
  snapshot.launches = 4;
  snapshot.account = "NT AUTHORITY\\NetworkService";
  const sup::v1::WorkerStatus wire = ToWireStatus(snapshot);
  EXPECT_EQ(wire.name(), "api");
  EXPECT_EQ(wire.state(), sup::v1::WorkerStatus::BACKOFF);
  EXPECT_EQ(wire.reason(), sup::v1::WorkerStatus::LIVENESS_FAILED);
  EXPECT_EQ(wire.health(), sup::v1::WorkerStatus::UNHEALTHY);
  EXPECT_FALSE(wire.ready());
  EXPECT_EQ(wire.pid(), 0u);
  EXPECT_EQ(wire.restarts(), 3u);
  EXPECT_EQ(wire.last_exit_code(), 0xC0000005);
  EXPECT_EQ(wire.next_restart_ms(), 4000u);
  EXPECT_EQ(wire.description(), "backoff: attempt 3, next in 4.0s; last exit code 0xC0000005");
  EXPECT_EQ(wire.launches(), 4u);
  EXPECT_EQ(wire.account(), "NT AUTHORITY\\NetworkService");
  EXPECT_FALSE(wire.serving());
  EXPECT_FALSE(wire.done());
}

TEST(StatusWireTest, ServingIsRunningAndReadyOrDone) {
  engine::WorkerSnapshot snapshot;
  snapshot.state = WorkerState::kRunning;
  EXPECT_FALSE(ToWireStatus(snapshot).serving());  // running, not ready
  snapshot.ready = true;
  EXPECT_TRUE(ToWireStatus(snapshot).serving());
  snapshot.state = WorkerState::kExited;
  snapshot.ready = false;
  EXPECT_FALSE(
      ToWireStatus(snapshot).serving());  // exited, not done (a failure code, or Restart=never)
  snapshot.done = true;
  EXPECT_TRUE(ToWireStatus(snapshot).serving());
  EXPECT_TRUE(ToWireStatus(snapshot).done());
}

TEST(StatusWireTest, NoExitYetMeansNoExitCode) {
  engine::WorkerSnapshot snapshot;
  snapshot.state = WorkerState::kRunning;
  snapshot.pid = 12;
  snapshot.ready = true;
  const sup::v1::WorkerStatus wire = ToWireStatus(snapshot);
  EXPECT_FALSE(wire.has_last_exit_code());
  EXPECT_EQ(wire.state(), sup::v1::WorkerStatus::RUNNING);
  EXPECT_TRUE(wire.ready());
}

TEST(StatusWireTest, AProbeEventCarriesItsFoldedCount) {
  testing::ManualClock clock;
  engine::Event event;
  event.time = clock.SteadyNow();
  event.kind = engine::EventKind::kProbe;
  event.probe = ProbeKind::kLiveness;
  event.count = 7;
  const sup::v1::Event wire = ToWireEvent(event, clock);
  EXPECT_EQ(wire.probe(), "liveness");
  EXPECT_EQ(wire.count(), 7u);
}

}  // namespace
}  // namespace sup::control
