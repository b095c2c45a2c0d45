#include "daemon/engine/win/job_launcher.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "daemon/engine/win/job_processes.h"
#include "common/environment.h"
#include "common/win/attribute_list.h"
#include "common/win/object_security.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "common/worker_sid.h"
#include "common/worker_token_plan.h"
#include "daemon/engine/win/close_messages.h"
#include "daemon/engine/win/console_control.h"
#include "daemon/engine/win/launch_in_job.h"
#include "daemon/engine/win/worker_environment.h"
#include "daemon/engine/win/worker_temp.h"

namespace sup::win {
namespace {

namespace asio = boost::asio;

DWORD PriorityClass(Priority priority) {
  switch (priority) {
    case Priority::kIdle: return IDLE_PRIORITY_CLASS;
    case Priority::kBelowNormal: return BELOW_NORMAL_PRIORITY_CLASS;
    case Priority::kNormal: return NORMAL_PRIORITY_CLASS;
    case Priority::kAboveNormal: return ABOVE_NORMAL_PRIORITY_CLASS;
    case Priority::kHigh: return HIGH_PRIORITY_CLASS;
  }
  return NORMAL_PRIORITY_CLASS;
}

// The job of one worker: its tree dies when the last handle closes, and it carries the optional
// memory and CPU limits. Wine accepts but does not enforce the limits.
Result<UniqueHandle> CreateWorkerJob(const LaunchConfig& launch, spdlog::logger& log,
                                     const std::string& worker) {
  UniqueHandle job{::CreateJobObjectW(nullptr, nullptr)};
  if (!job) return Win32Error("CreateJobObjectW");
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = JobLimitsFor(launch);
  if (!::SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits,
                                 sizeof(limits))) {
    return Win32Error("setting the job's limits");
  }
  if (launch.cpu_rate_percent > 0) {
    JOBOBJECT_CPU_RATE_CONTROL_INFORMATION cpu{};
    cpu.ControlFlags = JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP;
    cpu.CpuRate = launch.cpu_rate_percent * 100;  // in 1/100 of a percent
    if (!::SetInformationJobObject(job.get(), JobObjectCpuRateControlInformation, &cpu,
                                   sizeof(cpu))) {
      // Not fatal: the worker runs without the cap (Wine, and Windows before 8, refuse it).
      log.warn("worker cpu limit not applied name={} error=\"{}\"", worker,
               Win32ErrorText(::GetLastError()));
    }
  }
  return job;
}

}  // namespace

JOBOBJECT_EXTENDED_LIMIT_INFORMATION JobLimitsFor(const LaunchConfig& launch) {
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  if (launch.memory_limit_mb > 0) {
    limits.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_JOB_MEMORY;
    limits.JobMemoryLimit = static_cast<SIZE_T>(launch.memory_limit_mb) * 1024 * 1024;
  }
  if (launch.active_process_limit > 0) {
    limits.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_ACTIVE_PROCESS;
    limits.BasicLimitInformation.ActiveProcessLimit = launch.active_process_limit;
  }
  return limits;
}

void JobLauncher::Retire(Process process) {
  process.exit_watch.reset();
  if (process.job) ::TerminateJobObject(process.job.get(), 1);
}

JobLauncher::JobLauncher(const LogFileWork& work, std::shared_ptr<spdlog::logger> log)
    : io_(work.io),
      work_(work),
      log_(std::move(log)),
      tokens_(std::make_shared<WorkerTokens>(log_, SystemAccountLogon())),
      output_(work, log_) {
  // Workers inherit the error mode: a crash ends the worker at once instead of leaving it waiting
  // on an error dialog that nobody sees (Windows Error Reporting, or winedbg under Wine).
  ::SetErrorMode(::GetErrorMode() | SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX |
                 SEM_NOOPENFILEERRORBOX);
}

JobLauncher::~JobLauncher() {
  ReportTo(nullptr);
  for (auto& [worker, process] : processes_) Retire(std::move(process));
}

void JobLauncher::ReportTo(engine::LauncherEvents* events) {
  events_ = events;
  if (!events) return output_.SetProblemSink(nullptr);
  output_.SetProblemSink(
      [events](const std::string& worker, const std::string& message, bool healed) {
        events->OnOutputProblem(worker, message, healed);
      });
}

std::optional<JobLauncher::RunningJob> JobLauncher::Running(const std::string& worker) const {
  const auto found = processes_.find(worker);
  if (found == processes_.end()) return std::nullopt;
  return RunningJob{found->second.job.get(), found->second.launch, found->second.launched_at};
}

JobLauncher::RunAs JobLauncher::RunAsOf(const std::string& worker) const {
  const WorkerToken current = tokens_->Current(worker);
  return {current.token, desktop_ ? desktop_->name() : std::wstring(), current.environment};
}

bool JobLauncher::InAWorkersJob(HANDLE process) const {
  const auto in = [process](HANDLE job) {
    BOOL inside = FALSE;
    return job && ::IsProcessInJob(process, job, &inside) && inside;
  };
  for (const auto& [worker, running] : processes_) {
    if (in(running.job.get())) return true;
  }
  for (const auto& [worker, ending] : ending_) {
    if (in(ending.job.get())) return true;
  }
  return false;
}

std::uint64_t JobLauncher::NotifyRefused(const std::string& worker) const {
  const auto found = processes_.find(worker);
  return found == processes_.end() || !found->second.notify ? 0 : found->second.notify->refused();
}

HANDLE JobLauncher::JobOf(const std::string& worker) const {
  const std::optional<RunningJob> running = Running(worker);
  return running ? running->job : nullptr;
}

// Everything CreateProcess reads, at addresses that stay put while it runs on the file worker.
struct JobLauncher::PendingStart {
  UniqueHandle job;
  UniqueHandle stop_event;
  UniqueHandle stdin_handle, stdout_handle, stderr_handle;  // the child's ends: closed after
  HANDLE inherited[3] = {};
  std::unique_ptr<AttributeList> attributes;
  WorkerIdentity identity;
  WorkerToken run_as;  // made on the file worker (a logon and a profile may take their time)
  std::optional<SecurityAttributes> process_security, thread_security;
  std::wstring desktop;  // for startup.lpDesktop; "": supd's own
  STARTUPINFOEXW startup{};
  std::wstring command_line;
  std::vector<std::string> environment;  // the worker's own entries, over supd's at the start
  std::wstring directory;
  DWORD flags = 0;
  DWORD priority_class = NORMAL_PRIORITY_CLASS;
  std::string what;
  bool watch_memory = false;           // MemoryLimitMB: its job's message is watched
  std::unique_ptr<NotifyPipe> notify;  // made before the process, served once it runs
};

Result<engine::LaunchStarted> JobLauncher::Launch(const std::string& worker,
                                                  const LaunchConfig& launch) {
  // Whatever the previous process left in its job (grandchildren holding a port) dies first.
  if (auto previous = processes_.find(worker); previous != processes_.end()) {
    Process old = std::move(previous->second);
    processes_.erase(previous);
    Retire(std::move(old));
  }
  Result<std::shared_ptr<PendingStart>> start = PrepareStart(worker, launch);
  if (!start) return start.error();
  const std::uint64_t number = ++launches_;
  Starting& starting = starting_[worker];
  starting = Starting{number, std::make_unique<asio::steady_timer>(io_, kSlowStart)};
  starting.slow->async_wait([this, alive = std::weak_ptr<int>(lifetime_), worker,
                             what = (*start)->what](boost::system::error_code ec) {
    if (ec || alive.expired()) return;
    log_->warn(
        "worker start not ended name={} command={} waited_s={} (another program may hold the "
        "program file; the worker shows as STARTING without a pid until it ends)",
        worker, what, kSlowStart.count());
  });
  work_.workers.Post(
      "start " + worker, [start = std::move(*start), inbox = work_.inbox, worker, number, this,
                          tokens = tokens_, alive = std::weak_ptr<int>(lifetime_)] {
        Result<StartedProcess> started = StartProcess(worker, *start, *tokens);
        inbox.Post([this, alive, worker, number, start,
                    started = std::make_shared<Result<StartedProcess>>(std::move(started))] {
          if (!alive.expired()) Started(worker, number, start, std::move(*started));
        });
      });
  return engine::kLaunching;
}

// Everything a start needs that the io thread can make at once: the job, the stop event, the
// output pipes, the descriptors, the desktop; the token and the environment come on the file
// worker (StartProcess).
Result<std::shared_ptr<JobLauncher::PendingStart>> JobLauncher::PrepareStart(
    const std::string& worker, const LaunchConfig& launch) {
  auto start = std::make_shared<PendingStart>();
  start->identity = launch.identity;
  const bool own_account = launch.identity.account.kind != AccountKind::kLocalSystem;
  Result<std::string> controller = tokens_->controller_sid();
  if (!controller) return controller.error();
  Result<SecurityAttributes> process_security =
      SecurityAttributes::FromSddl(WorkerProcessSddl(*controller, worker));
  Result<SecurityAttributes> thread_security =
      SecurityAttributes::FromSddl(WorkerThreadSddl(*controller, worker));
  if (!process_security) return process_security.error();
  if (!thread_security) return thread_security.error();
  start->process_security = std::move(*process_security);
  start->thread_security = std::move(*thread_security);
  start->desktop = DesktopFor(worker, own_account, *controller);

  Result<UniqueHandle> job = CreateWorkerJob(launch, *log_, worker);
  if (!job) return job.error();
  start->job = std::move(*job);
  // Named for the worker's SUP_STOP_EVENT; unguessable, so nobody can create it first (a
  // pre-signalled one would stop every process of the worker as soon as it starts).
  Result<NamedHandle> stop_event =
      CreateUnguessableEvent("Local\\sup-stop-", own_account ? WorkerSid(worker) : "");
  if (!stop_event) return stop_event.error();
  start->stop_event = std::move(stop_event->handle);
  if (Result<void> stdio = PrepareStdio(worker, launch, *start); !stdio) return stdio.error();

  // Its notify pipe, made now so that the process may write to it from its first moment.
  Result<std::unique_ptr<NotifyPipe>> notify = NotifyPipe::Create(io_, WorkerSid(worker), log_);
  if (!notify) return notify.error();
  start->notify = std::move(*notify);

  start->environment = launch.environment;
  start->environment.push_back("SUP_STOP_EVENT=" + stop_event->name);
  start->environment.push_back("SUP_WORKER_NAME=" + worker);
  start->environment.push_back(std::string(kNotifyPipeVariable) + "=" + start->notify->path());
  start->directory = Widen(launch.working_directory);
  start->command_line = Widen(launch.command);
  // A hidden console of its own only for the ctrl-c stop step; otherwise none at all
  // (DETACHED_PROCESS: unlike CREATE_NO_WINDOW it creates no conhost process).
  const DWORD console = launch.own_console ? CREATE_NEW_CONSOLE : DETACHED_PROCESS;
  start->flags = CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT | console;
  start->priority_class = PriorityClass(launch.priority);
  start->what = "\"" + launch.command + "\"";
  start->watch_memory = launch.memory_limit_mb > 0;
  return start;
}

// The workers' desktop, made at the first start (a warning if it cannot be), and granted to a
// worker of its own account. "": supd's own.
std::wstring JobLauncher::DesktopFor(const std::string& worker, bool own_account,
                                     const std::string& controller_sid) {
  if (!desktop_tried_) {
    desktop_tried_ = true;
    Result<std::unique_ptr<WorkerDesktop>> desktop = WorkerDesktop::Create(controller_sid);
    if (desktop) {
      desktop_ = std::move(*desktop);
    } else {
      log_->warn(
          "workers run on supd's desktop reason=\"{}\" (a reduced worker that uses windows may "
          "fail to start with 0xC0000142)",
          desktop.error().message());
    }
  }
  if (!desktop_) return L"";
  if (own_account) {
    if (Result<void> granted = desktop_->Grant(WorkerSid(worker)); !granted)
      log_->warn("worker desktop not granted name={} reason=\"{}\"", worker,
                 granted.error().message());
  }
  return desktop_->name();
}

// The worker's standard handles (NUL in, its output pipes out) and the startup information that
// hands it those three and no other handle, whatever else supd holds inheritable.
Result<void> JobLauncher::PrepareStdio(const std::string& worker, const LaunchConfig& launch,
                                       PendingStart& start) {
  Result<UniqueHandle> stdin_handle = OpenNul(GENERIC_READ);
  Result<UniqueHandle> stdout_handle = output_.StreamFor(worker, /*stderr_stream=*/false, launch);
  Result<UniqueHandle> stderr_handle = output_.StreamFor(worker, /*stderr_stream=*/true, launch);
  if (!stdin_handle) return stdin_handle.error();
  if (!stdout_handle) return stdout_handle.error();
  if (!stderr_handle) return stderr_handle.error();
  start.stdin_handle = std::move(*stdin_handle);
  start.stdout_handle = std::move(*stdout_handle);
  start.stderr_handle = std::move(*stderr_handle);

  start.inherited[0] = start.stdin_handle.get();
  start.inherited[1] = start.stdout_handle.get();
  start.inherited[2] = start.stderr_handle.get();
  Result<std::unique_ptr<AttributeList>> attributes = AttributeList::Create(1);
  if (!attributes) return attributes.error();
  start.attributes = std::move(*attributes);
  if (Result<void> only = start.attributes->InheritOnly(start.inherited, 3); !only)
    return only.error();

  STARTUPINFOEXW& startup = start.startup;
  startup.StartupInfo.cb = sizeof(startup);
  startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES | STARTF_USESHOWWINDOW;
  startup.StartupInfo.wShowWindow = SW_HIDE;  // its own console, if any, stays hidden
  startup.StartupInfo.hStdInput = start.stdin_handle.get();
  startup.StartupInfo.hStdOutput = start.stdout_handle.get();
  startup.StartupInfo.hStdError = start.stderr_handle.get();
  startup.lpAttributeList = start.attributes->get();
  if (!start.desktop.empty()) startup.StartupInfo.lpDesktop = start.desktop.data();
  return Ok();
}

// On a file worker: the token (a logon, a profile), a TEMP of its own, the environment block,
// then CreateProcess in the job.
Result<StartedProcess> JobLauncher::StartProcess(const std::string& worker, PendingStart& start,
                                                 WorkerTokens& tokens) {
  Result<WorkerToken> run_as = tokens.For(worker, start.identity);
  if (!run_as) return run_as.error();
  start.run_as = std::move(*run_as);
  if (start.run_as.token && !start.directory.empty()) {
    if (Result<void> opens = FolderOpensAs(start.run_as.token->get(), start.directory); !opens) {
      return opens.error().WithContext("worker " + worker + " (as " +
                                       start.identity.account.ToString() + ")");
    }
  }
  Result<std::string> temp = EnsureWorkerTemp(worker, OwnUserSid());
  if (!temp) return temp.error();
  // Made here, not when the start is queued: the block is a whole environment, and a start of
  // 200 workers would otherwise hold 200 of them at once. The worker's Environment decides last.
  const std::vector<std::string> base =
      start.run_as.environment ? *start.run_as.environment : CurrentEnvironment();
  std::wstring environment = EnvironmentBlock(MergeEnvironment(
      MergeEnvironment(base, {"TEMP=" + *temp, "TMP=" + *temp}), start.environment));
  return LaunchInJob(start.job.get(),
                     {.command_line = start.command_line,
                      .flags = start.flags,
                      .priority_class = start.priority_class,
                      .environment = &environment,
                      .directory = start.directory.empty() ? nullptr : start.directory.c_str(),
                      .startup = &start.startup.StartupInfo,
                      .inherit_handles = true,
                      .token = start.run_as.token ? start.run_as.token->get() : nullptr,
                      .process_security = start.process_security->get(),
                      .thread_security = start.thread_security->get(),
                      .what = start.what});
}

void JobLauncher::Started(const std::string& worker, std::uint64_t launch,
                          const std::shared_ptr<PendingStart>& start,
                          Result<StartedProcess> started) {
  const auto found = starting_.find(worker);
  // Stale (cannot happen while the engine waits for each start): the job closes with `start`,
  // and KILL_ON_JOB_CLOSE takes the process with it.
  if (found == starting_.end() || found->second.launch != launch) return;
  starting_.erase(found);
  if (!started) {
    log_->warn("worker start failed name={} error=\"{}\"", worker, started.error().message());
    if (events_) events_->OnLaunched(worker, started.error());
    return;
  }
  if (started->attempts > 1) {
    log_->warn("worker started on its second try name={} pid={} (the first: ERROR_INTERNAL_ERROR)",
               worker, started->pid);
  }
  Process& running = processes_[worker];
  running.pid = started->pid;
  running.launch = launch;
  running.launched_at = std::chrono::steady_clock::now();
  running.job = std::move(start->job);
  running.profile = std::move(start->run_as.profile);
  running.stop_event = std::move(start->stop_event);
  running.exit_watch =
      std::make_unique<asio::windows::object_handle>(io_, started->process.release());
  running.exit_watch->async_wait([this, alive = std::weak_ptr<int>(lifetime_), worker,
                                  pid = running.pid](boost::system::error_code ec) {
    if (ec == asio::error::operation_aborted || alive.expired()) return;
    OnProcessExit(worker, pid);
  });
  if (start->watch_memory) WatchMemoryLimit(worker, running);
  running.notify = std::move(start->notify);
  running.notify->Begin(running.job.get(), worker,
                        [this, alive = std::weak_ptr<int>(lifetime_), worker,
                         pid = running.pid](NotifyMessage message) {
                          if (!alive.expired() && events_)
                            events_->OnNotify(worker, pid, std::move(message));
                        });
  log_->info("worker launched name={} pid={}", worker, running.pid);
  if (events_) events_->OnLaunched(worker, running.pid);
}

// The limit holds without the watch; only the report of reaching it would be missing, so a
// failure here is a warning and the worker runs.
void JobLauncher::WatchMemoryLimit(const std::string& worker, const Process& process) {
  if (!memory_watch_) {
    Result<std::unique_ptr<JobMemoryWatch>> started = JobMemoryWatch::Start(
        io_, [this](std::uint64_t launch, std::uint32_t pid) { OnMemoryLimit(launch, pid); });
    if (!started) {
      log_->warn("worker memory limit not watched name={} reason=\"{}\"", worker,
                 started.error().message());
      return;
    }
    memory_watch_ = std::move(*started);
  }
  if (Result<void> watched = memory_watch_->Watch(process.job.get(), process.launch); !watched) {
    log_->warn("worker memory limit not watched name={} reason=\"{}\"", worker,
               watched.error().message());
  }
}

HANDLE JobLauncher::MemoryLimitPort() const {
  return memory_watch_ ? memory_watch_->port() : nullptr;
}

void JobLauncher::OnMemoryLimit(std::uint64_t launch, std::uint32_t failing_pid) {
  for (const auto& [worker, process] : processes_) {
    if (process.launch != launch) continue;
    log_->warn("worker job reached its memory limit name={} pid={} allocating_pid={}", worker,
               process.pid, failing_pid);
    if (events_) events_->OnMemoryLimit(worker, process.pid);
    return;
  }
  // An earlier process of some worker: its job is already gone.
}

std::optional<std::uint64_t> JobLauncher::WorkingSetBytes(const std::string& worker) {
  const auto found = processes_.find(worker);
  if (found == processes_.end()) return std::nullopt;
  const std::vector<DWORD> pids = JobProcessIds(found->second.job.get());
  if (pids.empty()) return std::nullopt;
  std::uint64_t total = 0;
  for (const DWORD pid : pids) {
    const UniqueHandle process{::OpenProcess(kMemoryReadAccess, FALSE, pid)};
    if (process) total += MemoryOfProcess(process.get()).working_set_bytes;
  }
  return total;
}

void JobLauncher::OnProcessExit(const std::string& worker, std::uint32_t pid) {
  const auto found = processes_.find(worker);
  if (found == processes_.end() || found->second.pid != pid) return;
  DWORD exit_code = 0;
  ::GetExitCodeProcess(found->second.exit_watch->native_handle(), &exit_code);
  // The worker is gone; so is anything it left behind in its job.
  ::TerminateJobObject(found->second.job.get(), 1);
  Ending& ending = ending_[worker];
  ending = Ending{pid, static_cast<std::int64_t>(exit_code), std::move(found->second.job),
                  std::chrono::steady_clock::now() + kJobEmptyTimeout,
                  std::make_unique<asio::steady_timer>(io_)};
  processes_.erase(found);
  ReportWhenEmpty(worker);
}

// Polled, not waited for with a completion port: terminated processes leave within milliseconds,
// and a poll needs nothing Wine might not implement.
void JobLauncher::ReportWhenEmpty(const std::string& worker) {
  Ending& ending = ending_.at(worker);
  const std::size_t left = JobProcessIds(ending.job.get()).size();
  const bool gave_up = std::chrono::steady_clock::now() >= ending.give_up_at;
  if (left == 0 || gave_up) {
    if (left > 0) {
      log_->warn("worker job not empty after terminate name={} processes={} waited_ms={}", worker,
                 left, std::chrono::milliseconds(kJobEmptyTimeout).count());
    }
    const std::uint32_t pid = ending.pid;
    const std::int64_t code = ending.exit_code;
    ending_.erase(worker);
    if (events_) events_->OnExit(worker, pid, code);
    return;
  }
  ending.poll->expires_after(std::chrono::milliseconds(5));
  ending.poll->async_wait(
      [this, alive = std::weak_ptr<int>(lifetime_), worker](boost::system::error_code ec) {
        if (!ec && !alive.expired()) ReportWhenEmpty(worker);
      });
}

void JobLauncher::RequestStop(const std::string& worker, StopStep step) {
  const auto found = processes_.find(worker);
  if (found == processes_.end()) return;
  Process& process = found->second;
  switch (step) {
    case StopStep::kEvent: ::SetEvent(process.stop_event.get()); return;
    case StopStep::kCtrlC: {
      const std::uint32_t pid = process.pid;
      // Back through the inbox: the sending thread may end after the io thread has gone.
      SendCtrlCInBackground(
          static_cast<DWORD>(pid), log_,
          [this, inbox = work_.inbox, alive = std::weak_ptr<int>(lifetime_), worker, pid] {
            inbox.Post([this, alive, worker, pid] {
              if (!alive.expired() && events_)
                events_->OnStopStepUndelivered(worker, pid, StopStep::kCtrlC);
            });
          });
      return;
    }
    case StopStep::kClose:
      PostCloseMessages(process.job.get(), desktop_ ? desktop_->desktop() : nullptr);
      return;
    case StopStep::kTerminate: Kill(worker); return;
  }
}

void JobLauncher::Kill(const std::string& worker) {
  const auto found = processes_.find(worker);
  if (found == processes_.end()) return;
  if (!::TerminateJobObject(found->second.job.get(), 1)) {
    log_->error("worker kill failed name={} error=\"{}\"", worker,
                Win32ErrorText(::GetLastError()));
  }
}

}  // namespace sup::win
