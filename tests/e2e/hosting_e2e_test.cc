// Worker hosting end to end: supd.exe as a service in the session's Wine prefix, workers
// (testworker.exe) configured in the registry, driven with supctl.exe and the control pipe.
#include <windows.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "free_port.h"
#include "process_runner.h"

#include "common/win/unique_handle.h"
#include "common/win/win32_error.h"
#include "supd_service.h"
#include "wait_until.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;
using sup::v1::WorkerStatus;
using testing::Contains;
using testing::ProcessGone;
using testing::SupdService;
using testing::WaitUntil;

using testing::IsRunning;

void KillProcess(DWORD pid) {
  UniqueHandle process{::OpenProcess(PROCESS_TERMINATE, FALSE, pid)};
  ASSERT_TRUE(process) << Win32ErrorText(::GetLastError());
  ASSERT_TRUE(::TerminateProcess(process.get(), 9));
}

TEST(HostingE2eTest, ConfiguredWorkersRunAndAKilledOneComesBack) {
  SupdService supd("run");
  supd.AddWorker("alpha", {});
  supd.AddWorker("beta", {"--print-every", "100"});
  supd.AddWorker("gamma", {});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  for (const std::string name : {"alpha", "beta", "gamma"})
    ASSERT_TRUE(supd.WaitForWorker(name, IsRunning)) << name;
  EXPECT_EQ(supd.Supctl({"status"}).exit_code, 0u);

  const std::uint32_t old_pid = supd.WorkerOrFail("alpha").pid();
  KillProcess(old_pid);
  std::optional<WorkerStatus> back = supd.WaitForWorker("alpha", [&](const WorkerStatus& w) {
    return IsRunning(w) && w.pid() != old_pid && w.pid() != 0;
  });
  ASSERT_TRUE(back);
  EXPECT_EQ(back->restarts(), 1u);
  EXPECT_EQ(back->last_exit_code(), 9);
  EXPECT_EQ(supd.WorkerOrFail("beta").restarts(), 0u);
}

TEST(HostingE2eTest, CrashLoopEndsInFailed) {
  SupdService supd("crashloop");
  supd.AddWorker("crasher", {"--crash-after", "0"});
  supd.SetDword("crasher", "MaxFailures", 3);
  supd.SetDword("crasher", "BackoffInitialMs", 50);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  std::optional<WorkerStatus> failed = supd.WaitForWorker(
      "crasher", [](const WorkerStatus& w) { return w.state() == WorkerStatus::FAILED; });
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->reason(), WorkerStatus::BREAKER_OPEN);
  EXPECT_EQ(failed->last_exit_code(), 0xC0000005);
  EXPECT_EQ(failed->restarts(), 2u);
  EXPECT_EQ(supd.Supctl({"status"}).exit_code, 3u);  // not every worker is running
}

TEST(HostingE2eTest, RestartKillsTheWorkersGrandchildren) {
  SupdService supd("grandchild");
  const std::string pid_file = testing::TempPath("grandchild.pid");
  supd.AddWorker("parent", {"--grandchild", pid_file});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("parent", IsRunning));
  const DWORD grandchild = testing::ReadPidFile(pid_file);
  ASSERT_NE(grandchild, 0u);
  const std::uint32_t old_pid = supd.WorkerOrFail("parent").pid();

  const testing::ProcessOutput restart = supd.Supctl({"restart", "parent"});
  EXPECT_EQ(restart.exit_code, 0u) << restart.err;
  EXPECT_EQ(restart.out, "parent: restarted\n");
  EXPECT_TRUE(ProcessGone(grandchild, 15s));
  EXPECT_TRUE(supd.WaitForWorker(
      "parent", [&](const WorkerStatus& w) { return IsRunning(w) && w.pid() != old_pid; }));
}

TEST(HostingE2eTest, KillingSupdKillsEveryWorkerAndGrandchild) {
  SupdService supd("supdkill");
  const std::string pid_file = testing::TempPath("orphan.pid");
  supd.AddWorker("parent", {"--grandchild", pid_file});
  supd.AddWorker("plain", {});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("parent", IsRunning));
  ASSERT_TRUE(supd.WaitForWorker("plain", IsRunning));
  const DWORD grandchild = testing::ReadPidFile(pid_file);
  const DWORD parent = supd.WorkerOrFail("parent").pid();
  const DWORD plain = supd.WorkerOrFail("plain").pid();
  ASSERT_NE(grandchild, 0u);
  ASSERT_NE(parent, 0u);
  ASSERT_NE(plain, 0u);

  KillProcess(supd.ServicePid());  // the kernel closes supd's job handles: KILL_ON_JOB_CLOSE
  EXPECT_TRUE(ProcessGone(parent, 15s));
  EXPECT_TRUE(ProcessGone(plain, 15s));
  EXPECT_TRUE(ProcessGone(grandchild, 15s));
}

TEST(HostingE2eTest, StopStepsEndWithTheWorkersOwnExitOrATerminate) {
  SupdService supd("stopsteps");
  supd.AddWorker("polite", {"--stop-event-code", "5"});
  supd.SetMultiString("polite", "StopSteps", {"event", "terminate"});
  supd.AddWorker("gui", {"--window"});
  supd.SetMultiString("gui", "StopSteps", {"close", "terminate"});
  supd.AddWorker("stubborn", {"--ignore-stop"});
  supd.SetDword("stubborn", "StopTimeoutMs", 1500);
  supd.SetString("gui", "StdoutLog", testing::TempPath("stopsteps-gui.out.log"));
  ASSERT_SUPD_OK(supd.InstallAndStart());
  for (const std::string name : {"polite", "gui", "stubborn"})
    ASSERT_TRUE(supd.WaitForWorker(name, IsRunning)) << name;
  // RUNNING is not "has its window": a close step before that would end it by WM_QUIT alone.
  ASSERT_TRUE(WaitUntil(
      [&] {
        return supd.Supctl({"logs", "gui"}).out.find("window ready") != std::string::npos;
      },
      20s));

  const testing::ProcessOutput stop = supd.Supctl({"stop", "polite", "gui"});
  EXPECT_EQ(stop.out, "polite: stopping\ngui: stopping\n");
  std::optional<WorkerStatus> polite = supd.WaitForWorker(
      "polite", [](const WorkerStatus& w) { return w.state() == WorkerStatus::STOPPED; });
  ASSERT_TRUE(polite);
  EXPECT_EQ(polite->last_exit_code(), 5);  // its own exit code: the stop event reached it
  std::optional<WorkerStatus> gui = supd.WaitForWorker(
      "gui", [](const WorkerStatus& w) { return w.state() == WorkerStatus::STOPPED; });
  ASSERT_TRUE(gui);
  EXPECT_EQ(gui->last_exit_code(), 3);  // WM_CLOSE reached its window (4: only the WM_QUIT did)

  const auto stop_started = std::chrono::steady_clock::now();
  supd.Supctl({"stop", "stubborn"});
  std::optional<WorkerStatus> stubborn = supd.WaitForWorker(
      "stubborn", [](const WorkerStatus& w) { return w.state() == WorkerStatus::STOPPED; });
  ASSERT_TRUE(stubborn);
  EXPECT_GE(std::chrono::steady_clock::now() - stop_started,
            1400ms);  // ignored every step until terminate
  EXPECT_EQ(stubborn->last_exit_code(), 1);
  EXPECT_EQ(stubborn->reason(), WorkerStatus::OPERATOR);
}

TEST(HostingE2eTest, BadValueKeepsThatWorkerDownAndNamesTheValue) {
  SupdService supd("badvalue");
  supd.AddWorker("good", {});
  supd.AddWorker("bad", {});
  supd.SetString("bad", "StopTimeoutMs", "ten seconds");
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("good", IsRunning));
  std::optional<WorkerStatus> bad = supd.Worker("bad");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->state(), WorkerStatus::STOPPED);
  EXPECT_EQ(bad->reason(), WorkerStatus::CONFIG_ERROR);
  EXPECT_NE(bad->description().find("StopTimeoutMs: expected a REG_DWORD or REG_QWORD"),
            std::string::npos)
      << bad->description();
  EXPECT_NE(bad->description().find("found REG_SZ \"ten seconds\""), std::string::npos)
      << bad->description();
  const testing::ProcessOutput start = supd.Supctl({"start", "bad"});
  EXPECT_EQ(start.exit_code, 1u);
  EXPECT_NE(start.out.find("bad: ERROR (disabled by a configuration error"), std::string::npos)
      << start.out;
}

TEST(HostingE2eTest, RegistryChangesApplyLiveThroughTheDiff) {
  SupdService supd("reload");
  supd.AddWorker("changed", {});
  supd.AddWorker("steady", {});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("changed", IsRunning));
  ASSERT_TRUE(supd.WaitForWorker("steady", IsRunning));
  const std::uint32_t changed_pid = supd.WorkerOrFail("changed").pid();
  const std::uint32_t steady_pid = supd.WorkerOrFail("steady").pid();

  // A policy-only change: applied without restarting anything.
  supd.SetDword("steady", "BackoffMaxMs", 30000);
  ASSERT_TRUE(WaitUntil(
      [&] {
        const std::optional<sup::v1::StatusResponse> status = supd.Status();
        return status && status->daemon().config_generation() >= 2;
      },
      10s));
  EXPECT_EQ(supd.WorkerOrFail("steady").pid(), steady_pid);
  EXPECT_EQ(supd.WorkerOrFail("changed").pid(), changed_pid);

  // A Command change: that worker restarts, the other keeps running.
  supd.SetString("changed", "Command", testing::TestWorkerCommand({"--print-every", "1000"}));
  ASSERT_TRUE(supd.WaitForWorker(
      "changed", [&](const WorkerStatus& w) { return IsRunning(w) && w.pid() != changed_pid; }));
  EXPECT_EQ(supd.WorkerOrFail("steady").pid(), steady_pid);
}

TEST(HostingE2eTest, FailingLivenessRestartsAndFailingReadinessOnlyFlipsReady) {
  SupdService supd("probes");
  const std::string live_fail = testing::TempPath("live.fail");
  const std::string ready_fail = testing::TempPath("ready.fail");
  std::filesystem::remove(live_fail);  // left by an earlier run that failed half-way
  std::filesystem::remove(ready_fail);
  std::set<int> ports;  // three distinct free ports
  while (ports.size() < 3) ports.insert(testing::FreeTcpPort());
  ASSERT_FALSE(ports.contains(0)) << "no free port";
  auto port = ports.begin();
  const std::string live_port = std::to_string(*port++);
  const std::string ready_port = std::to_string(*port++);
  const std::string nobody_port = std::to_string(*port);
  supd.AddWorker("live", {"--http", live_port, "--fail-file", live_fail});
  supd.SetProbe("live", "Liveness", "http", "http://127.0.0.1:" + live_port + "/healthz", 200, 2);
  supd.AddWorker("ready", {"--http", ready_port, "--fail-file", ready_fail});
  supd.SetProbe("ready", "Readiness", "tcp", "127.0.0.1:" + ready_port, 200, 1);
  supd.SetProbe("ready", "Liveness", "http", "http://127.0.0.1:" + ready_port + "/", 200, 100);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker(
      "live", [](const WorkerStatus& w) { return w.health() == WorkerStatus::HEALTHY; }));
  ASSERT_TRUE(supd.WaitForWorker("ready", [](const WorkerStatus& w) { return w.ready(); }));
  const std::uint32_t live_pid = supd.WorkerOrFail("live").pid();

  ASSERT_NE(live_pid, 0u);

  // The failing probe takes this very process down, says why, and a new one serves once the
  // probe passes again. Observed through the events and the new process, never through a status
  // caught mid-restart (whose reason and pid change as the restart goes on).
  std::ofstream(live_fail) << "fail";
  const std::string taken_down =
      "live  RUNNING -> STOPPING (liveness-failed) pid " + std::to_string(live_pid);
  EXPECT_TRUE(WaitUntil(
      [&] {
        return supd.Supctl({"events", "-n", "200"}).out.find(taken_down) != std::string::npos;
      },
      20s))
      << "no \"" << taken_down << "\" in\n"
      << supd.Supctl({"events", "-n", "200"}).out;
  std::filesystem::remove(live_fail);
  std::optional<WorkerStatus> replaced = supd.WaitForWorker("live", [&](const WorkerStatus& w) {
    return IsRunning(w) && w.health() == WorkerStatus::HEALTHY && w.pid() != live_pid;
  });
  ASSERT_TRUE(replaced);
  EXPECT_GE(replaced->restarts(), 1u);

  // Readiness fails once its target stops answering (a port nobody listens on): the worker
  // only becomes not ready, it is not restarted.
  supd.SetProbe("ready", "Readiness", "tcp", "127.0.0.1:" + nobody_port, 200, 1);
  std::optional<WorkerStatus> unready =
      supd.WaitForWorker("ready", [](const WorkerStatus& w) { return !w.ready(); });
  ASSERT_TRUE(unready);
  EXPECT_EQ(unready->state(), WorkerStatus::RUNNING);
  EXPECT_EQ(unready->restarts(), 0u);
}

// An HTTP probe's endpoint that answers a status line and then a header that never ends (as fast
// as loopback goes): the probe fails at once, saying why, and supd reads no more than 16 KiB of
// each answer, so its memory stays where it was however long the endpoint streams.
TEST(HostingE2eTest, AnEndlessHttpAnswerFailsTheProbeAndLeavesSupdsMemoryBounded) {
  SupdService supd("endlesshttp");
  const int port = testing::FreeTcpPort();
  ASSERT_NE(port, 0) << "no free port";
  supd.AddWorker("endless", {"--http", std::to_string(port), "--http-endless"});
  supd.SetProbe("endless", "Readiness", "http", "http://127.0.0.1:" + std::to_string(port) + "/",
                100, 1);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  // The longest run of failures folded into one event so far.
  const auto failures = [&] {
    const std::string events = supd.Supctl({"events", "-n", "200"}).out;
    const std::regex folded("endless  readiness probe failed (\\d+) times in a row");
    int most = events.find("endless  readiness probe failed") != std::string::npos ? 1 : 0;
    for (auto match = std::sregex_iterator(events.begin(), events.end(), folded);
         match != std::sregex_iterator(); ++match) {
      most = std::max(most, std::stoi((*match)[1].str()));
    }
    return most;
  };
  ASSERT_TRUE(WaitUntil([&] { return failures() >= 3; }, 20s))
      << supd.Supctl({"events", "-n", "200"}).out;
  EXPECT_TRUE(
      Contains(supd.Supctl({"events", "-n", "200"}).out, "status line and headers pass 16 KiB"))
      << supd.Supctl({"events", "-n", "200"}).out;
  const std::size_t before = supd.PrivateBytes();
  ASSERT_GT(before, 0u) << "supd's memory could not be read: the bound below would prove nothing";
  ASSERT_TRUE(WaitUntil([&] { return failures() >= 30; }, 30s));
  const std::size_t after = supd.PrivateBytes();
  std::printf("supd private bytes: %zu before, %zu after 27 more endless answers\n", before, after);
  EXPECT_LT(after, before + 8 * 1024 * 1024);
  EXPECT_FALSE(supd.WorkerOrFail("endless").ready());
}

// The two probe types that need no network: an exec probe is its command's exit code, a pipe
// probe is whether the worker serves the named pipe. Each is seen to pass and to fail, and a pipe
// served by another process (one that created the name first) fails the probe: it does not make
// a worker that serves nothing look ready.
TEST(HostingE2eTest, ExecAndPipeProbesDecideReadiness) {
  SupdService supd("execpipe");
  const std::string unready_file = testing::TempPath("execpipe.unready");
  std::filesystem::remove(unready_file);
  const std::string served_pipe = supd.name() + "-served";
  supd.AddWorker("exec", {});
  supd.SetProbe("exec", "Readiness", "exec",
                testing::TestWorkerCommand({"--exit-if-exists", unready_file}), 200, 1);
  supd.AddWorker("pipe", {"--serve-pipe", served_pipe});
  supd.SetProbe("pipe", "Readiness", "pipe", served_pipe, 200, 1);
  supd.AddWorker("nopipe", {});
  supd.SetProbe("nopipe", "Readiness", "pipe", supd.name() + "-nobody", 200, 1);
  supd.AddWorker("squatted", {});  // probes the pipe the worker "pipe" serves
  supd.SetProbe("squatted", "Readiness", "pipe", served_pipe, 200, 1);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  const auto ready = [](const WorkerStatus& w) { return IsRunning(w) && w.ready(); };
  ASSERT_TRUE(supd.WaitForWorker("exec", ready));
  ASSERT_TRUE(supd.WaitForWorker("pipe", ready)) << supd.Supctl({"events", "-n", "200"}).out;
  const auto events_show = [&](const std::string& text) {
    return WaitUntil([&] { return Contains(supd.Supctl({"events", "-n", "200"}).out, text); }, 20s);
  };
  // Not ready because the probe ran and failed, not because it never ran.
  EXPECT_TRUE(events_show("nopipe  readiness probe failed"))
      << supd.Supctl({"events", "-n", "200"}).out;
  EXPECT_FALSE(supd.WorkerOrFail("nopipe").ready());
  EXPECT_TRUE(events_show("which is not one of the worker's processes"))
      << supd.Supctl({"events", "-n", "200"}).out;
  EXPECT_FALSE(supd.WorkerOrFail("squatted").ready());

  const std::uint32_t exec_pid = supd.WorkerOrFail("exec").pid();
  std::ofstream(unready_file) << "unready";
  std::optional<WorkerStatus> unready =
      supd.WaitForWorker("exec", [](const WorkerStatus& w) { return !w.ready(); });
  ASSERT_TRUE(unready);
  EXPECT_EQ(unready->pid(), exec_pid);  // readiness never restarts
  EXPECT_TRUE(WaitUntil(
      [&] {
        return supd.Supctl({"describe", "exec"}).out.find("exit code 1") != std::string::npos;
      },
      20s))
      << supd.Supctl({"describe", "exec"}).out;
  std::filesystem::remove(unready_file);
  EXPECT_TRUE(supd.WaitForWorker("exec", ready));
}

TEST(HostingE2eTest, ServiceStopWithTenWorkersLeavesNoProcess) {
  SupdService supd("tenstop");
  for (int i = 0; i < 10; ++i) {
    supd.AddWorker("w" + std::to_string(i), i % 2
                                                ? std::vector<std::string>{"--ignore-stop"}
                                                : std::vector<std::string>{"--print-every", "500"});
  }
  for (int i = 1; i < 10; i += 2) supd.SetDword("w" + std::to_string(i), "StopTimeoutMs", 1000);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  std::vector<DWORD> pids;
  for (int i = 0; i < 10; ++i) {
    std::optional<WorkerStatus> worker = supd.WaitForWorker("w" + std::to_string(i), IsRunning);
    ASSERT_TRUE(worker);
    ASSERT_NE(worker->pid(), 0u);
    pids.push_back(worker->pid());
  }
  ASSERT_SUPD_OK(supd.Stop());
  for (DWORD pid : pids) EXPECT_TRUE(ProcessGone(pid, 0ms)) << pid;
}

// WorkingDirectory and Priority as the worker sees them (its own report of its current folder and
// priority class), and a WorkingDirectory that does not exist refused at start, naming it.
TEST(HostingE2eTest, AWorkerRunsInItsWorkingDirectoryAtItsPriority) {
  SupdService supd("place");
  const std::string folder = testing::TempPath("place-folder");
  std::filesystem::create_directories(folder);
  supd.AddWorker("placed", {"--print-place"});
  supd.SetString("placed", "StdoutLog", testing::TempPath("placed.out.log"));
  supd.SetString("placed", "WorkingDirectory", folder);
  supd.SetString("placed", "Priority", "below-normal");
  supd.AddWorker("lost", {});
  supd.SetString("lost", "WorkingDirectory", folder + "\\no-such-folder");
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("placed", IsRunning));
  std::string logs;
  EXPECT_TRUE(WaitUntil(
      [&] {
        logs = supd.Supctl({"logs", "placed", "-n", "10"}).out;
        return Contains(logs, "priority 0x");
      },
      20s))
      << logs;
  EXPECT_TRUE(Contains(logs, "cwd " + folder + "\n")) << logs;
  EXPECT_TRUE(Contains(logs, "priority 0x4000\n")) << logs;  // BELOW_NORMAL_PRIORITY_CLASS

  const std::optional<WorkerStatus> lost = supd.WaitForWorker("lost", [](const WorkerStatus& w) {
    return w.restarts() > 0 || w.state() == WorkerStatus::FAILED;
  });
  ASSERT_TRUE(lost);
  EXPECT_NE(lost->state(), WorkerStatus::RUNNING);
  const std::string described = supd.Supctl({"describe", "lost"}).out;
  EXPECT_TRUE(Contains(described, "no-such-folder")) << described;
}

}  // namespace
}  // namespace sup::win
