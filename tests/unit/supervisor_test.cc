// The supervision engine against fakes and a manual clock: every transition, the restart
// policy's exact timings, the stop ladder, probes, dependencies, reloads and operator intent.
#include "daemon/engine/supervisor.h"

#include <gtest/gtest.h>

#include "supervisor_fixture.h"

namespace sup::engine {
namespace {

// --- starting ---------------------------------------------------------------------------------

TEST_F(SupervisorTest, StartsWorkersAndConfirmsThemAfterStartSeconds) {
  Add("api", "api.exe --port 80");
  Apply();
  ASSERT_EQ(launcher_.launches.size(), 1u);
  EXPECT_EQ(launcher_.launches[0].second.command, "api.exe --port 80");
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  EXPECT_FALSE(Status("api").ready);
  Advance(999ms);
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  Advance(1ms);
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  EXPECT_TRUE(Status("api").ready);
  EXPECT_EQ(Status("api").health, Health::kUnknown);  // no liveness probe: never claimed healthy
  EXPECT_EQ(Status("api").pid, 1000u);
  Advance(155s);
  EXPECT_EQ(Describe(Status("api")), "pid 1000, uptime 0:02:36");
  EXPECT_EQ(Status("api").in_state_for, 155s);
}

// status -o json's "account": the account of the definition in force, as it is logged on.
TEST_F(SupervisorTest, TheSnapshotNamesTheAccountItsProcessesRunAs) {
  Add("api");
  Add("web").values["Account"] = config::RawValue::String("localservice");
  Apply();
  EXPECT_EQ(Status("api").account, "LocalSystem");
  EXPECT_EQ(Status("web").account, "NT AUTHORITY\\LocalService");
}

// supd installed as its virtual account (no SeTcbPrivilege) cannot log accounts on: a worker that
// asks for one is a configuration error naming why, its dependents wait, LocalSystem ones run.
TEST_F(SupervisorTest, WithoutSeTcbAWorkerOfAnotherAccountIsAConfigurationError) {
  supervisor_->RefuseOtherAccounts("NT SERVICE\\supd");
  Add("api");
  Add("web").values["Account"] = config::RawValue::String("LocalService");
  Add("front").values["DependsOn"] = config::RawValue::MultiString({"web"});
  Apply();
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  EXPECT_EQ(State("front"), WorkerState::kStopped);
  ASSERT_EQ(Status("web").config_errors.size(), 1u);
  EXPECT_EQ(Status("web").config_errors[0].ToString(),
            "Workers\\web\\Account: expected LocalSystem: supd runs as NT SERVICE\\supd, without "
            "SeTcbPrivilege, and cannot log other accounts on (install supd as LocalSystem to run "
            "workers as other accounts), found NT AUTHORITY\\LocalService");
  ASSERT_EQ(launcher_.launches.size(), 1u);
  EXPECT_EQ(launcher_.launches[0].first, "api");
}

TEST_F(SupervisorTest, DisabledWorkerStaysStoppedAndRefusesStart) {
  Add("api").values["Enabled"] = config::RawValue::Dword(0);
  Apply();
  EXPECT_EQ(State("api"), WorkerState::kStopped);
  EXPECT_EQ(Describe(Status("api")), "disabled (Enabled=0)");
  const std::vector<CommandResult> results = supervisor_->Start({"api"});
  EXPECT_EQ(results[0].outcome, Outcome::kRefused);
  EXPECT_EQ(results[0].message, "disabled in the configuration (Enabled=0)");
  EXPECT_TRUE(launcher_.launches.empty());
}

TEST_F(SupervisorTest, SpawnErrorBacksOffAndSaysWhy) {
  Add("api", "missing.exe");
  launcher_.failing.insert("api");
  Apply();
  EXPECT_EQ(State("api"), WorkerState::kBackoff);
  EXPECT_EQ(Status("api").reason, Reason::kSpawnError);
  EXPECT_EQ(Describe(Status("api")),
            "backoff: attempt 1, next in 1.0s; spawn error: cannot start missing.exe");
  launcher_.failing.clear();
  Advance(1000ms);
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  EXPECT_EQ(Status("api").restarts, 1u);
}

// --- starts that go on elsewhere (Windows: CreateProcess on a thread of its own) --------------

TEST_F(SupervisorTest, AStartThatGoesOnElsewhereIsStartingWithoutAPidUntilItEnds) {
  Add("api");
  launcher_.launch_later = true;
  Apply();
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  EXPECT_EQ(Status("api").pid, 0u);
  Advance(10min);  // nothing confirms a start that has not ended: no timer, no probe
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  EXPECT_EQ(Describe(Status("api")), "creating its process for 10m00s");
  supervisor_->OnLaunched("api", 4242);
  EXPECT_EQ(Status("api").pid, 4242u);
  RunUntilRunning("api");  // StartSeconds counts from the end of the start
}

// Found by the model: a change of its probes (StartSeconds 0) during a start that goes on
// elsewhere confirmed the start at once, RUNNING with no process. It waits for the start's end,
// which is then watched by the policy in force.
TEST_F(SupervisorTest, APolicyChangeDuringAStartElsewhereWaitsForTheStartToEnd) {
  config::RawWorker& api = Add("api");
  api.values["StartSeconds"] = config::RawValue::Dword(0);
  AddProbe(api, "Readiness");
  launcher_.launch_later = true;
  Apply();
  raw_.workers["api"].probes.clear();  // a policy change of its probes
  Apply();
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  EXPECT_EQ(Status("api").pid, 0u);
  supervisor_->OnLaunched("api", 4242);
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  EXPECT_EQ(Status("api").pid, 4242u);
}

TEST_F(SupervisorTest, AStartThatFailsElsewhereIsASpawnError) {
  Add("api", "held.exe");
  launcher_.launch_later = true;
  Apply();
  supervisor_->OnLaunched("api", Error(ErrorKind::kUnavailable, "the image is held"));
  EXPECT_EQ(State("api"), WorkerState::kBackoff);
  EXPECT_EQ(Status("api").reason, Reason::kSpawnError);
  EXPECT_EQ(Describe(Status("api")),
            "backoff: attempt 1, next in 1.0s; spawn error: the image is held");
  supervisor_->OnLaunched("api", 99);  // stale: nothing is starting now
  EXPECT_EQ(State("api"), WorkerState::kBackoff);
}

// The stop cannot reach a process that is not there yet; once the start ends, the step under way
// is sent at once instead of waiting for the ladder's next step.
TEST_F(SupervisorTest, AStopDuringAStartElsewhereReachesTheProcessWhenItIsThere) {
  Add("api").values["StopTimeoutMs"] = config::RawValue::Dword(9000);
  launcher_.launch_later = true;
  Apply();
  supervisor_->Stop({"api"});
  EXPECT_EQ(State("api"), WorkerState::kStopping);
  using Steps = std::vector<std::pair<std::string, StopStep>>;
  EXPECT_EQ(launcher_.stop_requests, (Steps{{"api", StopStep::kEvent}}));
  supervisor_->OnLaunched("api", 4242);
  EXPECT_EQ(launcher_.stop_requests, (Steps{{"api", StopStep::kEvent}, {"api", StopStep::kEvent}}));
  EXPECT_EQ(State("api"), WorkerState::kStopping);
  Exit("api", 0);
  EXPECT_EQ(State("api"), WorkerState::kStopped);
  EXPECT_EQ(Status("api").reason, Reason::kOperator);
}

TEST_F(SupervisorTest, AStopDuringAStartThatFailsElsewhereEndsTheStop) {
  Add("api");
  launcher_.launch_later = true;
  Apply();
  supervisor_->Stop({"api"});
  supervisor_->OnLaunched("api", Error(ErrorKind::kUnavailable, "the image is held"));
  EXPECT_EQ(State("api"), WorkerState::kStopped);
  EXPECT_EQ(Status("api").reason, Reason::kOperator);
}

// --- exits, backoff, breaker ------------------------------------------------------------------

TEST_F(SupervisorTest, CrashBacksOffThenRestartsWithANewPid) {
  Add("api");
  Apply();
  RunUntilRunning("api");
  Exit("api", 1);
  EXPECT_EQ(State("api"), WorkerState::kBackoff);
  EXPECT_EQ(Status("api").reason, Reason::kExited);
  EXPECT_EQ(Status("api").last_exit_code, 1);
  EXPECT_EQ(Status("api").next_restart_in, 1000ms);
  EXPECT_EQ(Status("api").pid, 0u);
  Advance(1000ms);
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  EXPECT_EQ(Status("api").pid, 1001u);
  EXPECT_EQ(Status("api").restarts, 1u);
}

TEST_F(SupervisorTest, BackoffDoublesUpToTheCap) {
  config::RawWorker& api = Add("api");
  api.values["MaxFailures"] = config::RawValue::Dword(1000);
  std::vector<long> delays;
  Apply();
  for (int crash = 0; crash < 9; ++crash) {
    Exit("api", 1);  // dies while STARTING: a failure each time
    delays.push_back(Status("api").next_restart_in->count());
    Advance(*Status("api").next_restart_in);
  }
  EXPECT_EQ(delays, (std::vector<long>{1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000}));
}

TEST_F(SupervisorTest, JitterStaysWithinTwentyPercent) {
  Add("api");
  Apply();
  random_.value = 0.0;
  Exit("api", 1);
  EXPECT_EQ(Status("api").next_restart_in, 800ms);
  Advance(800ms);
  random_.value = 0.9999;
  Exit("api", 1);
  EXPECT_EQ(Status("api").next_restart_in, 2399ms);
}

TEST_F(SupervisorTest, BreakerOpensOnTheFifthFailureInTheWindowNotTheFourth) {
  Add("api");
  Apply();
  for (int failure = 1; failure <= 4; ++failure) {
    Exit("api", 1);
    EXPECT_EQ(State("api"), WorkerState::kBackoff) << failure;
    Advance(*Status("api").next_restart_in);
  }
  Exit("api", 1);
  EXPECT_EQ(State("api"), WorkerState::kFailed);
  EXPECT_EQ(Status("api").reason, Reason::kBreakerOpen);
  EXPECT_EQ(Status("api").next_restart_in, 300000ms);
  EXPECT_EQ(Describe(Status("api")), "circuit breaker open; retry in 5m00s; last exit code 1");
}

TEST_F(SupervisorTest, FailedWorkerStillRetriesSlowly) {
  Add("api").values["MaxFailures"] = config::RawValue::Dword(1);
  Apply();
  Exit("api", 1);
  ASSERT_EQ(State("api"), WorkerState::kFailed);
  Advance(299'999ms);
  EXPECT_EQ(State("api"), WorkerState::kFailed);
  Advance(1ms);
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  EXPECT_EQ(Status("api").restarts, 1u);
}

TEST_F(SupervisorTest, FailedRetryZeroWaitsForAnOperator) {
  config::RawWorker& api = Add("api");
  api.values["MaxFailures"] = config::RawValue::Dword(1);
  api.values["FailedRetryMs"] = config::RawValue::Dword(0);
  Apply();
  Exit("api", 1);
  EXPECT_EQ(State("api"), WorkerState::kFailed);
  EXPECT_EQ(timers_.pending(), 0u);
  EXPECT_EQ(Describe(Status("api")),
            "circuit breaker open; no automatic retry (supctl reset or start); last exit code 1");
  const std::vector<CommandResult> reset = supervisor_->Reset({"api"});
  EXPECT_EQ(reset[0].message, "reset and started");
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  EXPECT_EQ(Status("api").restarts, 0u);
}

TEST_F(SupervisorTest, StableRunResetsTheBackoff) {
  Add("api");
  Apply();
  for (int crash = 0; crash < 3; ++crash) {  // 1 s, 2 s, 4 s
    Exit("api", 1);
    Advance(*Status("api").next_restart_in);
  }
  RunUntilRunning("api");
  Advance(59'999ms);  // one millisecond short of StableAfterMs since RUNNING
  Exit("api", 1);
  EXPECT_EQ(Status("api").next_restart_in, 8000ms);
  Advance(8000ms);
  RunUntilRunning("api");
  Advance(60'000ms);
  Exit("api", 1);
  EXPECT_EQ(Status("api").next_restart_in, 1000ms);
}

TEST_F(SupervisorTest, ExitCodesAgainstThePolicy) {
  Add("always");
  Add("onfail").values["Restart"] = config::RawValue::String("on-failure");
  Add("never").values["Restart"] = config::RawValue::String("never");
  Add("custom").values["Restart"] = config::RawValue::String("on-failure");
  raw_.workers["custom"].values["SuccessExitCodes"] = config::RawValue::MultiString({"0", "42"});
  Apply();
  for (const std::string name : {"always", "onfail", "never", "custom"}) RunUntilRunning(name);

  Exit("always", 0);
  EXPECT_EQ(State("always"), WorkerState::kBackoff);
  Exit("onfail", 0);
  EXPECT_EQ(State("onfail"), WorkerState::kExited);
  EXPECT_EQ(Describe(Status("onfail")), "done; last exit code 0");
  EXPECT_TRUE(Status("onfail").done);
  Exit("never", 1);
  EXPECT_EQ(State("never"), WorkerState::kExited);
  Exit("custom", 42);
  EXPECT_EQ(State("custom"), WorkerState::kExited);
}

TEST_F(SupervisorTest, ExitBeforeStartSecondsIsAFailureWhateverTheCode) {
  Add("onfail").values["Restart"] = config::RawValue::String("on-failure");
  Apply();
  Exit("onfail", 0);  // still STARTING
  EXPECT_EQ(State("onfail"), WorkerState::kBackoff);
}

TEST_F(SupervisorTest, StaleExitReportsAreIgnored) {
  Add("api");
  Apply();
  RunUntilRunning("api");
  supervisor_->OnExit("api", 4242, 1);
  supervisor_->OnExit("nosuch", 1000, 1);
  EXPECT_EQ(State("api"), WorkerState::kRunning);
}

// --- stopping ---------------------------------------------------------------------------------

TEST_F(SupervisorTest, StopLadderRunsEachStepForItsShareOfTheTimeout) {
  Add("api").values["StopTimeoutMs"] = config::RawValue::Dword(9000);
  Apply();
  RunUntilRunning("api");
  const std::vector<CommandResult> results = supervisor_->Stop({"api"});
  EXPECT_EQ(results[0], (CommandResult{"api", Outcome::kDone, "stopping", "", 1}));
  EXPECT_EQ(State("api"), WorkerState::kStopping);
  using Steps = std::vector<std::pair<std::string, StopStep>>;
  EXPECT_EQ(launcher_.stop_requests, (Steps{{"api", StopStep::kEvent}}));
  EXPECT_EQ(Describe(Status("api")), "stopping: event (step 1 of 4)");
  Advance(2999ms);
  EXPECT_EQ(launcher_.stop_requests.size(), 1u);
  Advance(1ms);
  EXPECT_EQ(launcher_.stop_requests.back().second, StopStep::kCtrlC);
  Advance(3000ms);
  EXPECT_EQ(launcher_.stop_requests.back().second, StopStep::kClose);
  EXPECT_TRUE(launcher_.kills.empty());
  Advance(3000ms);
  EXPECT_EQ(launcher_.kills, std::vector<std::string>{"api"});
  Exit("api", 1);
  EXPECT_EQ(State("api"), WorkerState::kStopped);
  EXPECT_EQ(Status("api").reason, Reason::kOperator);
  EXPECT_EQ(Status("api").restarts, 0u);
  Advance(10min);
  EXPECT_EQ(launcher_.LaunchCount("api"), 1u);  // a stop is not a crash: nothing restarts it
}

// A Ctrl+C that cannot reach the worker (under Wine a console that cannot be attached) moves the
// ladder on at once: before, the stop waited out the step's share of StopTimeoutMs for nothing.
TEST_F(SupervisorTest, AStopStepThatCannotBeDeliveredMovesTheLadderOnAtOnce) {
  Add("api").values["StopTimeoutMs"] = config::RawValue::Dword(9000);
  Apply();
  RunUntilRunning("api");
  const std::uint32_t pid = Status("api").pid;
  supervisor_->Stop({"api"});
  Advance(3000ms);
  ASSERT_EQ(launcher_.stop_requests.back().second, StopStep::kCtrlC);
  // Stale reports change nothing: another pid, a step that is not the current one.
  supervisor_->OnStopStepUndelivered("api", pid + 1, StopStep::kCtrlC);
  supervisor_->OnStopStepUndelivered("api", pid, StopStep::kEvent);
  EXPECT_EQ(launcher_.stop_requests.back().second, StopStep::kCtrlC);
  supervisor_->OnStopStepUndelivered("api", pid, StopStep::kCtrlC);
  EXPECT_EQ(launcher_.stop_requests.back().second, StopStep::kClose);  // now, not in 3 s
  EXPECT_EQ(Describe(Status("api")), "stopping: close (step 3 of 4)");
  Advance(2999ms);
  EXPECT_TRUE(launcher_.kills.empty());
  Advance(1ms);  // the close step keeps its own full share
  EXPECT_EQ(launcher_.kills, std::vector<std::string>{"api"});
}

TEST_F(SupervisorTest, WorkerThatHonoursItsStopEventStopsWithItsOwnExitCode) {
  config::RawWorker& api = Add("api");
  api.values["StopSteps"] = config::RawValue::MultiString({"event", "terminate"});
  Apply();
  RunUntilRunning("api");
  supervisor_->Stop({"api"});
  Exit("api", 7);
  EXPECT_EQ(State("api"), WorkerState::kStopped);
  EXPECT_EQ(Status("api").last_exit_code, 7);
  EXPECT_TRUE(launcher_.kills.empty());
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(SupervisorTest, KillIsRepeatedUntilTheExitArrives) {
  config::RawWorker& api = Add("api");
  api.values["StopSteps"] = config::RawValue::MultiString({"terminate"});
  Apply();
  RunUntilRunning("api");
  supervisor_->Stop({"api"});
  EXPECT_EQ(launcher_.kills.size(), 1u);
  Advance(5000ms);
  EXPECT_EQ(launcher_.kills.size(), 2u);
}

TEST_F(SupervisorTest, CommandsAreIdempotentWithPreciseErrors) {
  Add("api");
  raw_.workers["broken"] = config::RawWorker{};  // no Command
  Apply();
  RunUntilRunning("api");
  EXPECT_EQ(supervisor_->Start({"api"})[0],
            (CommandResult{"api", Outcome::kAlready, "already running", "", 1}));
  EXPECT_EQ(supervisor_->Start({"nosuch"})[0],
            (CommandResult{"nosuch", Outcome::kNotFound, "no such worker", "", 0}));
  const CommandResult broken = supervisor_->Start({"broken"})[0];
  EXPECT_EQ(broken.outcome, Outcome::kRefused);
  EXPECT_EQ(broken.message,
            "disabled by a configuration error: Workers\\broken\\Command: expected a value "
            "(required): Command line of "
            "the worker: program and arguments, quoted by the Windows rules; a program path with a "
            "space must be "
            "quoted (unquoted, Windows would try C:\\Program.exe first)., found nothing");
  supervisor_->Stop({"api"});
  Exit("api", 0);
  EXPECT_EQ(supervisor_->Stop({"api"})[0],
            (CommandResult{"api", Outcome::kAlready, "already stopped", "", 1}));
  EXPECT_EQ(supervisor_->Start({"api"})[0],
            (CommandResult{"api", Outcome::kDone, "started", "", 1}));
}

TEST_F(SupervisorTest, StopOfABackingOffWorkerCancelsItsRestart) {
  Add("api");
  Apply();
  Exit("api", 1);
  ASSERT_EQ(State("api"), WorkerState::kBackoff);
  EXPECT_EQ(supervisor_->Stop({"api"})[0].message, "stopped");
  EXPECT_EQ(State("api"), WorkerState::kStopped);
  Advance(10min);
  EXPECT_EQ(launcher_.LaunchCount("api"), 1u);
}

TEST_F(SupervisorTest, StopWhileStartingRunsTheLadder) {
  Add("api");
  Apply();
  ASSERT_EQ(State("api"), WorkerState::kStarting);
  supervisor_->Stop({"api"});
  EXPECT_EQ(State("api"), WorkerState::kStopping);
  Advance(1000ms);  // the StartSeconds timer of the stopped start must not confirm it
  EXPECT_EQ(State("api"), WorkerState::kStopping);
  Exit("api", 0);
  EXPECT_EQ(State("api"), WorkerState::kStopped);
}

TEST_F(SupervisorTest, StopOfAFailedWorkerCancelsItsRetry) {
  Add("api").values["MaxFailures"] = config::RawValue::Dword(1);
  Apply();
  Exit("api", 1);
  ASSERT_EQ(State("api"), WorkerState::kFailed);
  EXPECT_EQ(supervisor_->Stop({"api"})[0].message, "stopped");
  EXPECT_EQ(State("api"), WorkerState::kStopped);
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(SupervisorTest, OperatorStartsAnExitedWorker) {
  Add("job").values["Restart"] = config::RawValue::String("never");
  Apply();
  RunUntilRunning("job");
  Exit("job", 0);
  ASSERT_EQ(State("job"), WorkerState::kExited);
  EXPECT_EQ(supervisor_->Start({"job"})[0].message, "started");
  EXPECT_EQ(State("job"), WorkerState::kStarting);
  EXPECT_EQ(Status("job").reason, Reason::kOperator);
}

TEST_F(SupervisorTest, StartDuringAStopStartsOnceStopped) {
  Add("api");
  Apply();
  RunUntilRunning("api");
  supervisor_->Stop({"api"});
  EXPECT_EQ(supervisor_->Start({"api"})[0].message, "starting once its stop completes");
  Exit("api", 0);
  EXPECT_EQ(State("api"), WorkerState::kStarting);
}

TEST_F(SupervisorTest, RestartStopsThenStartsAgain) {
  Add("api");
  Apply();
  RunUntilRunning("api");
  const std::vector<CommandResult> results = supervisor_->Restart({"api"});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0], (CommandResult{"api", Outcome::kDone, "restarted", "", 1}));
  EXPECT_EQ(State("api"), WorkerState::kStopping);
  Exit("api", 0);
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  EXPECT_EQ(Status("api").pid, 1001u);
  EXPECT_EQ(Status("api").launches, 2u);
  EXPECT_EQ(Status("api").reason, Reason::kOperator);
}

TEST_F(SupervisorTest, OperatorStopPersistsAcrossADaemonRestart) {
  Add("api");
  Add("web");
  Apply();
  supervisor_->Stop({"api"});
  EXPECT_EQ(store_.stopped, std::set<std::string>{"api"});
  Recreate();
  launcher_.launches.clear();
  Apply();
  EXPECT_EQ(State("api"), WorkerState::kStopped);
  EXPECT_EQ(Describe(Status("api")), "stopped by operator");
  EXPECT_EQ(Status("api").reason,
            Reason::kOperator);  // as before the restart: status -o json says why
  EXPECT_EQ(launcher_.LaunchCount("api"), 0u);
  EXPECT_EQ(launcher_.LaunchCount("web"), 1u);
  supervisor_->Start({"api"});
  EXPECT_TRUE(store_.stopped.empty());
  EXPECT_EQ(State("api"), WorkerState::kStarting);
}

TEST_F(SupervisorTest, AllMeansEveryWorker) {
  Add("a");
  Add("b");
  Apply();
  const std::vector<CommandResult> results = supervisor_->Stop({});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].worker, "a");
  EXPECT_EQ(results[1].worker, "b");
}

// --- shutdown ---------------------------------------------------------------------------------

TEST_F(SupervisorTest, ShutdownStopsDependentsFirstAndRestartsNothing) {
  Add("db");
  Add("api").values["DependsOn"] = config::RawValue::MultiString({"db"});
  Add("web").values["DependsOn"] = config::RawValue::MultiString({"api"});
  Add("flaky");
  Apply();
  RunUntilRunning("db");
  RunUntilRunning("api");
  RunUntilRunning("web");
  Exit("flaky", 1);
  ASSERT_EQ(State("flaky"), WorkerState::kBackoff);

  int done = 0;
  supervisor_->Shutdown([&] { ++done; });
  EXPECT_EQ(State("flaky"), WorkerState::kStopped);
  EXPECT_EQ(Status("flaky").reason, Reason::kShutdown);
  EXPECT_EQ(State("web"), WorkerState::kStopping);
  EXPECT_EQ(State("api"), WorkerState::kRunning);  // waits for web
  EXPECT_EQ(State("db"), WorkerState::kRunning);
  Exit("web", 0);
  EXPECT_EQ(State("api"), WorkerState::kStopping);
  EXPECT_EQ(State("db"), WorkerState::kRunning);
  Exit("api", 0);
  EXPECT_EQ(State("db"), WorkerState::kStopping);
  EXPECT_EQ(done, 0);
  Exit("db", 0);
  EXPECT_EQ(done, 1);
  EXPECT_EQ(Status("db").reason, Reason::kShutdown);
  Advance(1h);
  EXPECT_EQ(launcher_.launches.size(), 4u);  // nothing restarted
  EXPECT_EQ(supervisor_->Start({"db"})[0].message, "supd is stopping");
}

TEST_F(SupervisorTest, CrashDuringShutdownIsNotRestarted) {
  Add("api");
  Apply();
  RunUntilRunning("api");
  supervisor_->Shutdown([] {});
  Exit("api", 0xC0000005);
  EXPECT_EQ(State("api"), WorkerState::kStopped);
  Advance(1h);
  EXPECT_EQ(launcher_.LaunchCount("api"), 1u);
}

TEST_F(SupervisorTest, ShutdownWithNothingRunningIsDoneAtOnce) {
  int done = 0;
  supervisor_->Shutdown([&] { ++done; });
  EXPECT_EQ(done, 1);
}

// --- dependencies -----------------------------------------------------------------------------

TEST_F(SupervisorTest, WorkerWaitsUntilItsDependencyRunsAndIsReady) {
  config::RawWorker& db = Add("db");
  AddProbe(db, "Readiness");
  Add("api").values["DependsOn"] = config::RawValue::MultiString({"db"});
  Apply();
  EXPECT_EQ(State("db"), WorkerState::kStarting);
  EXPECT_EQ(State("api"), WorkerState::kStopped);
  EXPECT_EQ(Status("api").reason, Reason::kDependency);
  EXPECT_EQ(Describe(Status("api")), "waiting for db");
  Advance(1000ms);
  ASSERT_TRUE(prober_.Complete("db", "Readiness", false));
  EXPECT_EQ(State("db"), WorkerState::kRunning);  // StartSeconds passed, but not ready
  EXPECT_EQ(State("api"), WorkerState::kStopped);
  Advance(1000ms);
  ASSERT_TRUE(prober_.Complete("db", "Readiness", true));
  EXPECT_EQ(State("api"), WorkerState::kStarting);
}

TEST_F(SupervisorTest, StoppingADependencyStopsItsDependentsFirstAndSaysSo) {
  Add("db");
  Add("api").values["DependsOn"] = config::RawValue::MultiString({"db"});
  Apply();
  RunUntilRunning("db");
  RunUntilRunning("api");
  const std::vector<CommandResult> results = supervisor_->Stop({"db"});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0], (CommandResult{"db", Outcome::kDone, "stopping", "", 1}));
  EXPECT_EQ(results[1], (CommandResult{"api", Outcome::kDone, "stopped (depends on db)", "db", 1}));
  EXPECT_EQ(State("api"), WorkerState::kStopping);
  EXPECT_EQ(State("db"), WorkerState::kRunning);
  Exit("api", 0);
  EXPECT_EQ(Status("api").reason, Reason::kDependency);
  EXPECT_EQ(State("db"), WorkerState::kStopping);
  Exit("db", 0);
  // api was not stopped by the operator: it comes back with db.
  supervisor_->Start({"db"});
  EXPECT_EQ(State("api"), WorkerState::kStopped);
  RunUntilRunning("db");
  EXPECT_EQ(State("api"), WorkerState::kStarting);
}

// --- probes -----------------------------------------------------------------------------------

TEST_F(SupervisorTest, StartupProbeDecidesTheStartThenLivenessAndReadinessBegin) {
  config::RawWorker& api = Add("api");
  AddProbe(api, "Startup", 3, 500, 200);
  AddProbe(api, "Liveness");
  AddProbe(api, "Readiness");
  Apply();
  Advance(199ms);
  EXPECT_EQ(prober_.Pending("api", "Startup"), 0u);  // InitialDelayMs
  Advance(1ms);
  ASSERT_TRUE(prober_.Complete("api", "Startup", false));
  Advance(5000ms);  // StartSeconds does not apply with a startup probe
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  EXPECT_EQ(prober_.Pending("api", "Liveness"), 0u);
  ASSERT_TRUE(prober_.Complete("api", "Startup", true));
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  EXPECT_FALSE(Status("api").ready);  // readiness has not passed yet
  Advance(0ms);                       // their InitialDelayMs of 0
  ASSERT_TRUE(prober_.Complete("api", "Liveness", true));
  ASSERT_TRUE(prober_.Complete("api", "Readiness", true));
  EXPECT_EQ(Status("api").health, Health::kHealthy);
  EXPECT_TRUE(Status("api").ready);
}

TEST_F(SupervisorTest, FailingStartupProbeKillsTheWorkerAsStartTimeout) {
  config::RawWorker& api = Add("api");
  AddProbe(api, "Startup", 2, 500);
  Apply();
  Advance(0ms);
  ASSERT_TRUE(prober_.Complete("api", "Startup", false));
  Advance(500ms);
  ASSERT_TRUE(prober_.Complete("api", "Startup", false));
  EXPECT_EQ(launcher_.kills, std::vector<std::string>{"api"});
  Exit("api", 1);
  EXPECT_EQ(State("api"), WorkerState::kBackoff);
  EXPECT_EQ(Status("api").reason, Reason::kStartTimeout);
}

TEST_F(SupervisorTest, LivenessRestartsOnlyAtTheFailureThreshold) {
  config::RawWorker& api = Add("api");
  AddProbe(api, "Liveness", 3, 1000);
  Apply();
  RunUntilRunning("api");
  ASSERT_TRUE(prober_.Complete("api", "Liveness", true));
  EXPECT_EQ(Status("api").health, Health::kHealthy);
  Advance(1000ms);
  ASSERT_TRUE(prober_.Complete("api", "Liveness", false));
  Advance(1000ms);
  ASSERT_TRUE(prober_.Complete("api", "Liveness", false));
  EXPECT_TRUE(launcher_.kills.empty());
  EXPECT_EQ(Status("api").health, Health::kHealthy);
  Advance(1000ms);
  ASSERT_TRUE(prober_.Complete("api", "Liveness", false));
  EXPECT_EQ(Status("api").health, Health::kUnhealthy);
  EXPECT_EQ(launcher_.kills, std::vector<std::string>{"api"});
  EXPECT_EQ(prober_.calls.size(), 0u);  // probing stops once the worker is being killed
  Advance(10s);
  EXPECT_EQ(prober_.calls.size(), 0u);
  Exit("api", 1);
  EXPECT_EQ(State("api"), WorkerState::kBackoff);
  EXPECT_EQ(Status("api").reason, Reason::kLivenessFailed);
}

TEST_F(SupervisorTest, ReadinessFailureOnlyFlipsReady) {
  config::RawWorker& api = Add("api");
  AddProbe(api, "Readiness", 1, 1000);
  Apply();
  Advance(0ms);
  ASSERT_TRUE(prober_.Complete("api", "Readiness", true));
  EXPECT_EQ(State("api"),
            WorkerState::kRunning);  // a passing readiness probe confirms the start early
  EXPECT_TRUE(Status("api").ready);
  Advance(1000ms);
  ASSERT_TRUE(prober_.Complete("api", "Readiness", false));
  EXPECT_FALSE(Status("api").ready);
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  EXPECT_TRUE(launcher_.kills.empty());
  Advance(1000ms);
  ASSERT_TRUE(prober_.Complete("api", "Readiness", true));
  EXPECT_TRUE(Status("api").ready);
}

TEST_F(SupervisorTest, ProbeResultsOfAnEarlierProcessAreIgnored) {
  config::RawWorker& api = Add("api");
  AddProbe(api, "Liveness", 1, 1000);
  Apply();
  RunUntilRunning("api");
  ASSERT_EQ(prober_.calls.size(), 1u);
  Exit("api", 1);
  Advance(1000ms);                                          // restarted
  ASSERT_TRUE(prober_.Complete("api", "Liveness", false));  // the old process's probe
  EXPECT_TRUE(launcher_.kills.empty());
}

// --- reloads ----------------------------------------------------------------------------------

TEST_F(SupervisorTest, LaunchChangeRestartsOnlyThatWorker) {
  Add("api", "api-v1.exe");
  Add("web");
  Apply();
  RunUntilRunning("api");
  RunUntilRunning("web");
  raw_.workers["api"].values["Command"] = config::RawValue::String("api-v2.exe");
  const config::ConfigDiff diff = Apply();
  EXPECT_EQ(diff.launch_changed, std::vector<std::string>{"api"});
  EXPECT_EQ(State("api"), WorkerState::kStopping);
  EXPECT_EQ(Status("api").reason, Reason::kConfigChanged);
  Exit("api", 0);
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  EXPECT_EQ(launcher_.launches.back().second.command, "api-v2.exe");
  EXPECT_EQ(State("web"), WorkerState::kRunning);
  EXPECT_EQ(launcher_.LaunchCount("web"), 1u);
}

TEST_F(SupervisorTest, AddingCtrlCToTheStopStepsRestartsTheWorkerWithAConsole) {
  Add("api").values["StopSteps"] = config::RawValue::MultiString({"event", "terminate"});
  Apply();
  RunUntilRunning("api");
  EXPECT_FALSE(launcher_.launches.back().second.own_console);
  raw_.workers["api"].values["StopSteps"] = config::RawValue::MultiString({"ctrl-c", "terminate"});
  EXPECT_EQ(Apply().launch_changed, std::vector<std::string>{"api"});
  Exit("api", 0);
  EXPECT_TRUE(launcher_.launches.back().second.own_console);
}

TEST_F(SupervisorTest, PolicyChangeAppliesLiveWithoutARestart) {
  Add("api");
  Apply();
  RunUntilRunning("api");
  raw_.workers["api"].values["BackoffInitialMs"] = config::RawValue::Dword(5000);
  const config::ConfigDiff diff = Apply();
  EXPECT_EQ(diff.policy_changed, std::vector<std::string>{"api"});
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  EXPECT_EQ(launcher_.LaunchCount("api"), 1u);
  Exit("api", 1);
  EXPECT_EQ(Status("api").next_restart_in, 5000ms);  // the new policy is in force
}

TEST_F(SupervisorTest, AddedWorkersStartAndRemovedOnesStopAndDisappear) {
  Add("old");
  Apply();
  RunUntilRunning("old");
  raw_.workers.erase("old");
  Add("new");
  const config::ConfigDiff diff = Apply();
  EXPECT_EQ(diff.added, std::vector<std::string>{"new"});
  EXPECT_EQ(diff.removed, std::vector<std::string>{"old"});
  EXPECT_EQ(State("new"), WorkerState::kStarting);
  EXPECT_EQ(State("old"), WorkerState::kStopping);
  EXPECT_TRUE(launcher_.forgotten.empty());  // its output is still being captured
  Exit("old", 0);
  EXPECT_FALSE(supervisor_->Snapshot("old").has_value());
  EXPECT_EQ(launcher_.forgotten, std::vector<std::string>{"old"});  // its capture is released
  EXPECT_EQ(supervisor_->config_generation(), 2u);
}

// An operator's stop goes with a removed worker, in the state store too: one configured again
// under its name is a new worker, whether supd restarted meanwhile or not.
TEST_F(SupervisorTest, AnOperatorsStopGoesWithTheWorkerWhenItIsRemoved) {
  Add("api");
  Apply();
  RunUntilRunning("api");
  supervisor_->Stop({"api"});
  Exit("api", 0);
  EXPECT_EQ(store_.stopped, std::set<std::string>{"api"});
  raw_.workers.erase("api");
  Apply();
  EXPECT_FALSE(supervisor_->Snapshot("api").has_value());
  EXPECT_TRUE(store_.stopped.empty());
  Add("api");
  Apply();
  EXPECT_EQ(State("api"), WorkerState::kStarting);
}

// The same across a restart of supd: a stop saved for a worker the configuration no longer has
// when supd reads it goes, and so does the stop of an invalid worker removed later.
TEST_F(SupervisorTest, AStopSavedBeforeARestartGoesWithAWorkerNoLongerConfigured) {
  Add("api");
  Add("bad").values["StopSteps"] = config::RawValue::MultiString({"sideways"});
  Apply();
  supervisor_->Stop({"api", "bad"});
  EXPECT_EQ(store_.stopped, (std::set<std::string>{"api", "bad"}));
  Exit("api", 0);
  // supd restarts over the same store; "api" has gone from the configuration meanwhile.
  supervisor_ = std::make_unique<Supervisor>(
      SupervisorPorts{clock_, timers_, launcher_, prober_, store_, events_, random_});
  raw_.workers.erase("api");
  Apply();
  EXPECT_EQ(store_.stopped, std::set<std::string>{"bad"});
  EXPECT_TRUE(Status("bad").stopped_by_operator) << "an invalid worker is held as before";
  raw_.workers.erase("bad");
  Apply();
  EXPECT_TRUE(store_.stopped.empty());
  Add("api");
  Add("bad");
  Apply();
  EXPECT_EQ(State("api"), WorkerState::kStarting);
  EXPECT_EQ(State("bad"), WorkerState::kStarting);
}

TEST_F(SupervisorTest, ARemovedWorkerThatComesBackBeforeItsProcessEndsIsNotForgotten) {
  Add("api");
  Apply();
  RunUntilRunning("api");
  raw_.workers.erase("api");
  Apply();
  Add("api");
  Apply();
  Exit("api", 0);
  EXPECT_TRUE(launcher_.forgotten.empty());
  EXPECT_EQ(launcher_.LaunchCount("api"), 2u);
}

TEST_F(SupervisorTest, InvalidNewDefinitionKeepsTheRunningWorkerOnItsLastGoodOne) {
  Add("api", "api-v1.exe");
  Apply();
  RunUntilRunning("api");
  raw_.workers["api"].values["Command"] = config::RawValue::String("api-v2.exe");
  raw_.workers["api"].values["StopTimeoutMs"] = config::RawValue::String("soon");
  const config::ConfigDiff diff = Apply();
  EXPECT_EQ(diff.invalid, std::vector<std::string>{"api"});
  EXPECT_EQ(State("api"), WorkerState::kRunning);
  EXPECT_EQ(launcher_.LaunchCount("api"), 1u);
  EXPECT_EQ(Status("api").config_errors.size(), 1u);
  EXPECT_NE(Describe(Status("api")).find("new configuration rejected: Workers\\api\\StopTimeoutMs"),
            std::string::npos);
  raw_.workers["api"].values.erase("StopTimeoutMs");
  Apply();
  EXPECT_TRUE(Status("api").config_errors.empty());
  EXPECT_EQ(State("api"), WorkerState::kStopping);  // now the Command change applies
}

TEST_F(SupervisorTest, InvalidNewWorkerIsListedStoppedWithItsError) {
  raw_.workers["broken"].values["Command"] = config::RawValue::Dword(1);
  Add("fine");
  Apply();
  EXPECT_EQ(State("broken"), WorkerState::kStopped);
  EXPECT_EQ(Status("broken").reason, Reason::kConfigError);
  EXPECT_EQ(Describe(Status("broken")),
            "configuration error: Workers\\broken\\Command: expected a REG_SZ or REG_EXPAND_SZ of "
            "1 to 32767 "
            "characters, found REG_DWORD 1");
  EXPECT_EQ(State("fine"), WorkerState::kStarting);
  raw_.workers["broken"].values["Command"] = config::RawValue::String("fixed.exe");
  Apply();
  EXPECT_EQ(State("broken"), WorkerState::kStarting);
}

TEST_F(SupervisorTest, DisablingAWorkerStopsItAndEnablingStartsIt) {
  Add("api");
  Apply();
  RunUntilRunning("api");
  raw_.workers["api"].values["Enabled"] = config::RawValue::Dword(0);
  Apply();
  EXPECT_EQ(State("api"), WorkerState::kStopping);
  Exit("api", 0);
  EXPECT_EQ(State("api"), WorkerState::kStopped);
  raw_.workers["api"].values["Enabled"] = config::RawValue::Dword(1);
  Apply();
  EXPECT_EQ(State("api"), WorkerState::kStarting);
}

// --- events -----------------------------------------------------------------------------------

TEST_F(SupervisorTest, EveryTransitionIsAnEventWithItsReason) {
  Add("api");
  Apply();
  RunUntilRunning("api");
  Exit("api", 3);
  std::vector<std::string> lines;
  for (const engine::Event& event : events_.events) {
    if (event.kind == EventKind::kTransition) lines.push_back(event.ToLogLine());
  }
  EXPECT_EQ(lines,
            (std::vector<std::string>{
                "worker transition name=api from=STOPPED to=STARTING pid=1000",
                "worker transition name=api from=STARTING to=RUNNING pid=1000",
                "worker transition name=api from=RUNNING to=BACKOFF reason=exited pid=1000 code=3 "
                "message=\"restart in 1.0s\""}));
  EXPECT_EQ(supervisor_->RecentEvents("api").size(),
            4u);  // the config event "added" and the three transitions
}

TEST(EventRingTest, KeepsOnlyTheNewest) {
  EventRing ring(3);
  for (int i = 0; i < 5; ++i) {
    engine::Event event;
    event.pid = static_cast<std::uint32_t>(i);
    ring.Push(event);
  }
  ASSERT_EQ(ring.events().size(), 3u);
  EXPECT_EQ(ring.events().front().pid, 2u);
  EXPECT_EQ(ring.events().back().pid, 4u);
}

}  // namespace
}  // namespace sup::engine
