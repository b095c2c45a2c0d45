// The JobLauncher fixture: a launcher on an io_context running on its own thread, as in supd,
// with helpers that launch testworker.exe and wait for what it does.
#pragma once

#include "daemon/engine/win/job_launcher.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "common/command_line.h"
#include "daemon/output/win/output_capture.h"
#include "process_runner.h"
#include "wait_until.h"

namespace sup::win {

struct ExitReport {
  std::string worker;
  std::uint32_t pid;
  std::int64_t code;
};

// A JobLauncher on an io_context running on its own thread, as in supd; calls go through the
// io thread, what it reports is collected for the test thread.
class JobLauncherTest : public ::testing::Test, private engine::LauncherEvents {
 protected:
  JobLauncherTest() {
    launcher_ = std::make_unique<JobLauncher>(
        LogFileWork{io_, files_, inbox_, clock_},
        std::make_shared<spdlog::logger>("test",
                                         std::make_shared<spdlog::sinks::stderr_sink_mt>()));
    launcher_->ReportTo(this);
    io_thread_ = std::thread([this] { io_.run(); });
  }
  template <typename F>
  auto OnIo(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return result.get();
  }

  ~JobLauncherTest() override {
    boost::asio::post(io_, [this] { launcher_.reset(); });
    work_.reset();
    io_thread_.join();
    inbox_.Close();
  }

  static LaunchConfig Worker(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), sup::testing::ExecutableDirectory() + "\\testworker.exe");
    LaunchConfig launch;
    launch.command = JoinWindowsCommandLine(arguments);
    launch.own_console = true;  // as with the default StopSteps, which include ctrl-c
    return launch;
  }

  // Launches `worker` and waits for its start, which goes on on a file worker (kLaunching),
  // to be reported.
  Result<std::uint32_t> Start(const std::string& worker, const LaunchConfig& launch) {
    std::size_t reported = 0;
    Result<engine::LaunchStarted> launched = OnIo([&] {
      std::lock_guard lock(mutex_);
      reported = started_.size();
      return launcher_->Launch(worker, launch);
    });
    if (!launched) return launched.error();
    if (launched->has_value()) return **launched;
    std::optional<Result<std::uint32_t>> outcome;
    sup::testing::WaitUntil(
        [&] {
          std::lock_guard lock(mutex_);
          for (std::size_t i = reported; i < started_.size(); ++i) {
            if (started_[i].first == worker) outcome = started_[i].second;
          }
          return outcome.has_value();
        },
        std::chrono::seconds(10));
    if (!outcome) return Error(ErrorKind::kUnavailable, "the start was never reported");
    return *outcome;
  }
  std::uint32_t Launch(const std::string& worker, std::vector<std::string> arguments) {
    Result<std::uint32_t> pid = Start(worker, Worker(std::move(arguments)));
    EXPECT_TRUE(pid.ok()) << pid.error().message();
    return pid.ok() ? *pid : 0;
  }

  // Launches `worker` with its output captured and waits for the line it prints once its console
  // handler is in place, so that a stop step sent now is one it can receive. 0 if it never
  // said so.
  std::uint32_t LaunchReady(const std::string& worker, std::vector<std::string> arguments) {
    arguments.insert(arguments.end(), {"--print-env", "SUP_TEST_READY"});
    LaunchConfig launch = Worker(std::move(arguments));
    launch.stdout_log = sup::testing::TempPath(worker + "-ready.out.log");
    launch.log_max_bytes = 1024 * 1024;
    Result<std::uint32_t> pid = Start(worker, launch);
    EXPECT_TRUE(pid.ok()) << pid.error().message();
    if (!pid.ok() || !WaitForOutputLine(worker, "env SUP_TEST_READY=")) return 0;
    return *pid;
  }

  // The exit code reported for `pid`, waiting up to `timeout`.
  std::optional<std::int64_t> WaitForExit(
      std::uint32_t pid, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::optional<std::int64_t> code;
    sup::testing::WaitUntil(
        [&] {
          std::lock_guard lock(mutex_);
          for (const ExitReport& report : exits_) {
            if (report.pid == pid) code = report.code;
          }
          return code.has_value();
        },
        timeout);
    return code;
  }

  // Waits until `line` is among the last lines `worker` printed to its captured stdout.
  bool WaitForOutputLine(const std::string& worker, const std::string& line) {
    return sup::testing::WaitUntil(
        [&] {
          return OnIo([&] {
            const OutputCapture* out = launcher_->output().CaptureOf(worker, false);
            if (!out) return false;
            const std::vector<std::string> tail = out->writer().Tail(100);
            return std::find(tail.begin(), tail.end(), line) != tail.end();
          });
        },
        std::chrono::seconds(10));
  }

  static bool ProcessGone(DWORD pid, std::chrono::milliseconds timeout) {
    UniqueHandle process{::OpenProcess(SYNCHRONIZE, FALSE, pid)};
    if (!process) return true;
    return ::WaitForSingleObject(process.get(), static_cast<DWORD>(timeout.count())) ==
           WAIT_OBJECT_0;
  }

  SystemClock clock_;
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  FileWorkers files_;  // the workers' log files are written here
  IoInbox inbox_{io_};
  std::unique_ptr<JobLauncher> launcher_;
  std::thread io_thread_;
  std::mutex mutex_;
  std::vector<ExitReport> exits_;
  std::vector<std::pair<std::string, Result<std::uint32_t>>> started_;  // what OnLaunched said
  std::vector<std::pair<std::string, std::uint32_t>> memory_limits_;    // what OnMemoryLimit said
  struct NotifyReport {
    std::string worker;
    std::uint32_t pid;
    NotifyMessage message;
  };
  std::vector<NotifyReport> notified_;  // what OnNotify said

 private:
  void OnLaunched(const std::string& worker, Result<std::uint32_t> pid) override {
    std::lock_guard lock(mutex_);
    started_.emplace_back(worker, std::move(pid));
  }
  void OnExit(const std::string& worker, std::uint32_t pid, std::int64_t code) override {
    std::lock_guard lock(mutex_);
    exits_.push_back({worker, pid, code});
  }
  void OnMemoryLimit(const std::string& worker, std::uint32_t pid) override {
    std::lock_guard lock(mutex_);
    memory_limits_.emplace_back(worker, pid);
  }
  void OnStopStepUndelivered(const std::string&, std::uint32_t, StopStep) override {}
  void OnOutputProblem(const std::string&, std::string, bool) override {}
  void OnNotify(const std::string& worker, std::uint32_t pid, NotifyMessage message) override {
    std::lock_guard lock(mutex_);
    notified_.push_back({worker, pid, std::move(message)});
  }
};

}  // namespace sup::win
