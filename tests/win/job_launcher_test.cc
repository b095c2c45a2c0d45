// JobLauncher against real processes (testworker.exe) and real job objects, under Wine.
#include "daemon/engine/win/job_launcher.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "common/command_line.h"
#include "common/win/pipe_client.h"
#include "daemon/output/win/output_capture.h"
#include "common/win/text.h"
#include "daemon/control/win/resource_sampler.h"
#include "process_runner.h"
#include "wait_until.h"
#include "job_launcher_fixture.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;
using testing::ExecutableDirectory;
using testing::WaitUntil;

TEST_F(JobLauncherTest, ReportsTheWorkersOwnExitCode) {
  const std::uint32_t pid = Launch("exiter", {"--exit-after", "0", "--exit-code", "7"});
  EXPECT_EQ(WaitForExit(pid), 7);
}

TEST_F(JobLauncherTest, ReportsACrashAsAnAccessViolation) {
  const std::uint32_t pid = Launch("crasher", {"--crash-after", "0"});
  EXPECT_EQ(WaitForExit(pid), 0xC0000005);
}

TEST_F(JobLauncherTest, KillTakesTheGrandchildrenWithIt) {
  const std::string pid_file = testing::TempPath("grandchild.pid");
  const std::uint32_t pid = Launch("parent", {"--grandchild", pid_file});
  const DWORD grandchild = testing::ReadPidFile(pid_file);
  ASSERT_NE(grandchild, 0u);
  EXPECT_FALSE(ProcessGone(grandchild, 0ms));
  OnIo([&] { launcher_->Kill("parent"); });
  EXPECT_EQ(WaitForExit(pid), 1);
  EXPECT_TRUE(ProcessGone(grandchild, 10s));
}

TEST_F(JobLauncherTest, ExitOfTheWorkerEndsWhatItLeftInItsJob) {
  const std::string pid_file = testing::TempPath("orphan.pid");
  const std::uint32_t pid = Launch("leaver", {"--grandchild", pid_file, "--exit-after", "300"});
  const DWORD grandchild = testing::ReadPidFile(pid_file);
  ASSERT_NE(grandchild, 0u);
  EXPECT_EQ(WaitForExit(pid), 0);
  EXPECT_TRUE(ProcessGone(grandchild, 10s));  // a restart never meets its old grandchildren
}

TEST_F(JobLauncherTest, StopEventStepReachesTheWorker) {
  const std::uint32_t pid = Launch("polite", {"--stop-event-code", "5"});
  OnIo([&] { launcher_->RequestStop("polite", StopStep::kEvent); });
  EXPECT_EQ(WaitForExit(pid), 5);
}

TEST_F(JobLauncherTest, CloseStepClosesAMessageLoopWorker) {
  LaunchConfig launch = Worker({"--window"});
  launch.stdout_log = testing::TempPath("gui.out.log");
  launch.log_max_bytes = 1024 * 1024;
  const std::uint32_t pid = *Start("gui", launch);
  ASSERT_NE(pid, 0u);
  // Before its window exists the step's WM_QUIT alone would end the worker (with 4), which
  // proves nothing about WM_CLOSE.
  ASSERT_TRUE(WaitForOutputLine("gui", "window ready"));
  OnIo([&] { launcher_->RequestStop("gui", StopStep::kClose); });
  EXPECT_EQ(WaitForExit(pid), 3) << "3: WM_CLOSE reached the window";
}

// One Ctrl+C, as supd sends one: the worker says it is ready once its console handler is in place
// (the line after SetConsoleCtrlHandler), then gets exactly one. A lost Ctrl+C fails here; it
// used to be re-sent for 10 s, which hid one.
TEST_F(JobLauncherTest, CtrlCStepReachesTheWorkersConsoleHandler) {
  const std::uint32_t pid = LaunchReady("console", {"--ctrl-c-code", "4"});
  ASSERT_NE(pid, 0u);
  OnIo([&] { launcher_->RequestStop("console", StopStep::kCtrlC); });
  EXPECT_EQ(WaitForExit(pid), 4);
}

// Regression: supd once set "ignore Ctrl+C" on itself to survive its own event, and Windows
// passes that attribute on to child processes, so workers launched after the first Ctrl+C
// ignored theirs.
TEST_F(JobLauncherTest, CtrlCStillReachesWorkersLaunchedAfterAnEarlierOne) {
  for (const std::string worker : {"first", "second"}) {
    const std::uint32_t pid = LaunchReady(worker, {});  // the system's default Ctrl+C handling
    ASSERT_NE(pid, 0u) << worker;
    OnIo([&] { launcher_->RequestStop(worker, StopStep::kCtrlC); });
    EXPECT_TRUE(WaitForExit(pid).has_value()) << worker << " ignored its one Ctrl+C";
  }
}

TEST_F(JobLauncherTest, WorkerThatIgnoresSoftStepsOnlyDiesWhenKilled) {
  LaunchConfig launch = Worker({"--ignore-stop", "--window"});
  launch.stdout_log = testing::TempPath("stubborn.out.log");
  launch.log_max_bytes = 1024 * 1024;
  const std::uint32_t pid = *Start("stubborn", launch);
  ASSERT_NE(pid, 0u);
  ASSERT_TRUE(WaitForOutputLine("stubborn", "window ready"));
  // Each step reaches the worker, which says so and goes on: the proof the step was delivered
  // and ignored, not merely that nothing happened for a while.
  const std::pair<StopStep, std::string> steps[] = {{StopStep::kEvent, "ignored stop event"},
                                                    {StopStep::kCtrlC, "ignored ctrl-c"},
                                                    {StopStep::kClose, "ignored close"}};
  for (const auto& [step, line] : steps) {
    OnIo([&] { launcher_->RequestStop("stubborn", step); });
    EXPECT_TRUE(WaitForOutputLine("stubborn", line)) << line;
  }
  EXPECT_FALSE(WaitForExit(pid, 0ms).has_value()) << "a soft step ended a worker that ignores them";
  OnIo([&] { launcher_->Kill("stubborn"); });
  EXPECT_EQ(WaitForExit(pid), 1);
}

TEST_F(JobLauncherTest, WorkerGetsAConsoleOnlyWhenItsStopStepsNeedOne) {
  LaunchConfig launch = Worker({"--exit-with-console-state"});
  const std::uint32_t with_console = *Start("with", launch);
  EXPECT_EQ(WaitForExit(with_console), 1);
  launch.own_console = false;
  const std::uint32_t without_console = *Start("without", launch);
  EXPECT_EQ(WaitForExit(without_console), 0);
}

TEST_F(JobLauncherTest, OutputOfAWorkerWithoutAConsoleIsCaptured) {
  LaunchConfig launch = Worker({"--flood", "10", "--line-bytes", "40"});
  launch.own_console = false;
  launch.stdout_log = testing::TempPath("detached.out.log");
  launch.stderr_log = "";
  launch.log_max_bytes = 1024 * 1024;
  const std::uint32_t pid = *Start("detached", launch);
  EXPECT_EQ(WaitForExit(pid), 0);
  EXPECT_TRUE(WaitUntil(
      [&] {
        return OnIo([&] {
          const OutputCapture* out = launcher_->output().CaptureOf("detached", false);
          return out && out->writer().Tail(100).size() == 10;
        });
      },
      10s));
}

TEST_F(JobLauncherTest, MissingProgramIsASpawnErrorNamingTheCommand) {
  LaunchConfig launch;
  launch.command = "C:\\no\\such\\program.exe --flag";
  Result<std::uint32_t> pid = Start("missing", launch);
  ASSERT_FALSE(pid.ok());
  EXPECT_NE(pid.error().message().find("starting \"C:\\no\\such\\program.exe --flag\""),
            std::string::npos)
      << pid.error().message();
}

// Wine accepts job memory limits but neither enforces them nor reports them back (a query
// returns zeroes), so this checks the structure the launcher hands to SetInformationJobObject;
// only real Windows shows a worker over its limit being stopped.
TEST(JobLimitsTest, KillOnCloseAlwaysAndTheMemoryLimitWhenConfigured) {
  LaunchConfig launch;
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = JobLimitsFor(launch);
  EXPECT_EQ(limits.BasicLimitInformation.LimitFlags,
            static_cast<DWORD>(JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE));
  launch.memory_limit_mb = 64;
  limits = JobLimitsFor(launch);
  EXPECT_EQ(limits.BasicLimitInformation.LimitFlags,
            static_cast<DWORD>(JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_JOB_MEMORY));
  EXPECT_EQ(limits.JobMemoryLimit, 64u * 1024 * 1024);
  // ActiveProcessLimit: Wine does not enforce it either (a worker limited to 1 starts another).
  launch.active_process_limit = 1;
  limits = JobLimitsFor(launch);
  EXPECT_EQ(limits.BasicLimitInformation.LimitFlags,
            static_cast<DWORD>(JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_JOB_MEMORY |
                               JOB_OBJECT_LIMIT_ACTIVE_PROCESS));
  EXPECT_EQ(limits.BasicLimitInformation.ActiveProcessLimit, 1u);
}

TEST_F(JobLauncherTest, WorkerWithLimitsRuns) {
  LaunchConfig launch = Worker({});
  launch.memory_limit_mb = 64;
  launch.cpu_rate_percent = 50;  // refused by Wine: logged, the worker runs without the cap
  Result<std::uint32_t> pid = Start("limited", launch);
  ASSERT_TRUE(pid.ok()) << pid.error().message();
  OnIo([&] { launcher_->Kill("limited"); });
  EXPECT_TRUE(WaitForExit(*pid).has_value());
}

// Only real Windows enforces MemoryLimitMB and posts JOB_OBJECT_MSG_JOB_MEMORY_LIMIT when a job
// reaches it; here the test posts that message to the launcher's port as the kernel would (key:
// the launch, "overlapped": the allocating process's id) and sees it reported for the worker's
// process, while other messages, other keys and earlier launches are not.
TEST_F(JobLauncherTest, AJobReachingItsMemoryLimitIsReportedForTheWorkersProcess) {
  EXPECT_EQ(OnIo([&] { return launcher_->MemoryLimitPort(); }),
            nullptr);  // nothing watched without a limit
  const std::uint32_t unlimited = Launch("unlimited", {});
  ASSERT_NE(unlimited, 0u);
  EXPECT_EQ(OnIo([&] { return launcher_->MemoryLimitPort(); }), nullptr);
  LaunchConfig launch = Worker({});
  launch.memory_limit_mb = 64;
  auto launch_limited = [&] {
    Result<std::uint32_t> pid = Start("limited", launch);
    EXPECT_TRUE(pid.ok()) << pid.error().message();
    return pid.ok() ? *pid : 0u;
  };
  const std::uint32_t first = launch_limited();
  const std::uint32_t second = launch_limited();  // the first one's job is gone
  ASSERT_NE(second, 0u);
  const HANDLE port = OnIo([&] { return launcher_->MemoryLimitPort(); });
  ASSERT_NE(port, nullptr);
  const auto post = [&](DWORD message, std::uint64_t launch_number, std::uint32_t pid) {
    ASSERT_TRUE(::PostQueuedCompletionStatus(port, message, static_cast<ULONG_PTR>(launch_number),
                                             reinterpret_cast<OVERLAPPED*>(ULONG_PTR{pid})));
  };
  const std::uint64_t first_launch = 2, second_launch = 3;  // "unlimited" was launch 1
  post(JOB_OBJECT_MSG_NEW_PROCESS, second_launch, second);
  post(JOB_OBJECT_MSG_JOB_MEMORY_LIMIT, first_launch, first);
  post(JOB_OBJECT_MSG_JOB_MEMORY_LIMIT, second_launch, 4242);  // a child of the worker allocated
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::lock_guard lock(mutex_);
        return !memory_limits_.empty();
      },
      10s));
  OnIo([] { return 0; });  // whatever the port had queued before has reached the io thread
  std::lock_guard lock(mutex_);
  EXPECT_EQ(memory_limits_,
            (std::vector<std::pair<std::string, std::uint32_t>>{{"limited", second}}));
}

TEST_F(JobLauncherTest, RelaunchTerminatesThePreviousJob) {
  const std::string pid_file = testing::TempPath("relaunch.pid");
  Launch("again", {"--grandchild", pid_file});
  const DWORD grandchild = testing::ReadPidFile(pid_file);
  ASSERT_NE(grandchild, 0u);
  Launch("again", {});
  EXPECT_TRUE(ProcessGone(grandchild, 10s));
}

// A worker that exits by itself leaves a grandchild in its job: the job is emptied before the
// exit is reported, so a restart (with no backoff) never meets the grandchild still dying with
// the worker's port.
// A worker's resources from its job: a worker that writes 100 MB shows a working set above that,
// one that keeps a CPU busy shows CPU time, and its child counts as a process of the job. Under
// Wine job accounting fails, so CPU comes from the threads' times and the count from the job's
// process list; private bytes and handles are 0 there (Wine reports none for another process),
// which only real Windows shows.
TEST_F(JobLauncherTest, ResourcesOfAWorkerComeFromItsWholeJob) {
  const std::string grandchild = testing::TempPath("resources-grandchild.pid");
  ::DeleteFileW(Widen(grandchild).c_str());
  ASSERT_NE(Launch("heavy", {"--touch-mb", "100", "--busy-ms", "400", "--grandchild", grandchild}),
            0u);
  ResourceSampler sampler(*launcher_);
  control::ResourceSample sample;
  const bool measured = WaitUntil(
      [&] {
        std::map<std::string, control::ResourceSample> samples = OnIo([&] {
          return sampler.Sample({"heavy", "absent"});
        });
        if (samples.size() != 1 || !samples.contains("heavy")) return false;
        sample = samples["heavy"];
        // What MemoryRestartMB is checked against: the same figure.
        const std::optional<std::uint64_t> working_set =
            OnIo([&] { return launcher_->WorkingSetBytes("heavy"); });
        return working_set && *working_set >= (100u << 20) &&
               sample.working_set_bytes >= (100u << 20) &&
               sample.cpu_user + sample.cpu_kernel >= 300ms && sample.processes >= 2;
      },
      20s);
  EXPECT_TRUE(measured) << "working set " << sample.working_set_bytes << ", cpu "
                        << (sample.cpu_user + sample.cpu_kernel).count() << " ns, processes "
                        << sample.processes;
  EXPECT_EQ(sample.launch, 1u);
  EXPECT_LE(sample.launched_at, std::chrono::steady_clock::now());
  OnIo([&] {
    launcher_->Kill("heavy");
    return 0;
  });
}

// A worker sampled in its first moments never shows more CPU than its life could hold on this
// machine's processors. Under Wine 8 a process too young to have told Wine's server its Unix pid
// reports the CPU time of the process that asks (measured: every sample in a worker's first 10 ms
// read exactly this process's CPU); this test's process burns some first, so that figure cannot
// pass for the worker's.
TEST_F(JobLauncherTest, ANewWorkersFirstSamplesShowOnlyItsOwnCpu) {
  SYSTEM_INFO system{};
  ::GetSystemInfo(&system);
  const double processors = system.dwNumberOfProcessors;
  const ULONGLONG busy_until = ::GetTickCount64() + 400;
  for (volatile unsigned spins = 0; ::GetTickCount64() < busy_until;) spins = spins + 1;
  for (int round = 0; round < 5; ++round) {
    const std::string name = "young" + std::to_string(round);
    ASSERT_NE(Launch(name, {}), 0u);
    ResourceSampler sampler(*launcher_);
    const auto samples = OnIo([&] { return sampler.Sample({name}); });
    ASSERT_TRUE(samples.contains(name));
    const control::ResourceSample& sample = samples.at(name);
    // Its life counted from a little before the start was reported: CreateProcess takes up to
    // some tens of milliseconds under Wine.
    const double life =
        std::chrono::duration<double>(sample.sampled_at - sample.launched_at).count() + 0.05;
    const double cpu = std::chrono::duration<double>(sample.cpu_user + sample.cpu_kernel).count();
    EXPECT_LE(cpu, life * processors)
        << "round " << round << ": " << cpu << " s of CPU in " << life << " s of life";
    OnIo([&] {
      launcher_->Kill(name);
      return 0;
    });
  }
}

TEST_F(JobLauncherTest, AnExitIsReportedOnlyOnceItsJobIsEmpty) {
  const std::string pid_file = testing::TempPath("leaver.pid");
  const std::uint32_t pid = Launch("leaver", {"--grandchild", pid_file, "--exit-after", "300"});
  const DWORD grandchild = testing::ReadPidFile(pid_file);
  ASSERT_NE(grandchild, 0u);
  ASSERT_TRUE(WaitForExit(pid).has_value());
  EXPECT_TRUE(ProcessGone(grandchild, 0ms));
}

// Reads one log file: every line must be "<stream> <12-digit number> x...x\n" and the numbers
// must continue from `next`; returns false at the first gap or split line.
bool CheckLogLines(const std::string& path, const std::string& stream, long long& next,
                   std::string& problem) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return true;  // a backup that does not exist (yet)
  std::string content((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (!content.empty() && content.back() != '\n') {
    problem = path + " does not end at a line boundary";
    return false;
  }
  std::size_t start = 0;
  while (start < content.size()) {
    const std::size_t end = content.find('\n', start);
    const std::string line = content.substr(start, end - start);
    start = end + 1;
    const long long number = std::atoll(line.substr(stream.size() + 1, 12).c_str());
    if (line.rfind(stream + " ", 0) != 0 || number != next) {
      problem = path + ": expected line " + std::to_string(next) + ", found \"" +
                line.substr(0, 40) + "\"";
      return false;
    }
    ++next;
  }
  return true;
}

// 100 MB printed (50 MB on each of stdout and stderr) through the capture pipes into 4 MiB files
// with 5 backups: the files stay within LogMaxBytes x (LogBackups + 1), no line is split across
// files, and what is kept is a gap-free run of lines ending with the last one printed.
TEST_F(JobLauncherTest, CapturedOutputRotatesAtLineBoundariesAndLosesNothingKept) {
  const std::string directory = testing::TempPath("logs");
  constexpr long long kLines = 500'000;  // 100 bytes each: 50 MB per stream, 100 MB in all
  LaunchConfig launch = Worker({"--flood", std::to_string(kLines), "--line-bytes", "100"});
  launch.stdout_log = directory + "\\flood.out.log";
  launch.stderr_log = directory + "\\flood.err.log";
  launch.log_max_bytes = 4 * 1024 * 1024;
  launch.log_backups = 5;
  const auto started = std::chrono::steady_clock::now();
  const std::uint32_t pid = *Start("flood", launch);
  // The waits together stay inside the case's CTest timeout (120 s), so a slow flood fails here
  // with the reason, not as a timeout that says nothing. It takes a few seconds under Wine.
  ASSERT_EQ(WaitForExit(pid, 60s), 0);
  // The pipes drain a little after the exit: wait until both tails show the last line.
  const std::string last_out = "out " + std::string(12 - std::to_string(kLines - 1).size(), '0') +
                               std::to_string(kLines - 1);
  ASSERT_TRUE(WaitUntil(
      [&] {
        return OnIo([&] {
          const OutputCapture* out = launcher_->output().CaptureOf("flood", false);
          const OutputCapture* err = launcher_->output().CaptureOf("flood", true);
          if (!out || !err) return false;
          const std::vector<std::string> out_tail = out->writer().Tail(1);
          const std::vector<std::string> err_tail = err->writer().Tail(1);
          return !out_tail.empty() && !err_tail.empty() &&
                 out_tail.back().rfind(last_out, 0) == 0 &&
                 err_tail.back().rfind("err" + last_out.substr(3), 0) == 0;
        });
      },
      30s));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("captured 100 MB in %.2f s: %.1f MB/s\n", seconds, 100.0 / seconds);

  for (const std::string stream : {"out", "err"}) {
    const std::string base = directory + "\\flood." + stream + ".log";
    std::uint64_t total = 0;
    // The backups are named by rotation time, so by name they are oldest first, and the current
    // file ("flood.out.log") sorts after them.
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(Widen(directory))) {
      const std::string name = Narrow(entry.path().filename().wstring());
      if (name.rfind("flood." + stream + ".", 0) == 0)
        files.push_back(Narrow(entry.path().wstring()));
    }
    std::sort(files.begin(), files.end());
    ASSERT_EQ(files.size(), launch.log_backups + 1u) << stream;
    ASSERT_EQ(files.back(), base);
    for (const std::string& file : files) {
      WIN32_FILE_ATTRIBUTE_DATA data{};
      if (::GetFileAttributesExW(Widen(file).c_str(), GetFileExInfoStandard, &data)) {
        total += (static_cast<std::uint64_t>(data.nFileSizeHigh) << 32) | data.nFileSizeLow;
      }
    }
    EXPECT_LE(total, launch.log_max_bytes * (launch.log_backups + 1)) << stream;
    EXPECT_GE(total, launch.log_max_bytes * launch.log_backups) << stream;  // the backups are full
    // The oldest kept file starts somewhere; from there every line follows to the last one.
    std::ifstream oldest(files.front(), std::ios::binary);
    std::string first_line;
    ASSERT_TRUE(std::getline(oldest, first_line)) << files.front();
    long long next = std::atoll(first_line.substr(4, 12).c_str());
    std::string problem;
    for (const std::string& file : files)
      ASSERT_TRUE(CheckLogLines(file, stream, next, problem)) << problem;
    EXPECT_EQ(next, kLines) << stream;
  }
}

// The names of the first design, which anyone could predict and create first: a signalled stop
// event stopped the worker as soon as it started, and a pipe of its output's name took its
// output. Created first under those names now, they change nothing.
TEST_F(JobLauncherTest, ObjectsUnderTheOldPredictableNamesChangeNothing) {
  const std::string old_instance = "test" + std::to_string(::GetCurrentProcessId());
  const UniqueHandle stop{::CreateEventW(
      nullptr, TRUE, TRUE, Widen("Local\\sup-stop-" + old_instance + "-squatted-1").c_str())};
  const UniqueFileHandle output{
      ::CreateNamedPipeW(PipePath("sup-output-" + old_instance + "-squatted-2-out").c_str(),
                         PIPE_ACCESS_INBOUND, PIPE_TYPE_BYTE, 1, 4096, 4096, 0, nullptr)};
  ASSERT_TRUE(stop && output);
  LaunchConfig launch = Worker({"--stop-event-code", "3", "--print-every", "20"});
  launch.stdout_log = testing::TempPath("squatted.log");
  const std::uint32_t pid = *Start("squatted", launch);
  EXPECT_TRUE(WaitForOutputLine("squatted", "tick 3"));  // its output is captured
  EXPECT_FALSE(WaitForExit(pid, 0ms).has_value());       // and nothing stopped it
}

// A worker writes to the pipe named in SUP_NOTIFY_PIPE through sdk/sup_notify.h (compiled as C in
// testworker): each line is reported for the worker's process, in order, the one it starts with
// included (written before the launcher serves the pipe).
TEST_F(JobLauncherTest, WhatAWorkerWritesToItsNotifyPipeIsReportedForItsProcess) {
  LaunchConfig launch =
      Worker({"--notify", "STATUS=warming up", "--notify", "READY=1\\nSTATUS=serving"});
  launch.stdout_log = testing::TempPath("notifying.log");
  launch.log_max_bytes = 1024 * 1024;
  const std::uint32_t pid = *Start("notifying", launch);
  ASSERT_NE(pid, 0u);
  const bool all_came = WaitUntil(
      [&] {
        std::lock_guard lock(mutex_);
        return notified_.size() >= 3;
      },
      10s);
  ASSERT_TRUE(all_came) << "the worker printed: " << OnIo([&] {
    const OutputCapture* out = launcher_->output().CaptureOf("notifying", false);
    std::string lines;
    for (const std::string& line : out ? out->writer().Tail(1000) : std::vector<std::string>{})
      if (!line.starts_with("tick ")) lines += line + " | ";
    return lines;
  });
  std::lock_guard lock(mutex_);
  ASSERT_EQ(notified_.size(), 3u);
  for (const NotifyReport& report : notified_) {
    EXPECT_EQ(report.worker, "notifying");
    EXPECT_EQ(report.pid, pid);
  }
  EXPECT_EQ(notified_[0].message, (NotifyMessage{NotifyKind::kStatus, "warming up"}));
  EXPECT_EQ(notified_[1].message, (NotifyMessage{NotifyKind::kReady, ""}));
  EXPECT_EQ(notified_[2].message, (NotifyMessage{NotifyKind::kStatus, "serving"}));
}

// Only a process in the worker's job may write: this test's own process, which knows the pipe's
// name, is turned away unread and counted, and the worker's own messages still come through.
// (Real Windows also keeps it out by the pipe's descriptor, which lets only SYSTEM,
// Administrators and the worker's SID write; Wine does not enforce descriptors, so the job check
// is what this shows.)
TEST_F(JobLauncherTest, ANotifyPipeTurnsAwayProcessesOutsideTheWorkersJob) {
  LaunchConfig launch = Worker({"--print-env", "SUP_NOTIFY_PIPE", "--beat", "50"});
  launch.stdout_log = testing::TempPath("notify-outsider.log");
  const std::uint32_t pid = *Start("guarded", launch);
  std::string pipe;
  ASSERT_TRUE(WaitUntil(
      [&] {
        return OnIo([&] {
          const OutputCapture* out = launcher_->output().CaptureOf("guarded", false);
          if (!out) return false;
          for (const std::string& line : out->writer().Tail(10)) {
            if (line.starts_with("env SUP_NOTIFY_PIPE=")) pipe = line.substr(20);
          }
          return !pipe.empty();
        });
      },
      10s));
  ASSERT_TRUE(pipe.starts_with("\\\\.\\pipe\\sup-notify-")) << pipe;
  UniqueFileHandle outsider{
      ::CreateFileW(Widen(pipe).c_str(), GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr)};
  ASSERT_TRUE(outsider) << ::GetLastError();
  DWORD written = 0;
  ::WriteFile(outsider.get(), "STATUS=hijacked\n", 16, &written, nullptr);
  ASSERT_TRUE(WaitUntil(
      [&] { return OnIo([&] { return launcher_->NotifyRefused("guarded"); }) == 1; }, 10s));
  // The worker's beats still arrive, and nothing the outsider wrote did.
  std::size_t beats_before = 0;
  {
    std::lock_guard lock(mutex_);
    beats_before = notified_.size();
  }
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::lock_guard lock(mutex_);
        return notified_.size() > beats_before + 2;
      },
      10s));
  std::lock_guard lock(mutex_);
  for (const NotifyReport& report : notified_) {
    EXPECT_EQ(report.pid, pid);
    EXPECT_EQ(report.message, (NotifyMessage{NotifyKind::kWatchdog, ""}));
  }
}

// The file keeps the bytes each worker wrote; what is read out (the tail, followers) is UTF-8,
// decoded by the worker's OutputEncoding: "café" printed in code page 1252 and in UTF-8, and
// lines of 64 KiB (kept whole) and of 100 000 bytes (cut into 64 KiB pieces) that reach the
// capture over several reads.
TEST_F(JobLauncherTest, CapturedOutputKeepsTheBytesAndReadsOutAsUtf8) {
  const std::string directory = testing::TempPath("encoding-logs");
  struct Case {
    std::string worker;
    std::vector<std::string> arguments;
    OutputEncoding encoding;
    std::uint64_t file_bytes;
    std::vector<std::size_t> tail_sizes;  // of the lines read out
    std::string file;                     // the bytes expected, when short
  };
  const std::vector<Case> cases = {
      // testworker's stdout is in text mode: its "\n" reaches the pipe as "\r\n".
      {"latin",
       {"--print-hex", "636166e90a"},
       {OutputEncoding::Kind::kCodePage, 1252},
       6,
       {5},
       "caf\xE9\r\n"},
      {"utf8", {"--print-hex", "636166c3a90a"}, {}, 7, {5}, "caf\xC3\xA9\r\n"},
      {"line64k", {"--flood", "2", "--line-bytes", "65537"}, {}, 2 * 65537, {65536, 65536}, ""},
      {"line100k",
       {"--flood", "2", "--line-bytes", "100000"},
       {},
       2 * 100000,
       {65536, 34463, 65536, 34463},
       ""},
  };
  for (const Case& c : cases) {
    LaunchConfig launch = Worker(c.arguments);
    launch.stdout_log = directory + "\\" + c.worker + ".log";
    launch.log_max_bytes = 10 * 1024 * 1024;
    launch.output_encoding = c.encoding;
    const std::uint32_t pid = *Start(c.worker, launch);
    if (c.file.empty()) {  // a flood exits; the others run on
      ASSERT_EQ(WaitForExit(pid), 0) << c.worker;
    }
    ASSERT_TRUE(WaitUntil(
        [&] {
          std::error_code error;
          return std::filesystem::file_size(Widen(launch.stdout_log), error) == c.file_bytes;
        },
        10s))
        << c.worker;
    if (!c.file.empty()) {
      std::ifstream file(launch.stdout_log, std::ios::binary);
      EXPECT_EQ(std::string(std::istreambuf_iterator<char>(file), {}), c.file) << c.worker;
    }
    const std::vector<std::string> tail =
        OnIo([&] { return launcher_->output().CaptureOf(c.worker, false)->writer().Tail(10); });
    std::vector<std::size_t> sizes;
    for (const std::string& line : tail) sizes.push_back(line.size());
    EXPECT_EQ(sizes, c.tail_sizes) << c.worker;
    if (c.file.empty()) continue;
    EXPECT_EQ(tail, std::vector<std::string>{"caf\xC3\xA9"}) << c.worker;
  }
}

// stdout and stderr to one path, as with `2>&1`: one writer keeps the file, so it rotates once
// for both, and every line stays whole although the pipes deliver pieces of 64 KiB that end
// mid-line (the flood writes 65 600-byte blocks on both streams at once).
TEST_F(JobLauncherTest, StdoutAndStderrSharingAFileKeepEveryLineWholeAndInOrder) {
  const std::string directory = testing::TempPath("shared-logs");
  constexpr long long kLines = 50'000;  // 100 bytes each: 5 MB per stream, 10 MB in all
  LaunchConfig launch = Worker({"--flood", std::to_string(kLines), "--line-bytes", "100"});
  launch.stdout_log = directory + "\\both.log";
  launch.stderr_log = directory + "\\BOTH.log";  // the same file, as Windows compares paths
  launch.log_max_bytes = 4 * 1024 * 1024;
  launch.log_backups = 5;
  const std::uint32_t pid = *Start("both", launch);
  ASSERT_EQ(WaitForExit(pid, 120s), 0);
  ASSERT_TRUE(OnIo([&] {
    const OutputCapture* out = launcher_->output().CaptureOf("both", false);
    const OutputCapture* err = launcher_->output().CaptureOf("both", true);
    return out && err && out->log() == err->log();
  }));
  // Everything has been written once the files hold all 10 MB.
  const auto files_in = [&] {
    std::vector<std::string> files;  // oldest first: backups are named by rotation time
    for (const auto& entry : std::filesystem::directory_iterator(Widen(directory)))
      files.push_back(Narrow(entry.path().wstring()));
    std::sort(files.begin(), files.end());
    return files;
  };
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::uint64_t total = 0;
        for (const std::string& file : files_in()) total += std::filesystem::file_size(Widen(file));
        return total == 2 * kLines * 100;
      },
      60s));
  const std::vector<std::string> files = files_in();
  ASSERT_EQ(files.size(), 3u);  // 10 MB in 4 MiB files: two backups and the current file
  long long next_out = 0, next_err = 0;
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_LE(content.size(), launch.log_max_bytes) << file;
    ASSERT_TRUE(content.empty() || content.back() == '\n') << file << " ends mid-line";
    for (std::size_t start = 0; start < content.size();) {
      const std::size_t end = content.find('\n', start);
      const std::string line = content.substr(start, end - start);
      start = end + 1;
      long long& next = line.rfind("out ", 0) == 0 ? next_out : next_err;
      ASSERT_EQ(line.size(), 99u) << file << ": a line that is not whole: " << line.substr(0, 40);
      ASSERT_TRUE(line.rfind("out ", 0) == 0 || line.rfind("err ", 0) == 0) << line.substr(0, 40);
      ASSERT_EQ(std::atoll(line.substr(4, 12).c_str()), next) << file;
      ASSERT_EQ(line.find_first_not_of('x', 17), std::string::npos) << line.substr(0, 40);
      ++next;
    }
  }
  EXPECT_EQ(next_out, kLines);
  EXPECT_EQ(next_err, kLines);
}

// The capture outlives each process of the worker (a `logs -f` goes on across restarts), ends
// when the worker's stream goes to another file (the follower is told), and is released when
// the worker is forgotten: its followers are told, and the file is closed.
TEST_F(JobLauncherTest, ACaptureEndsItsFollowersAndClosesItsFileWhenItsWorkerGoes) {
  const std::string directory = testing::TempPath("lifecycle-logs");
  LaunchConfig launch = Worker({"--print-hex", "6c696e650a", "--exit-after", "0"});  // "line\n"
  launch.stdout_log = directory + "\\first.log";
  launch.stderr_log = "";
  std::vector<std::string> followed;
  int ends = 0;
  const auto run = [&] {
    const std::uint32_t pid = *Start("short", launch);
    ASSERT_EQ(WaitForExit(pid), 0);
  };
  Subscription following;  // made, replaced and cancelled on the io thread, like the lines
  const auto follow = [&] {
    OnIo([&] {
      following = *launcher_->output().Follow(
          "short", control::OutputStream::kStdout,
          [&](const std::vector<std::string>& lines) {
            followed.insert(followed.end(), lines.begin(), lines.end());
          },
          [&] { ++ends; });
      return 0;
    });
  };
  run();
  follow();
  run();  // a restart: the follower sees its line and goes on
  ASSERT_TRUE(WaitUntil([&] { return OnIo([&] { return followed.size() == 1; }); }, 10s));
  EXPECT_EQ(OnIo([&] { return ends; }), 0);

  launch.stdout_log = directory + "\\second.log";  // the stream goes elsewhere
  run();
  EXPECT_EQ(OnIo([&] { return ends; }), 1);
  follow();
  const std::wstring second = Widen(launch.stdout_log);
  // Released: once the last process's pipe has been read to its end, nothing holds the file,
  // so it opens without sharing.
  OnIo([&] {
    launcher_->Forget("short");
    return 0;
  });
  EXPECT_EQ(OnIo([&] { return ends; }), 2);
  EXPECT_EQ(OnIo([&] { return launcher_->output().CaptureOf("short", false); }), nullptr);
  EXPECT_TRUE(WaitUntil(
      [&] {
        UniqueFileHandle exclusive{
            ::CreateFileW(second.c_str(), GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr)};
        return static_cast<bool>(exclusive);
      },
      10s));
  OnIo([&] {
    following.Cancel();
    return 0;
  });
}

}  // namespace
}  // namespace sup::win
