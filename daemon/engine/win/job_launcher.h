// The Windows ProcessLauncher: every worker runs in a job object of its own, which only supd
// holds (not inheritable) and which kills the whole tree when closed, so no worker or grandchild
// outlives supd. Exits are watched with object_handle on the io thread.
//
// CreateProcess itself runs on a file worker (LogFileWork::workers), not on the io thread: it
// opens the program's image, and a file another program holds (an oplock on the .exe, which any
// user who may read it can take) would keep it waiting for as long as that program likes. Launch
// prepares the job, the stop event and the output pipes, and returns kLaunching; the outcome comes
// back through LauncherEvents::OnLaunched. A start still under way after kSlowStart is a warning
// naming the program.
//
// Threading: every method runs on the io thread; exits and starts are reported there too. The
// Ctrl+C step alone runs on a short-lived thread of its own (console attachment is process-wide
// state).
#pragma once

#include "daemon/win/asio.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/win/unique_handle.h"
#include "daemon/engine/ports.h"
#include "daemon/engine/win/job_memory_watch.h"
#include "daemon/engine/win/launch_in_job.h"
#include "daemon/engine/win/notify_pipe.h"
#include "daemon/output/win/output_store.h"
#include "daemon/engine/win/worker_desktop.h"
#include "daemon/engine/win/worker_token.h"

namespace spdlog {
class logger;
}

namespace sup::win {

// The limits a worker's job gets: KILL_ON_JOB_CLOSE always, the memory and active process limits
// when configured.
JOBOBJECT_EXTENDED_LIMIT_INFORMATION JobLimitsFor(const LaunchConfig& launch);

// Workers in job objects: launch, stop steps, kill, exits. Their output goes to its OutputStore.
class JobLauncher final : public engine::ProcessLauncher {
 public:
  static constexpr std::chrono::seconds kSlowStart{10};

  // The workers' log files and their starts are worked on as `work` says.
  JobLauncher(const LogFileWork& work, std::shared_ptr<spdlog::logger> log);
  ~JobLauncher() override;

  // Where the launcher reports (on the io thread, work.io): a start's outcome once per start, an
  // exit once per launched process, a job that reached its MemoryLimitMB (only real Windows
  // enforces the limit; Wine accepts and ignores it), a stop step that could not be delivered, a
  // log file that cannot be written or works again. Handed once, before the first launch (the
  // Supervisor, which needs the launcher first); null: nothing more is reported.
  void ReportTo(engine::LauncherEvents* events);

  Result<engine::LaunchStarted> Launch(const std::string& worker,
                                       const LaunchConfig& launch) override;
  void RequestStop(const std::string& worker, StopStep step) override;
  void Kill(const std::string& worker) override;
  void Forget(const std::string& worker) override {
    output_.Forget(worker);
    tokens_->Forget(worker);
  }
  // User accounts are logged on with the passwords `passwords` reveals (set before the first
  // launch); after a password is kept or forgotten, ForgetToken makes the next start log on again.
  void SetPasswords(WorkerTokens::PasswordSource passwords) {
    tokens_->SetPasswords(std::move(passwords));
  }
  void ForgetToken(const std::string& worker) { tokens_->Forget(worker); }
  // Summed over the processes in the worker's job.
  std::optional<std::uint64_t> WorkingSetBytes(const std::string& worker) override;

  // Clients of the worker's current notify pipe turned away (outside its job, or a bad line);
  // 0 when it has no process.
  std::uint64_t NotifyRefused(const std::string& worker) const;

  // The completion port the kernel posts the memory limit message to, once a worker with a
  // MemoryLimitMB has been launched (null before): tests post the message themselves.
  HANDLE MemoryLimitPort() const;

  // Whether `process` (opened with PROCESS_QUERY_INFORMATION) runs in the job of a worker, its
  // own or one of its children: such a client of supd's pipes is a worker, whatever its token.
  bool InAWorkersJob(HANDLE process) const;

  // The job of a running worker, for tests and diagnostics (null when none).
  HANDLE JobOf(const std::string& worker) const;

  // A worker's running process: its job, which launch it is (counted from 1 since supd started),
  // and when it started. nullopt when the worker has no process.
  struct RunningJob {
    HANDLE job = nullptr;
    std::uint64_t launch = 0;
    std::chrono::steady_clock::time_point launched_at;
  };
  std::optional<RunningJob> Running(const std::string& worker) const;
  // The workers' tokens (one per definition), for tests.
  WorkerTokens& tokens() { return *tokens_; }
  // What a worker's processes run with, which its exec probes run with too.
  struct RunAs {
    std::shared_ptr<const UniqueHandle> token;  // null: supd's own
    std::wstring desktop;                       // "" : supd's own
    // The environment Windows made for the worker's account; null: supd's (LocalSystem).
    std::shared_ptr<const std::vector<std::string>> environment;
  };
  RunAs RunAsOf(const std::string& worker) const;
  // The workers' window station and desktop (null until the first launch, or if it could not be
  // made: the workers then share supd's, and a warning said so).
  const WorkerDesktop* desktop() const { return desktop_.get(); }
  // The workers' captured output, for the control plane and tests.
  OutputStore& output() { return output_; }
  const OutputStore& output() const { return output_; }

 private:
  struct Process {
    std::uint32_t pid = 0;
    std::uint64_t launch = 0;
    std::chrono::steady_clock::time_point launched_at;
    UniqueHandle job;                     // KILL_ON_JOB_CLOSE: closing it kills the tree
    UniqueHandle stop_event;              // named in the worker's SUP_STOP_EVENT
    std::shared_ptr<const void> profile;  // its account's, loaded while it runs
    std::unique_ptr<boost::asio::windows::object_handle> exit_watch;  // owns the process handle
    std::unique_ptr<NotifyPipe> notify;  // named in its SUP_NOTIFY_PIPE; goes with the process
  };

  struct PendingStart;  // what CreateProcess needs, kept until it has returned
  Result<std::shared_ptr<PendingStart>> PrepareStart(const std::string& worker,
                                                     const LaunchConfig& launch);
  std::wstring DesktopFor(const std::string& worker, bool own_account,
                          const std::string& controller_sid);
  Result<void> PrepareStdio(const std::string& worker, const LaunchConfig& launch,
                            PendingStart& start);
  // Runs on a file worker: touches only `start` and `tokens`, not the launcher.
  static Result<StartedProcess> StartProcess(const std::string& worker, PendingStart& start,
                                             WorkerTokens& tokens);
  // The start numbered `launch` of `worker` returned on the file worker.
  void Started(const std::string& worker, std::uint64_t launch,
               const std::shared_ptr<PendingStart>& start, Result<StartedProcess> started);
  struct Starting {
    std::uint64_t launch = 0;
    std::unique_ptr<boost::asio::steady_timer> slow;  // kSlowStart: a warning
  };
  std::map<std::string, Starting> starting_;  // starts under way on a file worker

  // A worker's process ended; what it left in its job is killed, and its exit is reported once
  // the job is empty, so a restart (with no backoff, say) never meets its old processes still
  // dying with its port.
  void OnProcessExit(const std::string& worker, std::uint32_t pid);
  struct Ending {
    std::uint32_t pid = 0;
    std::int64_t exit_code = 0;
    UniqueHandle job;
    std::chrono::steady_clock::time_point give_up_at;
    std::unique_ptr<boost::asio::steady_timer> poll;
  };
  void ReportWhenEmpty(const std::string& worker);
  // How long a terminated job may take to empty before the exit is reported anyway (a process
  // stuck in a driver call cannot be terminated at once).
  static constexpr std::chrono::seconds kJobEmptyTimeout{5};
  // Ends a process entry: the exit watch goes first, while the process still runs. Destroying
  // an object_handle whose wait is completing blocks in UnregisterWaitEx (and hangs under Wine).
  static void Retire(Process process);

  void WatchMemoryLimit(const std::string& worker, const Process& process);
  // A job of the launch numbered `launch` reached its memory limit.
  void OnMemoryLimit(std::uint64_t launch, std::uint32_t failing_pid);

  boost::asio::io_context& io_;
  LogFileWork work_;
  engine::LauncherEvents* events_ = nullptr;
  std::unique_ptr<JobMemoryWatch> memory_watch_;  // from the first worker with MemoryLimitMB
  std::shared_ptr<spdlog::logger> log_;
  std::map<std::string, Process> processes_;
  std::uint64_t launches_ = 0;  // processes started, for RunningJob::launch
  // Expires with the launcher. A wait that completed before the launcher went (a process exited,
  // a poll timer fired) is still run by the io_context afterwards, with success, not aborted:
  // its handler checks this before touching the launcher.
  std::shared_ptr<int> lifetime_ = std::make_shared<int>(0);
  std::map<std::string, Ending> ending_;  // exited, their jobs still emptying
  // Shared with the start tasks on file workers, which make the tokens.
  std::shared_ptr<WorkerTokens> tokens_;
  std::unique_ptr<WorkerDesktop> desktop_;
  bool desktop_tried_ = false;
  OutputStore output_;
};

}  // namespace sup::win
