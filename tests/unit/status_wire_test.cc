#include "daemon/core/status_wire.h"

#include <gtest/gtest.h>

namespace sup::core {
namespace {

TEST(StatusWireTest, CarriesEveryFieldTheCliShows) {
  WorkerSnapshot snapshot;
  snapshot.name = "api";
  snapshot.state = WorkerState::kBackoff;
  snapshot.reason = Reason::kLivenessFailed;
  snapshot.health = Health::kUnhealthy;
  snapshot.restarts = 3;
  snapshot.last_exit_code = 0xC0000005;
  snapshot.next_restart_in = Millis(4000);
  snapshot.description = "backoff: attempt 3, next in 4.0s";
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
  EXPECT_EQ(wire.description(), "backoff: attempt 3, next in 4.0s");
}

TEST(StatusWireTest, NoExitYetMeansNoExitCode) {
  WorkerSnapshot snapshot;
  snapshot.state = WorkerState::kRunning;
  snapshot.pid = 12;
  snapshot.ready = true;
  const sup::v1::WorkerStatus wire = ToWireStatus(snapshot);
  EXPECT_FALSE(wire.has_last_exit_code());
  EXPECT_EQ(wire.state(), sup::v1::WorkerStatus::RUNNING);
  EXPECT_TRUE(wire.ready());
}

}  // namespace
}  // namespace sup::core
