// Dependencies as systemd's Requires=: whatever takes a worker down on purpose (restart, a launch
// change, Enabled=0, removal, stop) takes its running dependents down first, and they come back
// once it runs and is ready again; a crash leaves them alone. Also the engine's events, operator
// intent that cannot be saved, and configuration values that change nothing.
#include <gtest/gtest.h>

#include "supervisor_fixture.h"

namespace sup::engine {
namespace {

// web <- queue <- report: queue depends on web, report on queue; web has a readiness probe.
class DependencyTest : public SupervisorTest {
 protected:
  void SetUp() override {
    AddProbe(Add("web", "web.exe"), "Readiness", 3, 1000);
    Add("queue", "queue.exe").values["DependsOn"] = config::RawValue::MultiString({"web"});
    Add("report", "report.exe").values["DependsOn"] = config::RawValue::MultiString({"queue"});
    Apply();
    BringWebUp();
    RunUntilRunning("queue");
    RunUntilRunning("report");
  }

  // Lets web's start pass and its readiness probe succeed (calls left over from an earlier
  // process complete too, and are ignored).
  void BringWebUp() {
    Advance(0ms);
    ASSERT_GT(prober_.Pending("web", "Readiness"), 0u);
    while (prober_.Complete("web", "Readiness", true)) {
    }
    ASSERT_EQ(State("web"), WorkerState::kRunning);
    ASSERT_TRUE(Status("web").ready);
  }
  std::uint32_t Pid(const std::string& name) { return Status(name).pid; }
};

TEST_F(DependencyTest, RestartOfADependencyRestartsItsDependentsWithNewProcesses) {
  const std::uint32_t web = Pid("web"), queue = Pid("queue"), report = Pid("report");
  const std::vector<CommandResult> results = supervisor_->Restart({"web"});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0], (CommandResult{"web", Outcome::kDone, "restarted", "", 1}));
  EXPECT_EQ(results[1],
            (CommandResult{"queue", Outcome::kDone, "restarted (depends on web)", "web", 1}));
  EXPECT_EQ(results[2],
            (CommandResult{"report", Outcome::kDone, "restarted (depends on web)", "web", 1}));

  // Dependents first, in reverse dependency order.
  EXPECT_EQ(State("report"), WorkerState::kStopping);
  EXPECT_EQ(State("queue"), WorkerState::kRunning);
  EXPECT_EQ(State("web"), WorkerState::kRunning);
  EXPECT_NE(Describe(Status("web")).find("restart once its dependents stop: queue"),
            std::string::npos);
  Exit("report", 0);
  EXPECT_EQ(State("queue"), WorkerState::kStopping);
  EXPECT_EQ(State("report"), WorkerState::kStopped);
  EXPECT_EQ(Describe(Status("report")), "waiting for queue");
  Exit("queue", 0);
  EXPECT_EQ(State("web"), WorkerState::kStopping);
  Exit("web", 0);
  EXPECT_EQ(State("web"), WorkerState::kStarting);
  EXPECT_EQ(State("queue"), WorkerState::kStopped);  // web is not ready yet
  BringWebUp();
  EXPECT_EQ(State("queue"), WorkerState::kStarting);
  RunUntilRunning("queue");
  RunUntilRunning("report");
  EXPECT_NE(Pid("web"), web);
  EXPECT_NE(Pid("queue"), queue);
  EXPECT_NE(Pid("report"), report);
  EXPECT_EQ(Status("web").launches, 2u);
  EXPECT_EQ(Status("queue").reason, Reason::kDependency);
}

TEST_F(DependencyTest, RestartOfEveryWorkerGivesEachOneLineAndOneNewProcess) {
  const std::vector<CommandResult> results = supervisor_->Restart({});
  ASSERT_EQ(results.size(), 3u);  // queue and report are named themselves: no extra lines
  for (const CommandResult& result : results)
    EXPECT_EQ(result.message, "restarted") << result.worker;
  Exit("report", 0);
  Exit("queue", 0);
  Exit("web", 0);
  BringWebUp();
  RunUntilRunning("queue");
  RunUntilRunning("report");
  for (const std::string name : {"web", "queue", "report"})
    EXPECT_EQ(Status(name).launches, 2u) << name;
}

TEST_F(DependencyTest, ACommandChangeOfADependencyRestartsItAndItsDependents) {
  raw_.workers["web"].values["Command"] = config::RawValue::String("web-v2.exe");
  EXPECT_EQ(Apply().launch_changed, std::vector<std::string>{"web"});
  EXPECT_EQ(State("report"), WorkerState::kStopping);
  Exit("report", 0);
  Exit("queue", 0);
  EXPECT_EQ(State("web"), WorkerState::kStopping);
  EXPECT_EQ(Status("web").reason, Reason::kConfigChanged);
  Exit("web", 0);
  EXPECT_EQ(launcher_.launches.back().second.command, "web-v2.exe");
  BringWebUp();
  RunUntilRunning("queue");
  RunUntilRunning("report");
  EXPECT_EQ(Status("report").launches, 2u);
}

TEST_F(DependencyTest, DisablingADependencyStopsItsDependentsWhichWaitForIt) {
  raw_.workers["web"].values["Enabled"] = config::RawValue::Dword(0);
  Apply();
  Exit("report", 0);
  Exit("queue", 0);
  Exit("web", 0);
  EXPECT_EQ(State("web"), WorkerState::kStopped);
  EXPECT_EQ(Describe(Status("web")), "disabled (Enabled=0)");
  EXPECT_EQ(Describe(Status("queue")), "waiting for web");
  Advance(1h);
  EXPECT_EQ(launcher_.launches.size(), 3u);
  raw_.workers["web"].values["Enabled"] = config::RawValue::Dword(1);
  Apply();
  BringWebUp();
  RunUntilRunning("queue");
  RunUntilRunning("report");
}

TEST_F(DependencyTest, RemovingADependencyStopsItsDependentsWhichStayDownWithAConfigError) {
  raw_.workers.erase("web");
  const config::ConfigDiff diff = Apply();
  EXPECT_EQ(diff.removed, std::vector<std::string>{"web"});
  EXPECT_EQ(diff.invalid, std::vector<std::string>{"queue"});
  EXPECT_EQ(State("report"), WorkerState::kStopping);
  EXPECT_EQ(State("web"), WorkerState::kRunning);
  Exit("report", 0);
  Exit("queue", 0);
  EXPECT_EQ(Status("queue").reason, Reason::kConfigError);
  EXPECT_NE(Describe(Status("queue")).find("unknown worker \"web\""), std::string::npos)
      << Describe(Status("queue"));
  Exit("web", 0);
  EXPECT_FALSE(supervisor_->Snapshot("web"));
  EXPECT_EQ(supervisor_->Start({"queue"})[0].outcome, Outcome::kRefused);
  Advance(1h);
  EXPECT_EQ(launcher_.launches.size(), 3u);
  EXPECT_EQ(Describe(Status("report")), "waiting for queue");
}

TEST_F(DependencyTest, ACrashOfADependencyLeavesItsDependentsAlone) {
  Exit("web", 1);
  EXPECT_EQ(State("web"), WorkerState::kBackoff);
  EXPECT_EQ(State("queue"), WorkerState::kRunning);
  EXPECT_EQ(State("report"), WorkerState::kRunning);
  Advance(1000ms);
  BringWebUp();
  EXPECT_EQ(Status("queue").launches, 1u);
}

TEST_F(DependencyTest, ADependentThatCrashesWhileItsDependencyIsDownWaitsForIt) {
  Exit("web", 1);
  Exit("queue", 1);
  Advance(1000ms);  // both backoffs end; web starts, queue waits for it to be ready
  EXPECT_EQ(State("web"), WorkerState::kStarting);
  EXPECT_EQ(Describe(Status("queue")), "waiting for web");
  BringWebUp();
  EXPECT_EQ(State("queue"), WorkerState::kStarting);
}

TEST_F(DependencyTest, StopOfADependencyTakesItsDependentsDownAndStartBringsThemBack) {
  const std::vector<CommandResult> results = supervisor_->Stop({"web"});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[1].message, "stopped (depends on web)");
  Exit("report", 0);
  Exit("queue", 0);
  Exit("web", 0);
  EXPECT_EQ(Describe(Status("web")), "stopped by operator");
  EXPECT_EQ(Describe(Status("queue")), "waiting for web");
  EXPECT_EQ(store_.stopped, std::set<std::string>{"web"});  // only the named worker's intent
  supervisor_->Start({"web"});
  BringWebUp();
  RunUntilRunning("queue");
  RunUntilRunning("report");
}

TEST_F(DependencyTest, AnExitWhileWaitingForDependentsCompletesTheIntent) {
  supervisor_->Restart({"web"});
  Exit("web", 1);  // crashed on its own while report and queue were still stopping
  EXPECT_EQ(State("web"), WorkerState::kStarting);
  EXPECT_EQ(Status("web").restarts, 0u);  // the restart asked for, not a policy restart
}

TEST_F(DependencyTest, StartOfADependentDuringItsDependencysRestartDoesNotKeepItRunning) {
  supervisor_->Restart({"web"});
  const CommandResult start = supervisor_->Start({"queue"})[0];
  EXPECT_EQ(start.outcome, Outcome::kDone);
  EXPECT_EQ(start.message, "starting again once its dependencies allow");
  Exit("report", 0);
  EXPECT_EQ(State("queue"), WorkerState::kStopping);
}

TEST_F(DependencyTest, ShutdownStopsEveryoneInReverseOrderEvenWithARestartPending) {
  supervisor_->Restart({"web"});
  int done = 0;
  supervisor_->Shutdown([&] { ++done; });
  Exit("report", 0);
  Exit("queue", 0);
  Exit("web", 0);
  EXPECT_EQ(done, 1);
  EXPECT_EQ(Status("web").reason, Reason::kShutdown);
  Advance(1h);
  EXPECT_EQ(launcher_.launches.size(), 3u);
}

TEST_F(DependencyTest, ANewDefinitionThatClosesACycleThroughAKeptOneIsRejected) {
  // web would now depend on report, whose new definition is invalid and whose kept one depends
  // (through queue) on web: applied, the restart of web would wait for ever.
  raw_.workers["web"].values["DependsOn"] = config::RawValue::MultiString({"report"});
  raw_.workers["web"].values["Command"] = config::RawValue::String("web-v2.exe");
  raw_.workers["report"].values["StopTimeoutMs"] = config::RawValue::String("soon");
  const config::ConfigDiff diff = Apply();
  EXPECT_EQ(diff.invalid, (std::vector<std::string>{"report", "web"}));
  EXPECT_TRUE(diff.launch_changed.empty());
  ASSERT_EQ(Status("web").config_errors.size(), 1u);
  EXPECT_EQ(Status("web").config_errors[0].found,
            "the cycle queue -> web -> report -> queue, through a definition kept because its new "
            "one is invalid");
  EXPECT_EQ(State("web"), WorkerState::kRunning);  // on its last good definition
  EXPECT_EQ(launcher_.launches.size(), 3u);
}

TEST_F(DependencyTest, AStartThatCouldOnlyWaitForEverIsRefusedNamingWhy) {
  supervisor_->Stop({"web"});
  Exit("report", 0);
  Exit("queue", 0);
  Exit("web", 0);
  supervisor_->Stop({"queue"});
  const CommandResult refused = supervisor_->Start({"report"})[0];
  EXPECT_EQ(refused.outcome, Outcome::kRefused);
  EXPECT_EQ(refused.message,
            "depends on queue, which will not run unless started: stopped by operator");
  EXPECT_EQ(supervisor_->Restart({"queue"})[0].message,
            "depends on web, which will not run unless started: stopped by operator");
  // Named together, dependencies start first, and every one is accepted.
  const std::vector<CommandResult> started = supervisor_->Start({"report", "queue", "web"});
  ASSERT_EQ(started.size(), 3u);
  EXPECT_EQ(started[0], (CommandResult{"web", Outcome::kDone, "started", "", 1}));
  EXPECT_EQ(started[1], (CommandResult{"queue", Outcome::kDone, "waiting for web", "", 1}));
  EXPECT_EQ(started[2], (CommandResult{"report", Outcome::kDone, "waiting for queue", "", 1}));
  BringWebUp();
  RunUntilRunning("queue");
  RunUntilRunning("report");
}

TEST_F(SupervisorTest, ADoneRunOnceJobSatisfiesItsDependents) {
  Add("migrate").values["Restart"] = config::RawValue::String("on-failure");
  Add("api").values["DependsOn"] = config::RawValue::MultiString({"migrate"});
  Apply();
  EXPECT_EQ(Describe(Status("api")), "waiting for migrate");
  RunUntilRunning("migrate");
  EXPECT_EQ(State("api"), WorkerState::kStarting);  // RUNNING and ready: api starts already
  Exit("migrate", 0);
  EXPECT_TRUE(Status("migrate").done);
  EXPECT_EQ(State("api"), WorkerState::kStarting);  // a dependency that is done stays satisfied
  supervisor_->Stop({"api"});
  Exit("api", 0);
  EXPECT_EQ(supervisor_->Start({"api"})[0].message, "started");
}

// --- done is not down -------------------------------------------------------------------------

TEST_F(SupervisorTest, ARunOnceJobThatSucceededIsDoneAndServing) {
  config::RawWorker& job = Add("job");
  job.values["Restart"] = config::RawValue::String("on-failure");
  Apply();
  Exit("job", 0);                                  // even before StartSeconds: a short job
  EXPECT_EQ(State("job"), WorkerState::kBackoff);  // an exit before StartSeconds is a failure
  Advance(1000ms);
  RunUntilRunning("job");
  Exit("job", 0);
  EXPECT_EQ(State("job"), WorkerState::kExited);
  EXPECT_TRUE(Status("job").done);
  EXPECT_TRUE(IsServing(Status("job")));
}

TEST_F(SupervisorTest, AJobThatNeverRestartsIsDoneOnlyOnASuccessCode) {
  Add("ok").values["Restart"] = config::RawValue::String("never");
  Add("bad").values["Restart"] = config::RawValue::String("never");
  Apply();
  Exit("ok", 0);
  Exit("bad", 2);
  EXPECT_TRUE(Status("ok").done);
  EXPECT_FALSE(Status("bad").done);
  EXPECT_FALSE(IsServing(Status("bad")));
  supervisor_->Stop({"ok"});
  EXPECT_FALSE(Status("ok").done);  // stopped by an operator: not where it should be
}

// --- events worth reading ---------------------------------------------------------------------

TEST_F(SupervisorTest, PassingProbesAreNotEventsAndRepeatedFailuresFoldIntoOne) {
  AddProbe(Add("api"), "Readiness", 100, 1000);
  Apply();
  for (int i = 0; i < 10; ++i) {
    Advance(1000ms);
    ASSERT_TRUE(prober_.Complete("api", "Readiness", true));
  }
  for (int i = 0; i < 5; ++i) {
    Advance(1000ms);
    ASSERT_TRUE(prober_.Complete("api", "Readiness", false));
  }
  Advance(1000ms);
  ASSERT_TRUE(prober_.Complete("api", "Readiness", true));
  std::vector<std::string> probe_events;
  for (const engine::Event& event : supervisor_->RecentEvents("api")) {
    if (event.kind == EventKind::kProbe) probe_events.push_back(event.ToLogLine());
  }
  EXPECT_EQ(probe_events, (std::vector<std::string>{
                              "worker probe name=api probe=Readiness result=success pid=1000",
                              "worker probe name=api probe=Readiness result=failure count=5 "
                              "pid=1000 message=\"probe failed\"",
                              "worker probe name=api probe=Readiness result=success pid=1000"}));
}

TEST_F(SupervisorTest, ProbeEventsNeverPushTransitionsOut) {
  AddProbe(Add("api"), "Liveness", 100, 1000);
  Apply();
  RunUntilRunning("api");
  for (int i = 0; i < 500; ++i) {
    Advance(1000ms);
    ASSERT_TRUE(prober_.Complete("api", "Liveness", i % 2 == 0));  // a verdict change every time
  }
  std::size_t transitions = 0;
  for (const engine::Event& event : supervisor_->RecentEvents("api"))
    transitions += event.kind == EventKind::kTransition;
  EXPECT_EQ(transitions, 2u);  // STOPPED -> STARTING -> RUNNING are all still there
}

// --- operator intent --------------------------------------------------------------------------

TEST_F(SupervisorTest, AnOperatorIntentThatCannotBeSavedIsReported) {
  Add("api");
  Apply();
  store_.failing = true;
  EXPECT_EQ(supervisor_->Stop({"api"})[0].outcome, Outcome::kDone);
  const std::vector<engine::Event> events = supervisor_->RecentEvents("api");
  ASSERT_FALSE(events.empty());
  bool reported = false;
  for (const engine::Event& event : events) {
    reported |= event.message ==
                "operator intent not saved, so it holds only until supd restarts: access denied";
  }
  EXPECT_TRUE(reported);
  EXPECT_EQ(State("api"), WorkerState::kStopping);  // the stop itself goes ahead
}

// --- invalid daemon values change nothing -----------------------------------------------------

TEST_F(SupervisorTest, AnInvalidDaemonValueKeepsTheLogPathsInForce) {
  raw_.daemon["LogDirectory"] = config::RawValue::String("D:\\logs");
  Add("api");
  Apply();
  RunUntilRunning("api");
  ASSERT_EQ(launcher_.launches.back().second.stdout_log, "D:\\logs\\api.out.log");
  raw_.daemon["PipeInstances"] = config::RawValue::Dword(1);  // out of range
  raw_.daemon["LogDirectory"] = config::RawValue::String("E:\\elsewhere");
  const config::ConfigDiff diff = Apply();
  EXPECT_EQ(diff.unchanged, std::vector<std::string>{"api"});
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  EXPECT_EQ(supervisor_->daemon_config().log_directory, "D:\\logs");
}

}  // namespace
}  // namespace sup::engine
