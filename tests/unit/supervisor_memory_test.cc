// MemoryRestartMB (the soft threshold, checked every MemoryCheckMs) and MemoryLimitMB (the job's
// hard limit, reported by the launcher): both restart the worker through its stop ladder with
// reason memory-limit, and nothing is sampled for a worker without a threshold.
#include "tests/unit/supervisor_fixture.h"

namespace sup::engine {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

class SupervisorMemoryTest : public SupervisorTest {
 protected:
  // `api` with a 100 MiB threshold checked every second, running.
  void RunWithThreshold() {
    config::RawWorker& api = Add("api");
    api.values["MemoryRestartMB"] = config::RawValue::Dword(100);
    api.values["MemoryCheckMs"] = config::RawValue::Dword(1000);
    Apply();
    RunUntilRunning("api");
  }
  void UseMiB(std::uint64_t mib) { launcher_.working_sets["api"] = mib * kMiB; }
};

TEST_F(SupervisorMemoryTest, TwoChecksInARowAboveTheThresholdRestartThroughTheStopLadder) {
  RunWithThreshold();
  UseMiB(150);
  Advance(1000ms);  // the first check above: maybe a passing peak
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  EXPECT_TRUE(launcher_.stop_requests.empty());
  Advance(1000ms);
  const WorkerSnapshot stopping = Status("api");
  EXPECT_EQ(stopping.state, WorkerState::kStopping);
  EXPECT_EQ(stopping.reason, Reason::kMemoryLimit);
  // The ladder's first soft step, not a kill: the worker may still shut down cleanly.
  ASSERT_EQ(launcher_.stop_requests.size(), 1u);
  EXPECT_TRUE(launcher_.kills.empty());
  const Event& event = events_.events.back();
  EXPECT_EQ(event.reason, Reason::kMemoryLimit);
  EXPECT_EQ(event.message, "working set 150M above MemoryRestartMB 100 at 2 checks in a row");

  Exit("api", 0);  // it shut down as asked; still a failure, restarted by its policy
  EXPECT_EQ(State("api"), WorkerState::kBackoff);
  EXPECT_EQ(Status("api").reason, Reason::kMemoryLimit);
  Advance(1000ms);
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  EXPECT_EQ(launcher_.LaunchCount("api"), 2u);
}

TEST_F(SupervisorMemoryTest, AReadingAtOrBelowTheThresholdStartsTheCountOver) {
  RunWithThreshold();
  for (const std::uint64_t mib : {150, 100, 150, 90, 150, 100}) {  // 100 MiB is not above
    UseMiB(mib);
    Advance(1000ms);
  }
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  UseMiB(101);
  Advance(1000ms);
  Advance(1000ms);
  EXPECT_EQ(State("api"), WorkerState::kStopping);
}

// A reading that cannot be taken (the process just exited, access refused) neither counts nor
// forgives.
TEST_F(SupervisorMemoryTest, AnUnreadableWorkingSetNeitherCountsNorStartsTheCountOver) {
  RunWithThreshold();
  UseMiB(150);
  Advance(1000ms);
  launcher_.working_sets.clear();
  Advance(1000ms);
  Advance(1000ms);
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  UseMiB(150);
  Advance(1000ms);
  EXPECT_EQ(State("api"), WorkerState::kStopping);
}

TEST_F(SupervisorMemoryTest, NothingIsSampledForAWorkerWithoutAThresholdOrThatIsDown) {
  Add("api");
  Apply();
  RunUntilRunning("api");
  UseMiB(4096);
  Advance(1h);
  EXPECT_EQ(launcher_.working_set_reads, 0u);
  EXPECT_EQ(timers_.pending(), 0u);  // not even a timer armed for it

  raw_.workers["api"].values["MemoryRestartMB"] = config::RawValue::Dword(100);
  raw_.workers["api"].values["MemoryCheckMs"] = config::RawValue::Dword(1000);
  Apply();
  ASSERT_EQ(supervisor_->Stop({"api"}).front().outcome, Outcome::kDone);
  Exit("api", 0);
  ASSERT_EQ(State("api"), WorkerState::kStopped);
  const std::size_t reads = launcher_.working_set_reads;
  Advance(1h);
  EXPECT_EQ(launcher_.working_set_reads, reads);
}

// MemoryRestartMB and MemoryCheckMs are policy: they apply to the running process, no restart.
TEST_F(SupervisorMemoryTest, AThresholdSetOrRemovedAppliesLiveToTheRunningProcess) {
  Add("api");
  Apply();
  RunUntilRunning("api");
  UseMiB(150);
  raw_.workers["api"].values["MemoryRestartMB"] = config::RawValue::Dword(100);
  raw_.workers["api"].values["MemoryCheckMs"] = config::RawValue::Dword(1000);
  const config::ConfigDiff diff = Apply();
  EXPECT_EQ(diff.policy_changed, std::vector<std::string>{"api"});
  Advance(1000ms);
  EXPECT_EQ(launcher_.working_set_reads, 1u);

  raw_.workers["api"].values.erase("MemoryRestartMB");  // back to 0: no threshold
  Apply();
  Advance(1h);
  EXPECT_EQ(launcher_.working_set_reads, 1u);
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  EXPECT_EQ(launcher_.LaunchCount("api"), 1u);
}

TEST_F(SupervisorMemoryTest, AJobAtItsMemoryLimitIsRestartedThroughItsStopLadder) {
  config::RawWorker& api = Add("api");
  api.values["MemoryLimitMB"] = config::RawValue::Dword(64);
  Apply();
  RunUntilRunning("api");
  const std::uint32_t pid = Status("api").pid;
  supervisor_->OnMemoryLimit("api", pid + 1);  // stale: another process's report
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  supervisor_->OnMemoryLimit("nobody", pid);
  supervisor_->OnMemoryLimit("api", pid);
  EXPECT_EQ(State("api"), WorkerState::kStopping);
  EXPECT_EQ(Status("api").reason, Reason::kMemoryLimit);
  EXPECT_EQ(events_.events.back().message, "its job reached MemoryLimitMB 64");
  EXPECT_EQ(launcher_.stop_requests.size(), 1u);
  supervisor_->OnMemoryLimit("api", pid);  // reported again while it stops: nothing new
  EXPECT_EQ(launcher_.stop_requests.size(), 1u);
  Exit("api", 1);
  EXPECT_EQ(State("api"), WorkerState::kBackoff);
  EXPECT_EQ(Status("api").reason, Reason::kMemoryLimit);
}

// An operator's stop is what the operator asked for: a memory report meanwhile does not turn it
// into a restart.
TEST_F(SupervisorMemoryTest, AMemoryReportDuringAnOperatorStopLeavesTheStopAsItWas) {
  RunWithThreshold();
  const std::uint32_t pid = Status("api").pid;
  ASSERT_EQ(supervisor_->Stop({"api"}).front().outcome, Outcome::kDone);
  UseMiB(500);
  supervisor_->OnMemoryLimit("api", pid);
  Advance(1000ms);
  Advance(1000ms);
  EXPECT_EQ(Status("api").reason, Reason::kOperator);
  Exit("api", 0);
  EXPECT_EQ(State("api"), WorkerState::kStopped);
  EXPECT_EQ(Status("api").reason, Reason::kOperator);
}

// The count belongs to one process: a restarted worker starts with none.
TEST_F(SupervisorMemoryTest, ARestartedProcessStartsWithNoChecksAgainstIt) {
  RunWithThreshold();
  UseMiB(150);
  Advance(1000ms);  // one check above against the first process
  ASSERT_EQ(supervisor_->Restart({"api"}).front().outcome, Outcome::kDone);
  Exit("api", 0);
  ASSERT_EQ(State("api"), WorkerState::kStarting);
  Advance(1000ms);  // the new process's first check
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  Advance(1000ms);
  EXPECT_EQ(State("api"), WorkerState::kStopping);
}

// Found by the engine model's fuzzer: a check that came due while a stop waited for a dependent
// ended the checks, so when `start` called the stop off the worker ran on unchecked.
TEST_F(SupervisorMemoryTest, ChecksGoOnWhileAStopWaitsAndAfterItIsCalledOff) {
  config::RawWorker& api = Add("api");
  api.values["MemoryRestartMB"] = config::RawValue::Dword(100);
  api.values["MemoryCheckMs"] = config::RawValue::Dword(1000);
  Add("web").values["DependsOn"] = config::RawValue::MultiString({"api"});
  Apply();
  RunUntilRunning("api");
  RunUntilRunning("web");
  ASSERT_EQ(supervisor_->Stop({"api"}).size(), 2u);  // api, and web first
  ASSERT_EQ(State("web"), WorkerState::kStopping);
  ASSERT_EQ(State("api"), WorkerState::kRunning);  // waits for web to go
  UseMiB(150);
  Advance(3000ms);  // checks come due; none reads while api is on its way down
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  ASSERT_EQ(supervisor_->Start({"api"}).front().outcome, Outcome::kAlready);
  Advance(1000ms);
  Advance(1000ms);
  EXPECT_EQ(State("api"), WorkerState::kStopping);
  EXPECT_EQ(Status("api").reason, Reason::kMemoryLimit);
  Exit("web", 0);
}

}  // namespace
}  // namespace sup::engine
