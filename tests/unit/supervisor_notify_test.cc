// What a worker says through its notify pipe: Notify=1 makes READY=1 the start (within
// StartTimeoutMs), WatchdogMs restarts a worker that stops saying WATCHDOG=1, STOPPING=1 ends that
// watch, STATUS= shows in its description; what an earlier process says changes nothing.
#include "tests/unit/supervisor_fixture.h"

namespace sup::engine {
namespace {

class SupervisorNotifyTest : public SupervisorTest {
 protected:
  config::RawWorker& AddNotifying(const std::string& name) {
    config::RawWorker& worker = Add(name);
    worker.values["Notify"] = config::RawValue::Dword(1);
    return worker;
  }
  void Say(const std::string& name, NotifyKind kind, std::string status = {}) {
    supervisor_->OnNotify(name, Status(name).pid, NotifyMessage{kind, std::move(status)});
  }
};

TEST_F(SupervisorNotifyTest, ANotifyingWorkerRunsOnlyOnceItSaysReady) {
  AddNotifying("api");
  Apply();
  Advance(10s);  // StartSeconds (1 s) does not apply
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  EXPECT_TRUE(Status("api").waiting_for_ready);
  EXPECT_NE(Describe(Status("api")).find("waiting for READY=1"), std::string::npos);
  Say("api", NotifyKind::kReady);
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  EXPECT_TRUE(Status("api").ready);
  EXPECT_FALSE(Status("api").waiting_for_ready);
}

TEST_F(SupervisorNotifyTest, WithoutNotifyReadyChangesNothing) {
  Add("api");
  Apply();
  Say("api", NotifyKind::kReady);
  EXPECT_EQ(State("api"), WorkerState::kStarting);  // StartSeconds decides
  RunUntilRunning("api");
}

TEST_F(SupervisorNotifyTest, NoReadyWithinStartTimeoutIsAFailedStartThroughTheStopLadder) {
  AddNotifying("api").values["StartTimeoutMs"] = config::RawValue::Dword(5000);
  Apply();
  Advance(4999ms);
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  Advance(1ms);
  EXPECT_EQ(State("api"), WorkerState::kStopping);
  EXPECT_EQ(Status("api").reason, Reason::kStartTimeout);
  EXPECT_EQ(launcher_.stop_requests.size(), 1u);  // the ladder's first soft step
  EXPECT_TRUE(launcher_.kills.empty());
  EXPECT_EQ(events_.events.back().message, "no READY=1 within StartTimeoutMs 5.0s");
  Exit("api", 0);
  EXPECT_EQ(State("api"), WorkerState::kBackoff);
  EXPECT_EQ(Status("api").reason, Reason::kStartTimeout);
}

TEST_F(SupervisorNotifyTest, ReadyAndAStartupProbeMustBothPassInEitherOrder) {
  for (const bool ready_first : {true, false}) {
    SCOPED_TRACE(ready_first ? "READY=1 first" : "the probe first");
    raw_ = {};
    Recreate();
    AddProbe(AddNotifying("api"), "Startup");
    Apply();
    Advance(0ms);  // its InitialDelayMs of 0
    if (ready_first) {
      Say("api", NotifyKind::kReady);
      EXPECT_EQ(State("api"), WorkerState::kStarting);
      ASSERT_TRUE(prober_.Complete("api", "Startup", true));
    } else {
      ASSERT_TRUE(prober_.Complete("api", "Startup", true));
      EXPECT_EQ(State("api"), WorkerState::kStarting) << "the probe alone is not enough";
      Say("api", NotifyKind::kReady);
    }
    EXPECT_EQ(State("api"), WorkerState::kRunning);
    EXPECT_EQ(supervisor_->CheckInvariants(), std::vector<std::string>{});
  }
}

TEST_F(SupervisorNotifyTest, ASilentWatchdogRestartsTheWorkerAsAFailure) {
  Add("api").values["WatchdogMs"] = config::RawValue::Dword(3000);
  Apply();
  RunUntilRunning("api");
  for (int beat = 0; beat < 5; ++beat) {  // beats in time keep it running
    Advance(2999ms);
    Say("api", NotifyKind::kWatchdog);
  }
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  Advance(3000ms);
  EXPECT_EQ(State("api"), WorkerState::kStopping);
  EXPECT_EQ(Status("api").reason, Reason::kWatchdog);
  EXPECT_EQ(events_.events.back().message, "no WATCHDOG=1 within WatchdogMs 3.0s");
  EXPECT_EQ(launcher_.stop_requests.size(), 1u);
  Exit("api", 0);  // a clean exit after a watchdog stop is still a failure
  EXPECT_EQ(State("api"), WorkerState::kBackoff);
  EXPECT_EQ(Status("api").reason, Reason::kWatchdog);
}

TEST_F(SupervisorNotifyTest, TheWatchdogStartsWhenTheWorkerRunsNotBefore) {
  config::RawWorker& api = AddNotifying("api");
  api.values["WatchdogMs"] = config::RawValue::Dword(1000);
  Apply();
  Advance(5s);  // no beats while it starts
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  Say("api", NotifyKind::kReady);
  Advance(999ms);
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  Advance(1ms);
  EXPECT_EQ(State("api"), WorkerState::kStopping);
}

TEST_F(SupervisorNotifyTest, StoppingEndsTheWatchForThatProcess) {
  Add("api").values["WatchdogMs"] = config::RawValue::Dword(1000);
  Apply();
  RunUntilRunning("api");
  Say("api", NotifyKind::kStopping);
  EXPECT_EQ(events_.events.back().kind, EventKind::kNotify);
  Advance(10s);
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  Exit("api", 1);  // the next process is watched again
  Advance(1s);
  Advance(1s);
  ASSERT_EQ(State("api"), WorkerState::kRunning);
  Advance(1s);
  EXPECT_EQ(State("api"), WorkerState::kStopping);
  EXPECT_EQ(Status("api").reason, Reason::kWatchdog);
}

TEST_F(SupervisorNotifyTest, StatusTextShowsUntilTheProcessGoes) {
  Add("api");
  Apply();
  RunUntilRunning("api");
  Say("api", NotifyKind::kStatus, "42 jobs done");
  EXPECT_EQ(Status("api").status_text, "42 jobs done");
  EXPECT_NE(Describe(Status("api")).find("; status: 42 jobs done"), std::string::npos);
  Exit("api", 1);
  EXPECT_EQ(Status("api").status_text, "");
}

TEST_F(SupervisorNotifyTest, WhatAnEarlierProcessSaysChangesNothing) {
  config::RawWorker& api = AddNotifying("api");
  api.values["WatchdogMs"] = config::RawValue::Dword(1000);
  Apply();
  const std::uint32_t first = Status("api").pid;
  Exit("api", 1);
  Advance(1s);  // backoff: the next process starts
  ASSERT_EQ(State("api"), WorkerState::kStarting);
  ASSERT_NE(Status("api").pid, first);
  supervisor_->OnNotify("api", first, NotifyMessage{NotifyKind::kReady, {}});
  supervisor_->OnNotify("api", first, NotifyMessage{NotifyKind::kStatus, "old"});
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  EXPECT_EQ(Status("api").status_text, "");
  supervisor_->OnNotify("nosuch", 1, NotifyMessage{NotifyKind::kReady, {}});
}

TEST_F(SupervisorNotifyTest, AReloadThatSetsAWatchdogWatchesTheRunningWorkerFromNow) {
  Add("api");
  Apply();
  RunUntilRunning("api");
  raw_.workers["api"].values["WatchdogMs"] = config::RawValue::Dword(2000);
  Apply();
  Advance(1999ms);
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  Advance(1ms);
  EXPECT_EQ(State("api"), WorkerState::kStopping);
}

TEST_F(SupervisorNotifyTest, TurningNotifyOffConfirmsAStartThatWaitedForReady) {
  AddNotifying("api");
  Apply();
  Advance(5s);
  ASSERT_EQ(State("api"), WorkerState::kStarting);
  raw_.workers["api"].values["Notify"] = config::RawValue::Dword(0);
  Apply();
  Advance(1000ms);  // StartSeconds, counted from the reload
  EXPECT_EQ(State("api"), WorkerState::kRunning);
}

}  // namespace
}  // namespace sup::engine
